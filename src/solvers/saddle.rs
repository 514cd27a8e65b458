//! The second-order check at a stationary point: is H positive
//! semidefinite there, or is the point a saddle the solver should leave?
//!
//! A first-order test (‖g‖ small) cannot tell a minimizer from a saddle: on
//! f = x² − y² + y⁴ from exactly (1, 0) every Newton method stops at the
//! saddle (0, 0), because y = 0 is invariant. The check runs
//! [`LANCZOS_STEPS`] steps of the Lanczos process on H from a seeded random
//! vector (Golub & Van Loan 2013, §10.1; Parlett 1998, ch. 13): the
//! smallest Ritz value θ of the tridiagonal T_k is an upper bound on
//! λ_min(H), so θ < 0 certifies negative curvature. The Ritz vector
//! u = Q_k y is formed by a second pass that regenerates the Lanczos
//! vectors (so no basis is stored: three work vectors, O(k) scalars), and
//! its curvature uᵀHu/uᵀu is measured with one more product. A random start
//! has, with probability one, a component along every eigenvector — which a
//! Krylov space built from g alone may lack (the hard case,
//! `reference/gltr.md` §4).
//!
//! Cost: k products per check at a minimizer, 2k at a saddle, once per stationary
//! point. What the solver does with the answer is
//! [`crate::SecondOrder`]'s choice.

use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

use crate::krylov::tridiag::{inverse_iteration, leftmost_eigenvalue};
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::Partials;
use crate::linalg::rng::SplitMix64;

/// What the trust region does at a point that passes the convergence test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum SecondOrder {
    /// Stop there ([`crate::Status::Converged`]): a first-order point,
    /// which may be a saddle.
    Off,
    /// Run the check ([`leftmost`]); negative curvature ends the solve with
    /// [`crate::Status::SaddlePoint`] instead of `Converged`.
    Check,
    /// Run the check, and on negative curvature take a trust-region step
    /// ±Δu along the Ritz vector u (the sign that does not increase the
    /// linear term, ρ and the radius rule as for any step, retried at a
    /// smaller Δ without new products when rejected) and go on. The
    /// default: it costs k products at a minimizer (`docs/radius-study.md`).
    #[default]
    Escape,
}

/// Lanczos steps of one check (at most n).
pub const LANCZOS_STEPS: usize = 10;
/// The seed of the start vector (fixed: the check is deterministic).
pub const SEED: u64 = 0x5EED_5ADD1E;
/// θ counts as negative curvature when θ < −tol·max(|θ_max|, tiny), with
/// θ_max the largest Ritz value: √ε relative, far above the round-off of the
/// Ritz values (O(ε‖H‖)) and below any curvature that a step could use.
pub const NEGATIVE_CURVATURE_TOL: f64 = 1.490_116_119_384_765_6e-8;

/// The outcome of a check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Leftmost {
    /// The smallest Ritz value θ_min of T_k.
    pub ritz_min: f64,
    /// The largest Ritz value (a lower bound on ‖H‖₂ for symmetric H).
    pub ritz_max: f64,
    /// uᵀHu for the unit Ritz vector u of θ_min (written to the caller's
    /// vector), measured with one product; `None` when θ_min is not
    /// negative enough to form u.
    pub curvature: Option<f64>,
    /// Products used.
    pub products: usize,
}

impl Leftmost {
    /// Whether the check certified negative curvature.
    pub fn is_negative(&self) -> bool {
        self.curvature.is_some_and(|c| c < 0.0)
    }
}

