//! The tridiagonal trust-region problem of GLTR:
//!
//! ```text
//! minimize  q(h) = γ₀ e₁ᵀh + ½ hᵀT h   subject to ‖h‖₂ ≤ Δ,
//! ```
//!
//! with T a k×k symmetric tridiagonal matrix (diagonal `diag`, off-diagonal
//! `off`, `off[j]` between rows j and j+1), solved by the Moré-Sorensen
//! Newton iteration on the secular equation φ(λ) = 1/‖h(λ)‖ − 1/Δ, where
//! `(T + λI) h(λ) = −γ₀e₁` (Moré & Sorensen 1983, §2–3; Gould, Lucidi, Roma
//! & Toint 1999, §5; `reference/gltr.md` §3–4).
//!
//! Each rule is a function of its own:
//! * [`ldl_pivots`], [`ldl_solve`], [`inverse_factor_norm2`]: the LDLᵀ
//!   factorization of `T + λI` (the pivots; O(k)), the solve with it, and
//!   `‖L⁻¹h‖²` for the Cholesky factor `L = L₁D^½` (the Newton derivative);
//! * [`sturm_count`], [`gershgorin_bounds`], [`leftmost_eigenvalue`]: the
//!   smallest eigenvalue θ_min(T) by Sturm-sequence bisection (LAPACK
//!   `stebz`);
//! * [`inverse_iteration`]: its eigenvector (LAPACK `stein`);
//! * [`newton_lambda_update`]: one Moré-Sorensen step
//!   `λ ← λ + (‖h‖/‖w‖)²(‖h‖ − Δ)/Δ`;
//! * [`hard_case_step`]: in the (nearly) hard case, the step to the boundary
//!   along the eigenvector with the lower model value (PETSc GLTR);
//! * [`solve_tridiagonal_trs`]: the whole solve, warm-started from the
//!   multiplier of the previous Krylov dimension.
//!
//! Work is O(k) per Newton step and O(k·log(1/ε)) for the bisection; all
//! vectors live in a [`TridiagWorkspace`] whose buffers grow only when k
//! exceeds every earlier k (so a workspace made with enough capacity never
//! allocates).

use crate::krylov::boundary::boundary_roots;

/// Relative tolerance of the secular equation: stop when
/// `|‖h‖ − Δ| ≤ NEWTON_TOL·Δ`. Tighter than PETSc's `newton_tol = 1e-6`:
/// each Newton step is O(k), negligible next to one product, and the tests
/// compare model values to 1e-8.
pub const NEWTON_TOL: f64 = 1e-12;
/// Newton iteration cap (GALAHAD `GLTR_ttrs` uses `titmax = 100`).
pub const MAX_NEWTON: usize = 100;
/// Relative perturbation of the shift `−θ_min` that makes `T − θ_min I`
/// factorizable, doubled until the factorization succeeds (PETSc's
/// `init_pert = 1e-8`, here relative to the Gershgorin scale of T and
/// smaller, so that the hard-case step is accurate to ~1e-10 relative).
pub const SHIFT_PERTURBATION: f64 = 1e-10;
/// Inverse-iteration sweeps for the leftmost eigenvector (the shift is
/// within ~1e-10 relative of θ_min, so each sweep gains about ten digits
/// when θ_min is separated from the next eigenvalue).
pub const INVERSE_ITERATIONS: usize = 4;

/// `‖·‖`-scale of T: `max_i (|d_i| + |e_{i−1}| + |e_i|)`, at least the
/// smallest normal number.
fn scale(diag: &[f64], off: &[f64]) -> f64 {
    let (lo, hi) = gershgorin_bounds(diag, off);
    lo.abs().max(hi.abs()).max(f64::MIN_POSITIVE)
}

/// Pivots of the LDLᵀ factorization of `T + shift·I` written into
/// `piv[..k]` (`p₀ = d₀ + shift`, `p_j = d_j + shift − e_{j−1}²/p_{j−1}`);
/// returns whether `T + shift·I` is positive definite (every pivot > 0).
/// Stops at the first pivot that is not positive (or not finite).
pub fn ldl_pivots(diag: &[f64], off: &[f64], shift: f64, piv: &mut [f64]) -> bool {
    let k = diag.len();
    let mut prev = 0.0f64;
    for j in 0..k {
        let p = if j == 0 {
            diag[0] + shift
        } else {
            diag[j] + shift - off[j - 1] * off[j - 1] / prev
        };
        piv[j] = p;
        if !(p > 0.0 && p.is_finite()) {
            return false;
        }
        prev = p;
    }
    true
}

