//! When an outer solve stops: gradient tests, stall tests and budgets.

use std::time::Duration;

use crate::error::Result;
use crate::solvers::config::nonneg;

/// Default absolute gradient tolerance.
pub const DEFAULT_GTOL_ABS: f64 = 1e-10;
/// Default gradient tolerance relative to ‖g0‖ (`‖g‖ ≤ 1e-8‖g0‖`).
pub const DEFAULT_GTOL_REL: f64 = 1e-8;
/// Default gap tolerance: converged needs the Newton-decrement estimate of
/// f − f* at most `1e-9·max(1, |f|)` ([`Termination::gap_tol`]).
pub const DEFAULT_GAP_TOL: f64 = 1e-9;
/// Default floor of f: an accepted point with f below it ends the solve
/// with [`crate::Status::Unbounded`] (−1e300, far below any bounded
/// objective of interest and still far from overflow).
pub const DEFAULT_F_FLOOR: f64 = -1e300;
/// Default outer iteration cap.
pub const DEFAULT_MAX_ITER: usize = 1000;

/// When an outer solve stops. Shared by all solvers.
///
/// Converged when `‖g‖ ≤ max(gtol_abs, gtol_rel·‖g0‖)` (Euclidean norms;
/// ‖g0‖ is the gradient norm at the caller's x0, `reference/pitfalls.md`
/// §22) **and** the last accepted step was a full interior Newton step whose
/// predicted reduction — the Newton-decrement estimate of f − f* — is at
/// most `gap_tol·max(1, |f|)` ([`crate::solvers::state::gap_converged`]).
/// The gradient test alone is loose in absolute terms: on a singular
/// minimizer (POWELLSG) or with a huge ‖g0‖ (NONDIA) it fires with
/// f − f* ≈ 1e-6. The other tests are stalls or budgets, each with its own
/// [`crate::Status`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Termination {
    /// Absolute gradient-norm tolerance (default [`DEFAULT_GTOL_ABS`]).
    pub gtol_abs: f64,
    /// Gradient-norm tolerance relative to ‖g0‖ (default [`DEFAULT_GTOL_REL`]).
    pub gtol_rel: f64,
    /// The gap test: converged also needs the last accepted step's
    /// Newton-decrement estimate of f − f* at most `gap_tol·max(1,|f|)`
    /// (default [`DEFAULT_GAP_TOL`]; 0 turns the test off, the gradient
    /// test alone as before 0.2). Not applied at x₀ or where g = 0.
    #[cfg_attr(feature = "serde", serde(default))]
    pub gap_tol: f64,
    /// Stall when an accepted step changes f by at most `ftol·max(1,|f|)`.
    /// Default 0 (off).
    pub ftol: f64,
    /// Stall when an accepted step has `‖p‖ ≤ xtol·(1+‖x‖)`. Default 0 (off).
    pub xtol: f64,
    /// Maximum outer iterations (default [`DEFAULT_MAX_ITER`]).
    pub max_iter: usize,
    /// Maximum Hessian-vector products, counted across all inner solves
    /// (default unlimited). The inner CG loop is cut so the budget is exact.
    pub max_hvps: Option<u64>,
    /// Maximum objective (value and gradient) evaluations (default
    /// unlimited).
    pub max_evals: Option<u64>,
    /// Wall-clock limit, also enforced inside the CG loop (default none).
    pub max_time: Option<Duration>,
    /// Stop with [`crate::Status::TargetReached`] once an accepted point has
    /// f ≤ target_f (argmin's `target_cost`; default none). A
    /// user-chosen goal, not a convergence test.
    #[cfg_attr(feature = "serde", serde(default))]
    pub target_f: Option<f64>,
    /// Stop with [`crate::Status::Unbounded`] once an accepted point has
    /// f < f_floor (default [`DEFAULT_F_FLOOR`]; `-inf` turns the test off).
    #[cfg_attr(
        feature = "serde",
        serde(default = "default_f_floor", with = "crate::io::serde_float")
    )]
    pub f_floor: f64,
    /// Hidden: keeps struct literals that end in `..Default::default()`
    /// compiling when fields are added (see [`crate::solvers::config`]).
    #[doc(hidden)]
    #[cfg_attr(feature = "serde", serde(skip))]
    pub non_exhaustive: crate::solvers::config::NonExhaustive,
}

impl Default for Termination {
    fn default() -> Self {
        Self {
            gtol_abs: DEFAULT_GTOL_ABS,
            gtol_rel: DEFAULT_GTOL_REL,
            gap_tol: DEFAULT_GAP_TOL,
            ftol: 0.0,
            xtol: 0.0,
            max_iter: DEFAULT_MAX_ITER,
            max_hvps: None,
            max_evals: None,
            max_time: None,
            target_f: None,
            f_floor: DEFAULT_F_FLOOR,
            non_exhaustive: crate::solvers::config::NonExhaustive::default(),
        }
    }
}

#[cfg(feature = "serde")]
fn default_f_floor() -> f64 {
    DEFAULT_F_FLOOR
}

impl Termination {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        nonneg("gtol_abs", self.gtol_abs)?;
        nonneg("gtol_rel", self.gtol_rel)?;
        nonneg("ftol", self.ftol)?;
        nonneg("gap_tol", self.gap_tol)?;
        nonneg("xtol", self.xtol)?;
        if self.target_f.is_some_and(f64::is_nan) {
            return Err(crate::Error::InvalidOption {
                name: "target_f",
                reason: "must not be NaN".into(),
            });
        }
        if self.f_floor.is_nan() || self.f_floor == f64::INFINITY {
            return Err(crate::Error::InvalidOption {
                name: "f_floor",
                reason: format!("must be a number below +inf, got {}", self.f_floor),
            });
        }
        Ok(())
    }
}
