//! GLTR: the generalized Lanczos trust-region method (Gould, Lucidi, Roma &
//! Toint, "Solving the trust-region subproblem using the Lanczos method",
//! SIAM J. Optim. 9:504–525, 1999; `reference/gltr.md`).
//!
//! Minimizes `q(s) = gᵀs + ½sᵀHs` subject to `‖s‖_M ≤ Δ` over growing
//! Krylov spaces `K_k(M⁻¹H, M⁻¹g)`:
//!
//! * **Pass 1** runs preconditioned CG on `Hs = −g` from s = 0 and records
//!   `α_j`, `r_jᵀz_j`. These give the Lanczos tridiagonal `T_k = Q_kᵀHQ_k`
//!   in the M-orthonormal basis `q_j = σ_j z_j/√(r_jᵀz_j)` (diagonal
//!   `1/α_j + β_{j−1}/α_{j−1}`, off-diagonal `√β_j/|α_j|`, signs
//!   `σ₀ = 1`, `σ_{j+1} = −σ_j·sign(α_j)`), and `γ₀ = ‖g‖_{M⁻¹}`.
//!   - While the CG iterates stay inside the region with positive curvature
//!     (the *Steihaug phase*) the CG iterate is the minimizer over the
//!     Krylov space; CG stops there when `‖r‖_{M⁻¹} ≤ η‖g‖_{M⁻¹}`
//!     (with M = I this is exactly [`crate::krylov::steihaug()`]).
//!   - Once CG would leave the region or meets curvature `pᵀHp ≤ ε‖p‖²_M`
//!     (the *Lanczos phase*) the recurrences continue, and after each
//!     product the k×k problem `min γ₀e₁ᵀh + ½hᵀT_kh, ‖h‖ ≤ Δ` is solved
//!     by [`crate::krylov::tridiag::solve_tridiagonal_trs`]. The free
//!     stopping test `γ_k·|e_kᵀh| ≤ η·γ₀` (`γ_k` the next off-diagonal; the
//!     left side is `‖Hs + g + λMs‖_{M⁻¹}`) ends it, or the Lanczos cap
//!     [`GltrParams::max_lanczos`] (default [`DEFAULT_MAX_LANCZOS`], PETSc's
//!     `max_lanczos_its`).
//! * **Pass 2** (only after a Lanczos phase) recovers `s = Q_k h` without
//!   storing the basis: it replays the CG recurrences from `r₀ = g` with the
//!   recorded α_j and β_j and accumulates `s += h_j q_j` (k − 1 products and
//!   k preconditioner solves; PETSc's recovery loop, GALAHAD's `iter_pass2`).
//!   The products must be bit-deterministic at a fixed point
//!   (`reference/gltr.md` §2).
//! * **Re-solve** ([`gltr_resolve`]): `T_k` and `γ₀` depend only on H, g and
//!   M, so after a rejected step the tridiagonal problem is solved again at
//!   the smaller Δ with no pass-1 product, and s is recovered by pass 2
//!   (§6). The Lanczos iteration is *not* continued (the last vectors are
//!   overwritten by pass 2): when the stopping test fails at the new radius
//!   the step is still the exact minimizer over the same Krylov space, and
//!   the exit says [`KrylovExit::LanczosLimit`].
//!
//! The predicted reduction comes from T and h (`−q = −(γ₀h₀ + ½hᵀTh)`), or
//! in the Steihaug phase from `−½(gᵀs + sᵀr)` as in Steihaug's CG; no extra
//! product. Memory: four n-vectors in the [`KrylovWorkspace`] plus O(k)
//! scalars in the [`GltrWorkspace`], preallocated to the iteration cap
//! (`Vec::with_capacity`, whose untouched pages the OS does not commit);
//! nothing is allocated in the loops.
//!
//! When the tridiagonal solve fails (non-finite) or the product budget
//! [`GltrParams::max_products`] leaves no room for pass 2, the Steihaug
//! boundary point, kept from the crossing, is returned instead (PETSc's
//! fallback).

use std::time::Instant;

use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

use crate::error::{check_dim, Error, Result};
use crate::krylov::boundary::boundary_roots;
use crate::krylov::params::{KrylovInfo, KrylovWorkspace};
use crate::krylov::tridiag::{leftmost_eigenvalue, solve_tridiagonal_trs, TridiagWorkspace};
use crate::krylov::KrylovExit;
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::{Par, Partials};
use crate::linalg::precond::Preconditioner;
use crate::linalg::vecops;

/// Default cap on the Lanczos-phase iterations (PETSc `KSPGLTR`
/// `max_lanczos_its = 20`; trlib advises about 25).
pub const DEFAULT_MAX_LANCZOS: usize = 20;

/// Parameters of one GLTR solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GltrParams {
    /// The radius Δ > 0 of `‖s‖_M ≤ Δ`.
    pub radius: f64,
    /// Forcing term η: stop when `‖Hs + g + λMs‖_{M⁻¹} ≤ η‖g‖_{M⁻¹}`.
    pub eta: f64,
    /// Pass-1 iteration cap (products of pass 1; the Krylov dimension).
    pub max_iter: usize,
    /// Cap on the Lanczos-phase iterations after CG first leaves the region
    /// or meets negative curvature (default [`DEFAULT_MAX_LANCZOS`]).
    pub max_lanczos: usize,
    /// Cap on all products, pass 1 and pass 2 together (`usize::MAX`: none).
    pub max_products: usize,
    /// Curvature threshold ε in `pᵀHp ≤ ε‖p‖²_M` (the end of the Steihaug
    /// phase).
    pub curvature_eps: f64,
    /// Stop (with [`KrylovExit::TimeLimit`]) once this instant has passed.
    pub deadline: Option<Instant>,
}

impl GltrParams {
    /// Parameters with radius Δ and forcing η, no pass-1 cap beyond
    /// `max_iter`, the default Lanczos cap, no product budget,
    /// ε = `f64::EPSILON`, no deadline.
    pub fn new(radius: f64, eta: f64, max_iter: usize) -> Self {
        Self {
            radius,
            eta,
            max_iter,
            max_lanczos: DEFAULT_MAX_LANCZOS,
            max_products: usize::MAX,
            curvature_eps: f64::EPSILON,
            deadline: None,
        }
    }
}

