//! Truncated conjugate gradients (Steihaug 1983; Toint 1981).
//!
//! Minimizes `m(p) = gᵀp + ½pᵀHp` approximately by (preconditioned) CG from
//! p = 0, and stops at the first of:
//! * `‖r‖ ≤ η‖g‖` with `r = −(g + Hp)` — the inexact-Newton rule
//!   (Dembo, Eisenstat & Steihaug 1982; Nocedal & Wright 2006, §7.1);
//! * `dᵀHd ≤ ε·‖d‖²_M` — negative or zero curvature; in trust-region mode the
//!   step goes to the boundary along d, to whichever of the two boundary
//!   points has the lower model value (Nocedal & Wright, Algorithm 7.2);
//!   in line-search mode the current iterate is returned, or the
//!   (preconditioned) steepest-descent direction at the first iteration
//!   (N&W Algorithm 7.1);
//! * the next iterate would leave the trust region `‖p‖_M ≤ Δ`: the step is
//!   cut at the boundary (positive root);
//! * the iteration cap, a deadline, a non-finite product or scalar, or an
//!   indefinite preconditioner.
//!
//! Costs and numerics (`reference/pitfalls.md`):
//! * exactly **one Hessian-vector product per iteration**; the predicted
//!   reduction `−m(p) = ½ pᵀ(r − g)` comes from CG quantities (§13);
//! * `‖p‖_M²`, `pᵀMd` and `‖d‖_M²` are kept by the recurrences of Gould,
//!   Lucidi, Roma & Toint (1999), so the M-norm needs no products with M
//!   (§9); without a preconditioner M = I;
//! * boundary roots use the cancellation-free quadratic formula (§7);
//! * the boundary is reported by an explicit flag, never by comparing ‖p‖
//!   with Δ (§3);
//! * the curvature test is scaled by ‖d‖²_M (§10);
//! * the loop has a cap (§11);
//! * the vector passes are fused over cache-sized blocks: the set-up
//!   (d = −g, ‖g‖²; without a preconditioner p = 0 and r = −g stay
//!   implicit until the first update writes p = τd, r = −g − τHd), the
//!   exit (pᵀr, pᵀg, pᵀp, and the trial point x + p for the trust-region
//!   solver) and the boundary coefficients (dᵀd, pᵀd, pᵀp) are one pass
//!   each, and the p/r update takes ‖r‖² from the block it has just written
//!   (`docs/benchmarks.md`: at large n the solver is memory-bound);
//! * the passes run on the blocks of [`crate::linalg::par`]: in parallel for long
//!   vectors, with per-block partial sums added in block order, so the
//!   result is bit-for-bit the same for any number of threads.
//!
//! No allocation: all vectors and the per-block partial sums live in a
//! [`KrylovWorkspace`] made once per solve.

use std::time::Instant;

use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

use crate::error::{check_dim, Error, Result};
use crate::krylov::boundary::boundary_roots;
use crate::krylov::energy::{energy_converged, EnergyTail};
use crate::krylov::params::{KrylovInfo, KrylovWorkspace, SteihaugParams, Truncation};
use crate::krylov::KrylovExit;
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::Partials;
use crate::linalg::precond::Preconditioner;
use crate::linalg::vecops;

/// Runs truncated CG on `H p = −g` and writes the step into `p`.
///
/// Errors (checked before any work): `h`, the preconditioner, `g`, `p` and
/// the workspace of different dimensions ([`Error::DimensionMismatch`]); a
/// trust-region radius that is not finite and positive, or a forcing term
/// η that is not finite and non-negative ([`Error::InvalidOption`]).
pub fn steihaug<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    g: ArrayView1<'_, f64>,
    params: &SteihaugParams,
    ws: &mut KrylovWorkspace,
    p: ArrayViewMut1<'_, f64>,
) -> Result<KrylovInfo> {
    let n = g.len();
    crate::linalg::operator::check_square("Hessian operator", n, h)?;
    if let Some(m) = precond {
        check_dim("preconditioner", n, m.dim())?;
    }
    check_dim("step p", n, p.len())?;
    check_dim("CG workspace", n, ws.r.len())?;
    if let Truncation::TrustRegion { radius } = params.truncation {
        if !(radius.is_finite() && radius > 0.0) {
            return Err(Error::InvalidOption {
                name: "radius",
                reason: format!("must be finite and positive, got {radius}"),
            });
        }
    }
    if !(params.eta.is_finite() && params.eta >= 0.0) {
        return Err(Error::InvalidOption {
            name: "eta",
            reason: format!("must be finite and non-negative, got {}", params.eta),
        });
    }
    Ok(steihaug_trial(h, precond, g, params, ws, p, None))
}

