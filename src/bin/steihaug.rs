//! The `steihaug` command line.
//!
//! * `steihaug` — solves the default problem (extended Rosenbrock,
//!   n = 1,000,000) with the trust-region Newton-CG solver and prints a
//!   per-iteration table and a summary;
//! * `steihaug solve --problem NAME [--n N] [--solver tr|linesearch|dense]
//!   [--nx NX --ny NY] [--hessian matrix-free|assembled]
//!   [--precond none|jacobi|objective|ic0] [--gtol X] [--max-iter K] [--json]
//!   [--check-derivatives] [--report FILE] [--plot FILE.svg]
//!   [--checkpoint FILE [--checkpoint-every K]] [--resume FILE] [--quiet]`
//!   — any registered problem; grid problems (MINPACK-2 msa, ept, ssc, odc,
//!   pjb) take a grid and a Hessian mode; `ic0` is the problem's own
//!   preconditioner, IC(0) of the assembled Hessian;
//! * `steihaug problems` — the list of problems;
//! * `steihaug train DATA [-c C] [-e EPS] [--threads N] [-o MODEL]` — L2
//!   logistic regression (LIBLINEAR `-s 0`: ½‖w‖² + C Σ log(1+e^{−y wᵀx}))
//!   on a LIBSVM file with LIBLINEAR's stopping rule, one progress line per
//!   Newton iteration (objective, ‖g‖, CG iterations, radius), and a model
//!   file in LIBLINEAR's format (default `DATA.model`);
//! * `steihaug predict DATA MODEL` — accuracy of a model on a LIBSVM file;
//! * `steihaug gen-data --rows L --cols N --nnz-per-row K --seed S -o FILE` —
//!   rcv1-shaped synthetic data, the same bytes for the same arguments.
//!
//! A progress bar (iteration, f, |g|, HVPs) appears on stderr when a solve
//! runs longer than a second, unless stderr or stdout is not a terminal or
//! `--quiet` is given. Ctrl-C stops the solve at the end of the current
//! iteration (status `stopped_by_user`) and the report is still printed and
//! written; a second Ctrl-C exits at once with status 130.
//!
//! Exit status: 0 when the solve converged, 3 when it ended otherwise (the
//! status says why), 2 for bad arguments, 1 for any other error.

use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

use steihaug::derivatives::{check_derivatives, CheckOptions, DerivativeReport};
use steihaug::problems::registry::{self, Size, PROBLEMS};
use steihaug::report::observe::{Observer, Observers, StopFlag};
use steihaug::report::table_header;
use steihaug::solvers::checkpoint::{Checkpoint, Checkpointing, JsonFile};
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
    Solve(Box<SolveArgs>),
    /// List the built-in problems.
    Problems,
    /// Train L2-regularized logistic regression (LIBLINEAR -s 0) on a LIBSVM file.
    Train(TrainArgs),
    /// Print the accuracy of a model on a LIBSVM file.
    Predict(PredictArgs),
    /// Write rcv1-shaped synthetic data (LIBSVM format), deterministic in the seed.
    GenData(GenDataArgs),
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Training data in LIBSVM format (labels: any two values).
    data: std::path::PathBuf,
    /// Loss weight C in 1/2|w|^2 + C sum log(1 + exp(-y w.x)).
    #[arg(short = 'c', default_value_t = 1.0)]
    c: f64,
    /// LIBLINEAR stopping tolerance: |g| <= eps*max(min(#pos,#neg),1)/l*|g(0)|.
    #[arg(short = 'e', default_value_t = steihaug::problems::sparse_logistic::LIBLINEAR_EPS)]
    eps: f64,
    /// Worker threads (default: rayon's default, one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Model file (default: DATA.model in the current directory, as LIBLINEAR).
    #[arg(short = 'o')]
    model: Option<std::path::PathBuf>,
    /// Solver.
    #[arg(long, value_enum, default_value = "tr")]
    solver: SolverKind,
    /// Number of data shards (default: from the data size; results do not depend on threads).
    #[arg(long)]
    shards: Option<usize>,
    /// Maximum Newton iterations.
    #[arg(long, default_value_t = steihaug::solvers::config::DEFAULT_MAX_ITER)]
    max_iter: usize,
    /// Do not print per-iteration lines.
    #[arg(long)]
    quiet: bool,
}