/// Solves `(T + shift·I) x = b` in place in `rhs[..k]` from the pivots of
/// [`ldl_pivots`] (`L` unit lower bidiagonal with `l_j = e_j / p_j`).
pub fn ldl_solve(off: &[f64], piv: &[f64], rhs: &mut [f64]) {
    let k = rhs.len();
    for j in 1..k {
        rhs[j] -= off[j - 1] / piv[j - 1] * rhs[j - 1];
    }
    for j in 0..k {
        rhs[j] /= piv[j];
    }
    for j in (0..k.saturating_sub(1)).rev() {
        rhs[j] -= off[j] / piv[j] * rhs[j + 1];
    }
}

/// `‖w‖²` with `L w = h` for the Cholesky factor `L = L₁ D^½` of
/// `T + shift·I` (from the pivots `D`): `Σ_j y_j² / p_j` with `L₁ y = h`.
/// `y` is scratch of length k.
pub fn inverse_factor_norm2(off: &[f64], piv: &[f64], h: &[f64], y: &mut [f64]) -> f64 {
    let k = h.len();
    let mut s = 0.0;
    for j in 0..k {
        y[j] = if j == 0 {
            h[0]
        } else {
            h[j] - off[j - 1] / piv[j - 1] * y[j - 1]
        };
        s += y[j] * y[j] / piv[j];
    }
    s
}

/// Number of eigenvalues of T below `x` (Sylvester's law of inertia on the
/// LDLᵀ pivots of `T − xI`; a zero pivot is replaced by a tiny negative
/// one, as in LAPACK `stebz`).
pub fn sturm_count(diag: &[f64], off: &[f64], x: f64) -> usize {
    let pivmin = f64::MIN_POSITIVE * off.iter().fold(1.0f64, |m, &e| m.max(e * e));
    let mut count = 0;
    let mut q = 0.0f64;
    for j in 0..diag.len() {
        q = if j == 0 {
            diag[0] - x
        } else {
            diag[j] - x - off[j - 1] * off[j - 1] / q
        };
        if q.abs() < pivmin {
            q = -pivmin;
        }
        if q < 0.0 {
            count += 1;
        }
    }
    count
}

/// Gershgorin interval `[lo, hi]` that holds every eigenvalue of T.
pub fn gershgorin_bounds(diag: &[f64], off: &[f64]) -> (f64, f64) {
    let k = diag.len();
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for j in 0..k {
        let r =
            if j > 0 { off[j - 1].abs() } else { 0.0 } + if j + 1 < k { off[j].abs() } else { 0.0 };
        lo = lo.min(diag[j] - r);
        hi = hi.max(diag[j] + r);
    }
    (lo, hi)
}

