//! The `steihaug` command line.
//!
//! * `steihaug` — solves the default problem (extended Rosenbrock,
//!   n = 1,000,000) with the trust-region Newton-CG solver and prints a
//!   per-iteration table and a summary;
//! * `steihaug solve --problem NAME [--n N] [--solver tr|linesearch|dense]
//!   [--nx NX --ny NY] [--hessian matrix-free|assembled]
//!   [--precond none|jacobi|objective|ic0] [--gtol X] [--max-iter K] [--json]
//!   [--check-derivatives]` — any registered problem; grid problems
//!   (MINPACK-2 msa, ept, ssc, odc, pjb) take a grid and a Hessian mode;
//!   `ic0` is the problem's own preconditioner, IC(0) of the assembled Hessian;
//! * `steihaug problems` — the list of problems.
//!
//! Exit status: 0 when the solve converged, 3 when it ended otherwise (the
//! status says why), 2 for bad arguments, 1 for any other error.

use std::io::Write;
use std::ops::ControlFlow;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

use steihaug::derivatives::{check_derivatives, CheckOptions, DerivativeReport};
use steihaug::problems::registry::{self, Size, PROBLEMS};
use steihaug::report::table_header;
use steihaug::{
    DenseNewton, DenseNewtonConfig, IterationRecord, LineSearchConfig, LineSearchNewtonCg,
    Preconditioning, Report, Termination, TrustRegion, TrustRegionConfig,
};

