//! The exact trust-region subproblem for a dense symmetric matrix:
//!
//! ```text
//! minimize  q(s) = gᵀs + ½ sᵀHs   subject to  ‖s‖₂ ≤ Δ,
//! ```
//!
//! by the method of Moré & Sorensen (1983), "Computing a trust region
//! step", SIAM J. Sci. Stat. Comput. 4(3), 553–572 (also Conn, Gould &
//! Toint 2000, *Trust-Region Methods*, §7.3, and Nocedal & Wright 2006,
//! §4.3, Algorithm 4.3).
//!
//! # The mathematics
//! s* is a global solution if and only if there is a λ ≥ 0 with
//! `(H + λI)s* = −g`, `H + λI` positive semidefinite and `λ(‖s*‖ − Δ) = 0`
//! (Moré & Sorensen 1983, Lemma 2.1; N&W Theorem 4.1). Write
//! `s(λ) = −(H + λI)⁻¹g` for λ > max(0, −λ₁), λ₁ the smallest eigenvalue
//! of H. Then:
//! * **interior case**: H positive definite and ‖H⁻¹g‖ ≤ Δ: λ = 0;
//! * **boundary case**: λ is the root of the *secular equation*
//!   `φ(λ) = 1/‖s(λ)‖ − 1/Δ = 0`, a concave increasing function on
//!   (−λ₁, ∞), on which Newton's method converges quadratically and, from
//!   the left of the root, monotonically. A Newton step needs the Cholesky
//!   factor `LLᵀ = H + λI` and `w = L⁻¹s`:
//!   `λ⁺ = λ + (‖s‖/‖w‖)² (‖s‖ − Δ)/Δ` ([`newton_update`]);
//! * **hard case**: g is orthogonal to the eigenspace of λ₁ < 0 and
//!   ‖s(−λ₁)‖ < Δ (s(−λ₁) the minimum-norm solution): the secular
//!   equation has no root, λ = −λ₁, and `s = s(−λ₁) + τu` with u a unit
//!   eigenvector of λ₁ and τ the root of `‖s + τu‖ = Δ` with the lower
//!   model value ([`boundary_tau`]).
//!
//! # The algorithm
//! 1. **Safeguards** ([`initial_bounds`]): every solution λ lies in
//!    `[λ_L, λ_U]` with `λ_L = max(0, −min hᵢᵢ, ‖g‖/Δ − min(ν, ‖H‖_F, ‖H‖_∞))`
//!    and `λ_U = max(0, ‖g‖/Δ + min(μ, ‖H‖_F, ‖H‖_∞))`, where ν and μ are the
//!    Gershgorin bounds on λₙ and on −λ₁ (Conn, Gould & Toint 2000, §7.3.8);
//!    `λ_S = −min hᵢᵢ` is a value at which H + λI is known to be indefinite.
//! 2. **Cholesky phase** (Moré & Sorensen's iteration): try λ = 0 first when
//!    λ_L = 0; at each λ, clamp into [λ_L, λ_U] and, when λ ≤ λ_S, replace it by
//!    `max(10⁻³λ_U, √(λ_Lλ_U))` ([`safeguard`]). A failed Cholesky raises λ_L and
//!    λ_S to λ. A successful one gives s(λ): ‖s‖ within `rtol·Δ` of Δ ends
//!    the solve; ‖s‖ > Δ raises λ_L to λ and to the Newton iterate (a lower
//!    bound by concavity of φ); ‖s‖ < Δ lowers λ_U to λ.
//! 3. **Eigen phase** (the hard case and its neighbourhood). Moré & Sorensen
//!    find u from the factorization by a LINPACK condition estimate. Here,
//!    because this solver is meant for small dense n, the second time the
//!    iteration lands right of the root (‖s(λ)‖ < Δ at λ > 0), when
//!    ‖s(λ)‖ = 0 (g = 0), or when the Cholesky phase runs out of iterations,
//!    the symmetric eigendecomposition `H = U diag(λᵢ) Uᵀ` (faer) is computed
//!    once — the same O(n³) as a few factorizations. It gives λ₁ and u
//!    exactly, and ‖s(λ)‖² = Σ γᵢ²/(λᵢ + λ)² with γ = Uᵀg costs O(n) per λ.
//!    First the limit λ → max(0, −λ₁) is tried: when the part r of g in the
//!    eigenspace of λ₁ is small enough that its effect on q, at most 2‖r‖Δ,
//!    is below `hard_case_tol·|q|`, and the minimum-norm s at that λ is
//!    inside the region, that is the solution (interior when λ₁ ≥ 0, the
//!    hard case when λ₁ < 0). Otherwise safeguarded Newton continues on the
//!    secular equation in eigen-coordinates, and every iterate right of the
//!    root is tested by Moré & Sorensen's hard-case rule (their §3):
//!    with ŝ = s(λ) + τu on the boundary, `q(ŝ) − q* ≤ ½τ²(λ + λ₁)`, so
//!    `τ²(λ + λ₁) ≤ hard_case_tol·(s(λ)ᵀ(H + λI)s(λ) + λΔ²)` bounds the
//!    relative error of q(ŝ) by `hard_case_tol` ([`hard_case_accepts`]).
//!    Left of the root the Newton step stays in the bracket; right of it a
//!    step out of the bracket is replaced by `a + (b − a)/20`, so in the hard
//!    case λ + λ₁ falls geometrically.
//!
//! # Example
//! ```
//! use ndarray::array;
//! use steihaug::linalg::trs::{solve_trs, TrsParams};
//!
//! // An indefinite H: the solution is on the boundary.
//! let h = array![[1.0, 0.0], [0.0, -2.0]];
//! let g = array![1.0, 1.0];
//! let sol = solve_trs(h.view(), g.view(), 1.0, &TrsParams::default())?;
//! assert!(sol.on_boundary);
//! assert!((sol.s.dot(&sol.s).sqrt() - 1.0).abs() < 1e-9);
//! // (H + λI)s = −g with H + λI positive semidefinite (λ ≥ 2).
//! assert!(sol.lambda >= 2.0);
//! let r = h.dot(&sol.s) + sol.lambda * &sol.s + &g;
//! assert!(r.iter().all(|v| v.abs() < 1e-8));
//!
//! // The hard case: g ⟂ the eigenvector (0, 1) of λ₁ = −2.
//! let g = array![1.0, 0.0];
//! let sol = solve_trs(h.view(), g.view(), 1.0, &TrsParams::default())?;
//! assert!(sol.hard_case);
//! assert!((sol.lambda - 2.0).abs() < 1e-9);
//! // λ = 2, s = (−1/3, ±√(8/9)) and q = −1/3 + 1/18 − 8/9:
//! let q_star = -1.0 / 3.0 + 0.5 * (1.0 / 9.0) - 8.0 / 9.0;
//! assert!((sol.model - q_star).abs() < 1e-9);
//! # Ok::<(), steihaug::Error>(())
//! ```