/// [`steihaug`], and, when `trial = Some((x, out))`, also `out ← x + p`,
/// written by the same final pass that computes `pᵀr`, `pᵀg` and `pᵀp`
/// (the trust-region solver's trial point, without another pass over p).
pub(crate) fn steihaug_trial<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    g: ArrayView1<'_, f64>,
    params: &SteihaugParams,
    ws: &mut KrylovWorkspace,
    p: ArrayViewMut1<'_, f64>,
    trial: Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
) -> KrylovInfo {
    steihaug_trial_energy(h, precond, g, params, 0.0, ws, p, trial)
}

/// [`steihaug_trial`] that also stops (with [`KrylovExit::Converged`]) once
/// the delayed energy-error estimate of the interior iterates is at most
/// `energy_tol` ([`energy_converged`]; 0 turns it off): the certifying
/// solves of the gap test, which need the model gap small, not the
/// residual.
#[allow(clippy::too_many_arguments)]
pub(crate) fn steihaug_trial_energy<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    g: ArrayView1<'_, f64>,
    params: &SteihaugParams,
    energy_tol: f64,
    ws: &mut KrylovWorkspace,
    mut p: ArrayViewMut1<'_, f64>,
    trial: Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
) -> KrylovInfo {
    let KrylovWorkspace {
        r,
        z,
        d,
        hd,
        partials: k,
    } = ws;
    let radius = match params.truncation {
        Truncation::TrustRegion { radius } => radius,
        Truncation::LineSearch => f64::INFINITY,
    };
    let trust_region = matches!(params.truncation, Truncation::TrustRegion { .. });
    let mut info = KrylovInfo {
        exit: KrylovExit::Converged,
        iterations: 0,
        on_boundary: false,
        pred: 0.0,
        step_norm_m: 0.0,
        step_norm: 0.0,
        grad_dot_step: 0.0,
        leftmost: None,
        residual_norm: 0.0,
        curvature: f64::NAN,
        energy_tail: f64::NAN,
        energy_steps: 0,
        energy_total: 0.0,
    };
    let mut energy = EnergyTail::default();

    // Set-up, one pass. Without a preconditioner d = −g; p = 0 and r = −g
    // stay implicit until the first update (`fresh`), which writes
    // p = τd and r = −g − τHd. With one, r = −g is written (M⁻¹ reads it).
    let gnorm2 = match precond {
        None => negate_into(k, d, g),
        Some(_) => negate_into(k, r, g),
    };
    let gnorm = gnorm2.sqrt();
    // p = 0 until the first update: r = −g.
    info.residual_norm = gnorm;
    if gnorm == 0.0 || !gnorm.is_finite() {
        if !gnorm.is_finite() {
            info.exit = KrylovExit::NonFinite;
        }
        zero_step(k, p, trial);
        return info;
    }
    let tol2 = (params.eta * gnorm).powi(2);

    // z = M⁻¹ r, d = z
    let mut rz = match precond {
        Some(m) => {
            m.apply(r.view(), z.view_mut());
            dot_and_copy(k, r, z, d)
        }
        None => gnorm2,
    };
    if !(rz > 0.0 && rz.is_finite()) {
        info.exit = KrylovExit::IndefinitePreconditioner;
        zero_step(k, p, trial);
        return info;
    }
    let r_implicit = precond.is_none();
    let mut fresh = true;

    let mut p_mp = 0.0f64; // ‖p‖²_M
    let mut p_md = 0.0f64; // pᵀMd
    let mut d_md = rz; // ‖d‖²_M

    let mut iters = 0usize;
    // ‖r‖² = ‖g + Hp‖² after the last update (Eisenstat-Walker choice 1).
    let mut last_rr = gnorm2;
    let exit = loop {
        if iters >= params.max_iter {
            break KrylovExit::MaxIterations;
        }
        if let Some(t) = params.deadline {
            if Instant::now() >= t {
                break KrylovExit::TimeLimit;
            }
        }
        h.apply(d.view(), hd.view_mut());
        iters += 1;
        let d_hd = dot(k, d.view(), hd.view());
        if !d_hd.is_finite() {
            break KrylovExit::NonFinite;
        }

        if d_hd <= params.curvature_eps * d_md {
            // Negative or zero curvature along d.
            info.curvature = d_hd / d_md;
            if trust_region {
                let (a, b, c) = boundary_coefficients(
                    k,
                    precond,
                    fresh,
                    p.view(),
                    d,
                    (d_md, p_md, p_mp),
                    radius,
                );
                let (tm, tp) = boundary_roots(a, b, c);
                // m(p + τd) − m(p) = −τ rᵀd + ½τ² dᵀHd; pick the lower one.
                let rd = if fresh && r_implicit {
                    -dot(k, g, d.view())
                } else {
                    dot(k, r.view(), d.view())
                };
                let dm = |t: f64| -t * rd + 0.5 * t * t * d_hd;
                let tau = if dm(tm) < dm(tp) { tm } else { tp };
                last_rr = update(k, fresh, r_implicit, p.view_mut(), r, d, hd, g, tau);
                fresh = false;
                p_mp = radius * radius;
                info.on_boundary = true;
            } else if iters == 1 {
                // Steepest descent (preconditioned): p = d = M⁻¹(−g), and
                // r = −g − Hd: the update with τ = 1 from p = 0.
                last_rr = update(k, fresh, r_implicit, p.view_mut(), r, d, hd, g, 1.0);
                fresh = false;
                p_mp = d_md;
            }
            break KrylovExit::NegativeCurvature;
        }

        let alpha = rz / d_hd;
        let p_mp_next = p_mp + 2.0 * alpha * p_md + alpha * alpha * d_md;
        if trust_region && p_mp_next >= radius * radius {
            let (a, b, c) =
                boundary_coefficients(k, precond, fresh, p.view(), d, (d_md, p_md, p_mp), radius);
            let (_, tp) = boundary_roots(a, b, c);
            last_rr = update(k, fresh, r_implicit, p.view_mut(), r, d, hd, g, tp);
            fresh = false;
            p_mp = radius * radius;
            info.on_boundary = true;
            break KrylovExit::Boundary;
        }

        let rr = update(k, fresh, r_implicit, p.view_mut(), r, d, hd, g, alpha);
        last_rr = rr;
        fresh = false;
        p_mp = p_mp_next;
        if !rr.is_finite() {
            break KrylovExit::NonFinite;
        }
        // m(p + αd) − m(p) = −½α rᵀz for the CG step.
        energy.push(0.5 * alpha * rz);
        if rr <= tol2 || energy_converged(&energy, energy_tol) {
            break KrylovExit::Converged;
        }

        let rz_next = match precond {
            Some(m) => {
                m.apply(r.view(), z.view_mut());
                dot(k, r.view(), z.view())
            }
            None => rr,
        };
        if !(rz_next > 0.0 && rz_next.is_finite()) {
            break KrylovExit::IndefinitePreconditioner;
        }
        let beta = rz_next / rz;
        match precond {
            Some(_) => direction(k, d, z, beta),
            None => direction(k, d, r, beta),
        }
        p_md = beta * (p_md + alpha * d_md);
        d_md = rz_next + beta * beta * d_md;
        rz = rz_next;
    };

    info.exit = exit;
    info.iterations = iters;
    if exit != KrylovExit::NegativeCurvature {
        info.energy_tail = energy.tail();
        info.energy_steps = energy.steps();
        info.energy_total = energy.total();
    }
    // No update happened, or the last one may have polluted p and r (then
    // nothing is trusted; the caller sees a zero step and shrinks its
    // radius).
    if fresh
        || (exit == KrylovExit::NonFinite
            && !(vecops::all_finite(p.view()) && vecops::all_finite(r.view())))
    {
        zero_step(k, p, trial);
        return info;
    }
    // −m(p) = ½ pᵀ(r − g) with r = −(g + Hp).
    let [pr, pg, pp] = exit_pass(k, p.view(), r.view(), g, trial);
    info.pred = 0.5 * (pr - pg);
    info.grad_dot_step = pg;
    info.residual_norm = last_rr.max(0.0).sqrt();
    info.step_norm = vecops::norm_from_squares(pp, p.view());
    info.step_norm_m = match precond {
        // M = I: the true norm, from the same pass.
        None => pp.sqrt(),
        Some(_) => p_mp.max(0.0).sqrt(),
    };
    info
}