#[derive(clap::Args)]
struct PredictArgs {
    /// Test data in LIBSVM format.
    data: std::path::PathBuf,
    /// Model file written by `steihaug train` (or LIBLINEAR -s 0).
    model: std::path::PathBuf,
}

#[derive(clap::Args)]
struct GenDataArgs {
    /// Number of rows.
    #[arg(long)]
    rows: usize,
    /// Number of columns.
    #[arg(long)]
    cols: usize,
    /// Mean nonzeros per row (Poisson).
    #[arg(long)]
    nnz_per_row: f64,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Fraction of flipped labels.
    #[arg(long, default_value_t = 0.05)]
    flip: f64,
    /// Output file.
    #[arg(short = 'o')]
    output: std::path::PathBuf,
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
    #[arg(long, default_value_t = steihaug::solvers::config::DEFAULT_GTOL_REL)]
    gtol: f64,
    /// Absolute gradient tolerance.
    #[arg(long, default_value_t = steihaug::solvers::config::DEFAULT_GTOL_ABS)]
    gtol_abs: f64,
    /// Maximum outer iterations.
    #[arg(long, default_value_t = steihaug::solvers::config::DEFAULT_MAX_ITER)]
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
    /// Do not print the per-iteration table or the progress bar.
    #[arg(long)]
    quiet: bool,
    /// Write the full report (x, history, counts) as JSON to FILE; it reads
    /// back with `Report::from_json`.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Draw |g| and f - f_best against iterations and HVPs into FILE.svg
    /// (feature `plot`, part of the default `cli`).
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
    /// Trust region only: save a JSON checkpoint to FILE every
    /// --checkpoint-every iterations.
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Iterations between checkpoints.
    #[arg(long, default_value_t = 10, value_name = "K")]
    checkpoint_every: usize,
    /// Trust region only: continue from a checkpoint FILE (with the options
    /// it was written with, except the iteration and time budgets given
    /// here); the problem arguments must describe the same problem.
    #[arg(long, value_name = "FILE")]
    resume: Option<PathBuf>,
    /// Before solving, compare the problem's gradient and Hessian-vector
    /// products with finite differences at x0 and print the verdict.
    #[arg(long)]
    check_derivatives: bool,
    /// After solving, run the same check at the final iterate (less
    /// conclusive where ∇f is small; the report counts the components it
    /// could not decide).
    #[arg(long)]
    check_derivatives_final: bool,
}