/// Runs the check on `h` with the three work vectors `a`, `b`, `w` and
/// writes the unit Ritz vector of θ_min into `u` when θ_min is negative
/// (relative to [`NEGATIVE_CURVATURE_TOL`]). No allocation.
pub fn leftmost<H: LinearOperator + ?Sized>(
    h: &H,
    k: &mut Partials,
    a: &mut Array1<f64>,
    b: &mut Array1<f64>,
    w: &mut Array1<f64>,
    mut u: ArrayViewMut1<'_, f64>,
) -> Leftmost {
    let mut alpha = [0.0f64; LANCZOS_STEPS];
    let mut beta = [0.0f64; LANCZOS_STEPS];
    let m = lanczos(h, k, a, b, w, &mut alpha, &mut beta, None);
    let (alpha, beta) = (&alpha[..m], &beta[..m]);
    if m == 0 {
        return Leftmost {
            ritz_min: f64::NAN,
            ritz_max: f64::NAN,
            curvature: None,
            products: 0,
        };
    }
    let ritz_min = leftmost_eigenvalue(alpha, &beta[..m - 1]);
    let ritz_max = -smallest_eigenvalue_negated(alpha, &beta[..m - 1]);
    let scale = ritz_max.abs().max(ritz_min.abs()).max(f64::MIN_POSITIVE);
    let mut out = Leftmost {
        ritz_min,
        ritz_max,
        curvature: None,
        products: m,
    };
    if ritz_min >= -NEGATIVE_CURVATURE_TOL * scale {
        return out;
    }
    let mut y = [0.0f64; LANCZOS_STEPS];
    let mut piv = [0.0f64; LANCZOS_STEPS];
    inverse_iteration(alpha, &beta[..m - 1], ritz_min, &mut y[..m], &mut piv[..m]);
    k.for_each(u.view_mut(), |mut u| u.fill(0.0));
    let mut a2 = [0.0f64; LANCZOS_STEPS];
    let mut b2 = [0.0f64; LANCZOS_STEPS];
    let k2 = lanczos(
        h,
        k,
        a,
        b,
        w,
        &mut a2,
        &mut b2,
        Some((&y[..m], u.view_mut())),
    );
    out.products += k2;
    // u is a unit vector in exact arithmetic; normalize, then measure its
    // curvature exactly.
    let un = k.reduce(u.view(), |u| [u.dot(&u), 0.0, 0.0])[0].sqrt();
    if !(un > 0.0 && un.is_finite()) {
        return out;
    }
    k.for_each(u.view_mut(), |mut u| u.mapv_inplace(|v| v / un));
    h.apply(u.view(), w.view_mut());
    out.products += 1;
    let c = k.reduce((u.view(), w.view()), |(u, w)| [u.dot(&w), 0.0, 0.0])[0];
    out.curvature = c.is_finite().then_some(c);
    out
}