/// What one GLTR solve (or re-solve) did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GltrInfo {
    /// Why it stopped.
    pub exit: KrylovExit,
    /// Pass-1 iterations (= products; 0 for a re-solve).
    pub iterations: usize,
    /// Pass-2 products (recovering `s = Q_k h`; 0 when the Steihaug phase
    /// gave the step).
    pub pass2_iterations: usize,
    /// Iterations of the Lanczos phase (after the first crossing).
    pub lanczos_iterations: usize,
    /// The dimension k of the Krylov space of the step.
    pub dimension: usize,
    /// Whether the step lies on the boundary `‖s‖_M = Δ`.
    pub on_boundary: bool,
    /// Predicted reduction `−q(s)`.
    pub pred: f64,
    /// `‖s‖_M` (= ‖h‖).
    pub step_norm_m: f64,
    /// The Euclidean `‖s‖`, from the final pass over s.
    pub step_norm: f64,
    /// `gᵀs`, from the final pass over s.
    pub grad_dot_step: f64,
    /// The Lagrange multiplier λ of `‖s‖_M ≤ Δ` (0 inside).
    pub multiplier: f64,
    /// θ_min(T_k), the leftmost Ritz value: an upper bound on λ_min(M⁻¹H)
    /// (`None` when no product was made).
    pub leftmost: Option<f64>,
    /// Whether the (nearly) hard case was taken in the tridiagonal solve.
    pub hard_case: bool,
    /// Whether curvature `pᵀHp ≤ ε‖p‖²_M` was met in pass 1.
    pub negative_curvature: bool,
    /// The stopping-test value `‖Hs + g + λMs‖_{M⁻¹}` as estimated by the
    /// recurrences (`γ_k|h_k|`, or `‖r‖_{M⁻¹}` in the Steihaug phase).
    pub lagrangian_norm: f64,
}

impl GltrInfo {
    /// The shared [`KrylovInfo`]: `iterations` counts every product, pass
    /// 1 and pass 2.
    pub fn krylov_info(&self) -> KrylovInfo {
        KrylovInfo {
            exit: self.exit,
            iterations: self.iterations + self.pass2_iterations,
            on_boundary: self.on_boundary,
            pred: self.pred,
            step_norm_m: self.step_norm_m,
            step_norm: self.step_norm,
            grad_dot_step: self.grad_dot_step,
            leftmost: self.leftmost,
            // ‖g + Hs‖ ≤ ‖g + Hs + λs‖ + λ‖s‖ (M = I; with M the same bound
            // in the M⁻¹-norm): an upper-bound estimate from the recurrences,
            // exact for interior steps with M = I.
            residual_norm: self.lagrangian_norm + self.multiplier * self.step_norm_m,
            curvature: if self.exit == KrylovExit::NegativeCurvature {
                self.leftmost.unwrap_or(f64::NAN)
            } else {
                f64::NAN
            },
        }
    }

    fn empty() -> Self {
        Self {
            exit: KrylovExit::Converged,
            iterations: 0,
            pass2_iterations: 0,
            lanczos_iterations: 0,
            dimension: 0,
            on_boundary: false,
            pred: 0.0,
            step_norm_m: 0.0,
            step_norm: 0.0,
            grad_dot_step: 0.0,
            multiplier: 0.0,
            leftmost: None,
            hard_case: false,
            negative_curvature: false,
            lagrangian_norm: 0.0,
        }
    }
}

/// What pass 1 recorded: the CG scalars, the tridiagonal and the
/// tridiagonal solver's buffers. O(k) scalars.
#[derive(Debug, Clone)]
pub(crate) struct GltrRecord {
    /// α_j, j < k.
    alpha: Vec<f64>,
    /// r_jᵀz_j, j ≤ k.
    rho: Vec<f64>,
    /// Diagonal of T_k.
    diag: Vec<f64>,
    /// Off-diagonals γ₁ … γ_k (`off[j]` between rows j and j+1; the last is
    /// the stopping test's γ_k).
    off: Vec<f64>,
    gamma0: f64,
    /// Whether the record belongs to the last pass 1 and can be re-solved.
    valid: bool,
    /// The multiplier of the last tridiagonal solve (warm start).
    lambda: f64,
    tri: TridiagWorkspace,
}

impl GltrRecord {
    pub(crate) fn with_capacity(cap: usize) -> Self {
        let cap = cap.saturating_add(1);
        Self {
            alpha: Vec::with_capacity(cap),
            rho: Vec::with_capacity(cap),
            diag: Vec::with_capacity(cap),
            off: Vec::with_capacity(cap),
            gamma0: 0.0,
            valid: false,
            lambda: 0.0,
            tri: TridiagWorkspace::with_capacity(cap),
        }
    }

    fn clear(&mut self) {
        self.alpha.clear();
        self.rho.clear();
        self.diag.clear();
        self.off.clear();
        self.valid = false;
        self.lambda = 0.0;
    }

    fn dim(&self) -> usize {
        self.diag.len()
    }

    /// Whether a Krylov space from the last pass 1 is kept for a re-solve.
    pub(crate) fn valid(&self) -> bool {
        self.valid && self.dim() > 0
    }

    /// Forgets the Krylov space (H, g or M changed).
    pub(crate) fn invalidate(&mut self) {
        self.valid = false;
    }

    /// Solves the k×k problem at `radius`; returns the solution's summary
    /// and the stopping-test value γ_k|h_{k−1}|.
    fn solve(&mut self, k: usize, radius: f64) -> (crate::krylov::tridiag::TridiagSolution, f64) {
        let sol = solve_tridiagonal_trs(
            &self.diag[..k],
            &self.off[..k - 1],
            self.gamma0,
            radius,
            self.lambda,
            &mut self.tri,
        );
        if sol.lambda.is_finite() {
            self.lambda = sol.lambda;
        }
        let test = self.off.get(k - 1).copied().unwrap_or(0.0) * self.tri.h[k - 1].abs();
        (sol, test)
    }
}

/// Work space of [`gltr()`]: the four n-vectors of a [`KrylovWorkspace`] and
/// the O(k) record of the last pass 1 (which [`gltr_resolve`] re-solves).
#[derive(Debug, Clone)]
pub struct GltrWorkspace {
    pub(crate) vectors: KrylovWorkspace,
    pub(crate) record: GltrRecord,
}

impl GltrWorkspace {
    /// Workspace for dimension n and Krylov dimensions up to `capacity`
    /// without allocating (larger ones grow the scalar buffers once).
    pub fn new(n: usize, capacity: usize) -> Self {
        Self {
            vectors: KrylovWorkspace::new(n),
            record: GltrRecord::with_capacity(capacity),
        }
    }

    /// Chooses how the vector passes run (same results; see
    /// [`KrylovWorkspace::with_par`]).
    pub fn with_par(mut self, par: Par) -> Self {
        self.vectors = self.vectors.with_par(par);
        self
    }

    /// The dimension n.
    pub fn dim(&self) -> usize {
        self.vectors.dim()
    }

    /// The tridiagonal `(diagonal, off-diagonal, γ₀)` of the last pass 1
    /// (`off` has k − 1 entries), if one is kept for a re-solve.
    pub fn tridiagonal(&self) -> Option<(&[f64], &[f64], f64)> {
        let r = &self.record;
        r.valid().then(|| {
            let k = r.dim();
            (&r.diag[..k], &r.off[..k - 1], r.gamma0)
        })
    }