impl Default for SolveArgs {
    fn default() -> Self {
        Self {
            problem: "extended-rosenbrock".into(),
            n: None,
            nx: None,
            ny: None,
            solver: SolverKind::Tr,
            gtol: steihaug::solvers::config::DEFAULT_GTOL_REL,
            gtol_abs: steihaug::solvers::config::DEFAULT_GTOL_ABS,
            max_iter: steihaug::solvers::config::DEFAULT_MAX_ITER,
            max_hvps: None,
            max_time: None,
            precond: PrecondKind::None,
            hessian: HessianKind::MatrixFree,
            json: false,
            quiet: false,
            report: None,
            plot: None,
            checkpoint: None,
            checkpoint_every: 10,
            resume: None,
            check_derivatives: false,
            check_derivatives_final: false,
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
    #[serde(rename = "cg_iterations")]
    krylov_iterations: u64,
    elapsed_s: f64,
    history: &'a [IterationRecord],
    /// The solver's options (its configuration type, serialized).
    config: serde_json::Value,
    /// The `--check-derivatives` report at x0.
    #[serde(skip_serializing_if = "Option::is_none")]
    derivative_check: Option<DerivativeReport>,
    /// The `--check-derivatives-final` report at the last iterate.
    #[serde(skip_serializing_if = "Option::is_none")]
    derivative_check_final: Option<DerivativeReport>,
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
    let stop = StopFlag::new();
    let result = match cli.command {
        None => solve(&SolveArgs::default(), &stop),
        Some(Command::Solve(args)) => solve(&args, &stop),
        Some(Command::Problems) => {
            for p in PROBLEMS {
                println!(
                    "{:<22} default n = {:<9} {}",
                    p.name, p.default_n, p.description
                );
            }
            Ok(true)
        }
        Some(Command::Train(args)) => train(&args),
        Some(Command::Predict(args)) => predict(&args),
        Some(Command::GenData(args)) => gen_data(&args),
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
        Some(t) if t.is_finite() && t >= 0.0 => {
            // Beyond what a Duration holds (~5.8e11 years): no limit.
            std::time::Duration::try_from_secs_f64(t).ok()
        }
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

/// Ctrl-C sets `stop`; the solve ends at the end of the current iteration.
/// A second Ctrl-C exits at once.
fn install_ctrlc(stop: &StopFlag) {
    let flag = stop.clone();
    let res = ctrlc::set_handler(move || {
        if flag.is_stop_requested() {
            std::process::exit(130);
        }
        flag.request_stop();
        eprintln!("\nsteihaug: interrupted; stopping at the end of this iteration (Ctrl-C again to quit now)");
    });
    if let Err(e) = res {
        eprintln!("steihaug: warning: cannot install the Ctrl-C handler: {e}");
    }
}

/// A progress bar on stderr that appears once a solve has run for
/// [`PROGRESS_DELAY`].
struct Progress {
    bar: indicatif::ProgressBar,
    start: Instant,
    shown: bool,
}

/// Runs shorter than this show no bar.
const PROGRESS_DELAY: Duration = Duration::from_secs(1);

impl Progress {
    fn new() -> Self {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        Self {
            bar,
            start: Instant::now(),
            shown: false,
        }
    }

    /// Prints a line above the bar (or plainly while it is hidden).
    fn println(&self, line: &str) {
        if self.shown {
            self.bar.suspend(|| println!("{line}"));
        } else {
            println!("{line}");
        }
    }
}

impl Observer for Progress {
    fn observe(&mut self, r: &steihaug::Iterate<'_>) -> ControlFlow<()> {
        if !self.shown && self.start.elapsed() >= PROGRESS_DELAY {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(200));
            self.shown = true;
        }
        self.bar.set_message(format!(
            "iter {:>5}  f {:.6e}  |g| {:.3e}  hvps {}",
            r.iter, r.f, r.grad_norm, r.hvps
        ));
        ControlFlow::Continue(())
    }

    fn finish(&mut self, _report: &Report) {
        self.bar.finish_and_clear();
    }
}

/// Runs one solve; `Ok(converged)`.
fn solve(args: &SolveArgs, stop: &StopFlag) -> steihaug::Result<bool> {
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
    if args.checkpoint.is_some() && args.checkpoint_every == 0 {
        return Err(steihaug::Error::InvalidOption {
            name: "checkpoint-every",
            reason: "must be at least 1 (0 would never write the checkpoint)".into(),
        });
    }
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
    if args.solver != SolverKind::Tr && (args.checkpoint.is_some() || args.resume.is_some()) {
        return Err(steihaug::Error::InvalidOption {
            name: "checkpoint",
            reason:
                "checkpoints are written and resumed by the trust-region solver (--solver tr) only"
                    .into(),
        });
    }
    #[cfg(not(feature = "plot"))]
    if args.plot.is_some() {
        return Err(steihaug::Error::InvalidOption {
            name: "plot",
            reason: "this build has no plots; rebuild with `--features plot`".into(),
        });
    }
    let resume = args.resume.as_ref().map(Checkpoint::read).transpose()?;
    install_ctrlc(stop);

    let show_table = !args.json && !args.quiet;
    let show_bar =
        !args.quiet && std::io::stderr().is_terminal() && std::io::stdout().is_terminal();
    let check_x0 = if args.check_derivatives {
        let r = check_derivatives(obj, built.x0.view(), &CheckOptions::default())?;
        if !args.json {
            println!("at x0: {r}");
        }
        Some(r)
    } else {
        None
    };
    let progress = show_bar.then(|| std::rc::Rc::new(std::cell::RefCell::new(Progress::new())));
    let mut observers = Observers::new();
    if show_table {
        let progress = progress.clone();
        // The title and header come with the first row, so that anything the
        // solver rejects up front (options, a checkpoint that does not fit)
        // is reported before any table line.
        let mut header = Some(format!(
            "problem {} (n = {n}), solver {}\n{}",
            args.problem,
            solver_name(args.solver),
            table_header()
        ));
        observers.push(move |rec: &steihaug::Iterate| {
            let line = match header.take() {
                Some(h) => format!("{h}\n{}", rec.table_row()),
                None => rec.table_row(),
            };
            match &progress {
                Some(p) => p.borrow().println(&line),
                None => {
                    let _ = writeln!(std::io::stdout().lock(), "{line}");
                }
            }
            ControlFlow::Continue(())
        });
    }
    if let Some(p) = &progress {
        let p = p.clone();
        observers.push(move |rec: &steihaug::Iterate| p.borrow_mut().observe(rec));
    }
    observers.push(stop.clone());
    let mut callback = observers.callback();
    // The options the solve ran with, for `--json`.
    let config_json: serde_json::Value;
    let report: Report = match args.solver {
        SolverKind::Tr => {
            let mut config = TrustRegionConfig {
                termination: term,
                preconditioning: precond,
                ..TrustRegionConfig::default()
            };
            if let Some(cp) = &resume {
                // The checkpoint's options, with this run's budgets.
                config = TrustRegionConfig {
                    termination: Termination {
                        max_iter: term.max_iter,
                        max_hvps: term.max_hvps,
                        max_evals: term.max_evals,
                        max_time: term.max_time,
                        ..cp.config.termination
                    },
                    ..cp.config
                };
            }
            config_json = serde_json::to_value(config).unwrap_or_default();
            let solver = TrustRegion::new(config);
            let mut sink = args.checkpoint.as_ref().map(JsonFile::new);
            let checkpointing = sink.as_mut().map(|s| Checkpointing {
                every: args.checkpoint_every,
                sink: s,
            });
            match (&resume, checkpointing) {
                (Some(cp), ck) => solver.resume_with(obj, cp, ck, &mut callback)?,
                (None, Some(ck)) => {
                    solver.solve_with_checkpoints(obj, built.x0.view(), ck, &mut callback)?
                }
                (None, None) => solver.solve_with(obj, built.x0.view(), &mut callback)?,
            }
        }
        SolverKind::Linesearch => {
            let config = LineSearchConfig {
                termination: term,
                preconditioning: precond,
                ..LineSearchConfig::default()
            };
            config_json = serde_json::to_value(config).unwrap_or_default();
            LineSearchNewtonCg::new(config).solve_with(obj, built.x0.view(), &mut callback)?
        }
        SolverKind::Dense => {
            let config = DenseNewtonConfig {
                termination: term,
                ..DenseNewtonConfig::default()
            };
            config_json = serde_json::to_value(config).unwrap_or_default();
            DenseNewton::new(config).solve_with(obj, built.x0.view(), &mut callback)?
        }
    };
    drop(callback);
    observers.finish(&report);
    if let Some(p) = &progress {
        p.borrow_mut().finish(&report);
    }
    let check_final = if args.check_derivatives_final {
        let r = check_derivatives(obj, report.x.view(), &CheckOptions::default())?;
        if !args.json {
            println!("at the final x: {r}");
        }
        Some(r)
    } else {
        None
    };
    if let Some(path) = &args.report {
        let json = report.to_json()?;
        std::fs::write(path, json).map_err(|e| {
            steihaug::Error::InvalidInput(format!("cannot write {}: {e}", path.display()))
        })?;
    }
    if args.json {
        let j = JsonReport {
            problem: &args.problem,
            n,
            solver: report.solver.as_str(),
            status: report.status,
            converged: report.status.is_converged(),
            f: report.f,
            f_star: built.f_star,
            grad_norm: report.grad_norm,
            grad_norm0: report.grad_norm0,
            iterations: report.iterations,
            evals: report.counts.evals,
            hvps: report.counts.hvps,
            krylov_iterations: report.counts.krylov_iterations,
            elapsed_s: report.elapsed.as_secs_f64(),
            history: &report.history,
            config: config_json,
            derivative_check: check_x0,
            derivative_check_final: check_final,
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
    #[cfg(feature = "plot")]
    if let Some(path) = &args.plot {
        let options = steihaug::report::plot::PlotOptions {
            title: Some(format!(
                "{} (n = {n}), {}: {} after {} iterations",
                args.problem,
                solver_name(args.solver),
                report.status,
                report.iterations
            )),
            f_star: None,
            ..Default::default()
        };
        // The solve's output is already printed: a plot that cannot be
        // drawn (no iterations, an unwritable path) is a warning.
        if let Err(e) = steihaug::report::plot::convergence_svg(&report, &options, path) {
            eprintln!(
                "steihaug: warning: no plot written to {}: {e}",
                path.display()
            );
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

/// An error with the file it came from: the path is added (as an
/// `InvalidInput` naming the file) only when the message lacks it; an error
/// that already names its file keeps its own kind.
fn in_file(path: &std::path::Path, e: steihaug::Error) -> steihaug::Error {
    let shown = path.display().to_string();
    if e.to_string().contains(&shown) {
        e
    } else {
        steihaug::Error::InvalidInput(format!("{shown}: {e}"))
    }
}

/// More threads than this is a typo, not a machine.
const MAX_THREADS: usize = 1024;

/// `steihaug train`: LIBLINEAR's -s 0 problem and stopping rule.
fn train(args: &TrainArgs) -> steihaug::Result<bool> {
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(t) = args.threads {
            if t == 0 || t > MAX_THREADS {
                return Err(steihaug::Error::InvalidOption {
                    name: "threads",
                    reason: format!("must be between 1 and {MAX_THREADS}, got {t}"),
                });
            }
            b = b.num_threads(t);
        }
        b.build()
            .map_err(|e| steihaug::Error::InvalidInput(format!("thread pool: {e}")))?
    };
    pool.install(|| train_in_pool(args, pool.current_num_threads()))
}

fn train_in_pool(args: &TrainArgs, threads: usize) -> steihaug::Result<bool> {
    use std::sync::Arc;
    use steihaug::io::{read_libsvm_file, LinearModel};
    use steihaug::problems::sparse_logistic::{
        default_shard_count, l2_logistic_with_shards, liblinear_gtol, BinaryDataset,
    };
    use steihaug::{InitialRadius, RadiusRule};

    let t_read = std::time::Instant::now();
    let data = Arc::new(BinaryDataset::from_libsvm(
        read_libsvm_file(&args.data).map_err(|e| in_file(&args.data, e))?,
    )?);
    let read_s = t_read.elapsed().as_secs_f64();
    let (l, n, nnz) = (data.rows(), data.cols(), data.x().nnz());
    let (pos, neg) = data.class_counts();
    let shards = args
        .shards
        .unwrap_or_else(|| default_shard_count(l, nnz, n));
    let obj = l2_logistic_with_shards(data.clone(), args.c, shards)?;
    let t_solve = std::time::Instant::now();
    let gtol = liblinear_gtol(&obj, &data, args.eps)?;
    let term = Termination {
        gtol_abs: gtol,
        gtol_rel: 0.0,
        max_iter: args.max_iter,
        ..Termination::default()
    };
    if !args.quiet {
        println!(
            "data {}: l = {l}, n = {n}, nnz = {nnz}, +{pos}/-{neg}; read in {read_s:.2} s",
            args.data.display()
        );
        println!(
            "C = {}, eps = {} (|g| <= {gtol:.6e}), {threads} threads, {} shards, solver {}",
            args.c,
            args.eps,
            obj.shards().len(),
            solver_name(args.solver)
        );
        println!(
            "{:>5} {:>22} {:>10} {:>5} {:>10} {:>10} {:>8}",
            "iter", "objective", "|g|", "cg", "radius", "ratio/step", "time s"
        );
    }
    let quiet = args.quiet;
    let mut callback = |rec: &steihaug::Iterate| {
        if !quiet {
            println!(
                "{:>5} {:>22.14e} {:>10.3e} {:>5} {:>10.3e} {:>10.3e} {:>8.3}{}",
                rec.iter,
                rec.f,
                rec.grad_norm,
                rec.krylov_iterations,
                rec.radius,
                rec.ratio_or_alpha(),
                rec.elapsed_s,
                if rec.accepted { "" } else { "  rejected" }
            );
        }
        ControlFlow::Continue(())
    };
    let w0 = ndarray::Array1::zeros(n);
    let report = match args.solver {
        SolverKind::Tr => TrustRegion::new(TrustRegionConfig {
            termination: term,
            preconditioning: Preconditioning::Objective,
            radius_rule: RadiusRule::Tron,
            initial_radius: InitialRadius::GradientNorm(1.0),
            ..TrustRegionConfig::default()
        })
        .solve_with(&obj, w0.view(), &mut callback)?,
        SolverKind::Linesearch => LineSearchNewtonCg::new(LineSearchConfig {
            termination: term,
            preconditioning: Preconditioning::Objective,
            ..LineSearchConfig::default()
        })
        .solve_with(&obj, w0.view(), &mut callback)?,
        SolverKind::Dense => {
            if n > 20_000 {
                return Err(steihaug::Error::InvalidOption {
                    name: "solver",
                    reason: format!("dense Newton needs an n x n matrix; n = {n} is too large"),
                });
            }
            DenseNewton::new(DenseNewtonConfig {
                termination: term,
                ..DenseNewtonConfig::default()
            })
            .solve_with(&obj, w0.view(), &mut callback)?
        }
    };
    let solve_s = t_solve.elapsed().as_secs_f64();
    println!("{}", report.summary());
    println!(
        "objective {:.15e} |g| {:.6e} newton_iters {} cg_iters {} solve_s {:.3} read_s {:.3} threads {threads}",
        report.f, report.grad_norm, report.iterations, report.counts.krylov_iterations, solve_s, read_s
    );
    let model_path = args.model.clone().unwrap_or_else(|| {
        let name = args
            .data
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "data".into());
        std::path::PathBuf::from(format!("{name}.model"))
    });
    LinearModel::logistic(report.x.to_vec(), data.label_pos(), data.label_neg())
        .write_file(&model_path)
        .map_err(|e| in_file(&model_path, e))?;
    println!("model written to {}", model_path.display());
    Ok(report.status.is_converged())
}

/// `steihaug predict`: accuracy of a model.
fn predict(args: &PredictArgs) -> steihaug::Result<bool> {
    let model =
        steihaug::io::LinearModel::read_file(&args.model).map_err(|e| in_file(&args.model, e))?;
    let data = steihaug::io::read_libsvm_file(&args.data).map_err(|e| in_file(&args.data, e))?;
    let acc = model.accuracy(&data.x, &data.labels)?;
    let hits = (acc * data.labels.len() as f64).round() as usize;
    println!(
        "Accuracy = {:.4}% ({hits}/{})",
        100.0 * acc,
        data.labels.len()
    );
    Ok(true)
}

/// `steihaug gen-data`: rcv1-shaped synthetic data.
fn gen_data(args: &GenDataArgs) -> steihaug::Result<bool> {
    let mut spec = steihaug::problems::datagen::Rcv1Shaped::new(
        args.rows,
        args.cols,
        args.nnz_per_row,
        args.seed,
    );
    spec.flip = args.flip;
    spec.validate()?;
    let f = std::fs::File::create(&args.output)
        .map_err(|e| steihaug::Error::Io(format!("{}: {e}", args.output.display())))?;
    let t = std::time::Instant::now();
    let nnz = spec.write_libsvm(std::io::BufWriter::with_capacity(1 << 20, f))?;
    println!(
        "wrote {} rows x {} cols, {nnz} nonzeros (rcv1-shaped synthetic, seed {}) to {} in {:.2} s",
        args.rows,
        args.cols,
        args.seed,
        args.output.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(true)
}