/// Coefficients `(‖d‖²_M, pᵀMd, ‖p‖²_M − Δ²)` of the boundary equation
/// `‖p + τd‖_M = Δ`. Without a preconditioner they are computed from the
/// vectors (one fused pass, once per solve; p = 0 while `fresh`): the scalar
/// recurrences assume the CG orthogonality `pᵀr_{k+1} = 0`, which round-off
/// erodes on long runs with an ill-conditioned or indefinite H, and a step
/// placed on the boundary with drifted coefficients lands off it (relative
/// errors up to 1e-5 were seen in `tests/solvers/properties.rs`). With a
/// preconditioner only M⁻¹ is available, so the recurrences (`recurrence` =
/// `(d_md, p_md, p_mp)`) are used.
fn boundary_coefficients(
    k: &mut Partials,
    precond: Option<&dyn Preconditioner>,
    fresh: bool,
    p: ArrayView1<'_, f64>,
    d: &Array1<f64>,
    recurrence: (f64, f64, f64),
    radius: f64,
) -> (f64, f64, f64) {
    match precond {
        None if fresh => (dot(k, d.view(), d.view()), 0.0, 0.0 - radius * radius),
        None => {
            let [dd, pd, pp] = k.reduce((p, d.view()), |(p, d)| [d.dot(&d), p.dot(&d), p.dot(&p)]);
            (dd, pd, pp - radius * radius)
        }
        Some(_) => {
            let (d_md, p_md, p_mp) = recurrence;
            (d_md, p_md, p_mp - radius * radius)
        }
    }
}

