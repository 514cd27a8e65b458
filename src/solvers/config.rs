//! Solver options with documented defaults, and their validation.
//!
//! Every default is a named constant with its source. Options are plain
//! structs with public fields and `Default`; each solver calls
//! `validate()` before it starts and reports a bad value as
//! [`Error::InvalidOption`].

use std::time::Duration;

use crate::error::{Error, Result};
use crate::linalg::par::Par;

/// Default absolute gradient tolerance.
pub const DEFAULT_GTOL_ABS: f64 = 1e-10;
/// Default gradient tolerance relative to ‖g0‖ (`‖g‖ ≤ 1e-8‖g0‖`).
pub const DEFAULT_GTOL_REL: f64 = 1e-8;
/// Default outer iteration cap.
pub const DEFAULT_MAX_ITER: usize = 1000;

/// When an outer solve stops. Shared by all solvers.
///
/// Converged when `‖g‖ ≤ max(gtol_abs, gtol_rel·‖g0‖)` (Euclidean norms;
/// ‖g0‖ is the gradient norm at the caller's x0, `reference/pitfalls.md`
/// §22). The other tests are stalls or budgets, each with its own
/// [`crate::Status`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Termination {
    /// Absolute gradient-norm tolerance (default [`DEFAULT_GTOL_ABS`]).
    pub gtol_abs: f64,
    /// Gradient-norm tolerance relative to ‖g0‖ (default [`DEFAULT_GTOL_REL`]).
    pub gtol_rel: f64,
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
}

impl Default for Termination {
    fn default() -> Self {
        Self {
            gtol_abs: DEFAULT_GTOL_ABS,
            gtol_rel: DEFAULT_GTOL_REL,
            ftol: 0.0,
            xtol: 0.0,
            max_iter: DEFAULT_MAX_ITER,
            max_hvps: None,
            max_evals: None,
            max_time: None,
        }
    }
}

impl Termination {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        nonneg("gtol_abs", self.gtol_abs)?;
        nonneg("gtol_rel", self.gtol_rel)?;
        nonneg("ftol", self.ftol)?;
        nonneg("xtol", self.xtol)?;
        Ok(())
    }
}

/// The inexact-Newton forcing term η_k: CG stops when `‖r‖ ≤ η_k‖g_k‖`.
///
/// Nocedal & Wright (2006), §7.1, eq. (7.3) and Theorem 7.2: η_k → 0 gives
/// superlinear convergence, η_k = O(‖g_k‖) quadratic.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Forcing {
    /// η_k = min(0.5, sqrt(‖g_k‖)): superlinear (the default, N&W §7.1).
    Sqrt,
    /// η_k = min(0.5, ‖g_k‖): quadratic (N&W Theorem 7.2).
    Quadratic,
    /// A fixed η in (0, 1).
    Constant(f64),
}

impl Forcing {
    /// η for a gradient of norm `gnorm`.
    pub fn eta(self, gnorm: f64) -> f64 {
        match self {
            Forcing::Sqrt => 0.5f64.min(gnorm.sqrt()),
            Forcing::Quadratic => 0.5f64.min(gnorm),
            Forcing::Constant(e) => e,
        }
    }

    fn validate(self) -> Result<()> {
        if let Forcing::Constant(e) = self {
            if !(e > 0.0 && e < 1.0) {
                return Err(Error::InvalidOption {
                    name: "forcing",
                    reason: format!("a constant forcing term must lie in (0, 1), got {e}"),
                });
            }
        }
        Ok(())
    }
}

/// Settings of the truncated CG inner loop, shared by the trust-region and
/// line-search Newton-CG solvers.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KrylovConfig {
    /// Forcing term (default [`Forcing::Sqrt`]).
    pub forcing: Forcing,
    /// CG iteration cap per outer iteration; `None` means `max(2n, 50)`
    /// (the JSOSolvers cap; `reference/pitfalls.md` §11).
    pub max_iter: Option<usize>,
    /// Curvature threshold: stop when `dᵀHd ≤ curvature_eps·‖d‖²`
    /// (scaled test, Krylov.jl; `reference/pitfalls.md` §10). Default
    /// `f64::EPSILON`.
    pub curvature_eps: f64,
    /// How the solver's own vector passes (CG updates, dot products, trial
    /// point, norms) run: [`Par::Rayon`] (the default) on rayon's current
    /// pool for n ≥ [`crate::linalg::par::PAR_MIN_LEN`], [`Par::Seq`] on the calling
    /// thread. The results are bit-for-bit the same either way; `Seq` can
    /// be faster when the machine's cores are already busy
    /// (`docs/benchmarks-core.md`). The objective's own kernels are the
    /// objective's business.
    pub par: Par,
}

impl Default for KrylovConfig {
    fn default() -> Self {
        Self {
            forcing: Forcing::Sqrt,
            max_iter: None,
            curvature_eps: f64::EPSILON,
            par: Par::Rayon,
        }
    }
}

impl KrylovConfig {
    /// The CG cap for dimension n.
    pub fn cap(&self, n: usize) -> usize {
        self.max_iter.unwrap_or_else(|| (2 * n).max(50))
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        self.forcing.validate()?;
        nonneg("cg.curvature_eps", self.curvature_eps)?;
        if self.max_iter == Some(0) {
            return Err(Error::InvalidOption {
                name: "cg.max_iter",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

/// Which preconditioner the Newton-CG solvers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Preconditioning {
    /// No preconditioner (M = I). The default.
    #[default]
    None,
    /// Jacobi, from [`crate::LinearOperator::diagonal`] of the Hessian, with
    /// the safeguards of [`crate::Jacobi`]. Falls back to none if the
    /// operator has no diagonal.
    Jacobi,
    /// The objective's own [`crate::Objective::preconditioner`] (for example
    /// an incomplete Cholesky factor). Falls back to none if it gives `None`.
    Objective,
}

pub(crate) fn nonneg(name: &'static str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidOption {
            name,
            reason: format!("must be finite and non-negative, got {v}"),
        })
    }
}

pub(crate) fn positive(name: &'static str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidOption {
            name,
            reason: format!("must be finite and positive, got {v}"),
        })
    }
}

pub(crate) fn in_open_unit(name: &'static str, v: f64) -> Result<()> {
    if v > 0.0 && v < 1.0 {
        Ok(())
    } else {
        Err(Error::InvalidOption {
            name,
            reason: format!("must lie in (0, 1), got {v}"),
        })
    }
}