    /// Forgets the kept Krylov space.
    pub fn invalidate(&mut self) {
        self.record.invalidate();
    }
}

fn check_params(params: &GltrParams) -> Result<()> {
    let r = params.radius;
    if !(r.is_finite() && r > 0.0) {
        return Err(Error::InvalidOption {
            name: "radius",
            reason: format!("must be finite and positive, got {r}"),
        });
    }
    if !(params.eta.is_finite() && params.eta >= 0.0) {
        return Err(Error::InvalidOption {
            name: "eta",
            reason: format!("must be finite and non-negative, got {}", params.eta),
        });
    }
    if !(params.curvature_eps.is_finite() && params.curvature_eps >= 0.0) {
        return Err(Error::InvalidOption {
            name: "curvature_eps",
            reason: format!(
                "must be finite and non-negative, got {}",
                params.curvature_eps
            ),
        });
    }
    Ok(())
}

fn check_dims<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    n: usize,
    ws: &GltrWorkspace,
    p: usize,
) -> Result<()> {
    crate::linalg::operator::check_square("Hessian operator", n, h)?;
    if let Some(m) = precond {
        check_dim("preconditioner", n, m.dim())?;
    }
    check_dim("step p", n, p)?;
    check_dim("GLTR workspace", n, ws.dim())
}

/// Runs GLTR on `min gᵀs + ½sᵀHs, ‖s‖_M ≤ Δ` and writes the step into `p`.
///
/// Errors (checked before any work): operator, preconditioner, `g`, `p` and
/// workspace of different dimensions ([`Error::DimensionMismatch`]); a
/// radius that is not finite and positive, or η or ε not finite and
/// non-negative ([`Error::InvalidOption`]).
pub fn gltr<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    g: ArrayView1<'_, f64>,
    params: &GltrParams,
    ws: &mut GltrWorkspace,
    p: ArrayViewMut1<'_, f64>,
) -> Result<GltrInfo> {
    check_dims(h, precond, g.len(), ws, p.len())?;
    check_params(params)?;
    let GltrWorkspace { vectors, record } = ws;
    Ok(gltr_trial(h, precond, g, params, vectors, record, p, None))
}

/// Re-solves at `params.radius` in the Krylov space of the last pass 1 of
/// `ws` (0 pass-1 products, k − 1 pass-2 products). `h`, `precond` and `g`
/// must be those of that pass 1 (`g` and M are checked through
/// `gᵀM⁻¹g`, bit for bit); `params.eta` decides the stopping test and
/// `params.max_products` caps pass 2.
///
/// Errors: as [`gltr()`], and [`Error::InvalidOption`] (`"resolve"`) when no
/// Krylov space is kept or `g`/M differ from the last pass 1.
pub fn gltr_resolve<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    g: ArrayView1<'_, f64>,
    params: &GltrParams,
    ws: &mut GltrWorkspace,
    p: ArrayViewMut1<'_, f64>,
) -> Result<GltrInfo> {
    check_dims(h, precond, g.len(), ws, p.len())?;
    check_params(params)?;
    if !ws.record.valid() {
        return Err(Error::InvalidOption {
            name: "resolve",
            reason: "no Krylov space is kept from a previous GLTR solve".into(),
        });
    }
    let GltrWorkspace { vectors, record } = ws;
    resolve_trial(h, precond, g, params, vectors, record, p, None).ok_or_else(|| {
        Error::InvalidOption {
            name: "resolve",
            reason: "g or the preconditioner differ from the last GLTR pass 1".into(),
        }
    })
}