// The vector passes. Each goes over the blocks of `crate::linalg::par` (in parallel
// for long vectors) and, where it reduces, adds the per-block sums in block
// order: every value is the same for any thread count. A fused pass reads
// and writes each vector once from memory (`docs/benchmarks.md`: at large n
// the solver is memory-bound).

/// `aᵀb`.
fn dot(k: &mut Partials, a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    k.reduce((a, b), |(a, b)| [a.dot(&b), 0.0, 0.0])[0]
}

/// `out ← −g`; returns ‖g‖².
fn negate_into(k: &mut Partials, out: &mut Array1<f64>, g: ArrayView1<'_, f64>) -> f64 {
    k.reduce((out.view_mut(), g), |(mut o, g)| {
        Zip::from(&mut o).and(&g).for_each(|o, &g| *o = -g);
        [g.dot(&g), 0.0, 0.0]
    })[0]
}

/// `d ← z`; returns `rᵀz`.
fn dot_and_copy(k: &mut Partials, r: &Array1<f64>, z: &Array1<f64>, d: &mut Array1<f64>) -> f64 {
    k.reduce((d.view_mut(), r.view(), z.view()), |(mut d, r, z)| {
        d.assign(&z);
        [r.dot(&z), 0.0, 0.0]
    })[0]
}

/// `d ← s + βd`.
fn direction(k: &Partials, d: &mut Array1<f64>, s: &Array1<f64>, beta: f64) {
    k.for_each((d.view_mut(), s.view()), |(mut d, s)| {
        Zip::from(&mut d)
            .and(&s)
            .for_each(|d, &s| *d = s + beta * *d)
    });
}

