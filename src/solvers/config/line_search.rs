//! Options of line-search Newton-CG and of the backtracking Armijo search
//! it shares with dense Newton.

use crate::error::Result;
use crate::solvers::config::{
    at_least_one, in_open_unit, KrylovConfig, Preconditioning, Termination,
    DEFAULT_MAX_CONSECUTIVE_FAILURES,
};

/// Default sufficient-decrease constant c₁ (N&W §3.1 suggest 1e-4).
pub const DEFAULT_C1: f64 = 1e-4;
/// Default backtracking factor.
pub const DEFAULT_BACKTRACK: f64 = 0.5;
/// Default maximum halvings per line search (α ≥ 2⁻⁶⁰).
pub const DEFAULT_MAX_BACKTRACKS: usize = 60;

/// Backtracking Armijo line-search options.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ArmijoConfig {
    /// Sufficient-decrease constant c₁ in (0, 1) (default [`DEFAULT_C1`]).
    pub c1: f64,
    /// Factor by which α shrinks, in (0, 1) (default [`DEFAULT_BACKTRACK`]).
    pub backtrack: f64,
    /// Maximum trial points per search after the first (default
    /// [`DEFAULT_MAX_BACKTRACKS`]).
    pub max_backtracks: usize,
    /// Hidden: keeps struct literals that end in `..Default::default()`
    /// compiling when fields are added (see [`crate::solvers::config`]).
    #[doc(hidden)]
    #[cfg_attr(feature = "serde", serde(skip))]
    pub non_exhaustive: crate::solvers::config::NonExhaustive,
}

impl Default for ArmijoConfig {
    fn default() -> Self {
        Self {
            c1: DEFAULT_C1,
            backtrack: DEFAULT_BACKTRACK,
            max_backtracks: DEFAULT_MAX_BACKTRACKS,
            non_exhaustive: crate::solvers::config::NonExhaustive::default(),
        }
    }
}

impl ArmijoConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        in_open_unit("line_search.c1", self.c1)?;
        in_open_unit("line_search.backtrack", self.backtrack)
    }
}

/// Options of [`crate::LineSearchNewtonCg`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LineSearchConfig {
    /// Stopping rules and budgets.
    pub termination: Termination,
    /// The inner Krylov (truncated CG) loop. JSON name `cg`.
    #[cfg_attr(feature = "serde", serde(rename = "cg"))]
    pub krylov: KrylovConfig,
    /// Preconditioner (default none).
    pub preconditioning: Preconditioning,
    /// The backtracking search.
    pub line_search: ArmijoConfig,
    /// Consecutive inner solves that met a non-finite product before
    /// [`crate::Status::NonFiniteHessian`] (default
    /// [`DEFAULT_MAX_CONSECUTIVE_FAILURES`], as the trust region).
    #[cfg_attr(feature = "serde", serde(default = "default_failures"))]
    pub max_consecutive_failures: usize,
    /// Hidden: keeps struct literals that end in `..Default::default()`
    /// compiling when fields are added (see [`crate::solvers::config`]).
    #[doc(hidden)]
    #[cfg_attr(feature = "serde", serde(skip))]
    pub non_exhaustive: crate::solvers::config::NonExhaustive,
}

#[cfg(feature = "serde")]
fn default_failures() -> usize {
    DEFAULT_MAX_CONSECUTIVE_FAILURES
}

impl Default for LineSearchConfig {
    fn default() -> Self {
        Self {
            termination: Termination::default(),
            krylov: KrylovConfig::default(),
            preconditioning: Preconditioning::None,
            line_search: ArmijoConfig::default(),
            max_consecutive_failures: DEFAULT_MAX_CONSECUTIVE_FAILURES,
            non_exhaustive: crate::solvers::config::NonExhaustive::default(),
        }
    }
}

impl LineSearchConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        self.termination.validate()?;
        self.krylov.validate()?;
        self.preconditioning.validate()?;
        self.line_search.validate()?;
        at_least_one("max_consecutive_failures", self.max_consecutive_failures)
    }
}
