//! The projected Cauchy step of TRON (MINPACK-2 `dcauchy`; Lin & Moré
//! 1999 §2): a search along −g projected on the box, α shrunk or grown by
//! [`CAUCHY_FACTOR`] until the sufficient-decrease and radius tests of
//! [`cauchy_acceptable`] hold.

use ndarray::{Array1, ArrayView1, Zip};

use super::projection::{breakpoints, projected_step};
use super::{dot, norm};
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::Par;
use crate::problem::bounds::Bounds;

/// Sufficient-decrease constant of the Cauchy and projected searches.
pub const MU0: f64 = 0.01;
/// Radius factor of the Cauchy step: ‖s‖ ≤ μ₁Δ.
pub const MU1: f64 = 1.0;
/// The factor by which the Cauchy search shrinks or grows α.
pub const CAUCHY_FACTOR: f64 = 10.0;
/// The Cauchy search gives up below this α (√ of the smallest positive
/// subnormal, JSOSolvers' `:small_step` guard; MINPACK-2 has none).
pub const CAUCHY_ALPHA_MIN: f64 = 2.222_758_749_485_077e-162;

/// The outcome of the projected Cauchy search ([`cauchy_step`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CauchyStep {
    /// The accepted α.
    pub alpha: f64,
    /// q(s(α)) = gᵀs + ½sᵀHs.
    pub q: f64,
    /// gᵀs(α).
    pub gts: f64,
    /// Products used (one per trial).
    pub products: u64,
    /// Whether an acceptable α was found (false: α underflowed, or a
    /// product was not finite; s is then 0).
    pub found: bool,
    /// Whether a product was not finite.
    pub non_finite: bool,
}

/// The Cauchy conditions: ‖s‖ ≤ μ₁Δ and q(s) ≤ μ₀·gᵀs (Lin & Moré 1999,
/// eq. 2.4–2.5). NaN fails.
pub fn cauchy_acceptable(step_norm: f64, q: f64, gts: f64, radius: f64) -> bool {
    step_norm <= MU1 * radius && q <= MU0 * gts
}