use faer::linalg::solvers::Solve;
use faer::{Mat, Side};
use ndarray::{Array1, ArrayView1, ArrayView2};

use crate::error::{Error, Result};

/// Default relative tolerance on the boundary: stop when
/// `|‖s‖ − Δ| ≤ rtol·Δ`. A boundary step off by δ·Δ changes q by about
/// λΔ²δ while |q*| ≥ ½λΔ², so the model value is good to about 2·rtol
/// relative; 10⁻¹² keeps it below 10⁻¹⁰, and the quadratic convergence of
/// Newton's method makes the extra digits cost at most one factorization.
pub const DEFAULT_TRS_RTOL: f64 = 1e-12;
/// Default relative model error accepted in the (nearly) hard case.
pub const DEFAULT_HARD_CASE_TOL: f64 = 1e-12;
/// Default cap on the Newton iterations of each phase.
pub const DEFAULT_TRS_MAX_ITER: usize = 100;
/// Default largest relative asymmetry `max|hᵢⱼ − hⱼᵢ| / max|hᵢⱼ|`.
pub const DEFAULT_TRS_SYMMETRY_TOL: f64 = 1e-10;

/// Tolerances of [`solve_trs`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TrsParams {
    /// A boundary solution is accepted when `|‖s‖ − Δ| ≤ rtol·Δ` (default
    /// [`DEFAULT_TRS_RTOL`]); > 0.
    pub rtol: f64,
    /// Relative model error accepted for a hard-case step `s(λ) + τu`
    /// (Moré & Sorensen's σ, default [`DEFAULT_HARD_CASE_TOL`]); ≥ 0.
    pub hard_case_tol: f64,
    /// Newton iterations allowed in each phase (Cholesky, then eigen-
    /// coordinates, which gets four times as many: they cost O(n)); ≥ 1.
    pub max_iter: usize,
    /// Largest accepted `max|hᵢⱼ − hⱼᵢ| / max|hᵢⱼ|` (default
    /// [`DEFAULT_TRS_SYMMETRY_TOL`]); below it H is symmetrized.
    pub symmetry_tol: f64,
}

impl Default for TrsParams {
    fn default() -> Self {
        Self {
            rtol: DEFAULT_TRS_RTOL,
            hard_case_tol: DEFAULT_HARD_CASE_TOL,
            max_iter: DEFAULT_TRS_MAX_ITER,
            symmetry_tol: DEFAULT_TRS_SYMMETRY_TOL,
        }
    }
}

impl TrsParams {
    /// Checks every field ([`Error::InvalidOption`]).
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &'static str, reason: &str| {
            Err(Error::InvalidOption {
                name,
                reason: reason.to_string(),
            })
        };
        if !(self.rtol > 0.0 && self.rtol.is_finite()) {
            return bad("rtol", "must be finite and > 0");
        }
        if !(self.hard_case_tol >= 0.0 && self.hard_case_tol.is_finite()) {
            return bad("hard_case_tol", "must be finite and >= 0");
        }
        if self.max_iter == 0 {
            return bad("max_iter", "must be >= 1");
        }
        if !(self.symmetry_tol >= 0.0 && self.symmetry_tol.is_finite()) {
            return bad("symmetry_tol", "must be finite and >= 0");
        }
        Ok(())
    }
}

/// The solution of one subproblem.
#[derive(Debug, Clone, PartialEq)]
pub struct TrsSolution {
    /// The step s.
    pub s: Array1<f64>,
    /// The multiplier λ ≥ 0: `(H + λI)s = −g`, `H + λI` positive
    /// semidefinite (to the tolerances).
    pub lambda: f64,
    /// `q(s) = gᵀs + ½sᵀHs`, computed from H, g and s.
    pub model: f64,
    /// Whether `‖s‖ = Δ` (within `rtol`); false only for interior solutions.
    pub on_boundary: bool,
    /// Whether s was formed as `s(λ) + τu` with u the leftmost eigenvector
    /// (the hard case, or a case near enough to it within `hard_case_tol`).
    pub hard_case: bool,
    /// Newton iterations on the secular equation (both phases).
    pub iterations: usize,
    /// Cholesky factorizations attempted.
    pub factorizations: usize,
    /// Whether the eigendecomposition of H was computed.
    pub eigendecomposition: bool,
}

/// The safeguarding interval of Moré & Sorensen (1983, §3), with the
/// bounds of Conn, Gould & Toint (2000, §7.3.8).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// λ_L ≤ λ*.
    pub lower: f64,
    /// λ_U ≥ λ*.
    pub upper: f64,
    /// H + λ_S·I is known not to be positive definite.
    pub indefinite_at: f64,
}

/// The initial safeguards for matrix `h` (symmetric, n × n), gradient norm
/// `gnorm` and radius Δ: `λ_L = max(0, −min hᵢᵢ, ‖g‖/Δ − min(ν, ‖H‖_F,
/// ‖H‖_∞))`, `λ_U = max(0, ‖g‖/Δ + min(μ, ‖H‖_F, ‖H‖_∞))`, `λ_S = −min hᵢᵢ`,
/// with the Gershgorin bounds `ν = maxᵢ(hᵢᵢ + Σⱼ≠ᵢ|hᵢⱼ|) ≥ λₙ` and
/// `μ = maxᵢ(−hᵢᵢ + Σⱼ≠ᵢ|hᵢⱼ|) ≥ −λ₁` (Conn, Gould & Toint 2000, §7.3.8;
/// Moré & Sorensen 1983 use ‖H‖₁). They hold because ‖s‖ = Δ and
/// `(H + λI)s = −g` give `(λ + λ₁)Δ ≤ ‖g‖ ≤ (λ + λₙ)Δ`.
pub fn initial_bounds(h: &Mat<f64>, gnorm: f64, radius: f64) -> Bounds {
    let n = h.nrows();
    let mut min_diag = f64::INFINITY;
    let mut nu = f64::NEG_INFINITY;
    let mut mu = f64::NEG_INFINITY;
    let mut fro2 = 0.0;
    let mut inf = 0.0f64;
    for i in 0..n {
        let d = h[(i, i)];
        let mut off = 0.0;
        let mut row = 0.0;
        for j in 0..n {
            let v = h[(i, j)];
            fro2 += v * v;
            row += v.abs();
            if j != i {
                off += v.abs();
            }
        }
        min_diag = min_diag.min(d);
        nu = nu.max(d + off);
        mu = mu.max(-d + off);
        inf = inf.max(row);
    }
    let fro = fro2.sqrt();
    let ratio = gnorm / radius;
    let lower = 0.0f64.max(-min_diag).max(ratio - nu.min(fro).min(inf));
    let upper = 0.0f64.max(ratio + mu.min(fro).min(inf));
    Bounds {
        lower,
        upper: upper.max(lower),
        indefinite_at: -min_diag,
    }
}