/// [`gltr()`] on split workspaces, and, when `trial = Some((x, out))`,
/// also `out ← x + p` in the final pass (the trust-region trial point).
#[allow(clippy::too_many_arguments)]
pub(crate) fn gltr_trial<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    g: ArrayView1<'_, f64>,
    params: &GltrParams,
    vectors: &mut KrylovWorkspace,
    rec: &mut GltrRecord,
    mut s: ArrayViewMut1<'_, f64>,
    trial: Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
) -> GltrInfo {
    let KrylovWorkspace {
        r,
        z,
        d,
        hd,
        partials: k,
    } = vectors;
    rec.clear();
    let radius = params.radius;
    let mut info = GltrInfo::empty();

    // Set-up: r = g, s = 0, z = M⁻¹r, p = −z.
    let gnorm2 = copy_and_zero(k, r, s.view_mut(), g);
    if gnorm2 == 0.0 || !gnorm2.is_finite() {
        if !gnorm2.is_finite() {
            info.exit = KrylovExit::NonFinite;
        }
        zero_step(k, s, trial);
        return info;
    }
    let mut rz = match precond {
        Some(m) => {
            m.apply(r.view(), z.view_mut());
            dot(k, r.view(), z.view())
        }
        None => gnorm2,
    };
    if !(rz > 0.0 && rz.is_finite()) {
        info.exit = KrylovExit::IndefinitePreconditioner;
        zero_step(k, s, trial);
        return info;
    }
    {
        let zsrc = if precond.is_some() { &*z } else { &*r };
        negate(k, d, zsrc);
    }
    rec.gamma0 = rz.sqrt();
    rec.rho.push(rz);
    let tol = params.eta * rec.gamma0;

    let mut lanczos = false;
    let mut s_mp = 0.0f64; // ‖s‖²_M
    let mut s_md = 0.0f64; // sᵀMp
    let mut d_md = rz; // ‖p‖²_M
    let mut q_cg = 0.0f64; // q(s) of the CG iterate (Steihaug phase)
    let mut q_fallback = 0.0f64; // q of the Steihaug boundary point
    let mut solved = 0usize; // the k of the last tridiagonal solve
    let mut last = None;
    let exit = loop {
        let kk = rec.dim();
        if kk >= params.max_iter {
            break KrylovExit::MaxIterations;
        }
        if let Some(t) = params.deadline {
            if Instant::now() >= t {
                break KrylovExit::TimeLimit;
            }
        }
        if lanczos {
            if info.lanczos_iterations >= params.max_lanczos {
                break KrylovExit::LanczosLimit;
            }
            // One more product, and pass 2 with (kk + 1) − 1 products.
            if (kk + 1).saturating_add(kk) > params.max_products {
                break KrylovExit::MaxIterations;
            }
        } else if kk + 1 > params.max_products {
            break KrylovExit::MaxIterations;
        }
        h.apply(d.view(), hd.view_mut());
        info.iterations += 1;
        let php = dot(k, d.view(), hd.view());
        if !php.is_finite() {
            break KrylovExit::NonFinite;
        }
        let curvature = php <= params.curvature_eps * d_md;
        info.negative_curvature |= curvature;
        // T's new diagonal entry 1/α_j + β_{j−1}/α_{j−1}.
        let inv_alpha = php / rz;
        let prev = if kk > 0 {
            (rec.rho[kk] / rec.rho[kk - 1]) / rec.alpha[kk - 1]
        } else {
            0.0
        };
        if php == 0.0 {
            // CG breakdown: T_{k+1} is known, the recurrence cannot go on.
            rec.diag.push(prev);
            if !lanczos {
                let tau = boundary_step(s_mp, s_md, d_md, radius, rz, php);
                axpy(k, s.view_mut(), d, tau);
                q_fallback = q_cg - tau * rz;
                lanczos = true;
            }
            break KrylovExit::NegativeCurvature;
        }
        let alpha = rz / php;
        if lanczos {
            info.lanczos_iterations += 1;
            axpy(k, r.view_mut(), hd, alpha);
        } else if curvature || s_mp + 2.0 * alpha * s_md + alpha * alpha * d_md >= radius * radius {
            // The end of the Steihaug phase: keep the Steihaug boundary
            // point in s as a fallback, and go on with Lanczos.
            let tau = boundary_step(s_mp, s_md, d_md, radius, rz, php);
            axpy(k, s.view_mut(), d, tau);
            q_fallback = q_cg - tau * rz + 0.5 * tau * tau * php;
            axpy(k, r.view_mut(), hd, alpha);
            lanczos = true;
        } else {
            update(k, s.view_mut(), r, d, hd, alpha);
            q_cg -= 0.5 * alpha * rz;
            s_mp += 2.0 * alpha * s_md + alpha * alpha * d_md;
        }
        rec.alpha.push(alpha);
        rec.diag.push(inv_alpha + prev);
        let rz_next = match precond {
            Some(m) => {
                m.apply(r.view(), z.view_mut());
                dot(k, r.view(), z.view())
            }
            None => dot(k, r.view(), r.view()),
        };
        if !rz_next.is_finite() {
            break KrylovExit::NonFinite;
        }
        if rz_next < 0.0 {
            break KrylovExit::IndefinitePreconditioner;
        }
        let beta = rz_next / rz;
        rec.off.push(beta.sqrt() * inv_alpha.abs());
        rec.rho.push(rz_next);
        let kk = rec.dim();
        {
            let zsrc = if precond.is_some() { &*z } else { &*r };
            direction(k, d, zsrc, beta);
        }
        s_md = beta * (s_md + alpha * d_md);
        d_md = rz_next + beta * beta * d_md;
        rz = rz_next;
        if !lanczos {
            info.lagrangian_norm = rz.sqrt();
            if rz.sqrt() <= tol {
                break KrylovExit::Converged;
            }
        } else {
            let (sol, test) = rec.solve(kk, radius);
            solved = kk;
            last = Some(sol);
            info.lagrangian_norm = test;
            if test <= tol || rz == 0.0 {
                break KrylovExit::Converged;
            }
        }
    };
    info.exit = exit;
    let kdim = rec.dim();
    info.dimension = kdim;
    if kdim > 0 {
        info.leftmost = Some(leftmost_eigenvalue(&rec.diag[..kdim], &rec.off[..kdim - 1]));
    }
    rec.valid = kdim > 0;

    if !lanczos {
        // The CG iterate is the solution (as in Steihaug's CG).
        if kdim == 0
            || (exit == KrylovExit::NonFinite
                && !(vecops::all_finite(s.view()) && vecops::all_finite(r.view())))
        {
            zero_step(k, s, trial);
            return info;
        }
        let [sr, sg, ss] = exit_pass(k, s.view(), r.view(), g, trial);
        // q(s) = ½(gᵀs + sᵀr) with r = g + Hs.
        info.pred = -0.5 * (sg + sr);
        info.grad_dot_step = sg;
        info.step_norm = vecops::norm_from_squares(ss, s.view());
        info.step_norm_m = match precond {
            None => ss.sqrt(),
            Some(_) => s_mp.max(0.0).sqrt(),
        };
        return info;
    }

    // The Lanczos phase: the solution of T_k, recovered by pass 2.
    let sol = if solved == kdim {
        last
    } else {
        Some(rec.solve(kdim, radius).0)
    };
    let sol = sol.filter(|s| s.model.is_finite() && s.norm.is_finite());
    let room = params.max_products.saturating_sub(info.iterations);
    match sol {
        Some(sol) if kdim - 1 <= room => {
            info.pass2_iterations = pass2(h, precond, g, r, z, d, hd, k, rec, kdim, s.view_mut());
            finish_lanczos(
                &mut info,
                &sol,
                k,
                s.view_mut(),
                g,
                trial,
                radius,
                precond.is_some(),
            );
        }
        _ => {
            // No room for pass 2, or the tridiagonal solve failed: the
            // Steihaug boundary point (kept in s).
            if exit != KrylovExit::NonFinite && exit != KrylovExit::TimeLimit {
                info.exit = KrylovExit::MaxIterations;
            }
            let [_, sg, ss] = exit_pass(k, s.view(), r.view(), g, trial);
            info.pred = -q_fallback;
            info.grad_dot_step = sg;
            info.step_norm = vecops::norm_from_squares(ss, s.view());
            info.step_norm_m = radius;
            info.on_boundary = true;
        }
    }
    info
}

/// The re-solve of [`gltr_resolve`] on split workspaces (`None` when `g`
/// or M differ from the recorded pass 1).
#[allow(clippy::too_many_arguments)]
pub(crate) fn resolve_trial<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    g: ArrayView1<'_, f64>,
    params: &GltrParams,
    vectors: &mut KrylovWorkspace,
    rec: &mut GltrRecord,
    mut s: ArrayViewMut1<'_, f64>,
    trial: Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
) -> Option<GltrInfo> {
    let KrylovWorkspace {
        r,
        z,
        d,
        hd,
        partials: k,
    } = vectors;
    let kdim = rec.dim();
    let mut info = GltrInfo::empty();
    info.dimension = kdim;
    info.leftmost = Some(leftmost_eigenvalue(&rec.diag[..kdim], &rec.off[..kdim - 1]));
    if kdim - 1 > params.max_products {
        info.exit = KrylovExit::MaxIterations;
        zero_step(k, s, trial);
        return Some(info);
    }
    // g and M: the same γ₀² = gᵀM⁻¹g, bit for bit.
    r.assign(&g);
    let rz0 = match precond {
        Some(m) => {
            m.apply(r.view(), z.view_mut());
            dot(k, r.view(), z.view())
        }
        None => dot(k, r.view(), r.view()),
    };
    if rz0.to_bits() != rec.rho[0].to_bits() {
        return None;
    }
    let (sol, test) = rec.solve(kdim, params.radius);
    if !(sol.model.is_finite() && sol.norm.is_finite()) {
        info.exit = KrylovExit::NonFinite;
        zero_step(k, s, trial);
        return Some(info);
    }
    info.lagrangian_norm = test;
    info.exit = if test <= params.eta * rec.gamma0 {
        KrylovExit::Converged
    } else {
        KrylovExit::LanczosLimit
    };
    info.pass2_iterations = pass2(h, precond, g, r, z, d, hd, k, rec, kdim, s.view_mut());
    finish_lanczos(
        &mut info,
        &sol,
        k,
        s.view_mut(),
        g,
        trial,
        params.radius,
        precond.is_some(),
    );
    Some(info)
}