/// `p ← p + τd`, `r ← r − τHd`; returns the new ‖r‖². From p = 0 (`fresh`)
/// it writes `p = τd`, and with `r_implicit` (r = −g not yet written)
/// `r = −g − τHd`: the same values, without reading p and r.
#[allow(clippy::too_many_arguments)]
fn update(
    k: &mut Partials,
    fresh: bool,
    r_implicit: bool,
    p: ArrayViewMut1<'_, f64>,
    r: &mut Array1<f64>,
    d: &Array1<f64>,
    hd: &Array1<f64>,
    g: ArrayView1<'_, f64>,
    tau: f64,
) -> f64 {
    let (r, d, hd) = (r.view_mut(), d.view(), hd.view());
    let rr = match (fresh, r_implicit) {
        (false, _) => k.reduce((p, r, d, hd), |(p, mut r, d, hd)| {
            Zip::from(p)
                .and(&mut r)
                .and(&d)
                .and(&hd)
                .for_each(|p, r, &d, &hd| {
                    *p += tau * d;
                    *r -= tau * hd;
                });
            [r.dot(&r), 0.0, 0.0]
        }),
        (true, false) => k.reduce((p, r, d, hd), |(p, mut r, d, hd)| {
            Zip::from(p)
                .and(&mut r)
                .and(&d)
                .and(&hd)
                .for_each(|p, r, &d, &hd| {
                    *p = 0.0 + tau * d;
                    *r -= tau * hd;
                });
            [r.dot(&r), 0.0, 0.0]
        }),
        (true, true) => k.reduce((p, r, d, hd, g), |(p, mut r, d, hd, g)| {
            Zip::from(p)
                .and(&mut r)
                .and(&d)
                .and(&hd)
                .and(&g)
                .for_each(|p, r, &d, &hd, &g| {
                    *p = 0.0 + tau * d;
                    *r = -g - tau * hd;
                });
            [r.dot(&r), 0.0, 0.0]
        }),
    };
    rr[0]
}

/// `(pᵀr, pᵀg, pᵀp)` in one pass, and `out ← x + p` when asked.
fn exit_pass(
    k: &mut Partials,
    p: ArrayView1<'_, f64>,
    r: ArrayView1<'_, f64>,
    g: ArrayView1<'_, f64>,
    trial: Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
) -> [f64; 3] {
    match trial {
        None => k.reduce((p, r, g), |(p, r, g)| [p.dot(&r), p.dot(&g), p.dot(&p)]),
        Some((x, out)) => k.reduce((p, r, g, x, out), |(p, r, g, x, mut out)| {
            Zip::from(&mut out)
                .and(&x)
                .and(&p)
                .for_each(|o, &x, &p| *o = x + p);
            [p.dot(&r), p.dot(&g), p.dot(&p)]
        }),
    }
}

