//! Options of the dense Newton solver.

use crate::error::Result;
use crate::solvers::config::{ArmijoConfig, Termination};

/// Relative asymmetry `max|H − Hᵀ| / max(1, max|H|)` above which the Hessian
/// is rejected as non-symmetric.
pub const DEFAULT_SYMMETRY_TOL: f64 = 1e-6;

/// Which Newton step the dense solver takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum DenseStep {
    /// Shifted Cholesky and Armijo backtracking (the default).
    #[default]
    Damped,
    /// α = 1, no shift, no line search: the textbook iteration.
    Pure,
}

/// Options of [`crate::DenseNewton`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DenseNewtonConfig {
    /// Stopping rules and budgets.
    pub termination: Termination,
    /// Damped or pure steps.
    pub step: DenseStep,
    /// The backtracking search (damped mode).
    pub line_search: ArmijoConfig,
    /// Largest accepted relative asymmetry of H (default
    /// [`DEFAULT_SYMMETRY_TOL`]); H is symmetrized below it.
    pub symmetry_tol: f64,
    /// Hidden: keeps struct literals that end in `..Default::default()`
    /// compiling when fields are added (see [`crate::solvers::config`]).
    #[doc(hidden)]
    #[cfg_attr(feature = "serde", serde(skip))]
    pub non_exhaustive: crate::solvers::config::NonExhaustive,
}

impl Default for DenseNewtonConfig {
    fn default() -> Self {
        Self {
            termination: Termination::default(),
            step: DenseStep::Damped,
            line_search: ArmijoConfig::default(),
            symmetry_tol: DEFAULT_SYMMETRY_TOL,
            non_exhaustive: crate::solvers::config::NonExhaustive::default(),
        }
    }
}

impl DenseNewtonConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        self.termination.validate()?;
        self.line_search.validate()?;
        crate::solvers::config::nonneg("symmetry_tol", self.symmetry_tol)
    }
}
