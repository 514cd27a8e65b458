//! The `--solver` choice and the one place where the program runs a solver.

use clap::ValueEnum;
use ndarray::ArrayView1;

use steihaug::solvers::dense_newton;
use steihaug::{
    Callback, DenseNewton, DenseNewtonConfig, LineSearchConfig, LineSearchNewtonCg, Objective,
    Preconditioning, Report, Termination, TrustRegion, TrustRegionConfig,
};

/// The `--solver` values.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SolverKind {
    /// Trust-region Newton with Steihaug-Toint CG.
    Tr,
    /// Line-search Newton-CG (truncated Newton).
    Linesearch,
    /// Dense Newton (Cholesky with shift, Armijo damping); small n only.
    Dense,
}

impl SolverKind {
    /// The name in table titles.
    pub fn title(self) -> &'static str {
        match self {
            SolverKind::Tr => "trust-region Newton-CG (Steihaug-Toint)",
            SolverKind::Linesearch => "line-search Newton-CG",
            SolverKind::Dense => "dense Newton",
        }
    }

    /// Refuses a problem too large for the solver (dense Newton's n x n
    /// matrix), before anything is printed or solved.
    pub fn check_dim(self, n: usize) -> steihaug::Result<()> {
        match self {
            SolverKind::Dense => dense_newton::check_dim(n),
            SolverKind::Tr | SolverKind::Linesearch => Ok(()),
        }
    }
}

/// One solver's options.
#[derive(Clone, Copy)]
pub enum SolverOptions {
    /// Trust-region Newton-CG.
    Tr(TrustRegionConfig),
    /// Line-search Newton-CG.
    Linesearch(LineSearchConfig),
    /// Dense Newton.
    Dense(DenseNewtonConfig),
}

impl SolverOptions {
    /// The solver's defaults with `termination` and (for the Newton-CG
    /// solvers) `precond`.
    pub fn new(kind: SolverKind, termination: Termination, precond: Preconditioning) -> Self {
        match kind {
            SolverKind::Tr => Self::Tr(TrustRegionConfig {
                termination,
                preconditioning: precond,
                ..TrustRegionConfig::default()
            }),
            SolverKind::Linesearch => Self::Linesearch(LineSearchConfig {
                termination,
                preconditioning: precond,
                ..LineSearchConfig::default()
            }),
            SolverKind::Dense => Self::Dense(DenseNewtonConfig {
                termination,
                ..DenseNewtonConfig::default()
            }),
        }
    }

    /// The options as JSON (the `config` of `--json`).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Tr(c) => serde_json::to_value(c),
            Self::Linesearch(c) => serde_json::to_value(c),
            Self::Dense(c) => serde_json::to_value(c),
        }
        .unwrap_or_default()
    }

    /// Runs the solver from `x0`, calling `callback` after every iteration.
    pub fn solve_with<O: Objective + ?Sized>(
        &self,
        obj: &O,
        x0: ArrayView1<'_, f64>,
        callback: &mut Callback<'_>,
    ) -> steihaug::Result<Report> {
        match self {
            Self::Tr(c) => TrustRegion::new(*c).solve_with(obj, x0, callback),
            Self::Linesearch(c) => LineSearchNewtonCg::new(*c).solve_with(obj, x0, callback),
            Self::Dense(c) => DenseNewton::new(*c).solve_with(obj, x0, callback),
        }
    }
}