/// Fills the info of a step `s = Q_k h` from the tridiagonal solution and
/// the final pass over s.
///
/// Without re-orthogonalization, Lanczos loses orthogonality once a Ritz
/// value converges (Paige 1976), which is exactly what the (nearly) hard
/// case provokes: h then leans on the converged eigenvector and
/// `‖Q_k h‖ ≠ ‖h‖`, so s can leave the region although `‖h‖ = Δ` (measured:
/// up to 2.2e-6 relative in the oracle test). Without a preconditioner the
/// true ‖s‖ is known from the exit pass; a step outside the region is
/// pulled back to its boundary ([`pull_back_factor`]) and its predicted
/// reduction rescaled with it ([`scaled_model`]). With a preconditioner
/// the M-norm of s is not computable without M itself, and the step is
/// left as recovered.
#[allow(clippy::too_many_arguments)]
fn finish_lanczos(
    info: &mut GltrInfo,
    sol: &crate::krylov::tridiag::TridiagSolution,
    k: &mut Partials,
    mut s: ArrayViewMut1<'_, f64>,
    g: ArrayView1<'_, f64>,
    mut trial: Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
    radius: f64,
    preconditioned: bool,
) {
    let [_, mut sg, mut ss] = exit_pass(k, s.view(), g, g, reborrow(&mut trial));
    let mut model = sol.model;
    let t = pull_back_factor(ss.sqrt(), radius);
    if !preconditioned && t < 1.0 {
        k.for_each(s.view_mut(), |mut s| s.mapv_inplace(|v| v * t));
        [_, sg, ss] = exit_pass(k, s.view(), g, g, reborrow(&mut trial));
        model = scaled_model(sol.model, sol.lambda, sol.norm, t);
    }
    info.pred = -model;
    info.grad_dot_step = sg;
    info.step_norm = vecops::norm_from_squares(ss, s.view());
    info.step_norm_m = if preconditioned {
        sol.norm
    } else {
        info.step_norm
    };
    info.multiplier = sol.lambda;
    info.hard_case = sol.hard_case;
    info.on_boundary = !sol.interior;
}

/// A shorter-lived copy of an optional trial-point request.
fn reborrow<'a>(
    t: &'a mut Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
) -> Option<(ArrayView1<'a, f64>, ArrayViewMut1<'a, f64>)> {
    t.as_mut().map(|(x, out)| (x.view(), out.view_mut()))
}

/// The factor `t = Δ/‖s‖` that brings a step just outside the region back
/// to its boundary, or 1 for a step inside it (or up to 4ε outside, which
/// is round-off in ‖s‖ itself).
pub(crate) fn pull_back_factor(step_norm: f64, radius: f64) -> f64 {
    if step_norm.is_finite() && step_norm > radius * (1.0 + 4.0 * f64::EPSILON) {
        radius / step_norm
    } else {
        1.0
    }
}

/// The model value `q(t·h)` of a scaled tridiagonal solution, from
/// `q(h)`, λ and ‖h‖ alone. With `(T + λI)h = −γ₀e₁`, the linear term is
/// `L = γ₀h₀ = −hᵀTh − λ‖h‖²`, so `B = ½hᵀTh = −q(h) − λ‖h‖²`,
/// `L = −2B − λ‖h‖²` and `q(th) = tL + t²B`.
pub(crate) fn scaled_model(model: f64, lambda: f64, h_norm: f64, t: f64) -> f64 {
    let lh2 = lambda * h_norm * h_norm;
    let b = -model - lh2;
    let l = -2.0 * b - lh2;
    t * l + t * t * b
}

/// The Steihaug boundary step τ along p from s (the positive root, or on
/// negative curvature the root with the lower model value, with
/// `rᵀp = −r_jᵀz_j`; N&W Algorithm 7.2).
fn boundary_step(s_mp: f64, s_md: f64, d_md: f64, radius: f64, rz: f64, php: f64) -> f64 {
    let (tm, tp) = boundary_roots(d_md, s_md, s_mp - radius * radius);
    let dm = |t: f64| -t * rz + 0.5 * t * t * php;
    if php <= 0.0 && dm(tm) < dm(tp) {
        tm
    } else {
        tp
    }
}

/// Pass 2: replays the CG recurrences from r₀ = g with the recorded α_j
/// and β_j and accumulates `s = Σ_j h_j σ_j z_j/√(r_jᵀz_j)`, with
/// `σ₀ = 1`, `σ_{j+1} = −σ_j·sign(α_j)`. Returns the products made
/// (k − 1).
#[allow(clippy::too_many_arguments)]
fn pass2<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    g: ArrayView1<'_, f64>,
    r: &mut Array1<f64>,
    z: &mut Array1<f64>,
    d: &mut Array1<f64>,
    hd: &mut Array1<f64>,
    k: &mut Partials,
    rec: &GltrRecord,
    kdim: usize,
    mut s: ArrayViewMut1<'_, f64>,
) -> usize {
    let hvec = &rec.tri.h[..kdim];
    copy_and_zero(k, r, s.view_mut(), g);
    if let Some(m) = precond {
        m.apply(r.view(), z.view_mut());
    }
    let mut products = 0;
    let mut sign = 1.0f64;
    for (j, &hj) in hvec.iter().enumerate() {
        let c = sign * hj / rec.rho[j].sqrt();
        {
            let zsrc = if precond.is_some() { &*z } else { &*r };
            if j == 0 {
                negate(k, d, zsrc);
            }
            axpy(k, s.view_mut(), zsrc, c);
        }
        if j + 1 == kdim {
            break;
        }
        h.apply(d.view(), hd.view_mut());
        products += 1;
        let alpha = rec.alpha[j];
        axpy(k, r.view_mut(), hd, alpha);
        if let Some(m) = precond {
            m.apply(r.view(), z.view_mut());
        }
        let beta = rec.rho[j + 1] / rec.rho[j];
        let zsrc = if precond.is_some() { &*z } else { &*r };
        direction(k, d, zsrc, beta);
        sign = -sign * alpha.signum();
    }
    products
}

// Vector passes over the blocks of `crate::linalg::par` (deterministic for
// any thread count, no allocation).