/// The smallest eigenvalue θ_min of T by bisection on [`sturm_count`]
/// inside the Gershgorin interval, to an absolute accuracy of about
/// `4ε·‖T‖` (LAPACK `stebz`; PETSc `eigen_tol`). `diag` must not be empty.
pub fn leftmost_eigenvalue(diag: &[f64], off: &[f64]) -> f64 {
    let (mut lo, mut hi) = gershgorin_bounds(diag, off);
    let tol = 4.0 * f64::EPSILON * scale(diag, off);
    // Widen slightly so that round-off in the bounds cannot exclude θ_min.
    lo -= tol;
    hi += tol;
    for _ in 0..200 {
        if hi - lo <= tol {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if sturm_count(diag, off, mid) >= 1 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}

/// A unit eigenvector of T for the eigenvalue `theta` (from
/// [`leftmost_eigenvalue`]), by [`INVERSE_ITERATIONS`] sweeps of inverse
/// iteration with the shift `theta − SHIFT_PERTURBATION·‖T‖` (LAPACK
/// `stein`), written into `v[..k]`; `piv` is scratch of length k. The start
/// vector is fixed (`1 + j/k·0.5`-like, never zero), so the result is
/// deterministic. Near-zero pivots of the shifted matrix (θ slightly off)
/// are replaced by tiny ones of the same sign.
pub fn inverse_iteration(diag: &[f64], off: &[f64], theta: f64, v: &mut [f64], piv: &mut [f64]) {
    let k = diag.len();
    let sc = scale(diag, off);
    let shift = -(theta - SHIFT_PERTURBATION * sc);
    let tiny = f64::EPSILON * sc;
    // Pivots of T + shift·I, without stopping at a non-positive one.
    for j in 0..k {
        let mut p = if j == 0 {
            diag[0] + shift
        } else {
            diag[j] + shift - off[j - 1] * off[j - 1] / piv[j - 1]
        };
        if p.abs() < tiny {
            p = if p < 0.0 { -tiny } else { tiny };
        }
        piv[j] = p;
    }
    for (j, vj) in v.iter_mut().enumerate().take(k) {
        // A fixed start with every component nonzero and no symmetry.
        *vj = 1.0 + 0.5 * ((j as f64 * 0.618_033_988_749_895).fract());
    }
    for _ in 0..INVERSE_ITERATIONS {
        ldl_solve(off, &piv[..k], &mut v[..k]);
        let nrm = v[..k].iter().map(|x| x * x).sum::<f64>().sqrt();
        if !(nrm > 0.0 && nrm.is_finite()) {
            break;
        }
        v[..k].iter_mut().for_each(|x| *x /= nrm);
    }
}

/// `y ← T x`.
pub fn tridiag_matvec(diag: &[f64], off: &[f64], x: &[f64], y: &mut [f64]) {
    let k = diag.len();
    for j in 0..k {
        let mut s = diag[j] * x[j];
        if j > 0 {
            s += off[j - 1] * x[j - 1];
        }
        if j + 1 < k {
            s += off[j] * x[j + 1];
        }
        y[j] = s;
    }
}

/// The model value `q(h) = γ₀h₀ + ½hᵀTh`, in O(k) without storage.
pub fn model_value(diag: &[f64], off: &[f64], gamma0: f64, h: &[f64]) -> f64 {
    let k = diag.len();
    if k == 0 {
        return 0.0;
    }
    let mut quad = 0.0;
    for j in 0..k {
        let mut th = diag[j] * h[j];
        if j > 0 {
            th += off[j - 1] * h[j - 1];
        }
        if j + 1 < k {
            th += off[j] * h[j + 1];
        }
        quad += h[j] * th;
    }
    gamma0 * h[0] + 0.5 * quad
}

/// One Moré-Sorensen Newton step on φ(λ) = 1/‖h‖ − 1/Δ:
/// `λ + (‖h‖/‖w‖)²·(‖h‖ − Δ)/Δ`, where `w = L⁻¹h` for the Cholesky factor of
/// `T + λI` (Moré & Sorensen 1983, eq. (3.9); `hnorm2 = ‖h‖²`,
/// `wnorm2 = ‖w‖²`).
pub fn newton_lambda_update(lambda: f64, hnorm2: f64, wnorm2: f64, radius: f64) -> f64 {
    let hn = hnorm2.sqrt();
    lambda + (hnorm2 / wnorm2) * (hn - radius) / radius
}

/// The (nearly) hard case: `h` lies inside the region at the smallest
/// admissible shift, so step to the boundary along the unit eigenvector `v`
/// of θ_min: `h ← h + τv` with `‖h + τv‖ = Δ`, choosing of the two roots
/// the one with the lower model value (Moré & Sorensen 1983, §3; PETSc
/// GLTR). `th` is scratch of length k.
#[allow(clippy::too_many_arguments)]
pub fn hard_case_step(
    diag: &[f64],
    off: &[f64],
    gamma0: f64,
    radius: f64,
    h: &mut [f64],
    v: &[f64],
    th: &mut [f64],
) {
    let k = h.len();
    let hv: f64 = h.iter().zip(v).map(|(a, b)| a * b).sum();
    let hh: f64 = h.iter().map(|a| a * a).sum();
    let (tm, tp) = boundary_roots(1.0, hv, hh - radius * radius);
    // q(h + τv) for both roots, from the same O(k) formula.
    let mut value = |tau: f64| {
        for j in 0..k {
            th[j] = h[j] + tau * v[j];
        }
        model_value(diag, off, gamma0, &th[..k])
    };
    let tau = if value(tm) < value(tp) { tm } else { tp };
    for j in 0..k {
        h[j] += tau * v[j];
    }
}

/// Buffers of the tridiagonal solve: the solution h, the pivots and two
/// scratch vectors. They grow (once) to the largest k seen.
#[derive(Debug, Clone, Default)]
pub struct TridiagWorkspace {
    pub(crate) h: Vec<f64>,
    piv: Vec<f64>,
    y: Vec<f64>,
    v: Vec<f64>,
}

impl TridiagWorkspace {
    /// A workspace with room for k ≤ `capacity` without allocating.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            h: Vec::with_capacity(capacity),
            piv: Vec::with_capacity(capacity),
            y: Vec::with_capacity(capacity),
            v: Vec::with_capacity(capacity),
        }
    }

    fn ensure(&mut self, k: usize) {
        for b in [&mut self.h, &mut self.piv, &mut self.y, &mut self.v] {
            if b.len() < k {
                b.resize(k, 0.0);
            }
        }
    }

    /// The solution of the last [`solve_tridiagonal_trs`] (length k).
    pub fn solution(&self, k: usize) -> &[f64] {
        &self.h[..k]
    }
}