/// The Lanczos recurrence from the seeded start vector, for at most
/// `alpha.len()` steps: α_j = q_jᵀHq_j, β_j = ‖Hq_j − α_jq_j − β_{j−1}q_{j−1}‖.
/// Returns the products done: the steps (fewer on an invariant subspace,
/// β ≈ 0). With `accumulate = Some((y, u))` it adds y_j·q_j to u for the
/// `y.len()` vectors (the second pass: the same vectors, regenerated, one
/// product fewer).
#[allow(clippy::too_many_arguments)]
fn lanczos<H: LinearOperator + ?Sized>(
    h: &H,
    k: &mut Partials,
    prev: &mut Array1<f64>,
    cur: &mut Array1<f64>,
    w: &mut Array1<f64>,
    alpha: &mut [f64],
    beta: &mut [f64],
    mut accumulate: Option<(&[f64], ArrayViewMut1<'_, f64>)>,
) -> usize {
    // The seeded stream is sequential; everything after it runs in
    // deterministic blocks (`Partials`), the same for any thread count.
    let mut rng = SplitMix64::new(SEED);
    cur.mapv_inplace(|_| 2.0 * rng.uniform() - 1.0);
    let norm0 = k.reduce(cur.view(), |c| [c.dot(&c), 0.0, 0.0])[0].sqrt();
    if norm0.is_nan() || norm0 <= 0.0 {
        return 0;
    }
    k.for_each(cur.view_mut(), |mut c| c.mapv_inplace(|v| v / norm0));
    k.for_each(prev.view_mut(), |mut p| p.fill(0.0));
    let mut beta_prev = 0.0;
    // No more than n Lanczos vectors exist.
    let steps = alpha.len().min(cur.len());
    for j in 0..steps {
        if let Some((y, u)) = accumulate.as_mut() {
            let yj = y[j];
            k.for_each((u.view_mut(), cur.view()), |(u, c)| axpy(u, yj, c));
            if j + 1 == y.len() {
                // q_0..q_j are all the second pass needs: j products.
                return j;
            }
        }
        h.apply(cur.view(), w.view_mut());
        // w ← w − β_{j−1}q_{j−1}, α_j = q_jᵀw; then w ← w − α_j q_j, β_j = ‖w‖.
        let a = k.reduce((w.view_mut(), prev.view(), cur.view()), |(mut w, p, c)| {
            Zip::from(&mut w)
                .and(&p)
                .for_each(|w, &p| *w -= beta_prev * p);
            [c.dot(&w), 0.0, 0.0]
        })[0];
        let b = k.reduce((w.view_mut(), cur.view()), |(mut w, c)| {
            Zip::from(&mut w).and(&c).for_each(|w, &c| *w -= a * c);
            [w.dot(&w), 0.0, 0.0]
        })[0]
            .sqrt();
        alpha[j] = a;
        beta[j] = b;
        if !a.is_finite() || !b.is_finite() {
            return j;
        }
        if b <= f64::EPSILON * a.abs().max(beta_prev).max(f64::MIN_POSITIVE) {
            return j + 1;
        }
        // prev ← cur, cur ← w/β; w becomes scratch.
        std::mem::swap(prev, cur);
        std::mem::swap(cur, w);
        k.for_each(cur.view_mut(), |mut c| c.mapv_inplace(|v| v / b));
        beta_prev = b;
    }
    steps
}

fn axpy(mut y: ArrayViewMut1<'_, f64>, a: f64, x: ArrayView1<'_, f64>) {
    Zip::from(&mut y).and(&x).for_each(|y, &x| *y += a * x);
}

/// −λ_max(T) = λ_min(−T), for the largest Ritz value.
fn smallest_eigenvalue_negated(d: &[f64], e: &[f64]) -> f64 {
    let mut nd = [0.0f64; LANCZOS_STEPS];
    for (o, &v) in nd.iter_mut().zip(d) {
        *o = -v;
    }
    leftmost_eigenvalue(&nd[..d.len()], e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::par::Par;
    use ndarray::Array2;

    #[test]
    fn finds_the_negative_direction_of_a_saddle_and_none_at_a_minimum() {
        let n = 200;
        // H = diag(1..n) with one entry −0.5: a saddle.
        let mut h = Array2::<f64>::zeros((n, n));
        for i in 0..n {
            h[[i, i]] = 1.0 + i as f64 / 10.0;
        }
        h[[57, 57]] = -0.5;
        let (mut a, mut b, mut w) = (Array1::zeros(n), Array1::zeros(n), Array1::zeros(n));
        let mut u = Array1::zeros(n);
        let l = leftmost(
            &h,
            &mut Partials::new(a.len(), Par::Rayon),
            &mut a,
            &mut b,
            &mut w,
            u.view_mut(),
        );
        assert!(l.is_negative(), "{l:?}");
        let c = l.curvature.unwrap();
        assert!((-0.5 - 1e-12..0.0).contains(&c), "{c}");
        assert!(u[57].abs() > 0.5, "u is not along e_57: {}", u[57]);
        assert_eq!(l.products, 2 * LANCZOS_STEPS);
        // Positive definite: no direction, k products only.
        h[[57, 57]] = 3.0;
        let l = leftmost(
            &h,
            &mut Partials::new(a.len(), Par::Rayon),
            &mut a,
            &mut b,
            &mut w,
            u.view_mut(),
        );
        assert!(!l.is_negative() && l.curvature.is_none(), "{l:?}");
        assert!(l.ritz_min >= 1.0 - 1e-12, "{l:?}");
        assert_eq!(l.products, LANCZOS_STEPS);
    }

    #[test]
    fn a_singular_minimum_is_not_a_saddle() {
        // H = diag(0, 0, 1, 2, ...): semidefinite, as at POWELLSG's x*.
        let n = 50;
        let mut h = Array2::<f64>::zeros((n, n));
        for i in 2..n {
            h[[i, i]] = i as f64;
        }
        let (mut a, mut b, mut w) = (Array1::zeros(n), Array1::zeros(n), Array1::zeros(n));
        let mut u = Array1::zeros(n);
        let l = leftmost(
            &h,
            &mut Partials::new(a.len(), Par::Rayon),
            &mut a,
            &mut b,
            &mut w,
            u.view_mut(),
        );
        assert!(!l.is_negative(), "{l:?}");
    }
}
