//! Options of the trust-region Newton-CG solver.

use crate::error::Result;
use crate::solvers::config::{KrylovConfig, Preconditioning, Termination};
use crate::solvers::radius::{InitialRadius, RadiusRule, RejectedStep};
use crate::solvers::saddle::SecondOrder;

/// Default acceptance threshold η on ρ (Lin & Moré 1999 use 1e-4; N&W
/// Algorithm 4.1 allows any η in [0, ¼)).
pub const DEFAULT_ETA_ACCEPT: f64 = 1e-4;
/// Default consecutive-failure limit (Ceres uses 5 for invalid steps).
pub const DEFAULT_MAX_CONSECUTIVE_FAILURES: usize = 5;
/// Default maximum radius.
pub const DEFAULT_MAX_RADIUS: f64 = 1e10;

/// The trust-region subproblem solver of [`crate::TrustRegion`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Subproblem {
    /// Truncated CG, stopping at the boundary (Steihaug 1983; Toint 1981):
    /// [`crate::krylov::steihaug()`]. The default.
    #[default]
    Steihaug,
    /// GLTR (Gould, Lucidi, Roma & Toint 1999): CG, then Lanczos past the
    /// boundary or negative curvature for at most `max_lanczos` iterations,
    /// the step recovered by a second pass; after a rejected step the
    /// tridiagonal is re-solved at the smaller radius without pass-1
    /// products ([`crate::krylov::gltr()`]). `max_lanczos` ≥ 1; PETSc's
    /// default is [`crate::krylov::DEFAULT_MAX_LANCZOS`] = 20.
    Gltr {
        /// Cap on the Lanczos-phase iterations per subproblem.
        max_lanczos: usize,
    },
}

impl Subproblem {
    /// GLTR with the default Lanczos cap [`crate::krylov::DEFAULT_MAX_LANCZOS`].
    pub const GLTR: Subproblem = Subproblem::Gltr {
        max_lanczos: crate::krylov::DEFAULT_MAX_LANCZOS,
    };

    /// A short `snake_case` name (`"steihaug"`, `"gltr"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Subproblem::Steihaug => "steihaug",
            Subproblem::Gltr { .. } => "gltr",
        }
    }
}

/// Options of [`crate::TrustRegion`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TrustRegionConfig {
    /// Stopping rules and budgets.
    pub termination: Termination,
    /// The inner Krylov (truncated CG) loop. JSON name `cg`.
    #[cfg_attr(feature = "serde", serde(rename = "cg"))]
    pub krylov: KrylovConfig,
    /// Preconditioner (default none).
    pub preconditioning: Preconditioning,
    /// Radius update rule (default [`RadiusRule::NocedalWright`]).
    pub radius_rule: RadiusRule,
    /// Initial radius (default [`InitialRadius::Constant`]`(1.0)`, as SciPy).
    pub initial_radius: InitialRadius,
    /// What happens to a rejected step (default [`RejectedStep::Shrink`]).
    /// Missing in JSON means the default.
    #[cfg_attr(feature = "serde", serde(default))]
    pub rejected_step: RejectedStep,
    /// Upper bound on Δ (default [`DEFAULT_MAX_RADIUS`]).
    pub max_radius: f64,
    /// Lower bound on Δ before [`crate::Status::RadiusCollapsed`] (default 0, so the
    /// floor is `ε·max(1,‖x‖)`).
    pub min_radius: f64,
    /// Accept the step when ρ > eta_accept (default [`DEFAULT_ETA_ACCEPT`]).
    pub eta_accept: f64,
    /// Consecutive failed trials of one kind before stopping (default
    /// [`DEFAULT_MAX_CONSECUTIVE_FAILURES`]).
    pub max_consecutive_failures: usize,
    /// The subproblem solver (default [`Subproblem::Steihaug`]). Missing in
    /// JSON means the default.
    #[cfg_attr(feature = "serde", serde(default))]
    pub subproblem: Subproblem,
    /// What to do at a point that passes the convergence test: stop, check
    /// for negative curvature, or check and escape a saddle (default
    /// [`SecondOrder::Escape`]).
    #[cfg_attr(feature = "serde", serde(default))]
    pub second_order: SecondOrder,
    /// Hidden: keeps struct literals that end in `..Default::default()`
    /// compiling when fields are added (see [`crate::solvers::config`]).
    #[doc(hidden)]
    #[cfg_attr(feature = "serde", serde(skip))]
    pub non_exhaustive: crate::solvers::config::NonExhaustive,
}

impl Default for TrustRegionConfig {
    fn default() -> Self {
        Self {
            termination: Termination::default(),
            krylov: KrylovConfig::default(),
            preconditioning: Preconditioning::None,
            radius_rule: RadiusRule::NocedalWright,
            initial_radius: InitialRadius::default(),
            rejected_step: RejectedStep::Shrink,
            max_radius: DEFAULT_MAX_RADIUS,
            min_radius: 0.0,
            eta_accept: DEFAULT_ETA_ACCEPT,
            max_consecutive_failures: DEFAULT_MAX_CONSECUTIVE_FAILURES,
            subproblem: Subproblem::Steihaug,
            second_order: SecondOrder::default(),
            non_exhaustive: crate::solvers::config::NonExhaustive::default(),
        }
    }
}

impl TrustRegionConfig {
    /// Sets the subproblem solver `subproblem`.
    pub fn subproblem(mut self, subproblem: Subproblem) -> Self {
        self.subproblem = subproblem;
        self
    }

    /// Sets the initial radius strategy.
    pub fn initial_radius(mut self, initial_radius: InitialRadius) -> Self {
        self.initial_radius = initial_radius;
        self
    }

    /// Sets what happens at a first-order point ([`SecondOrder`]).
    pub fn second_order(mut self, second_order: SecondOrder) -> Self {
        self.second_order = second_order;
        self
    }

    /// Sets the radius update rule.
    pub fn radius_rule(mut self, radius_rule: RadiusRule) -> Self {
        self.radius_rule = radius_rule;
        self
    }

    /// Sets what happens to a rejected step.
    pub fn rejected_step(mut self, rejected_step: RejectedStep) -> Self {
        self.rejected_step = rejected_step;
        self
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        self.termination.validate()?;
        self.krylov.validate()?;
        self.preconditioning.validate()?;
        crate::solvers::config::validate_trust_region(
            self.initial_radius,
            self.max_radius,
            self.min_radius,
            self.eta_accept,
            self.max_consecutive_failures,
        )?;
        if let Subproblem::Gltr { max_lanczos } = self.subproblem {
            crate::solvers::config::at_least_one("subproblem.max_lanczos", max_lanczos)?;
        }
        Ok(())
    }
}