#[derive(Parser)]
#[command(
    name = "steihaug",
    version,
    about = "Matrix-free trust-region Newton-CG (Steihaug-Toint), line-search Newton-CG and dense Newton",
    long_about = "With no subcommand, solves the default problem: extended Rosenbrock with n = 1,000,000 by trust-region Newton-CG."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Solve a built-in problem.
    Solve(SolveArgs),
    /// List the built-in problems.
    Problems,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum SolverKind {
    /// Trust-region Newton with Steihaug-Toint CG.
    Tr,
    /// Line-search Newton-CG (truncated Newton).
    Linesearch,
    /// Dense Newton (Cholesky with shift, Armijo damping); small n only.
    Dense,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum PrecondKind {
    /// No preconditioner.
    None,
    /// Jacobi (Hessian diagonal).
    Jacobi,
    /// The problem's own preconditioner, if it has one.
    Objective,
    /// Incomplete Cholesky IC(0) of the assembled Hessian (MINPACK-2
    /// problems); the problem's own preconditioner.
    Ic0,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum HessianKind {
    /// Matrix-free Hessian-vector products.
    MatrixFree,
    /// Assembled sparse Hessian (grid problems).
    Assembled,
}

#[derive(clap::Args)]
struct SolveArgs {
    /// Problem name (see `steihaug problems`).
    #[arg(long, default_value = "extended-rosenbrock")]
    problem: String,
    /// Dimension n (default: the problem's default).
    #[arg(long)]
    n: Option<usize>,
    /// Grid width for grid problems.
    #[arg(long)]
    nx: Option<usize>,
    /// Grid height for grid problems.
    #[arg(long)]
    ny: Option<usize>,
    /// Solver.
    #[arg(long, value_enum, default_value = "tr")]
    solver: SolverKind,
    /// Relative gradient tolerance: stop when |g| <= gtol*|g0|.
    #[arg(long, default_value_t = steihaug::config::DEFAULT_GTOL_REL)]
    gtol: f64,
    /// Absolute gradient tolerance.
    #[arg(long, default_value_t = steihaug::config::DEFAULT_GTOL_ABS)]
    gtol_abs: f64,
    /// Maximum outer iterations.
    #[arg(long, default_value_t = steihaug::config::DEFAULT_MAX_ITER)]
    max_iter: usize,
    /// Maximum Hessian-vector products.
    #[arg(long)]
    max_hvps: Option<u64>,
    /// Time limit in seconds.
    #[arg(long)]
    max_time: Option<f64>,
    /// Preconditioner for the Newton-CG solvers.
    #[arg(long, value_enum, default_value = "none")]
    precond: PrecondKind,
    /// How grid problems supply the Hessian.
    #[arg(long, value_enum, default_value = "matrix-free")]
    hessian: HessianKind,
    /// Print the report as one JSON object (and no table).
    #[arg(long)]
    json: bool,
    /// Do not print the per-iteration table.
    #[arg(long)]
    quiet: bool,
    /// Before solving, compare the problem's gradient and Hessian-vector
    /// products with finite differences at x0 and print the verdict.
    #[arg(long)]
    check_derivatives: bool,
}

impl Default for SolveArgs {
    fn default() -> Self {
        Self {
            problem: "extended-rosenbrock".into(),
            n: None,
            nx: None,
            ny: None,
            solver: SolverKind::Tr,
            gtol: steihaug::config::DEFAULT_GTOL_REL,
            gtol_abs: steihaug::config::DEFAULT_GTOL_ABS,
            max_iter: steihaug::config::DEFAULT_MAX_ITER,
            max_hvps: None,
            max_time: None,
            precond: PrecondKind::None,
            hessian: HessianKind::MatrixFree,
            json: false,
            quiet: false,
            check_derivatives: false,
        }
    }
}

/// The JSON form of a solve.
#[derive(Serialize)]
struct JsonReport<'a> {
    problem: &'a str,
    n: usize,
    solver: &'static str,
    status: steihaug::Status,
    converged: bool,
    f: f64,
    f_star: Option<f64>,
    grad_norm: f64,
    grad_norm0: f64,
    iterations: usize,
    evals: u64,
    hvps: u64,
    cg_iterations: u64,
    elapsed_s: f64,
    history: &'a [IterationRecord],
    /// The `--check-derivatives` report at x0.
    #[serde(skip_serializing_if = "Option::is_none")]
    derivative_check: Option<DerivativeReport>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        None => solve(&SolveArgs::default()),
        Some(Command::Solve(args)) => solve(&args),
        Some(Command::Problems) => {
            for p in PROBLEMS {
                println!(
                    "{:<22} default n = {:<9} {}",
                    p.name, p.default_n, p.description
                );
            }
            Ok(true)
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(3),
        Err(e) => {
            eprintln!("steihaug: error: {e}");
            ExitCode::from(1)
        }
    }
}

fn termination(args: &SolveArgs) -> steihaug::Result<Termination> {
    let max_time = match args.max_time {
        None => None,
        Some(t) if t.is_finite() && t >= 0.0 => Some(std::time::Duration::from_secs_f64(t)),
        Some(t) => {
            return Err(steihaug::Error::InvalidOption {
                name: "max-time",
                reason: format!("must be a non-negative number of seconds, got {t}"),
            })
        }
    };
    Ok(Termination {
        gtol_rel: args.gtol,
        gtol_abs: args.gtol_abs,
        max_iter: args.max_iter,
        max_hvps: args.max_hvps,
        max_time,
        ..Termination::default()
    })
}

/// Runs one solve; `Ok(converged)`.
fn solve(args: &SolveArgs) -> steihaug::Result<bool> {
    let built = registry::build_with(
        &args.problem,
        Size {
            n: args.n,
            nx: args.nx,
            ny: args.ny,
        },
        registry::BuildOptions {
            hessian: match args.hessian {
                HessianKind::MatrixFree => registry::HessianMode::MatrixFree,
                HessianKind::Assembled => registry::HessianMode::Assembled,
            },
        },
    )?;
    if args.precond == PrecondKind::Ic0 && !registry::GRID_PROBLEMS.contains(&args.problem.as_str())
    {
        return Err(steihaug::Error::InvalidOption {
            name: "precond",
            reason: format!(
                "ic0 is the preconditioner of the grid problems ({}); use objective or jacobi for {}",
                registry::GRID_PROBLEMS.join(", "),
                args.problem
            ),
        });
    }
    let obj = &*built.objective;
    let n = built.x0.len();
    let term = termination(args)?;
    let precond = match args.precond {
        PrecondKind::None => Preconditioning::None,
        PrecondKind::Jacobi => Preconditioning::Jacobi,
        PrecondKind::Objective | PrecondKind::Ic0 => Preconditioning::Objective,
    };
    if args.solver == SolverKind::Dense && n > 20_000 {
        return Err(steihaug::Error::InvalidOption {
            name: "solver",
            reason: format!(
                "dense Newton needs an n x n matrix; n = {n} is too large (limit 20000)"
            ),
        });
    }
    let show_table = !args.json && !args.quiet;
    let check_x0 = if args.check_derivatives {
        let r = check_derivatives(obj, built.x0.view(), &CheckOptions::default())?;
        if !args.json {
            println!("at x0: {r}");
        }
        Some(r)
    } else {
        None
    };
    let mut out = std::io::stdout().lock();
    if show_table {
        let _ = writeln!(
            out,
            "problem {} (n = {n}), solver {}",
            args.problem,
            solver_name(args.solver)
        );
        let _ = writeln!(out, "{}", table_header());
    }
    let mut callback = |rec: &IterationRecord| {
        if show_table {
            let _ = writeln!(std::io::stdout().lock(), "{}", rec.table_row());
        }
        ControlFlow::Continue(())
    };
    drop(out);
    let report: Report = match args.solver {
        SolverKind::Tr => TrustRegion::new(TrustRegionConfig {
            termination: term,
            preconditioning: precond,
            ..TrustRegionConfig::default()
        })
        .solve_with(obj, built.x0.view(), &mut callback)?,
        SolverKind::Linesearch => LineSearchNewtonCg::new(LineSearchConfig {
            termination: term,
            preconditioning: precond,
            ..LineSearchConfig::default()
        })
        .solve_with(obj, built.x0.view(), &mut callback)?,
        SolverKind::Dense => DenseNewton::new(DenseNewtonConfig {
            termination: term,
            ..DenseNewtonConfig::default()
        })
        .solve_with(obj, built.x0.view(), &mut callback)?,
    };
    if args.json {
        let j = JsonReport {
            problem: &args.problem,
            n,
            solver: report.solver,
            status: report.status,
            converged: report.status.is_converged(),
            f: report.f,
            f_star: built.f_star,
            grad_norm: report.grad_norm,
            grad_norm0: report.grad_norm0,
            iterations: report.iterations,
            evals: report.counts.evals,
            hvps: report.counts.hvps,
            cg_iterations: report.counts.cg_iterations,
            elapsed_s: report.elapsed.as_secs_f64(),
            history: &report.history,
            derivative_check: check_x0,
        };
        let s =
            serde_json::to_string(&j).map_err(|e| steihaug::Error::InvalidInput(e.to_string()))?;
        println!("{s}");
    } else {
        println!("{}", report.summary());
        if let Some(fs) = built.f_star {
            println!("known optimum f* = {fs:e}; f - f* = {:.3e}", report.f - fs);
        }
    }
    Ok(report.status.is_converged())
}

fn solver_name(s: SolverKind) -> &'static str {
    match s {
        SolverKind::Tr => "trust-region Newton-CG (Steihaug-Toint)",
        SolverKind::Linesearch => "line-search Newton-CG",
        SolverKind::Dense => "dense Newton",
    }
}