/// `p ← 0`, and `out ← x` when asked (a zero step).
fn zero_step(
    k: &Partials,
    p: ArrayViewMut1<'_, f64>,
    trial: Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
) {
    k.for_each(p, |mut p| p.fill(0.0));
    if let Some((x, out)) = trial {
        k.for_each((out, x), |(mut o, x)| o.assign(&x));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn zero_gradient_gives_zero_step_without_products() {
        let h = array![[2.0, 0.0], [0.0, 3.0]];
        let mut ws = KrylovWorkspace::new(2);
        let mut p = array![1.0, 1.0];
        let params = SteihaugParams {
            truncation: Truncation::TrustRegion { radius: 1.0 },
            eta: 0.1,
            max_iter: 10,
            curvature_eps: f64::EPSILON,
            deadline: None,
        };
        let info = steihaug(
            &h,
            None,
            array![0.0, 0.0].view(),
            &params,
            &mut ws,
            p.view_mut(),
        )
        .unwrap();
        assert_eq!(info.iterations, 0);
        assert_eq!(info.exit, KrylovExit::Converged);
        assert_eq!(p, array![0.0, 0.0]);
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        let h = array![[2.0, 0.0], [0.0, 3.0]];
        let g = array![1.0, -1.0];
        let mut ws = KrylovWorkspace::new(2);
        let params = |radius: f64, eta: f64| SteihaugParams {
            truncation: Truncation::TrustRegion { radius },
            eta,
            max_iter: 10,
            curvature_eps: f64::EPSILON,
            deadline: None,
        };
        let mut p = array![0.0, 0.0];
        let run = |h: &ndarray::Array2<f64>,
                   g: ndarray::ArrayView1<'_, f64>,
                   prm: SteihaugParams,
                   ws: &mut KrylovWorkspace,
                   p: &mut ndarray::Array1<f64>| {
            steihaug(h, None, g, &prm, ws, p.view_mut())
        };
        for (radius, eta) in [(f64::NAN, 0.1), (0.0, 0.1), (-1.0, 0.1), (1.0, f64::NAN)] {
            let e = run(&h, g.view(), params(radius, eta), &mut ws, &mut p);
            assert!(
                matches!(e, Err(Error::InvalidOption { .. })),
                "{radius} {eta}"
            );
        }
        let mismatch = |r: Result<KrylovInfo>| matches!(r, Err(Error::DimensionMismatch { .. }));
        let g3 = array![1.0, 2.0, 3.0];
        assert!(mismatch(run(
            &h,
            g3.view(),
            params(1.0, 0.1),
            &mut ws,
            &mut p
        )));
        let mut p3 = array![0.0, 0.0, 0.0];
        assert!(mismatch(run(
            &h,
            g.view(),
            params(1.0, 0.1),
            &mut ws,
            &mut p3
        )));
        let rect = array![[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];
        assert!(mismatch(run(
            &rect,
            g.view(),
            params(1.0, 0.1),
            &mut ws,
            &mut p
        )));
        let mut ws3 = KrylovWorkspace::new(3);
        assert!(mismatch(run(
            &h,
            g.view(),
            params(1.0, 0.1),
            &mut ws3,
            &mut p
        )));
        // The good call still works.
        assert!(run(&h, g.view(), params(1.0, 0.1), &mut ws, &mut p).is_ok());
    }

    /// The energy stop on an ill-conditioned diagonal H (κ = 1e6, as the
    /// DIXMAAN Hessians): it ends the solve before the residual test would
    /// (4096 against 6496 CG steps here), the true model gap ½‖s* − s‖²_H of the returned step is below
    /// the tolerance and below the reported tail, and pred + that gap is
    /// λ²/2 = ½gᵀH⁻¹g (closed form).
    #[test]
    fn the_energy_stop_ends_when_the_model_gap_is_below_its_tolerance() {
        let n = 400;
        let eig: Vec<f64> = (0..n)
            .map(|i| 10f64.powf(-6.0 * i as f64 / (n - 1) as f64))
            .collect();
        let h = ndarray::Array2::from_diag(&ndarray::Array1::from(eig.clone()));
        let g = ndarray::Array1::from_shape_fn(n, |i| 1.0 + 0.5 * ((i * 7) % 5) as f64);
        let lambda2_half: f64 = 0.5 * (0..n).map(|i| g[i] * g[i] / eig[i]).sum::<f64>();
        let gap = |p: &ndarray::Array1<f64>| -> f64 {
            0.5 * (0..n)
                .map(|i| eig[i] * (p[i] + g[i] / eig[i]).powi(2))
                .sum::<f64>()
        };
        let params = SteihaugParams {
            truncation: Truncation::LineSearch,
            eta: 1e-10,
            max_iter: 5000,
            curvature_eps: f64::EPSILON,
            deadline: None,
        };
        let mut ws = KrylovWorkspace::new(n);
        let mut p = ndarray::Array1::zeros(n);
        // The residual test alone, as a reference (a high cap: on κ = 1e6
        // CG needs many more than n steps in floating point).
        let full_params = SteihaugParams {
            max_iter: 100_000,
            ..params
        };
        let full = steihaug_trial(
            &h,
            None,
            g.view(),
            &full_params,
            &mut ws,
            p.view_mut(),
            None,
        );
        assert_eq!(full.exit, KrylovExit::Converged, "{full:?}");
        // A relative tolerance like the gap test's in use (0.1·gap_tol
        // against a gap of about f − f* ≈ 1e-8: 1e-2 of λ²/2), tighter.
        let tol = 1e-3 * lambda2_half;
        let mut pe = ndarray::Array1::zeros(n);
        let info = steihaug_trial_energy(
            &h,
            None,
            g.view(),
            &params,
            tol,
            &mut ws,
            pe.view_mut(),
            None,
        );
        assert_eq!(
            info.exit,
            KrylovExit::Converged,
            "{info:?} full {}",
            full.iterations
        );
        assert!(
            info.iterations < full.iterations,
            "{} vs {}",
            info.iterations,
            full.iterations
        );
        assert!(info.energy_tail <= tol && info.energy_steps == info.iterations);
        let true_gap = gap(&pe);
        assert!(
            true_gap <= tol && true_gap <= info.energy_tail,
            "{true_gap:e} {info:?}"
        );
        assert!((info.pred + true_gap - lambda2_half).abs() <= 1e-9 * lambda2_half);
        // Off (0): the residual decides, as before.
        let off = steihaug_trial_energy(
            &h,
            None,
            g.view(),
            &full_params,
            0.0,
            &mut ws,
            pe.view_mut(),
            None,
        );
        assert_eq!(off.iterations, full.iterations);
    }
}