/// The projected Cauchy search (MINPACK-2 `dcauchy`; module
/// documentation, step 1) from α = `alpha0` along −g at x. On return `s`
/// and `hs` hold the accepted s(α) and H·s(α) (0 when none was found);
/// `s_try`, `hs_try` are work vectors. One product with `h` per trial.
#[allow(clippy::too_many_arguments)]
pub fn cauchy_step<H: LinearOperator + ?Sized>(
    par: Par,
    h: &H,
    b: &Bounds,
    x: ArrayView1<'_, f64>,
    g: ArrayView1<'_, f64>,
    radius: f64,
    alpha0: f64,
    s: &mut Array1<f64>,
    hs: &mut Array1<f64>,
    s_try: &mut Array1<f64>,
    hs_try: &mut Array1<f64>,
) -> CauchyStep {
    let mut out = CauchyStep {
        alpha: alpha0,
        q: 0.0,
        gts: 0.0,
        products: 0,
        found: false,
        non_finite: false,
    };
    // −g as the direction: s(α) = P(x − αg) − x.
    s_try.assign(&g);
    s_try.mapv_inplace(|v| -v);
    let (_, brpt_max) = breakpoints(x, s_try.view(), b);
    // One trial at α: writes s_try, hs_try; returns (q, gᵀs, ok).
    let trial =
        |alpha: f64, s_try: &mut Array1<f64>, hs_try: &mut Array1<f64>, out: &mut CauchyStep| {
            // s_try holds −g on entry of the first call only; recompute from g.
            Zip::from(&mut *hs_try).and(&g).for_each(|h, &g| *h = -g);
            projected_step(par, x, alpha, hs_try.view(), b, s_try.view_mut());
            h.apply(s_try.view(), hs_try.view_mut());
            out.products += 1;
            let gts = dot(par, g, s_try.view());
            let q = gts + 0.5 * dot(par, s_try.view(), hs_try.view());
            if !q.is_finite() {
                out.non_finite = true;
            }
            let ok = cauchy_acceptable(norm(par, s_try.view()), q, gts, radius);
            (q, gts, ok)
        };
    let mut alpha = alpha0;
    let (q, gts, ok) = trial(alpha, s_try, hs_try, &mut out);
    if !ok {
        // Shrink until a trial passes.
        loop {
            if out.non_finite {
                break;
            }
            alpha /= CAUCHY_FACTOR;
            if alpha < CAUCHY_ALPHA_MIN {
                break;
            }
            let (q, gts, ok) = trial(alpha, s_try, hs_try, &mut out);
            if ok {
                std::mem::swap(s, s_try);
                std::mem::swap(hs, hs_try);
                out = CauchyStep {
                    alpha,
                    q,
                    gts,
                    found: true,
                    ..out
                };
                return out;
            }
        }
        s.fill(0.0);
        hs.fill(0.0);
        out.found = false;
        return out;
    }
    // Passed: keep it and grow while trials pass and α ≤ the largest
    // breakpoint.
    std::mem::swap(s, s_try);
    std::mem::swap(hs, hs_try);
    out = CauchyStep {
        alpha,
        q,
        gts,
        found: true,
        ..out
    };
    while alpha <= brpt_max {
        let next = alpha * CAUCHY_FACTOR;
        if !next.is_finite() {
            break;
        }
        let (q, gts, ok) = trial(next, s_try, hs_try, &mut out);
        if !ok {
            break;
        }
        alpha = next;
        std::mem::swap(s, s_try);
        std::mem::swap(hs, hs_try);
        out.alpha = alpha;
        out.q = q;
        out.gts = gts;
    }
    out.non_finite = false;
    out
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    fn spd3() -> Array2<f64> {
        array![[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]]
    }

    #[test]
    fn cauchy_conditions() {
        // Inside the radius with enough decrease.
        assert!(cauchy_acceptable(1.0, -1.0, -2.0, 1.0));
        // Outside the radius.
        assert!(!cauchy_acceptable(1.0 + 1e-12, -1.0, -2.0, 1.0));
        // Not enough decrease: q > μ₀ gᵀs.
        assert!(!cauchy_acceptable(0.5, -0.01, -2.0, 1.0));
        assert!(!cauchy_acceptable(0.5, f64::NAN, -2.0, 1.0));
    }

    /// The accepted Cauchy step satisfies both conditions; for a radius so
    /// small that α = 1 violates ‖s‖ ≤ Δ, α shrinks by powers of 10; with a
    /// large radius α grows while the trials pass.
    #[test]
    fn cauchy_step_meets_its_conditions() {
        let h = spd3();
        let b = Bounds::new(array![-10.0, -10.0, 0.0], array![10.0, 10.0, 10.0]).unwrap();
        let x = array![1.0, 1.0, 0.5];
        let g = h.dot(&x) - array![1.0, 0.0, -5.0];
        let z = || Array1::zeros(3);
        let (mut s, mut hs, mut a, mut bb) = (z(), z(), z(), z());
        for (radius, alpha0) in [(1e-3, 1.0), (10.0, 1e-4), (0.5, 1.0)] {
            let cs = cauchy_step(
                Par::Seq,
                &h,
                &b,
                x.view(),
                g.view(),
                radius,
                alpha0,
                &mut s,
                &mut hs,
                &mut a,
                &mut bb,
            );
            assert!(cs.found);
            let sn = norm(Par::Seq, s.view());
            let gts = g.dot(&s);
            let q = gts + 0.5 * s.dot(&h.dot(&s));
            assert!(
                cauchy_acceptable(sn, q, gts, radius),
                "Δ = {radius}: {cs:?}"
            );
            assert!((cs.q - q).abs() <= 1e-14 * q.abs().max(1.0));
            assert_eq!(hs, h.dot(&s));
            // α is alpha0 times a power of 10.
            let k = (cs.alpha / alpha0).log10();
            assert!((k - k.round()).abs() < 1e-9, "{cs:?}");
            // The next trial out (α·10) fails, unless past the breakpoints.
            let mut s2 = z();
            projected_step(
                Par::Seq,
                x.view(),
                cs.alpha * 10.0,
                (-&g).view(),
                &b,
                s2.view_mut(),
            );
            let gts2 = g.dot(&s2);
            let q2 = gts2 + 0.5 * s2.dot(&h.dot(&s2));
            assert!(
                !cauchy_acceptable(norm(Par::Seq, s2.view()), q2, gts2, radius),
                "Δ = {radius}"
            );
            assert!(cs.products >= 1);
        }
        // Radius 1e-3 from α = 1: ‖g‖ ≈ 8.5, so α ≤ 1e-4 is needed.
        let cs = cauchy_step(
            Par::Seq,
            &h,
            &b,
            x.view(),
            g.view(),
            1e-3,
            1.0,
            &mut s,
            &mut hs,
            &mut a,
            &mut bb,
        );
        assert_eq!(cs.alpha, 1e-4);
        assert_eq!(cs.products, 5);
    }
}