/// Moré & Sorensen's safeguard (1983, §3): λ is clamped into [λ_L, λ_U],
/// and a λ ≤ λ_S (where H + λI is known to be indefinite) is replaced by
/// `max(10⁻³·λ_U, √(λ_L·λ_U))`.
pub fn safeguard(lambda: f64, b: &Bounds) -> f64 {
    let l = lambda.max(b.lower).min(b.upper);
    if l <= b.indefinite_at {
        (1e-3 * b.upper).max((b.lower * b.upper).sqrt())
    } else {
        l
    }
}

/// The Newton step on `φ(λ) = 1/‖s(λ)‖ − 1/Δ`:
/// `λ⁺ = λ + (‖s‖²/‖w‖²)(‖s‖ − Δ)/Δ`, with `‖w‖² = sᵀ(H + λI)⁻¹s` (w = L⁻¹s
/// for the Cholesky factor L; Moré & Sorensen 1983, eq. 3.4; N&W
/// Algorithm 4.3).
pub fn newton_update(lambda: f64, s_norm: f64, w_norm2: f64, radius: f64) -> f64 {
    lambda + (s_norm * s_norm / w_norm2) * (s_norm - radius) / radius
}

/// The two roots τ₋ ≤ 0 ≤ τ₊ of `‖s + τu‖ = Δ` for a unit u and ‖s‖ ≤ Δ:
/// `τ² + 2(sᵀu)τ + ‖s‖² − Δ² = 0`, each computed without cancellation (the
/// larger root in magnitude first, the other as c/(a·τ)).
pub fn boundary_tau(s_dot_u: f64, s_norm2: f64, radius: f64) -> (f64, f64) {
    let c = s_norm2 - radius * radius; // ≤ 0
    let disc = (s_dot_u * s_dot_u - c).max(0.0).sqrt();
    if s_dot_u >= 0.0 {
        let big = -s_dot_u - disc; // ≤ 0
        let other = if big == 0.0 { 0.0 } else { c / big };
        (big, other)
    } else {
        let big = -s_dot_u + disc; // > 0
        (c / big, big)
    }
}

/// Moré & Sorensen's (1983, §3) hard-case termination rule:
/// with `(H + λI)s = −g`, H + λI positive semidefinite and `ŝ = s + τu` on
/// the boundary, `q(ŝ) − q* ≤ ½τ²·uᵀ(H + λI)u`, while
/// `−q* ≤ ½(sᵀ(H + λI)s + λΔ²)`; ŝ is accepted when
/// `τ²·uᵀ(H + λI)u ≤ σ·(sᵀ(H + λI)s + λΔ²)`.
pub fn hard_case_accepts(
    tau: f64,
    u_curv: f64,
    s_curv: f64,
    lambda: f64,
    radius: f64,
    sigma: f64,
) -> bool {
    tau * tau * u_curv <= sigma * (s_curv + lambda * radius * radius)
}

/// Solves `min gᵀs + ½sᵀHs` subject to `‖s‖₂ ≤ radius` for a dense
/// symmetric `h` (see the [module documentation](self) for the method).
///
/// Errors: [`Error::EmptyProblem`] for n = 0, [`Error::DimensionMismatch`]
/// when h is not square or g has another length, [`Error::InvalidInput`]
/// for a non-finite entry or a non-symmetric h, [`Error::InvalidOption`]
/// for a radius that is not finite and > 0 or invalid params, and
/// [`Error::Factorization`] when the eigendecomposition fails or neither
/// phase converges.
pub fn solve_trs(
    h: ArrayView2<'_, f64>,
    g: ArrayView1<'_, f64>,
    radius: f64,
    params: &TrsParams,
) -> Result<TrsSolution> {
    params.validate()?;
    let n = h.nrows();
    if n == 0 {
        return Err(Error::EmptyProblem);
    }
    crate::error::check_dim("H columns", n, h.ncols())?;
    crate::error::check_dim("g", n, g.len())?;
    if !(radius > 0.0 && radius.is_finite()) {
        return Err(Error::InvalidOption {
            name: "radius",
            reason: format!("must be finite and > 0, got {radius}"),
        });
    }
    if !h.iter().all(|v| v.is_finite()) {
        return Err(Error::InvalidInput("H has a non-finite entry".into()));
    }
    if !g.iter().all(|v| v.is_finite()) {
        return Err(Error::InvalidInput("g has a non-finite entry".into()));
    }
    let scale = h.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut asym = 0.0f64;
    for i in 0..n {
        for j in 0..i {
            asym = asym.max((h[[i, j]] - h[[j, i]]).abs());
        }
    }
    if asym > params.symmetry_tol * scale {
        return Err(Error::InvalidInput(format!(
            "H is not symmetric: max |H - H^T| = {asym:.3e} (scale {scale:.3e})"
        )));
    }
    let a = Mat::from_fn(n, n, |i, j| 0.5 * (h[[i, j]] + h[[j, i]]));
    let mut solver = Solver {
        a,
        g,
        radius,
        params,
        gnorm: g.dot(&g).sqrt(),
        iterations: 0,
        factorizations: 0,
    };
    solver.run()
}

/// One subproblem in progress.
struct Solver<'a> {
    a: Mat<f64>,
    g: ArrayView1<'a, f64>,
    radius: f64,
    params: &'a TrsParams,
    gnorm: f64,
    iterations: usize,
    factorizations: usize,
}

