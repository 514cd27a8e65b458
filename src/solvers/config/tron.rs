//! Options of the bound-constrained trust-region Newton solver
//! ([`crate::Tron`], Lin & Moré 1999).

use crate::error::{Error, Result};
use crate::linalg::par::Par;
use crate::solvers::config::{positive, Preconditioning, Termination};
use crate::solvers::radius::{InitialRadius, RadiusRule, RejectedStep};

/// TRON's CG tolerance factor: each face solve stops at
/// ‖(g + Hs)_F‖ ≤ cg_tol·‖g_F‖ (MINPACK-2 driver `cgtol = 0.1`).
pub const DEFAULT_CG_TOL: f64 = 0.1;

/// Default of [`TronConfig::release_rounds`].
pub const DEFAULT_RELEASE_ROUNDS: usize = 25;
/// Default projected-gradient steps on f per iteration
/// ([`TronConfig::gp_steps`]), chosen by measurement (`docs/bounds.md`,
/// "Steps on f"): on DMSO_C at 250×250, 3 (TAO's default) leave 491
/// iterations, 10 leave 99 and 25 leave 24; on EPT, PJB and DSSC 25 uses
/// fewer products than 0 or 10.
pub const DEFAULT_GP_STEPS: usize = 25;

/// Default of [`TronConfig::rejected_step`], chosen by measurement
/// (`docs/bounds.md`, "A rejected step searched on f"): on the bounded
/// MINPACK-2 grids it never took more Newton iterations than discarding
/// the step, and on DMSO_C it cut them from 203 to 35 at 500×500 and from
/// 725 to 86 at 1000×1000; EPT, PJB and DSSC reject no steps and are
/// unchanged.
pub const DEFAULT_REJECTED_STEP: RejectedStep = RejectedStep::BacktrackKeep;

/// Options of [`crate::Tron`].
///
/// Converged when the projected-gradient norm satisfies
/// ‖P∇f(x)‖₂ ≤ max(gtol_abs, gtol_rel·‖∇f(x₀)‖₂), where the base is the
/// **unprojected** gradient at the (projected) start, as in the MINPACK-2
/// driver (`reference/bounds.md` §1.4). `termination.gap_tol` is not used.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TronConfig {
    /// Stopping rules and budgets (the gradient tests apply to ‖P∇f‖).
    pub termination: Termination,
    /// Preconditioner on the free variables: `Jacobi` (exact restriction
    /// D·M⁻¹·D), `Objective` (the objective's preconditioner of the full
    /// Hessian, masked: SPD on the face, not a factor of H(F,F)), `Amg`
    /// (one V-cycle of the full assembled Hessian, masked the same way;
    /// Jacobi at a point where the hierarchy cannot be built), or none.
    pub preconditioning: Preconditioning,
    /// CG tolerance factor (default [`DEFAULT_CG_TOL`]).
    pub cg_tol: f64,
    /// CG iterations per face solve; `None` = n (MINPACK-2 `itermax`).
    pub cg_max_iter: Option<usize>,
    /// Face solves per outer iteration; `None` = n (MINPACK-2; each face
    /// after the first adds at least one active bound).
    pub max_faces: Option<usize>,
    /// Model projected-gradient rounds per iteration (default
    /// [`DEFAULT_RELEASE_ROUNDS`]): when the face steps stop on a converged
    /// face and the model gradient g + Hs points into the box at some active
    /// bound, a projected Cauchy step on the model from that point releases
    /// those bounds and the face steps continue (Moré–Toraldo's GPCG
    /// alternation inside the trust region). 0 is MINPACK-2 `dspcg`, which
    /// releases bounds only in the first Cauchy step of each iteration.
    pub release_rounds: usize,
    /// Projected-gradient steps on f at each new point before the Cauchy
    /// step (default [`DEFAULT_GP_STEPS`]; PETSc/TAO `tron`'s
    /// `maxgpits`, 3 there; 0 is MINPACK-2 `dtron`): x ← P(x − t∇f) with a
    /// backtracking search on f, ending early when a step gains less than
    /// 10⁻³ of the phase's best ([`crate::solvers::tron::gp`]).
    pub gp_steps: usize,
    /// Δ₀ (default ‖∇f(x₀)‖, the MINPACK-2 driver).
    pub initial_radius: InitialRadius,
    /// The radius update (default [`RadiusRule::Tao`], PETSc/TAO's
    /// reduction update, which grows Δ relative to ‖s‖ whenever ρ ≥ ½).
    /// Lin & Moré's interpolation rule ([`RadiusRule::Tron`]) grows Δ only
    /// when the interpolated α exceeds 1; with the Euclidean region of the
    /// matrix-free solver it stays trapped near 0.01–0.02 on DMSO_C and
    /// DMSA_B from 100×100 on (`docs/bounds.md`). MINPACK-2 measures its
    /// region in the incomplete-Cholesky norm ‖Lᵀp‖ instead.
    pub radius_rule: RadiusRule,
    /// What happens to a rejected step (default
    /// [`DEFAULT_REJECTED_STEP`]): with [`RejectedStep::Backtrack`] or
    /// [`RejectedStep::BacktrackKeep`] the segment from x to the rejected
    /// trial point x + s (inside the box) is searched with the Armijo test
    /// on f before the step is given up
    /// ([`crate::solvers::tron::backtrack`]); [`RejectedStep::Shrink`]
    /// discards it, as MINPACK-2 and TAO do.
    pub rejected_step: RejectedStep,
    /// Upper bound on Δ.
    pub max_radius: f64,
    /// Stall when Δ falls below max(min_radius, ε·max(1, ‖x‖)).
    pub min_radius: f64,
    /// Accept a step when ρ > eta_accept (Lin & Moré: η₀ = 10⁻⁴).
    pub eta_accept: f64,
    /// Consecutive non-finite trial points before
    /// [`crate::Status::NonFiniteObjective`].
    pub max_consecutive_failures: usize,
    /// How CG's vector passes run (the same results either way).
    pub par: Par,
    /// Hidden: see [`crate::solvers::config`].
    #[doc(hidden)]
    #[cfg_attr(feature = "serde", serde(skip))]
    pub non_exhaustive: crate::solvers::config::NonExhaustive,
}