fn dot(k: &mut Partials, a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    k.reduce((a, b), |(a, b)| [a.dot(&b), 0.0, 0.0])[0]
}

/// `r ← g`, `s ← 0`; returns ‖g‖².
fn copy_and_zero(
    k: &mut Partials,
    r: &mut Array1<f64>,
    s: ArrayViewMut1<'_, f64>,
    g: ArrayView1<'_, f64>,
) -> f64 {
    k.reduce((r.view_mut(), s, g), |(mut r, mut s, g)| {
        r.assign(&g);
        s.fill(0.0);
        [g.dot(&g), 0.0, 0.0]
    })[0]
}

/// `d ← −z`.
fn negate(k: &Partials, d: &mut Array1<f64>, z: &Array1<f64>) {
    k.for_each((d.view_mut(), z.view()), |(mut d, z)| {
        Zip::from(&mut d).and(&z).for_each(|d, &z| *d = -z)
    });
}

/// `d ← −z + βd`.
fn direction(k: &Partials, d: &mut Array1<f64>, z: &Array1<f64>, beta: f64) {
    k.for_each((d.view_mut(), z.view()), |(mut d, z)| {
        Zip::from(&mut d)
            .and(&z)
            .for_each(|d, &z| *d = -z + beta * *d)
    });
}

/// `y ← y + a·x`.
fn axpy(k: &Partials, y: ArrayViewMut1<'_, f64>, x: &Array1<f64>, a: f64) {
    k.for_each((y, x.view()), |(mut y, x)| {
        Zip::from(&mut y).and(&x).for_each(|y, &x| *y += a * x)
    });
}

/// `s ← s + αp`, `r ← r + αHp` in one pass (the same elementwise
/// operations as [`axpy`] on r, so pass 2 replays r bit for bit).
fn update(
    k: &Partials,
    s: ArrayViewMut1<'_, f64>,
    r: &mut Array1<f64>,
    d: &Array1<f64>,
    hd: &Array1<f64>,
    alpha: f64,
) {
    k.for_each(
        (s, r.view_mut(), d.view(), hd.view()),
        |(mut s, mut r, d, hd)| {
            Zip::from(&mut s)
                .and(&mut r)
                .and(&d)
                .and(&hd)
                .for_each(|s, r, &d, &hd| {
                    *s += alpha * d;
                    *r += alpha * hd;
                })
        },
    );
}

/// `(sᵀr, sᵀg, sᵀs)` in one pass, and `out ← x + s` when asked.
fn exit_pass(
    k: &mut Partials,
    s: ArrayView1<'_, f64>,
    r: ArrayView1<'_, f64>,
    g: ArrayView1<'_, f64>,
    trial: Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
) -> [f64; 3] {
    match trial {
        None => k.reduce((s, r, g), |(s, r, g)| [s.dot(&r), s.dot(&g), s.dot(&s)]),
        Some((x, out)) => k.reduce((s, r, g, x, out), |(s, r, g, x, mut out)| {
            Zip::from(&mut out)
                .and(&x)
                .and(&s)
                .for_each(|o, &x, &s| *o = x + s);
            [s.dot(&r), s.dot(&g), s.dot(&s)]
        }),
    }
}

