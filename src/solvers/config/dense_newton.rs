//! Options of the dense Newton solver.

use crate::error::{Error, Result};
use crate::linalg::trs::TrsParams;
use crate::solvers::config::trust_region::{
    DEFAULT_ETA_ACCEPT, DEFAULT_MAX_CONSECUTIVE_FAILURES, DEFAULT_MAX_RADIUS,
};
use crate::solvers::config::{ArmijoConfig, Termination};
use crate::solvers::radius::{InitialRadius, RadiusRule};

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
    /// A trust region with the exact subproblem solved on the dense H
    /// ([`crate::linalg::trs::solve_trs`], Moré & Sorensen 1983), as SciPy's
    /// `trust-exact`: Nocedal & Wright (2006) Algorithm 4.1 with the step of
    /// §4.3, Algorithm 4.3.
    TrustRegion,
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
    /// Trust-region mode: the radius rule (default
    /// [`RadiusRule::NocedalWright`], as SciPy's `trust-exact`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub radius_rule: RadiusRule,
    /// Trust-region mode: Δ₀ (default [`InitialRadius::Constant`]`(1.0)`,
    /// as SciPy's `trust-exact`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub initial_radius: InitialRadius,
    /// Trust-region mode: the largest Δ (default [`DEFAULT_MAX_RADIUS`];
    /// SciPy uses 1000).
    #[cfg_attr(feature = "serde", serde(default = "default_max_radius"))]
    pub max_radius: f64,
    /// Trust-region mode: Δ below `max(min_radius, ε·max(1, ‖x‖))` ends the
    /// solve with [`crate::Status::RadiusCollapsed`] (default 0).
    #[cfg_attr(feature = "serde", serde(default))]
    pub min_radius: f64,
    /// Trust-region mode: a step is accepted when ρ > eta_accept (default
    /// [`DEFAULT_ETA_ACCEPT`]; SciPy uses 0.15).
    #[cfg_attr(feature = "serde", serde(default = "default_eta_accept"))]
    pub eta_accept: f64,
    /// Trust-region mode: consecutive non-finite trials, or steps without
    /// predicted decrease, before the solve stops (default
    /// [`DEFAULT_MAX_CONSECUTIVE_FAILURES`]).
    #[cfg_attr(feature = "serde", serde(default = "default_max_failures"))]
    pub max_consecutive_failures: usize,
    /// Trust-region mode: the tolerances of the subproblem solver.
    #[cfg_attr(feature = "serde", serde(default))]
    pub trs: TrsParams,
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
            radius_rule: RadiusRule::NocedalWright,
            initial_radius: InitialRadius::Constant(1.0),
            max_radius: DEFAULT_MAX_RADIUS,
            min_radius: 0.0,
            eta_accept: DEFAULT_ETA_ACCEPT,
            max_consecutive_failures: DEFAULT_MAX_CONSECUTIVE_FAILURES,
            trs: TrsParams::default(),
            non_exhaustive: crate::solvers::config::NonExhaustive::default(),
        }
    }
}

impl DenseNewtonConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        self.termination.validate()?;
        self.line_search.validate()?;
        crate::solvers::config::nonneg("symmetry_tol", self.symmetry_tol)?;
        if matches!(
            self.initial_radius,
            InitialRadius::FirstStep | InitialRadius::Interpolation { .. }
        ) {
            return Err(Error::InvalidOption {
                name: "initial_radius",
                reason: "dense trust-exact takes a constant or gradient-norm initial radius".into(),
            });
        }
        crate::solvers::config::validate_trust_region(
            self.initial_radius,
            self.max_radius,
            self.min_radius,
            self.eta_accept,
            self.max_consecutive_failures,
        )?;
        self.trs.validate()
    }

    /// The trust-region variant ([`DenseStep::TrustRegion`], SciPy's
    /// `trust-exact`) with the other options at their defaults.
    pub fn trust_exact() -> Self {
        Self {
            step: DenseStep::TrustRegion,
            ..Self::default()
        }
    }
}

#[cfg(feature = "serde")]
fn default_max_radius() -> f64 {
    DEFAULT_MAX_RADIUS
}

#[cfg(feature = "serde")]
fn default_eta_accept() -> f64 {
    DEFAULT_ETA_ACCEPT
}

#[cfg(feature = "serde")]
fn default_max_failures() -> usize {
    DEFAULT_MAX_CONSECUTIVE_FAILURES
}

#[cfg(all(test, feature = "serde"))]
mod serde_tests {
    use super::*;

    #[test]
    fn trust_region_step_is_named_and_old_json_gets_the_radius_defaults() {
        assert_eq!(
            serde_json::to_string(&DenseStep::TrustRegion).unwrap(),
            "\"trust_region\""
        );
        let c = DenseNewtonConfig::trust_exact();
        let json = serde_json::to_string(&c).unwrap();
        let back: DenseNewtonConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
        // A configuration written before the trust-region fields existed.
        let mut v: serde_json::Value = serde_json::to_value(DenseNewtonConfig::default()).unwrap();
        let obj = v.as_object_mut().unwrap();
        for k in [
            "radius_rule",
            "initial_radius",
            "max_radius",
            "min_radius",
            "eta_accept",
            "max_consecutive_failures",
            "trs",
        ] {
            assert!(obj.remove(k).is_some(), "{k}");
        }
        let old: DenseNewtonConfig = serde_json::from_value(v).unwrap();
        assert_eq!(old, DenseNewtonConfig::default());
    }
}
