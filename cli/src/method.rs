//! The `--solver` choice, the options it builds, and the one place where
//! the program runs a solver.

use clap::ValueEnum;
use ndarray::ArrayView1;

use steihaug::solvers::dense_newton;
use steihaug::{
    minimize_bounded_with, minimize_with, Bounds, Callback, Method, Objective, Options,
    Preconditioning, Report,
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
    /// TRON: bound-constrained trust-region Newton (projected Cauchy step,
    /// CG on the free variables); infinite bounds on unbounded problems.
    Tron,
}

impl SolverKind {
    /// The library's method.
    pub fn method(self) -> Method {
        match self {
            SolverKind::Tr => Method::TrustRegion,
            SolverKind::Linesearch => Method::LineSearch,
            SolverKind::Dense => Method::DenseNewton,
            SolverKind::Tron => Method::Tron,
        }
    }

    /// The name in table titles.
    pub fn title(self) -> &'static str {
        match self {
            SolverKind::Tr => "trust-region Newton-CG (Steihaug-Toint)",
            SolverKind::Linesearch => "line-search Newton-CG",
            SolverKind::Dense => "dense Newton",
            SolverKind::Tron => "TRON (projected trust-region Newton, bounds)",
        }
    }
}

/// Refuses a problem too large for the method (dense Newton's n x n
/// matrices, every solver's n-vectors: the estimate of
/// `steihaug::memory::solver_bytes`), before anything is allocated.
pub fn check_dim(method: Method, n: usize) -> steihaug::Result<()> {
    if method == Method::DenseNewton {
        dense_newton::check_dim(n)?;
    }
    steihaug::memory::check(
        &format!("{method} with n = {n}"),
        steihaug::memory::solver_bytes(method, n),
    )
}

/// Sets the preconditioner of a Newton-CG method; dense Newton has none
/// and ignores `--precond`, as it always has on the command line.
pub fn with_precond(options: Options, precond: Preconditioning) -> steihaug::Result<Options> {
    if options.method().is_matrix_free() {
        options.precond(precond)
    } else {
        Ok(options)
    }
}

/// The options as JSON (the `config` of `--json`).
pub fn options_json(options: &Options) -> serde_json::Value {
    serde_json::to_value(options).unwrap_or_default()
}

/// Runs the solver of `options` from `x0`, calling `callback` after every
/// iteration. Every solve of the program without checkpoints comes here.
pub fn run<O: Objective + ?Sized>(
    obj: &O,
    x0: ArrayView1<'_, f64>,
    options: &Options,
    callback: &mut Callback<'_>,
) -> steihaug::Result<Report> {
    check_dim(options.method(), x0.len())?;
    minimize_with(obj, x0, options, callback)
}

/// As [`run`], on the box `bounds` (TRON; the other methods refuse finite
/// bounds).
pub fn run_bounded<O: Objective + ?Sized>(
    obj: &O,
    x0: ArrayView1<'_, f64>,
    bounds: &Bounds,
    options: &Options,
    callback: &mut Callback<'_>,
) -> steihaug::Result<Report> {
    check_dim(options.method(), x0.len())?;
    minimize_bounded_with(obj, x0, bounds, options, callback)
}