/// `s ← 0`, and `out ← x` when asked.
fn zero_step(
    k: &Partials,
    s: ArrayViewMut1<'_, f64>,
    trial: Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
) {
    k.for_each(s, |mut s| s.fill(0.0));
    if let Some((x, out)) = trial {
        k.for_each((out, x), |(mut o, x)| o.assign(&x));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::krylov::params::{SteihaugParams, Truncation};
    use crate::krylov::steihaug::steihaug;
    use crate::krylov::tridiag::tests::dense_trs_value;
    use crate::linalg::rng::SplitMix64;
    use ndarray::Array2;

    /// A random symmetric n×n matrix with eigenvalues `eigs` (Householder
    /// reflection of a diagonal), and a gradient with components `gcomp`
    /// in the eigenbasis.
    fn problem(rng: &mut SplitMix64, eigs: &[f64], gcomp: &[f64]) -> (Array2<f64>, Array1<f64>) {
        let n = eigs.len();
        let mut v = Array1::from_shape_fn(n, |_| rng.normal());
        v /= v.dot(&v).sqrt();
        // U = I − 2vvᵀ; H = U diag U; g = U gcomp.
        let u = Array2::from_shape_fn((n, n), |(i, j)| {
            f64::from(u8::from(i == j)) - 2.0 * v[i] * v[j]
        });
        let d = Array2::from_diag(&Array1::from(eigs.to_vec()));
        let h = u.dot(&d).dot(&u);
        let h = (&h + &h.t()) * 0.5;
        let g = u.dot(&Array1::from(gcomp.to_vec()));
        (h, g)
    }

    fn q(h: &Array2<f64>, g: &Array1<f64>, s: &Array1<f64>) -> f64 {
        g.dot(s) + 0.5 * s.dot(&h.dot(s))
    }

    fn to_faer(h: &Array2<f64>) -> faer::Mat<f64> {
        faer::Mat::from_fn(h.nrows(), h.ncols(), |i, j| h[(i, j)])
    }

    fn exact(n: usize, radius: f64, eta: f64) -> GltrParams {
        GltrParams {
            max_lanczos: usize::MAX,
            ..GltrParams::new(radius, eta, n)
        }
    }

    /// SPD, indefinite and (nearly) hard-case problems, run to the full
    /// Krylov space: the model value equals the dense exact one.
    #[test]
    fn pull_back_factor_only_shrinks_steps_outside() {
        assert_eq!(pull_back_factor(0.5, 1.0), 1.0);
        assert_eq!(pull_back_factor(1.0, 1.0), 1.0);
        assert_eq!(pull_back_factor(1.0 + f64::EPSILON, 1.0), 1.0);
        assert_eq!(pull_back_factor(2.0, 1.0), 0.5);
        assert_eq!(pull_back_factor(f64::NAN, 1.0), 1.0);
    }

    #[test]
    fn scaled_model_matches_the_tridiagonal_model() {
        use crate::krylov::tridiag::{model_value, solve_tridiagonal_trs, TridiagWorkspace};
        // A boundary solution of a definite and of an indefinite T.
        for (diag, off, radius) in [
            (vec![2.0, 3.0, 1.5], vec![0.7, -0.4], 0.2),
            (vec![-1.0, 2.0, 0.5], vec![0.3, 0.9], 1.0),
        ] {
            let mut ws = TridiagWorkspace::default();
            let sol = solve_tridiagonal_trs(&diag, &off, 1.3, radius, f64::NAN, &mut ws);
            assert!(!sol.interior, "{sol:?}");
            let h = ws.h[..3].to_vec();
            for t in [1.0, 0.999, 0.5] {
                let th: Vec<f64> = h.iter().map(|v| t * v).collect();
                let direct = model_value(&diag, &off, 1.3, &th);
                let scaled = scaled_model(sol.model, sol.lambda, sol.norm, t);
                assert!(
                    (direct - scaled).abs() <= 1e-12 * direct.abs().max(1.0),
                    "{t}: {direct} {scaled}"
                );
            }
        }
    }

    #[test]
    fn gltr_to_convergence_matches_the_dense_exact_solution() {
        let mut rng = SplitMix64::new(11);
        let mut kinds = [0usize; 3];
        for case in 0..60 {
            let n = 4 + case % 9;
            let kind = case % 3;
            let mut eigs: Vec<f64> = (0..n).map(|_| 0.1 + 3.0 * rng.uniform()).collect();
            let mut gc: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
            match kind {
                0 => {}
                1 => {
                    eigs[0] = -1.0 - rng.uniform();
                    eigs[1] = -0.3;
                }
                _ => {
                    // Nearly hard: g has a tiny component along the
                    // leftmost eigenvector.
                    eigs[0] = -2.0;
                    gc[0] = 1e-7;
                }
            }
            let (h, g) = problem(&mut rng, &eigs, &gc);
            let radius = [0.1, 1.0, 10.0][(case / 3) % 3];
            let mut ws = GltrWorkspace::new(n, n);
            let mut s = Array1::zeros(n);
            let info = gltr(
                &h,
                None,
                g.view(),
                &exact(n, radius, 1e-14),
                &mut ws,
                s.view_mut(),
            )
            .unwrap();
            let want = dense_trs_value(&to_faer(&h), g.as_slice().unwrap(), radius);
            let got = q(&h, &g, &s);
            assert!(
                (got - want).abs() <= 1e-8 * want.abs(),
                "case {case} kind {kind} n {n} Δ {radius}: {got} vs {want} ({info:?})"
            );
            assert!(s.dot(&s).sqrt() <= radius * (1.0 + 1e-8));
            // pred from T and h is the model decrease of s.
            assert!((info.pred + got).abs() <= 1e-8 * got.abs(), "{info:?}");
            assert!((info.grad_dot_step - g.dot(&s)).abs() <= 1e-10 * g.dot(&g).sqrt());
            if kind > 0 {
                let lm = info.leftmost.unwrap();
                assert!(lm >= eigs[0] - 1e-9, "{lm}");
            }
            kinds[kind] += usize::from(info.on_boundary);
        }
        assert!(kinds[1] >= 15 && kinds[2] >= 15, "{kinds:?}");
    }

    /// The tridiagonal formulas and the sign rule: the basis replayed and
    /// stored here (a test-only stored-basis recovery) is M-orthonormal,
    /// QᵀHQ = T, and Q h equals the two-pass step to 1e-10.
    #[test]
    fn two_pass_recovery_equals_a_stored_basis() {
        let mut rng = SplitMix64::new(12);
        for case in 0..20 {
            let n = 6 + case % 7;
            let eigs: Vec<f64> = (0..n)
                .map(|i| {
                    if i < 2 {
                        -1.0 + 0.3 * i as f64
                    } else {
                        0.2 + 2.0 * rng.uniform()
                    }
                })
                .collect();
            let gc: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
            let (h, g) = problem(&mut rng, &eigs, &gc);
            // With and without a (diagonal) preconditioner.
            let diag = Array1::from_shape_fn(n, |_| 0.5 + rng.uniform());
            let jac = crate::linalg::precond::Jacobi::new(diag.view()).unwrap();
            for pre in [None, Some(&jac as &dyn Preconditioner)] {
                let mut ws = GltrWorkspace::new(n, n);
                let mut s = Array1::zeros(n);
                let params = GltrParams {
                    max_lanczos: 3,
                    ..GltrParams::new(0.5, 1e-10, n)
                };
                let info = gltr(&h, pre, g.view(), &params, &mut ws, s.view_mut()).unwrap();
                assert!(info.pass2_iterations > 0, "case {case}: no Lanczos phase");
                assert_eq!(info.pass2_iterations, info.dimension - 1);
                let (td, te, gamma0) = ws.tridiagonal().unwrap();
                let kdim = td.len();
                let rec = &ws.record;
                // Stored basis from the recorded scalars.
                let minv = |v: &Array1<f64>| match pre {
                    Some(m) => {
                        let mut z = Array1::zeros(n);
                        m.apply(v.view(), z.view_mut());
                        z
                    }
                    None => v.clone(),
                };
                let mut r = g.clone();
                let mut z = minv(&r);
                let mut p = -&z;
                let mut sign = 1.0;
                let mut qs: Vec<Array1<f64>> = Vec::new();
                for j in 0..kdim {
                    qs.push(&z * (sign / rec.rho[j].sqrt()));
                    if j + 1 == kdim {
                        break;
                    }
                    r = &r + &(h.dot(&p) * rec.alpha[j]);
                    z = minv(&r);
                    p = -&z + &p * (rec.rho[j + 1] / rec.rho[j]);
                    sign = -sign * rec.alpha[j].signum();
                }
                let mvec = |v: &Array1<f64>| match pre {
                    Some(_) => v * &diag,
                    None => v.clone(),
                };
                for i in 0..kdim {
                    for j in 0..kdim {
                        let mij = qs[i].dot(&mvec(&qs[j]));
                        let tij = qs[i].dot(&h.dot(&qs[j]));
                        let want_t = if i == j {
                            td[i]
                        } else if i + 1 == j {
                            te[i]
                        } else if j + 1 == i {
                            te[j]
                        } else {
                            0.0
                        };
                        assert!(
                            (mij - f64::from(u8::from(i == j))).abs() < 1e-9,
                            "M {i} {j}"
                        );
                        assert!((tij - want_t).abs() < 1e-9, "T {i} {j}: {tij} vs {want_t}");
                    }
                }
                assert!((gamma0 - g.dot(&minv(&g)).sqrt()).abs() < 1e-12);
                let hsol = ws.record.tri.solution(kdim);
                let mut stored = Array1::<f64>::zeros(n);
                for j in 0..kdim {
                    stored = stored + &qs[j] * hsol[j];
                }
                let err = (&stored - &s).mapv(f64::abs).fold(0.0f64, |m, &x| m.max(x));
                assert!(err <= 1e-10, "case {case}: {err}");
            }
        }
    }

    /// After a pass 1 at Δ, a re-solve at Δ/4 makes no pass-1 product and
    /// gives the step of a fresh solve at Δ/4.
    #[test]
    fn resolve_at_a_smaller_radius_equals_a_fresh_solve() {
        let mut rng = SplitMix64::new(13);
        for case in 0..30 {
            let n = 5 + case % 8;
            let mut eigs: Vec<f64> = (0..n).map(|_| 0.1 + 3.0 * rng.uniform()).collect();
            if case % 2 == 1 {
                eigs[0] = -0.7;
            }
            let gc: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
            let (h, g) = problem(&mut rng, &eigs, &gc);
            let radius = [0.3, 2.0, 20.0][case % 3];
            let mut ws = GltrWorkspace::new(n, n);
            let mut s = Array1::zeros(n);
            gltr(
                &h,
                None,
                g.view(),
                &exact(n, radius, 1e-13),
                &mut ws,
                s.view_mut(),
            )
            .unwrap();
            let small = exact(n, radius / 4.0, 1e-13);
            let mut s_re = Array1::zeros(n);
            let re = gltr_resolve(&h, None, g.view(), &small, &mut ws, s_re.view_mut()).unwrap();
            assert_eq!(re.iterations, 0);
            assert_eq!(re.pass2_iterations, re.dimension - 1);
            let mut ws2 = GltrWorkspace::new(n, n);
            let mut s_fresh = Array1::zeros(n);
            gltr(&h, None, g.view(), &small, &mut ws2, s_fresh.view_mut()).unwrap();
            let err = (&s_re - &s_fresh)
                .mapv(f64::abs)
                .fold(0.0f64, |m, &x| m.max(x));
            assert!(err <= 1e-7 * radius, "case {case}: {err}");
            let (qa, qb) = (q(&h, &g, &s_re), q(&h, &g, &s_fresh));
            assert!(
                (qa - qb).abs() <= 1e-10 * qb.abs(),
                "case {case}: {qa} vs {qb}"
            );
        }
        // A re-solve with another g is refused.
        let (h, g) = problem(&mut rng, &[1.0, 2.0, -1.0], &[1.0, 1.0, 1.0]);
        let mut ws = GltrWorkspace::new(3, 3);
        let mut s = Array1::zeros(3);
        gltr(
            &h,
            None,
            g.view(),
            &exact(3, 0.5, 1e-10),
            &mut ws,
            s.view_mut(),
        )
        .unwrap();
        let g2 = &g * 2.0;
        let e = gltr_resolve(
            &h,
            None,
            g2.view(),
            &exact(3, 0.1, 1e-10),
            &mut ws,
            s.view_mut(),
        );
        assert!(matches!(
            e,
            Err(Error::InvalidOption {
                name: "resolve",
                ..
            })
        ));
    }

    /// Property: on the same data, GLTR's model value is never above
    /// Steihaug's — with the Lanczos phase off (`max_lanczos = 0`: the same
    /// Krylov dimension as Steihaug's) and with the default cap.
    #[test]
    fn gltr_is_never_worse_than_steihaug() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestRunner};
        let config = Config {
            cases: 200,
            rng_algorithm: RngAlgorithm::ChaCha,
            rng_seed: RngSeed::Fixed(0x005e_ed0f_57e1_4a06),
            failure_persistence: None,
            ..Config::default()
        };
        let strategy = (
            3usize..25,
            any::<u64>(),
            0.01f64..20.0,
            0usize..3,
            1e-6f64..0.5,
        );
        let mut runner = TestRunner::new(config);
        let mut boundary = std::cell::Cell::new(0usize);
        runner
            .run(&strategy, |(n, seed, radius, kind, eta)| {
                let mut rng = SplitMix64::new(seed);
                let mut eigs: Vec<f64> = (0..n).map(|_| 0.05 + 5.0 * rng.uniform()).collect();
                if kind == 1 {
                    eigs[0] = -2.0 * rng.uniform();
                }
                if kind == 2 {
                    for e in eigs.iter_mut().take(n / 2) {
                        *e = -*e;
                    }
                }
                let gc: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
                let (h, g) = problem(&mut rng, &eigs, &gc);
                let mut kw = KrylovWorkspace::new(n);
                let mut p = Array1::zeros(n);
                let sp = SteihaugParams {
                    truncation: Truncation::TrustRegion { radius },
                    eta,
                    max_iter: 2 * n,
                    curvature_eps: f64::EPSILON,
                    deadline: None,
                };
                let st = steihaug(&h, None, g.view(), &sp, &mut kw, p.view_mut()).unwrap();
                let q_st = q(&h, &g, &p);
                for max_lanczos in [0, DEFAULT_MAX_LANCZOS] {
                    let params = GltrParams {
                        max_lanczos,
                        ..GltrParams::new(radius, eta, 2 * n)
                    };
                    let mut ws = GltrWorkspace::new(n, 2 * n);
                    let mut s = Array1::zeros(n);
                    let info = gltr(&h, None, g.view(), &params, &mut ws, s.view_mut()).unwrap();
                    prop_assert!(info.iterations >= st.iterations);
                    let q_g = q(&h, &g, &s);
                    let tiny = 1e-9 * q_st.abs().max(1e-12);
                    prop_assert!(
                        q_g <= q_st + tiny,
                        "lanczos {max_lanczos}: {q_g} > {q_st} ({info:?} vs {st:?})"
                    );
                    prop_assert!(s.dot(&s).sqrt() <= radius * (1.0 + 1e-9));
                }
                boundary.set(boundary.get() + usize::from(st.on_boundary));
                Ok(())
            })
            .unwrap();
        assert!(*boundary.get_mut() >= 50, "{}", boundary.get());
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        let h = ndarray::array![[2.0, 0.0], [0.0, 3.0]];
        let g = ndarray::array![1.0, -1.0];
        let mut ws = GltrWorkspace::new(2, 4);
        let mut p = Array1::zeros(2);
        for (radius, eta) in [(f64::NAN, 0.1), (0.0, 0.1), (1.0, -1.0)] {
            let e = gltr(
                &h,
                None,
                g.view(),
                &GltrParams::new(radius, eta, 4),
                &mut ws,
                p.view_mut(),
            );
            assert!(matches!(e, Err(Error::InvalidOption { .. })));
        }
        let mut p3 = Array1::zeros(3);
        let e = gltr(
            &h,
            None,
            g.view(),
            &GltrParams::new(1.0, 0.1, 4),
            &mut ws,
            p3.view_mut(),
        );
        assert!(matches!(e, Err(Error::DimensionMismatch { .. })));
        let e = gltr_resolve(
            &h,
            None,
            g.view(),
            &GltrParams::new(1.0, 0.1, 4),
            &mut ws,
            p.view_mut(),
        );
        assert!(matches!(
            e,
            Err(Error::InvalidOption {
                name: "resolve",
                ..
            })
        ));
        // Zero gradient: zero step, no product.
        let z = Array1::zeros(2);
        let info = gltr(
            &h,
            None,
            z.view(),
            &GltrParams::new(1.0, 0.1, 4),
            &mut ws,
            p.view_mut(),
        )
        .unwrap();
        assert_eq!(info.iterations, 0);
        assert_eq!(p, Array1::<f64>::zeros(2));
    }
}