/// s(λ), ‖s‖ and sᵀ(H + λI)⁻¹s from one Cholesky factorization.
struct Factored {
    s: Array1<f64>,
    s_norm: f64,
    w_norm2: f64,
}

/// Where the Cholesky phase left off.
struct Handover {
    /// The largest λ where ‖s(λ)‖ > Δ was seen (or the Newton iterate from
    /// it): a lower bound on λ* from a successful factorization.
    left: f64,
    /// λ_U.
    upper: f64,
    /// The last λ.
    lambda: f64,
}

enum Phase {
    Done(TrsSolution),
    Eigen(Handover),
}

impl Solver<'_> {
    fn run(&mut self) -> Result<TrsSolution> {
        match self.cholesky_phase() {
            Phase::Done(sol) => Ok(sol),
            Phase::Eigen(h) => self.eigen_phase(h),
        }
    }

    /// Cholesky of H + λI and s(λ); `None` when H + λI is not (numerically)
    /// positive definite.
    fn factor(&mut self, lambda: f64) -> Option<Factored> {
        let n = self.a.nrows();
        self.factorizations += 1;
        let m = Mat::from_fn(n, n, |i, j| {
            self.a[(i, j)] + if i == j { lambda } else { 0.0 }
        });
        let llt = m.llt(Side::Lower).ok()?;
        let mut rhs = Mat::from_fn(n, 1, |i, _| -self.g[i]);
        llt.solve_in_place(&mut rhs);
        let s = Array1::from_shape_fn(n, |i| rhs[(i, 0)]);
        llt.solve_in_place(&mut rhs);
        let w_norm2: f64 = (0..n).map(|i| s[i] * rhs[(i, 0)]).sum();
        let s_norm = s.dot(&s).sqrt();
        (s_norm.is_finite() && w_norm2.is_finite()).then_some(Factored { s, s_norm, w_norm2 })
    }

    fn finish(
        &self,
        s: Array1<f64>,
        lambda: f64,
        on_boundary: bool,
        hard_case: bool,
        eig: bool,
    ) -> TrsSolution {
        let n = s.len();
        let mut shs = 0.0;
        for i in 0..n {
            let mut hi = 0.0;
            for j in 0..n {
                hi += self.a[(i, j)] * s[j];
            }
            shs += s[i] * hi;
        }
        let model = self.g.dot(&s) + 0.5 * shs;
        TrsSolution {
            s,
            lambda,
            model,
            on_boundary,
            hard_case,
            iterations: self.iterations,
            factorizations: self.factorizations,
            eigendecomposition: eig,
        }
    }

    /// Step 2 of the module doc: Moré & Sorensen's safeguarded Newton
    /// iteration with a Cholesky factorization per iterate.
    fn cholesky_phase(&mut self) -> Phase {
        let delta = self.radius;
        let rtol = self.params.rtol;
        let mut b = initial_bounds(&self.a, self.gnorm, delta);
        let mut left = 0.0f64;
        let mut lambda = b.lower;
        let mut right_visits = 0;
        for _ in 0..self.params.max_iter {
            lambda = safeguard(lambda, &b);
            let Some(f) = self.factor(lambda) else {
                b.lower = b.lower.max(lambda);
                b.indefinite_at = b.indefinite_at.max(lambda);
                if b.upper - b.lower <= 4.0 * f64::EPSILON * b.upper {
                    break;
                }
                continue;
            };
            self.iterations += 1;
            if lambda == 0.0 && f.s_norm <= delta * (1.0 + rtol) {
                let on = f.s_norm >= delta * (1.0 - rtol);
                return Phase::Done(self.finish(f.s, 0.0, on, false, false));
            }
            if (f.s_norm - delta).abs() <= rtol * delta {
                return Phase::Done(self.finish(f.s, lambda, true, false, false));
            }
            if f.s_norm < delta {
                b.upper = b.upper.min(lambda);
                right_visits += 1;
                if right_visits >= 2 || f.s_norm == 0.0 {
                    break;
                }
            } else {
                b.lower = b.lower.max(lambda);
                left = left.max(lambda);
            }
            let next = newton_update(lambda, f.s_norm, f.w_norm2, delta);
            if !next.is_finite() {
                break;
            }
            if f.s_norm > delta {
                // φ is concave: from the left, Newton does not pass the root.
                b.lower = b.lower.max(next);
                left = left.max(next);
            }
            lambda = next;
        }
        Phase::Eigen(Handover {
            left,
            upper: b.upper,
            lambda,
        })
    }

    /// Step 3 of the module doc: the eigendecomposition, the hard-case
    /// limit, and safeguarded Newton in eigen-coordinates.
    fn eigen_phase(&mut self, hand: Handover) -> Result<TrsSolution> {
        let n = self.a.nrows();
        let delta = self.radius;
        let rtol = self.params.rtol;
        let sigma = self.params.hard_case_tol;
        let evd = self
            .a
            .self_adjoint_eigen(Side::Lower)
            .map_err(|e| Error::Factorization(format!("eigendecomposition of H: {e:?}")))?;
        let u = evd.U();
        let ev: Vec<f64> = (0..n).map(|i| evd.S().column_vector()[i]).collect();
        let gamma: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|k| u[(k, i)] * self.g[k]).sum())
            .collect();
        let lam1 = ev[0];
        let lo = 0.0f64.max(-lam1);
        let ev_scale = ev.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let cluster_tol = 8.0 * n as f64 * f64::EPSILON * ev_scale;
        let to_x = |c: &[f64]| Array1::from_shape_fn(n, |k| (0..n).map(|i| u[(k, i)] * c[i]).sum());
        let model_eig = |c: &[f64]| -> f64 {
            (0..n)
                .map(|i| gamma[i] * c[i] + 0.5 * ev[i] * c[i] * c[i])
                .sum()
        };

        // The limit λ → lo, with the eigenspace of λ₁ (the cluster within
        // round-off) left out of s and a step along it to the boundary.
        if hand.left <= lo {
            let mut c = vec![0.0; n];
            let mut r2 = 0.0;
            for i in 0..n {
                if ev[i] + lo <= cluster_tol {
                    r2 += gamma[i] * gamma[i];
                } else {
                    c[i] = -gamma[i] / (ev[i] + lo);
                }
            }
            let c2: f64 = c.iter().map(|v| v * v).sum();
            if c2.sqrt() <= delta * (1.0 + rtol) {
                let r = r2.sqrt();
                let mut hard = false;
                if lo > 0.0 && c2 < delta * delta {
                    // Along −r (the cluster part of g) when r ≠ 0, else u₁:
                    // cᵀd = 0 since c vanishes on the cluster.
                    let tau = (delta * delta - c2).sqrt();
                    if r > 0.0 {
                        for i in 0..n {
                            if ev[i] + lo <= cluster_tol {
                                c[i] = -tau * gamma[i] / r;
                            }
                        }
                    } else {
                        c[0] = tau;
                    }
                    hard = true;
                }
                let q = model_eig(&c);
                if 2.0 * r * delta <= sigma * q.abs() {
                    self.iterations += 1;
                    let on = hard || c2.sqrt() >= delta * (1.0 - rtol);
                    return Ok(self.finish(to_x(&c), lo, on, hard, true));
                }
            }
        }

        // Safeguarded Newton on the secular equation in (a, b).
        let mut a = lo.max(hand.left);
        let mut b = hand.upper.max(self.gnorm / delta - lam1).max(a);
        let mut lambda = hand.lambda;
        if !(lambda > a && lambda < b) {
            lambda = 0.5 * (a + b);
        }
        let mut c = vec![0.0; n];
        for _ in 0..4 * self.params.max_iter {
            if !(lambda > a && lambda <= b) {
                break;
            }
            self.iterations += 1;
            let (mut psi2, mut s3, mut s_curv) = (0.0, 0.0, 0.0);
            for i in 0..n {
                let t = ev[i] + lambda;
                c[i] = -gamma[i] / t;
                psi2 += c[i] * c[i];
                s3 += c[i] * c[i] / t;
                s_curv += c[i] * c[i] * t;
            }
            let psi = psi2.sqrt();
            if (psi - delta).abs() <= rtol * delta {
                return Ok(self.finish(to_x(&c), lambda, true, false, true));
            }
            if psi < delta {
                b = lambda;
                let (tm, tp) = boundary_tau(c[0], psi2, delta);
                // q(c + τe₁) − q(c) = τ(γ₁ + λ₁c₁) + ½τ²λ₁.
                let dq = |t: f64| t * (gamma[0] + ev[0] * c[0]) + 0.5 * t * t * ev[0];
                let tau = if dq(tm) <= dq(tp) { tm } else { tp };
                if hard_case_accepts(tau, ev[0] + lambda, s_curv, lambda, delta, sigma) {
                    c[0] += tau;
                    return Ok(self.finish(to_x(&c), lambda, true, true, true));
                }
            } else {
                a = lambda;
            }
            let next = if s3 > 0.0 {
                newton_update(lambda, psi, s3, delta)
            } else {
                f64::NAN
            };
            lambda = if next > a && next < b {
                next
            } else if psi < delta {
                a + 0.05 * (b - a)
            } else {
                0.5 * (a + b)
            };
            if lambda <= a || lambda >= b {
                // The bracket is at floating-point resolution: take the
                // best point of its right end.
                lambda = b;
                let mut psi2 = 0.0;
                for i in 0..n {
                    c[i] = -gamma[i] / (ev[i] + lambda);
                    psi2 += c[i] * c[i];
                }
                if psi2.sqrt() < delta * (1.0 - rtol) {
                    let (tm, tp) = boundary_tau(c[0], psi2, delta);
                    let dq = |t: f64| t * (gamma[0] + ev[0] * c[0]) + 0.5 * t * t * ev[0];
                    c[0] += if dq(tm) <= dq(tp) { tm } else { tp };
                    return Ok(self.finish(to_x(&c), lambda, true, true, true));
                }
                return Ok(self.finish(to_x(&c), lambda, true, false, true));
            }
        }
        Err(Error::Factorization(format!(
            "trust-region subproblem: no convergence in {} iterations",
            self.iterations
        )))
    }
}