impl Default for TronConfig {
    fn default() -> Self {
        Self {
            termination: Termination::default(),
            preconditioning: Preconditioning::None,
            cg_tol: DEFAULT_CG_TOL,
            cg_max_iter: None,
            max_faces: None,
            release_rounds: DEFAULT_RELEASE_ROUNDS,
            gp_steps: DEFAULT_GP_STEPS,
            initial_radius: InitialRadius::GradientNorm(1.0),
            radius_rule: RadiusRule::Tao,
            rejected_step: DEFAULT_REJECTED_STEP,
            max_radius: crate::solvers::config::DEFAULT_MAX_RADIUS,
            min_radius: 0.0,
            eta_accept: crate::solvers::config::DEFAULT_ETA_ACCEPT,
            max_consecutive_failures: crate::solvers::config::DEFAULT_MAX_CONSECUTIVE_FAILURES,
            par: Par::Rayon,
            non_exhaustive: crate::solvers::config::NonExhaustive::default(),
        }
    }
}

impl TronConfig {
    /// Sets the preconditioner.
    pub fn precond(mut self, preconditioning: Preconditioning) -> Self {
        self.preconditioning = preconditioning;
        self
    }

    /// Sets the radius update.
    pub fn radius_rule(mut self, radius_rule: RadiusRule) -> Self {
        self.radius_rule = radius_rule;
        self
    }

    /// Sets what happens to a rejected step.
    pub fn rejected_step(mut self, rejected_step: RejectedStep) -> Self {
        self.rejected_step = rejected_step;
        self
    }

    /// Sets how CG's vector passes run.
    pub fn par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        self.termination.validate()?;
        self.preconditioning.validate()?;
        if !(self.cg_tol > 0.0 && self.cg_tol < 1.0) {
            return Err(Error::InvalidOption {
                name: "cg_tol",
                reason: format!("must lie in (0, 1), got {}", self.cg_tol),
            });
        }
        if matches!(
            self.initial_radius,
            InitialRadius::FirstStep | InitialRadius::Interpolation { .. }
        ) {
            return Err(Error::InvalidOption {
                name: "initial_radius",
                reason: "TRON takes a constant or gradient-norm initial radius".into(),
            });
        }
        if self.cg_max_iter == Some(0) || self.max_faces == Some(0) {
            return Err(Error::InvalidOption {
                name: "cg_max_iter / max_faces",
                reason: "must be at least 1".into(),
            });
        }
        positive("max_radius", self.max_radius)?;
        crate::solvers::config::validate_trust_region(
            self.initial_radius,
            self.max_radius,
            self.min_radius,
            self.eta_accept,
            self.max_consecutive_failures,
        )
    }
}