/// What [`solve_tridiagonal_trs`] found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TridiagSolution {
    /// The multiplier λ ≥ max(0, −θ_min).
    pub lambda: f64,
    /// θ_min(T).
    pub theta_min: f64,
    /// `‖h‖` (Δ on the boundary).
    pub norm: f64,
    /// Whether the solution is interior (λ = 0, T positive definite).
    pub interior: bool,
    /// Whether the (nearly) hard case was taken.
    pub hard_case: bool,
    /// Newton steps performed.
    pub newton_iterations: usize,
    /// The model value `q(h)`.
    pub model: f64,
}

/// Solves min `γ₀e₁ᵀh + ½hᵀTh` subject to `‖h‖ ≤ Δ` (Moré & Sorensen
/// 1983 on a tridiagonal matrix; `reference/gltr.md` §3–4); h goes to
/// `ws.solution(k)`.
///
/// 1. θ_min by [`leftmost_eigenvalue`].
/// 2. If T is positive definite and `‖T⁻¹γ₀e₁‖ ≤ Δ`, that is h (λ = 0).
/// 3. Otherwise λ starts at `max(warm_lambda, λ_floor)`, with
///    `λ_floor = max(0, −θ_min)` plus a perturbation ([`SHIFT_PERTURBATION`],
///    doubled until the factorization succeeds) when θ_min ≤ 0, and
///    [`newton_lambda_update`] runs until `|‖h‖ − Δ| ≤ NEWTON_TOL·Δ`; a step
///    below the floor is clamped to it. Newton from the left of the root
///    is monotone (φ is concave), so a clamped step converges too.
/// 4. If at the floor `‖h‖ < Δ` while θ_min ≤ 0, the problem is (nearly)
///    hard: [`hard_case_step`] along the [`inverse_iteration`] eigenvector.
///
/// `diag` must be non-empty, `off.len() == diag.len() − 1`, `radius > 0`.
pub fn solve_tridiagonal_trs(
    diag: &[f64],
    off: &[f64],
    gamma0: f64,
    radius: f64,
    warm_lambda: f64,
    ws: &mut TridiagWorkspace,
) -> TridiagSolution {
    let k = diag.len();
    ws.ensure(k);
    let theta = leftmost_eigenvalue(diag, off);
    let sc = scale(diag, off);
    let mut sol = TridiagSolution {
        lambda: 0.0,
        theta_min: theta,
        norm: 0.0,
        interior: false,
        hard_case: false,
        newton_iterations: 0,
        model: 0.0,
    };
    let TridiagWorkspace { h, piv, y, v } = ws;
    let (h, piv, y, v) = (&mut h[..k], &mut piv[..k], &mut y[..k], &mut v[..k]);
    // h(λ) = −(T + λI)⁻¹γ₀e₁ from the pivots at λ, and ‖h‖².
    let solve_at = |h: &mut [f64], piv: &[f64]| {
        h.fill(0.0);
        h[0] = -gamma0;
        ldl_solve(off, piv, h);
        h.iter().map(|x| x * x).sum::<f64>()
    };

    // 2. Interior.
    if ldl_pivots(diag, off, 0.0, piv) {
        let hh = solve_at(h, piv);
        if hh.sqrt() <= radius {
            sol.interior = true;
            sol.norm = hh.sqrt();
            sol.model = model_value(diag, off, gamma0, h);
            return sol;
        }
    }

    // 3. The floor of λ.
    let mut floor = if theta > 0.0 && ldl_pivots(diag, off, 0.0, piv) {
        0.0
    } else {
        let mut pert = SHIFT_PERTURBATION * sc;
        let mut f = (-theta).max(0.0) + pert;
        while !ldl_pivots(diag, off, f, piv) {
            pert *= 2.0;
            f = (-theta).max(0.0) + pert;
            if !f.is_finite() {
                break;
            }
        }
        f
    };
    let mut lambda = if warm_lambda.is_finite() {
        warm_lambda.max(floor)
    } else {
        floor
    };
    let mut hh;
    let mut stalled = false;
    loop {
        if !ldl_pivots(diag, off, lambda, piv) {
            // The floor was too low after all (θ_min slightly off): raise it.
            floor = floor + (floor - (-theta).max(0.0)).max(SHIFT_PERTURBATION * sc);
            lambda = lambda.max(floor);
            sol.newton_iterations += 1;
            if sol.newton_iterations > MAX_NEWTON || !lambda.is_finite() {
                hh = f64::NAN;
                break;
            }
            continue;
        }
        hh = solve_at(h, piv);
        let hn = hh.sqrt();
        if (hn - radius).abs() <= NEWTON_TOL * radius {
            break;
        }
        if hn < radius && lambda <= floor && floor > 0.0 {
            // 4. (Nearly) hard case: even the smallest shift stays inside.
            inverse_iteration(diag, off, theta, v, piv);
            hard_case_step(diag, off, gamma0, radius, h, v, y);
            sol.hard_case = true;
            hh = h.iter().map(|x| x * x).sum::<f64>();
            break;
        }
        if sol.newton_iterations >= MAX_NEWTON {
            stalled = true;
            break;
        }
        let ww = inverse_factor_norm2(off, piv, h, y);
        let next = newton_lambda_update(lambda, hh, ww, radius);
        sol.newton_iterations += 1;
        if (next - lambda).abs() <= 4.0 * f64::EPSILON * lambda.abs().max(1.0) {
            stalled = true;
            break;
        }
        lambda = if next.is_finite() {
            next.max(floor)
        } else {
            floor
        };
    }
    if stalled && hh.is_finite() {
        // ‖h(λ)‖ cannot resolve Δ in floating point (λ next to −θ_min, the
        // nearly hard case): move λ just right of the root, then to the
        // boundary along the eigenvector (Moré & Sorensen 1983, §3).
        let mut step = 4.0 * f64::EPSILON * lambda.abs().max(1.0);
        for _ in 0..80 {
            if hh.sqrt() <= radius {
                break;
            }
            lambda += step;
            step *= 2.0;
            if ldl_pivots(diag, off, lambda, piv) {
                hh = solve_at(h, piv);
            }
        }
        if hh.sqrt() < radius {
            inverse_iteration(diag, off, theta, v, piv);
            hard_case_step(diag, off, gamma0, radius, h, v, y);
            sol.hard_case = true;
            hh = h.iter().map(|x| x * x).sum::<f64>();
        }
    }
    sol.lambda = lambda;
    sol.norm = hh.sqrt();
    sol.model = model_value(diag, off, gamma0, h);
    sol
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::linalg::rng::SplitMix64;
    use faer::{Mat, Side};

    /// A random k×k tridiagonal: diagonal in [−a, a] + shift, off-diagonal
    /// positive in [0.1, 1.1].
    pub(crate) fn random_tridiag(
        rng: &mut SplitMix64,
        k: usize,
        shift: f64,
    ) -> (Vec<f64>, Vec<f64>) {
        let d = (0..k).map(|_| 2.0 * rng.uniform() - 1.0 + shift).collect();
        let e = (0..k.saturating_sub(1))
            .map(|_| 0.1 + rng.uniform())
            .collect();
        (d, e)
    }

    fn dense(d: &[f64], e: &[f64]) -> Mat<f64> {
        let k = d.len();
        Mat::from_fn(k, k, |i, j| {
            if i == j {
                d[i]
            } else if i + 1 == j {
                e[i]
            } else if j + 1 == i {
                e[j]
            } else {
                0.0
            }
        })
    }

    /// Dense exact trust-region solution of min gᵀs + ½sᵀAs, ‖s‖ ≤ Δ, by
    /// the eigendecomposition of A and bisection on the secular equation in
    /// the eigenbasis (hard case handled with the eigenvector); returns the
    /// optimal model value. A test oracle, independent of the code above.
    pub(crate) fn dense_trs_value(a: &Mat<f64>, g: &[f64], radius: f64) -> f64 {
        let n = g.len();
        let evd = a.self_adjoint_eigen(Side::Lower).unwrap();
        let lam: Vec<f64> = (0..n).map(|i| evd.S().column_vector()[i]).collect();
        let u = evd.U();
        let gh: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|r| u[(r, i)] * g[r]).sum())
            .collect();
        let value = |s: &[f64]| -> f64 {
            (0..n)
                .map(|i| gh[i] * s[i] + 0.5 * lam[i] * s[i] * s[i])
                .sum()
        };
        let s_at = |l: f64| -> Vec<f64> { (0..n).map(|i| -gh[i] / (lam[i] + l)).collect() };
        let norm = |s: &[f64]| s.iter().map(|x| x * x).sum::<f64>().sqrt();
        let l1 = lam[0];
        if l1 > 0.0 && norm(&s_at(0.0)) <= radius {
            return value(&s_at(0.0));
        }
        let lo0 = (-l1).max(0.0);
        // Hard case: components in the l1-eigenspace (numerically) zero and
        // the limit step inside.
        let gscale = norm(&gh).max(1e-300);
        let in_space = |i: usize| (lam[i] - l1).abs() <= 1e-12 * (1.0 + l1.abs());
        let hard_comp: f64 = (0..n)
            .filter(|&i| in_space(i))
            .map(|i| gh[i] * gh[i])
            .sum::<f64>()
            .sqrt();
        if l1 <= 0.0 && hard_comp <= 1e-14 * gscale {
            let mut s: Vec<f64> = (0..n)
                .map(|i| {
                    if in_space(i) {
                        0.0
                    } else {
                        -gh[i] / (lam[i] - l1)
                    }
                })
                .collect();
            let ns = norm(&s);
            if ns <= radius {
                let tau = (radius * radius - ns * ns).max(0.0).sqrt();
                s[0] += tau;
                return value(&s);
            }
        }
        // Bisection for ‖s(λ)‖ = Δ on (lo0, hi).
        let mut lo = lo0;
        let mut hi = lo0 + gscale / radius + lam.iter().fold(0.0f64, |m, x| m.max(x.abs())) + 1.0;
        for _ in 0..3000 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if norm(&s_at(mid)) > radius {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        // Round-off in λ + λ₁ near the pole (nearly hard case) can leave
        // ‖s‖ visibly below Δ: finish along u₁ (exact in the eigenbasis).
        let mut s = s_at(hi);
        let ns = norm(&s);
        if ns < radius {
            let (tm, tp) = boundary_roots(1.0, s[0], ns * ns - radius * radius);
            let mut a = s.clone();
            a[0] += tm;
            s[0] += tp;
            return value(&a).min(value(&s));
        }
        value(&s)
    }

    #[test]
    fn ldl_solves_and_detects_indefiniteness() {
        let mut rng = SplitMix64::new(1);
        for k in [1, 2, 5, 12] {
            let (d, e) = random_tridiag(&mut rng, k, 3.0);
            let mut piv = vec![0.0; k];
            assert!(ldl_pivots(&d, &e, 0.5, &mut piv));
            let b: Vec<f64> = (0..k).map(|_| rng.normal()).collect();
            let mut x = b.clone();
            ldl_solve(&e, &piv, &mut x);
            // (T + 0.5I)x = b
            let mut tx = vec![0.0; k];
            tridiag_matvec(&d, &e, &x, &mut tx);
            for j in 0..k {
                assert!((tx[j] + 0.5 * x[j] - b[j]).abs() < 1e-12, "k {k} j {j}");
            }
            // ‖L⁻¹x‖² = xᵀ(T+0.5I)⁻¹x, checked by a second solve.
            let mut y = vec![0.0; k];
            let w2 = inverse_factor_norm2(&e, &piv, &x, &mut y);
            let mut z = x.clone();
            ldl_solve(&e, &piv, &mut z);
            let xz: f64 = x.iter().zip(&z).map(|(a, b)| a * b).sum();
            assert!((w2 - xz).abs() <= 1e-12 * xz.abs().max(1.0));
            // Shifted below the smallest eigenvalue: not positive definite.
            let theta = dense_eigs(&d, &e)[0];
            assert!(!ldl_pivots(&d, &e, -theta - 1e-3, &mut piv));
            assert!(ldl_pivots(&d, &e, -theta + 1e-3, &mut piv));
        }
    }

    fn dense_eigs(d: &[f64], e: &[f64]) -> Vec<f64> {
        dense(d, e).self_adjoint_eigenvalues(Side::Lower).unwrap()
    }

    #[test]
    fn sturm_counts_and_leftmost_eigenvalue_match_dense() {
        let mut rng = SplitMix64::new(2);
        for k in [1, 2, 3, 8, 20, 40] {
            let (d, e) = random_tridiag(&mut rng, k, 0.0);
            let eig = dense_eigs(&d, &e);
            for x in [-3.0, -0.7, 0.0, 0.3, 1.9] {
                let want = eig.iter().filter(|&&l| l < x).count();
                assert_eq!(sturm_count(&d, &e, x), want, "k {k} x {x}");
            }
            let (lo, hi) = gershgorin_bounds(&d, &e);
            assert!(lo <= eig[0] && eig[k - 1] <= hi);
            let theta = leftmost_eigenvalue(&d, &e);
            assert!(
                (theta - eig[0]).abs() < 1e-13,
                "k {k}: {theta} vs {}",
                eig[0]
            );
        }
    }

    #[test]
    fn inverse_iteration_gives_the_leftmost_eigenvector() {
        let mut rng = SplitMix64::new(3);
        for k in [1, 2, 6, 25] {
            let (d, e) = random_tridiag(&mut rng, k, 0.0);
            let t = dense(&d, &e);
            let evd = t.self_adjoint_eigen(Side::Lower).unwrap();
            let theta = leftmost_eigenvalue(&d, &e);
            let mut v = vec![0.0; k];
            let mut piv = vec![0.0; k];
            inverse_iteration(&d, &e, theta, &mut v, &mut piv);
            let mut tv = vec![0.0; k];
            tridiag_matvec(&d, &e, &v, &mut tv);
            let res: f64 = (0..k)
                .map(|j| (tv[j] - theta * v[j]).powi(2))
                .sum::<f64>()
                .sqrt();
            assert!(res < 1e-10, "k {k}: residual {res}");
            // Parallel to the dense eigenvector.
            let cos: f64 = (0..k).map(|j| v[j] * evd.U()[(j, 0)]).sum();
            assert!((cos.abs() - 1.0).abs() < 1e-10, "k {k}: cos {cos}");
        }
    }

    #[test]
    fn newton_update_is_the_more_sorensen_step() {
        // Scalar T = [a]: h = −γ/(a+λ), w = h/√(a+λ); the step is Newton's
        // on φ(λ) = (a+λ)/γ − 1/Δ, which is linear, so one step is exact.
        let (a, gamma, radius, lambda) = (2.0, 3.0, 0.5, 0.25);
        let h = -gamma / (a + lambda);
        let w2 = h * h / (a + lambda);
        let next = newton_lambda_update(lambda, h * h, w2, radius);
        assert!((next - (gamma / radius - a)).abs() < 1e-14, "{next}");
    }

    #[test]
    fn tridiagonal_trs_matches_dense_on_random_problems() {
        let mut rng = SplitMix64::new(4);
        let mut cases = [0usize; 3];
        for case in 0..120 {
            let k = 1 + case % 15;
            let shift = [3.0, 0.0, -0.5][case % 3];
            let (d, e) = random_tridiag(&mut rng, k, shift);
            let gamma0 = 0.1 + 2.0 * rng.uniform();
            let radius = [0.05, 0.5, 3.0, 50.0][(case / 3) % 4];
            let mut ws = TridiagWorkspace::default();
            let sol = solve_tridiagonal_trs(&d, &e, gamma0, radius, 0.0, &mut ws);
            let mut g = vec![0.0; k];
            g[0] = gamma0;
            let want = dense_trs_value(&dense(&d, &e), &g, radius);
            let got = model_value(&d, &e, gamma0, ws.solution(k));
            assert!((got - sol.model).abs() <= 1e-14 * got.abs().max(1e-300));
            assert!(
                (got - want).abs() <= 1e-10 * want.abs(),
                "case {case} k {k}: {got} vs {want}"
            );
            assert!(sol.norm <= radius * (1.0 + 1e-10));
            if sol.interior {
                cases[0] += 1;
                assert!(sol.lambda.abs() <= 0.0, "{}", sol.lambda);
            } else {
                cases[if sol.hard_case { 2 } else { 1 }] += 1;
                assert!((sol.norm - radius).abs() <= 1e-10 * radius);
                assert!(sol.lambda >= (-sol.theta_min).max(0.0) - 1e-12);
            }
            // A warm start from a wrong multiplier gives the same answer.
            let mut ws2 = TridiagWorkspace::default();
            let warm = solve_tridiagonal_trs(&d, &e, gamma0, radius, 7.0, &mut ws2);
            let got2 = model_value(&d, &e, gamma0, ws2.solution(k));
            assert!(
                (got2 - want).abs() <= 1e-10 * want.abs(),
                "warm case {case}"
            );
            assert_eq!(warm.interior, sol.interior);
        }
        assert!(cases[0] > 5 && cases[1] > 20, "{cases:?}");
    }

    #[test]
    fn nearly_hard_case_steps_along_the_eigenvector() {
        // T with a tiny first component in its leftmost eigenvector: a
        // nearly decoupled 2×2 block diag(1, −2) with e = 1e-9, and a large
        // radius, so λ is pinned at −θ_min.
        let d = [1.0, -2.0, 0.5];
        let e = [1e-9, 0.3];
        let gamma0 = 1.0;
        let radius = 4.0;
        let mut ws = TridiagWorkspace::default();
        let sol = solve_tridiagonal_trs(&d, &e, gamma0, radius, 0.0, &mut ws);
        assert!(sol.hard_case, "{sol:?}");
        let want = dense_trs_value(&dense(&d, &e), &[gamma0, 0.0, 0.0], radius);
        assert!(
            (sol.model - want).abs() <= 1e-8 * want.abs(),
            "{} vs {want}",
            sol.model
        );
        assert!((sol.norm - radius).abs() <= 1e-10 * radius);
        assert!((sol.lambda + sol.theta_min).abs() <= 1e-8);
    }

    #[test]
    fn a_scalar_problem_has_the_closed_form() {
        let mut ws = TridiagWorkspace::default();
        // a > 0, interior: h = −γ/a.
        let s = solve_tridiagonal_trs(&[4.0], &[], 2.0, 1.0, 0.0, &mut ws);
        assert!(s.interior && (ws.solution(1)[0] + 0.5).abs() < 1e-15);
        // a > 0, boundary: h = −Δ.
        let s = solve_tridiagonal_trs(&[1.0], &[], 2.0, 0.5, 0.0, &mut ws);
        assert!(!s.interior && (ws.solution(1)[0] + 0.5).abs() < 1e-12);
        assert!((s.lambda - 3.0).abs() < 1e-9);
        // a < 0: h = −Δ on the boundary, λ = γ/Δ − a.
        let s = solve_tridiagonal_trs(&[-1.0], &[], 2.0, 0.5, 0.0, &mut ws);
        assert!((ws.solution(1)[0] + 0.5).abs() < 1e-12, "{s:?}");
        assert!((s.lambda - 5.0).abs() < 1e-9);
    }
}