#[cfg(test)]
// Exact values (0, λ = 0 for interior steps) are compared exactly.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::linalg::rng::SplitMix64;
    use ndarray::{array, Array2};

    // ---- The oracle: Jacobi eigenvalues and bisection on the secular
    // equation, independent of the solver's code paths. ----

    /// Cyclic Jacobi: the eigenvalues (ascending) and eigenvectors
    /// (columns) of a symmetric matrix.
    fn jacobi_eigen(h: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
        let n = h.nrows();
        let mut a = h.clone();
        let mut v = Array2::<f64>::eye(n);
        for _sweep in 0..100 {
            let off: f64 = (0..n)
                .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
                .map(|(i, j)| a[[i, j]] * a[[i, j]])
                .sum();
            if off <= 1e-300 {
                break;
            }
            for p in 0..n {
                for q in p + 1..n {
                    if a[[p, q]] == 0.0 {
                        continue;
                    }
                    let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * a[[p, q]]);
                    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                    let t = if theta == 0.0 { 1.0 } else { t };
                    let c = 1.0 / (t * t + 1.0).sqrt();
                    let s = t * c;
                    for k in 0..n {
                        let (akp, akq) = (a[[k, p]], a[[k, q]]);
                        a[[k, p]] = c * akp - s * akq;
                        a[[k, q]] = s * akp + c * akq;
                    }
                    for k in 0..n {
                        let (apk, aqk) = (a[[p, k]], a[[q, k]]);
                        a[[p, k]] = c * apk - s * aqk;
                        a[[q, k]] = s * apk + c * aqk;
                    }
                    for k in 0..n {
                        let (vkp, vkq) = (v[[k, p]], v[[k, q]]);
                        v[[k, p]] = c * vkp - s * vkq;
                        v[[k, q]] = s * vkp + c * vkq;
                    }
                }
            }
        }
        let mut idx: Vec<usize> = (0..n).collect();
        idx.sort_by(|&i, &j| a[[i, i]].total_cmp(&a[[j, j]]));
        let ev = idx.iter().map(|&i| a[[i, i]]).collect();
        let vs = Array2::from_shape_fn((n, n), |(k, i)| v[[k, idx[i]]]);
        (ev, vs)
    }

    /// q* by duality: q* = sup over λ ≥ max(0, −λ₁) of
    /// d(λ) = −½(Σ γᵢ²/(λᵢ + λ) + λΔ²), a concave function whose derivative
    /// is ½(‖s(λ)‖² − Δ²); bisection on the secular equation ‖s(λ)‖ = Δ
    /// finds its maximizer (or the left end, in the interior and hard
    /// cases).
    fn oracle(h: &Array2<f64>, g: &Array1<f64>, delta: f64) -> f64 {
        let (ev, v) = jacobi_eigen(h);
        let n = ev.len();
        let gamma: Vec<f64> = (0..n).map(|i| v.column(i).dot(g)).collect();
        let psi = |l: f64| -> f64 {
            (0..n)
                .map(|i| (gamma[i] / (ev[i] + l)).powi(2))
                .sum::<f64>()
                .sqrt()
        };
        let dual = |l: f64| -> f64 {
            -0.5 * ((0..n)
                .map(|i| gamma[i] * gamma[i] / (ev[i] + l))
                .sum::<f64>()
                + l * delta * delta)
        };
        let lo = 0.0f64.max(-ev[0]);
        let gn = g.dot(g).sqrt();
        let mut b = gn / delta + lo + 1.0;
        while psi(b) > delta {
            b *= 2.0;
        }
        if ev[0] > 0.0 && psi(0.0) <= delta {
            return dual(0.0);
        }
        let mut a = lo;
        for _ in 0..2000 {
            let m = 0.5 * (a + b);
            if m <= a || m >= b {
                break;
            }
            if psi(m) > delta {
                a = m;
            } else {
                b = m;
            }
        }
        // b ≥ the maximizer of d and d(b) ≤ q*; at float resolution.
        dual(b)
    }

    // ---- Random problems. ----

    fn orthogonal(n: usize, rng: &mut SplitMix64) -> Array2<f64> {
        let mut q = Array2::from_shape_fn((n, n), |_| rng.normal());
        for j in 0..n {
            for k in 0..j {
                let d = q.column(j).dot(&q.column(k));
                let ck = q.column(k).to_owned();
                q.column_mut(j).scaled_add(-d, &ck);
            }
            let nrm = q.column(j).dot(&q.column(j)).sqrt();
            q.column_mut(j).mapv_inplace(|x| x / nrm);
        }
        q
    }

    /// H = Q diag(d) Qᵀ, exactly symmetric.
    fn with_spectrum(q: &Array2<f64>, d: &[f64]) -> Array2<f64> {
        let n = d.len();
        let mut h = Array2::zeros((n, n));
        for i in 0..n {
            for j in 0..=i {
                let v: f64 = (0..n).map(|k| q[[i, k]] * d[k] * q[[j, k]]).sum();
                h[[i, j]] = v;
                h[[j, i]] = v;
            }
        }
        h
    }

    fn model(h: &Array2<f64>, g: &Array1<f64>, s: &Array1<f64>) -> f64 {
        g.dot(s) + 0.5 * s.dot(&h.dot(s))
    }

    /// The optimality conditions of Moré & Sorensen's Lemma 2.1.
    fn check_kkt(h: &Array2<f64>, g: &Array1<f64>, delta: f64, sol: &TrsSolution, what: &str) {
        let n = g.len();
        let hn = h.iter().fold(0.0f64, |m, v| m.max(v.abs())) * n as f64;
        let sn = sol.s.dot(&sol.s).sqrt();
        let scale = g.dot(g).sqrt() + hn * delta + sol.lambda * delta + 1e-300;
        let r = h.dot(&sol.s) + sol.lambda * &sol.s + g;
        let rn = r.dot(&r).sqrt();
        assert!(
            rn <= 1e-8 * scale,
            "{what}: KKT residual {rn:e} (scale {scale:e}) {sol:?}"
        );
        assert!(sol.lambda >= 0.0, "{what}: λ = {}", sol.lambda);
        assert!(
            sn <= delta * (1.0 + 1e-9),
            "{what}: ‖s‖ = {sn} > Δ = {delta}"
        );
        assert!(
            sol.lambda * (delta - sn) <= 1e-8 * sol.lambda.max(1.0) * delta,
            "{what}: complementarity λ = {}, Δ − ‖s‖ = {}",
            sol.lambda,
            delta - sn
        );
        let shifted = h + &(Array2::<f64>::eye(n) * sol.lambda);
        let (ev, _) = jacobi_eigen(&shifted);
        assert!(
            ev[0] >= -1e-8 * (hn + sol.lambda).max(1.0),
            "{what}: λ_min(H + λI) = {}",
            ev[0]
        );
        let q = model(h, g, &sol.s);
        assert!(
            (q - sol.model).abs() <= 1e-12 * q.abs().max(1.0),
            "{what}: model {q} vs {}",
            sol.model
        );
    }

    fn check_against_oracle(
        h: &Array2<f64>,
        g: &Array1<f64>,
        delta: f64,
        what: &str,
    ) -> TrsSolution {
        let sol = solve_trs(h.view(), g.view(), delta, &TrsParams::default()).unwrap();
        check_kkt(h, g, delta, &sol, what);
        let q_star = oracle(h, g, delta);
        let err = (sol.model - q_star).abs();
        assert!(
            err <= 1e-10 * q_star.abs().max(1e-300),
            "{what}: q = {} vs oracle {q_star} (rel {:e}) {sol:?}",
            sol.model,
            err / q_star.abs()
        );
        sol
    }

    #[test]
    fn random_spd_indefinite_hard_and_nearly_hard_problems_match_the_oracle() {
        let mut rng = SplitMix64::new(0x7125);
        let mut hard_seen = 0;
        let mut interior_seen = 0;
        let mut eig_seen = 0;
        for n in 1..=20 {
            for rep in 0..6 {
                let q = orthogonal(n, &mut rng);
                let g = Array1::from_shape_fn(n, |_| rng.normal());
                // Positive definite, with radii that give interior and
                // boundary solutions.
                let d: Vec<f64> = (0..n).map(|_| 0.1 + 10.0 * rng.uniform()).collect();
                let h = with_spectrum(&q, &d);
                for delta in [0.01, 0.3, 3.0, 100.0] {
                    let sol = check_against_oracle(
                        &h,
                        &g,
                        delta,
                        &format!("spd n={n} rep={rep} Δ={delta}"),
                    );
                    interior_seen += usize::from(!sol.on_boundary);
                }
                // Indefinite.
                let d: Vec<f64> = (0..n).map(|_| 5.0 * rng.normal()).collect();
                let h = with_spectrum(&q, &d);
                for delta in [0.01, 1.0, 10.0] {
                    check_against_oracle(
                        &h,
                        &g,
                        delta,
                        &format!("indefinite n={n} rep={rep} Δ={delta}"),
                    );
                }
                // Hard case: g ⟂ the eigenspace of λ₁ = −2 (multiplicity 1 or
                // 2), ‖s(2)‖ < Δ; and nearly hard: a small component there.
                if n >= 2 {
                    let mult = if n >= 4 && rep % 2 == 1 { 2 } else { 1 };
                    let mut d: Vec<f64> = (0..n).map(|_| 0.5 + 4.0 * rng.uniform()).collect();
                    for di in d.iter_mut().take(mult) {
                        *di = -2.0;
                    }
                    let h = with_spectrum(&q, &d);
                    let mut gamma: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
                    for gi in gamma.iter_mut().take(mult) {
                        *gi = 0.0;
                    }
                    let s_lo: f64 = (mult..n)
                        .map(|i| (gamma[i] / (d[i] + 2.0)).powi(2))
                        .sum::<f64>()
                        .sqrt();
                    for eps in [0.0, 1e-12, 1e-8, 1e-4] {
                        let mut gm = gamma.clone();
                        gm[0] = eps;
                        let gv = q.dot(&Array1::from(gm));
                        for factor in [1.01, 2.0, 10.0] {
                            let delta = factor * s_lo;
                            let what =
                                format!("hard n={n} rep={rep} mult={mult} eps={eps} Δ={delta}");
                            let sol = check_against_oracle(&h, &gv, delta, &what);
                            assert!(sol.on_boundary, "{what}");
                            if eps == 0.0 {
                                assert!(sol.hard_case, "{what}: {sol:?}");
                                assert!(
                                    (sol.lambda - 2.0).abs() <= 1e-8,
                                    "{what}: λ = {}",
                                    sol.lambda
                                );
                            }
                            hard_seen += usize::from(sol.hard_case);
                            eig_seen += usize::from(sol.eigendecomposition);
                        }
                    }
                }
            }
        }
        assert!(hard_seen >= 19 * 6 * 3, "{hard_seen}");
        assert!(interior_seen > 50, "{interior_seen}");
        assert!(eig_seen >= hard_seen, "{eig_seen}");
    }

    #[test]
    fn no_feasible_point_has_a_lower_model_value() {
        use proptest::collection::vec;
        use proptest::prelude::*;
        use proptest::test_runner::TestRunner;
        let config = crate::test_support::fixed_config(300);
        let strategy = (1usize..=6).prop_flat_map(|n| {
            (
                vec(-5.0f64..5.0, n * n),
                vec(-5.0f64..5.0, n),
                0.01f64..10.0,
                vec(vec(-1.0f64..1.0, n), 30),
            )
        });
        let mut runner = TestRunner::new(config);
        let result = runner.run(&strategy, |(a, g, delta, points)| {
            let n = g.len();
            let a = Array2::from_shape_vec((n, n), a).unwrap();
            let h = 0.5 * (&a + &a.t());
            let g = Array1::from(g);
            let sol = solve_trs(h.view(), g.view(), delta, &TrsParams::default()).unwrap();
            check_kkt(&h, &g, delta, &sol, "proptest");
            let tol = 1e-9 * sol.model.abs().max(1e-12);
            for p in points {
                let p = Array1::from(p);
                let pn = p.dot(&p).sqrt();
                if pn == 0.0 {
                    continue;
                }
                for x in [&p * (delta / pn.max(1.0)), &p * (delta / pn)] {
                    let qx = model(&h, &g, &x);
                    prop_assert!(qx >= sol.model - tol, "q(x) = {qx} < q(s) = {}", sol.model);
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
    }

    #[test]
    fn zero_gradient_with_indefinite_h_steps_along_the_leftmost_eigenvector() {
        let mut rng = SplitMix64::new(7);
        for n in [1usize, 2, 5, 12] {
            let q = orthogonal(n, &mut rng);
            let mut d: Vec<f64> = (0..n).map(|_| 1.0 + rng.uniform()).collect();
            d[0] = -3.0;
            let h = with_spectrum(&q, &d);
            let g = Array1::zeros(n);
            let delta = 0.7;
            let sol = solve_trs(h.view(), g.view(), delta, &TrsParams::default()).unwrap();
            check_kkt(&h, &g, delta, &sol, "g = 0");
            assert!(sol.on_boundary && sol.hard_case, "{sol:?}");
            assert!((sol.lambda - 3.0).abs() < 1e-12, "{}", sol.lambda);
            let q_star = 0.5 * -3.0 * delta * delta;
            assert!(
                (sol.model - q_star).abs() < 1e-12,
                "{} vs {q_star}",
                sol.model
            );
            // |cos| between s and u₁ is 1.
            let cos = sol.s.dot(&q.column(0)).abs() / delta;
            assert!((cos - 1.0).abs() < 1e-12, "{cos}");
        }
        // g = 0 with H positive semidefinite: s = 0.
        let h = array![[1.0, 0.0], [0.0, 0.0]];
        let sol = solve_trs(
            h.view(),
            Array1::zeros(2).view(),
            1.0,
            &TrsParams::default(),
        )
        .unwrap();
        assert_eq!(sol.s, Array1::<f64>::zeros(2));
        assert!(!sol.on_boundary && sol.lambda == 0.0 && sol.model == 0.0);
        // H = 0, g = 0.
        let sol = solve_trs(
            Array2::zeros((3, 3)).view(),
            Array1::zeros(3).view(),
            1.0,
            &TrsParams::default(),
        )
        .unwrap();
        assert_eq!(sol.model, 0.0);
    }

    #[test]
    fn one_dimensional_problems_have_closed_forms() {
        // q(s) = g s + ½ a s², |s| ≤ Δ.
        for a in [-4.0, -1e-3, 0.0, 1e-3, 0.5, 7.0] {
            for g in [-3.0, -0.1, 0.0, 0.2, 5.0] {
                for delta in [0.05, 1.0, 30.0] {
                    let sol = solve_trs(
                        array![[a]].view(),
                        array![g].view(),
                        delta,
                        &TrsParams::default(),
                    )
                    .unwrap();
                    let q = |s: f64| g * s + 0.5 * a * s * s;
                    let mut best = q(delta).min(q(-delta));
                    if a > 0.0 && (g / a).abs() <= delta {
                        best = best.min(q(-g / a));
                    }
                    assert!(
                        (sol.model - best).abs() <= 1e-12 * best.abs().max(1e-300),
                        "a={a} g={g} Δ={delta}: {} vs {best} {sol:?}",
                        sol.model
                    );
                }
            }
        }
    }

    #[test]
    fn huge_radius() {
        let mut rng = SplitMix64::new(11);
        let n = 6;
        let q = orthogonal(n, &mut rng);
        let g = Array1::from_shape_fn(n, |_| rng.normal());
        // Positive definite: the Newton step, λ = 0.
        let h = with_spectrum(&q, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let sol = check_against_oracle(&h, &g, 1e12, "spd, Δ = 1e12");
        assert!(!sol.on_boundary && sol.lambda == 0.0);
        let newton = q.dot(&Array1::from_shape_fn(n, |i| {
            -q.column(i).dot(&g) / (i as f64 + 1.0)
        }));
        assert!((&sol.s - &newton).iter().all(|v| v.abs() < 1e-12));
        // Indefinite: on the boundary with λ ≈ −λ₁, q ≈ ½λ₁Δ².
        let h = with_spectrum(&q, &[-1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let sol = check_against_oracle(&h, &g, 1e8, "indefinite, Δ = 1e8");
        assert!(sol.on_boundary && (sol.lambda - 1.0).abs() < 1e-6);
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let p = TrsParams::default();
        let h = array![[1.0, 0.0], [0.0, 1.0]];
        let g = array![1.0, 1.0];
        assert!(matches!(
            solve_trs(h.view(), array![1.0].view(), 1.0, &p),
            Err(Error::DimensionMismatch {
                what: "g",
                expected: 2,
                found: 1
            })
        ));
        assert!(matches!(
            solve_trs(Array2::zeros((2, 3)).view(), g.view(), 1.0, &p),
            Err(Error::DimensionMismatch { .. })
        ));
        assert!(matches!(
            solve_trs(
                Array2::zeros((0, 0)).view(),
                Array1::zeros(0).view(),
                1.0,
                &p
            ),
            Err(Error::EmptyProblem)
        ));
        for r in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                solve_trs(h.view(), g.view(), r, &p),
                Err(Error::InvalidOption { name: "radius", .. })
            ));
        }
        assert!(matches!(
            solve_trs(
                array![[1.0, f64::NAN], [f64::NAN, 1.0]].view(),
                g.view(),
                1.0,
                &p
            ),
            Err(Error::InvalidInput(_))
        ));
        assert!(matches!(
            solve_trs(h.view(), array![1.0, f64::INFINITY].view(), 1.0, &p),
            Err(Error::InvalidInput(_))
        ));
        assert!(matches!(
            solve_trs(array![[1.0, 0.5], [0.4, 1.0]].view(), g.view(), 1.0, &p),
            Err(Error::InvalidInput(m)) if m.contains("not symmetric")
        ));
        for bad in [
            TrsParams { rtol: 0.0, ..p },
            TrsParams {
                hard_case_tol: -1.0,
                ..p
            },
            TrsParams { max_iter: 0, ..p },
            TrsParams {
                symmetry_tol: f64::NAN,
                ..p
            },
        ] {
            assert!(matches!(
                solve_trs(h.view(), g.view(), 1.0, &bad),
                Err(Error::InvalidOption { .. })
            ));
        }
    }

    #[test]
    fn rules_are_what_their_docs_say() {
        // boundary_tau: ‖s + τu‖ = Δ at both roots.
        for (sdu, s2, delta) in [
            (0.3, 0.5, 1.0),
            (-0.3, 0.5, 1.0),
            (0.0, 0.0, 2.0),
            (1e-9, 0.999_999, 1.0),
        ] {
            let (tm, tp) = boundary_tau(sdu, s2, delta);
            assert!(tm <= 0.0 && tp >= 0.0);
            for t in [tm, tp] {
                let r = s2 + 2.0 * t * sdu + t * t;
                assert!((r - delta * delta).abs() < 1e-12, "{sdu} {s2} {t}");
            }
        }
        // Newton on φ: for H = diag(1), g = 2, s(λ) = −2/(1 + λ); root λ* = 1
        // for Δ = 1. One step from λ = 0: ‖s‖ = 2, ‖w‖² = 4, λ⁺ = 0 + 1·1 = 1.
        assert_eq!(newton_update(0.0, 2.0, 4.0, 1.0), 1.0);
        // Safeguard.
        let b = Bounds {
            lower: 1.0,
            upper: 4.0,
            indefinite_at: 1.5,
        };
        assert_eq!(safeguard(3.0, &b), 3.0);
        assert_eq!(safeguard(9.0, &b), 4.0);
        assert_eq!(safeguard(1.2, &b), 2.0);
        // Bounds contain λ* on random problems.
        let mut rng = SplitMix64::new(3);
        for n in 1..10 {
            let q = orthogonal(n, &mut rng);
            let d: Vec<f64> = (0..n).map(|_| 3.0 * rng.normal()).collect();
            let h = with_spectrum(&q, &d);
            let g = Array1::from_shape_fn(n, |_| rng.normal());
            let sol = solve_trs(h.view(), g.view(), 0.5, &TrsParams::default()).unwrap();
            let m = Mat::from_fn(n, n, |i, j| h[[i, j]]);
            let b = initial_bounds(&m, g.dot(&g).sqrt(), 0.5);
            assert!(
                b.lower <= sol.lambda * (1.0 + 1e-12) && sol.lambda <= b.upper * (1.0 + 1e-12),
                "{b:?} {}",
                sol.lambda
            );
            let lmin = d.iter().copied().fold(f64::INFINITY, f64::min);
            // min hᵢᵢ ≥ λ₁, so H + λ_S·I has a non-positive diagonal entry.
            assert!(b.indefinite_at <= -lmin + 1e-12, "{b:?} {lmin}");
        }
        // The hard-case rule is the inequality it states.
        assert!(hard_case_accepts(1.0, 1e-13, 1.0, 1.0, 1.0, 1e-12));
        assert!(!hard_case_accepts(1.0, 1e-11, 1.0, 1.0, 1.0, 1e-12));
    }
}
