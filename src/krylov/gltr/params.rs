//! GLTR's parameters and what one solve reports.

use std::time::Instant;

use crate::krylov::params::KrylovInfo;
use crate::krylov::KrylovExit;

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
    /// Stop (with [`KrylovExit::TimeLimit`](crate::krylov::KrylovExit::TimeLimit)) once this instant has passed.
    pub deadline: Option<Instant>,
    /// Stop the Steihaug phase (converged) once the delayed energy-error
    /// estimate is at most this
    /// ([`energy_converged`](crate::krylov::energy::energy_converged); 0,
    /// the default, turns it off).
    pub energy_tol: f64,
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
            energy_tol: 0.0,
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
    /// The delayed energy-error estimate of the Steihaug phase's CG
    /// iterates ([`KrylovInfo::energy_tail`]); NaN after negative curvature
    /// and for a re-solve.
    pub energy_tail: f64,
    /// Steihaug-phase CG steps behind `energy_tail`.
    pub energy_steps: usize,
    /// pred of the last Steihaug-phase CG iterate.
    pub energy_total: f64,
}

impl GltrInfo {
    /// The shared [`KrylovInfo`](crate::krylov::KrylovInfo): `iterations` counts every product, pass
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
            energy_tail: self.energy_tail,
            energy_steps: self.energy_steps,
            energy_total: self.energy_total,
        }
    }

    pub(super) fn empty() -> Self {
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
            energy_tail: f64::NAN,
            energy_steps: 0,
            energy_total: 0.0,
        }
    }
}
