//! Solver options with documented defaults, and their validation.
//!
//! Every default is a named constant with its source. Options are plain
//! `Copy` structs with public fields and `Default`; each solver calls
//! `validate()` before it starts and reports a bad value as
//! [`Error::InvalidOption`]. Every solver's options have the same builder
//! methods (`gtol_abs`, `gtol_rel`, `max_iter`, `max_hvps`, `max_evals`,
//! `max_time`, `target_f`, and for the Newton-CG solvers `precond`,
//! `forcing`, `par`), and each struct ends in a hidden `non_exhaustive`
//! field, so that fields can be added without breaking a struct literal
//! written as `TrustRegionConfig { eta_accept: 0.1, ..Default::default() }`
//! (the pattern of faer's `CgParams`).
//!
//! ```
//! use std::time::Duration;
//! use steihaug::{Preconditioning, TrustRegionConfig};
//! let cfg = TrustRegionConfig::default()
//!     .gtol_rel(1e-10)
//!     .max_iter(200)
//!     .max_time(Duration::from_secs(60))
//!     .precond(Preconditioning::Jacobi);
//! assert_eq!(cfg.termination.max_iter, 200);
//! cfg.validate().unwrap();
//! ```

mod dense_newton;
mod krylov;
mod line_search;
mod termination;
mod tron;
mod trust_region;

pub use dense_newton::{DenseNewtonConfig, DenseStep, DEFAULT_SYMMETRY_TOL};
pub use krylov::{Forcing, KrylovConfig, Preconditioning, DEFAULT_MIC0_RELAX};
pub use line_search::{
    ArmijoConfig, LineSearchConfig, DEFAULT_BACKTRACK, DEFAULT_C1, DEFAULT_MAX_BACKTRACKS,
};
pub use termination::{
    Termination, DEFAULT_F_FLOOR, DEFAULT_GAP_TOL, DEFAULT_GTOL_ABS, DEFAULT_GTOL_REL,
    DEFAULT_MAX_ITER,
};
pub use tron::{
    TronConfig, DEFAULT_CG_TOL, DEFAULT_GP_STEPS, DEFAULT_REJECTED_STEP, DEFAULT_RELEASE_ROUNDS,
};
pub use trust_region::{
    Subproblem, TrustRegionConfig, DEFAULT_ETA_ACCEPT, DEFAULT_MAX_CONSECUTIVE_FAILURES,
    DEFAULT_MAX_RADIUS,
};

use crate::error::{Error, Result};

/// The type of the hidden `non_exhaustive` field that ends every options
/// struct: it cannot be named outside the crate, so a struct literal must
/// end in `..Default::default()` and keeps compiling when fields are added.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NonExhaustive(());

/// The builder methods on the stopping rules, for every options type with a
/// `termination` field.
macro_rules! termination_builders {
    ($t:ty) => {
        impl $t {
            /// Sets the absolute gradient tolerance `termination.gtol_abs`.
            pub fn gtol_abs(mut self, gtol_abs: f64) -> Self {
                self.termination.gtol_abs = gtol_abs;
                self
            }
            /// Sets the relative gradient tolerance `termination.gtol_rel`
            /// (converged when ‖g‖ ≤ max(gtol_abs, gtol_rel·‖g₀‖)).
            pub fn gtol_rel(mut self, gtol_rel: f64) -> Self {
                self.termination.gtol_rel = gtol_rel;
                self
            }
            /// Sets the gap tolerance `termination.gap_tol` (converged also
            /// needs the Newton-decrement estimate of f − f* at most
            /// gap_tol·max(1,|f|); 0 turns the test off).
            pub fn gap_tol(mut self, gap_tol: f64) -> Self {
                self.termination.gap_tol = gap_tol;
                self
            }
            /// Sets the outer iteration cap `termination.max_iter`.
            pub fn max_iter(mut self, max_iter: usize) -> Self {
                self.termination.max_iter = max_iter;
                self
            }
            /// Sets the Hessian-vector-product budget `termination.max_hvps`.
            pub fn max_hvps(mut self, max_hvps: u64) -> Self {
                self.termination.max_hvps = Some(max_hvps);
                self
            }
            /// Sets the evaluation budget `termination.max_evals`.
            pub fn max_evals(mut self, max_evals: u64) -> Self {
                self.termination.max_evals = Some(max_evals);
                self
            }
            /// Sets the wall-clock limit `termination.max_time`.
            pub fn max_time(mut self, max_time: std::time::Duration) -> Self {
                self.termination.max_time = Some(max_time);
                self
            }
            /// Stops with [`crate::Status::TargetReached`] once an accepted
            /// point has f ≤ `target_f` (argmin's `target_cost`).
            pub fn target_f(mut self, target_f: f64) -> Self {
                self.termination.target_f = Some(target_f);
                self
            }
            /// Replaces all stopping rules and budgets.
            pub fn termination(mut self, termination: Termination) -> Self {
                self.termination = termination;
                self
            }
        }
    };
}

/// The builder methods on the inner Krylov loop, for the Newton-CG options.
macro_rules! krylov_builders {
    ($t:ty) => {
        impl $t {
            /// Sets the preconditioner.
            pub fn precond(mut self, preconditioning: Preconditioning) -> Self {
                self.preconditioning = preconditioning;
                self
            }
            /// Sets the forcing term of the inner solve.
            pub fn forcing(mut self, forcing: Forcing) -> Self {
                self.krylov.forcing = forcing;
                self
            }
            /// Sets how the solver's own vector passes run (same results).
            pub fn par(mut self, par: crate::Par) -> Self {
                self.krylov.par = par;
                self
            }
            /// Sets the inner iteration cap per outer iteration.
            pub fn krylov_max_iter(mut self, max_iter: usize) -> Self {
                self.krylov.max_iter = Some(max_iter);
                self
            }
        }
    };
}

termination_builders!(TrustRegionConfig);
termination_builders!(LineSearchConfig);
termination_builders!(DenseNewtonConfig);
termination_builders!(TronConfig);
krylov_builders!(TrustRegionConfig);
krylov_builders!(LineSearchConfig);

/// The checks every trust region's options share: Δ₀'s value, the radius
/// bounds, the acceptance threshold and the failure limit.
pub(crate) fn validate_trust_region(
    initial_radius: crate::InitialRadius,
    max_radius: f64,
    min_radius: f64,
    eta_accept: f64,
    max_consecutive_failures: usize,
) -> Result<()> {
    use crate::InitialRadius;
    match initial_radius {
        InitialRadius::Constant(r) => positive("initial_radius", r)?,
        InitialRadius::GradientNorm(f) => positive("initial_radius", f)?,
        InitialRadius::Interpolation { trust0 } => positive("initial_radius", trust0)?,
        InitialRadius::FirstStep => {}
    }
    positive("max_radius", max_radius)?;
    nonneg("min_radius", min_radius)?;
    if min_radius >= max_radius {
        return Err(Error::InvalidOption {
            name: "min_radius",
            reason: "must be below max_radius".into(),
        });
    }
    if !(0.0..0.25).contains(&eta_accept) {
        return Err(Error::InvalidOption {
            name: "eta_accept",
            reason: format!("must lie in [0, 0.25), got {eta_accept}"),
        });
    }
    at_least_one("max_consecutive_failures", max_consecutive_failures)
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

pub(crate) fn at_least_one(name: &'static str, v: usize) -> Result<()> {
    if v >= 1 {
        Ok(())
    } else {
        Err(Error::InvalidOption {
            name,
            reason: "must be at least 1".into(),
        })
    }
}
