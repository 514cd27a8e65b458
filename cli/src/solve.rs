//! `steihaug solve` (and the default run) and `steihaug problems`.

use std::cell::RefCell;
use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::rc::Rc;

use clap::ValueEnum;

use steihaug::derivatives::{check_derivatives, CheckOptions, DerivativeReport};
use steihaug::problems::bounded::{self, BOUNDED_PROBLEMS};
use steihaug::problems::registry::{self, Built, Size, PROBLEMS};
use steihaug::report::observe::{Observer, Observers, StopFlag};
use steihaug::report::table_header;
use steihaug::solvers::checkpoint::{Checkpoint, Checkpointing, JsonFile};
use steihaug::solvers::config::{
    DEFAULT_GAP_TOL, DEFAULT_GTOL_ABS, DEFAULT_GTOL_REL, DEFAULT_MAX_ITER,
};
use steihaug::{Iterate, Options, Preconditioning, Termination, TrustRegion};

use crate::json;
use crate::method::{self, SolverKind};
use crate::progress::{install_ctrlc, Progress};
use crate::strategy::{self, StrategyArgs};

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PrecondKind {
    /// No preconditioner.
    None,
    /// Jacobi (Hessian diagonal).
    Jacobi,
    /// The problem's own preconditioner, if it has one.
    Objective,
    /// Incomplete Cholesky IC(0) of the assembled Hessian (MINPACK-2
    /// problems); the problem's own preconditioner.
    Ic0,
    /// With `--solver tron`: relaxed modified IC(0) of the reduced Hessian
    /// on each face (ω from `--mic0-relax`), built from the 5-point stencil
    /// of `ept-bound`, `pjb-bound`, `dssc-c`; IC(0) on the other grids.
    Mic0,
    /// Smoothed-aggregation algebraic multigrid of the assembled Hessian
    /// (MINPACK-2 grid problems), one V-cycle per CG iteration.
    Amg,
}

/// What `--precond amg` keeps from one Newton step to the next.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum AmgReuseKind {
    /// Keep the aggregation and every sparsity pattern, refresh the values.
    Aggregation,
    /// A new hierarchy at every Newton step.
    Rebuild,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum HessianKind {
    /// Matrix-free Hessian-vector products.
    MatrixFree,
    /// Assembled sparse Hessian (grid problems).
    Assembled,
}

#[derive(clap::Args)]
pub struct SolveArgs {
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
    #[arg(long, default_value_t = DEFAULT_GTOL_REL)]
    gtol: f64,
    /// Absolute gradient tolerance.
    #[arg(long, default_value_t = DEFAULT_GTOL_ABS)]
    gtol_abs: f64,
    /// Gap tolerance: converged also needs the Newton-decrement estimate of
    /// f - f* at most gap_tol*max(1,|f|) (0: the gradient test alone).
    #[arg(long, default_value_t = DEFAULT_GAP_TOL)]
    gap_tol: f64,
    #[command(flatten)]
    strategy: StrategyArgs,
    /// Maximum outer iterations.
    #[arg(long, default_value_t = DEFAULT_MAX_ITER)]
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
    /// With `--precond amg`: what the hierarchy keeps across Newton steps.
    #[arg(long, value_enum, default_value = "aggregation")]
    amg_reuse: AmgReuseKind,
    /// With `--precond amg`: the strength threshold θ of the aggregation
    /// (|a_ij| ≥ θ·sqrt(a_ii a_jj) is a strong connection), in [0, 1).
    #[arg(long, default_value_t = steihaug::linalg::sparse::DEFAULT_THETA)]
    amg_theta: f64,
    /// With `--precond mic0`: the relaxation ω in [0, 1] (1 keeps the
    /// row sums, 0 is IC(0)).
    #[arg(long, default_value_t = steihaug::solvers::config::DEFAULT_MIC0_RELAX)]
    mic0_relax: f64,
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
    /// (feature `plot`, on by default).
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
    /// The run without a subcommand: extended Rosenbrock, its default n,
    /// trust region, default options.
    fn default() -> Self {
        Self {
            problem: "extended-rosenbrock".into(),
            n: None,
            nx: None,
            ny: None,
            solver: SolverKind::Tr,
            gtol: DEFAULT_GTOL_REL,
            gtol_abs: DEFAULT_GTOL_ABS,
            gap_tol: DEFAULT_GAP_TOL,
            strategy: StrategyArgs::default(),
            max_iter: DEFAULT_MAX_ITER,
            max_hvps: None,
            max_time: None,
            precond: PrecondKind::None,
            amg_reuse: AmgReuseKind::Aggregation,
            amg_theta: steihaug::linalg::sparse::DEFAULT_THETA,
            mic0_relax: steihaug::solvers::config::DEFAULT_MIC0_RELAX,
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

/// `steihaug problems`: one line per registered problem.
pub fn list_problems() {
    for p in PROBLEMS {
        outln!(
            "{:<22} default n = {:<9} {}",
            p.name,
            p.default_n,
            p.description
        );
    }
    for p in BOUNDED_PROBLEMS {
        outln!(
            "{:<22} default n = {:<9} {} (bounds; --solver tron)",
            p.name,
            p.default_n,
            p.description
        );
    }
}

/// The stopping rules from the arguments.
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
        gap_tol: args.gap_tol,
        max_iter: args.max_iter,
        max_hvps: args.max_hvps,
        max_time,
        ..Termination::default()
    })
}

/// The problem the arguments name, at the size they give, with its box
/// for the bounded problems.
fn build_problem(args: &SolveArgs) -> steihaug::Result<(Built, Option<steihaug::Bounds>)> {
    let mode = match args.hessian {
        HessianKind::MatrixFree => registry::HessianMode::MatrixFree,
        HessianKind::Assembled => registry::HessianMode::Assembled,
    };
    if bounded::is_bounded(&args.problem) {
        if args.solver != SolverKind::Tron {
            return Err(steihaug::Error::InvalidOption {
                name: "solver",
                reason: format!("{} has bounds: use --solver tron", args.problem),
            });
        }
        let size = Size {
            n: args.n,
            nx: args.nx,
            ny: args.ny,
        };
        let b = bounded::build_bounded(&args.problem, size, mode)?;
        let built = Built {
            objective: b.objective,
            x0: b.x0,
            f_star: b.f_star,
        };
        return Ok((built, Some(b.bounds)));
    }
    let built = registry::build_with(
        &args.problem,
        Size {
            n: args.n,
            nx: args.nx,
            ny: args.ny,
        },
        registry::BuildOptions { hessian: mode },
    )?;
    if matches!(
        args.precond,
        PrecondKind::Ic0 | PrecondKind::Mic0 | PrecondKind::Amg
    ) && !registry::GRID_PROBLEMS.contains(&args.problem.as_str())
    {
        let which = precond_name(args.precond);
        return Err(steihaug::Error::InvalidOption {
            name: "precond",
            reason: format!(
                "{which} is a preconditioner of the grid problems ({}); use objective or jacobi for {}",
                registry::GRID_PROBLEMS.join(", "),
                args.problem
            ),
        });
    }
    Ok((built, None))
}

/// The dimension the arguments ask for, before anything is allocated: `--n`,
/// the grid `--nx × --ny` (saturating), or the problem's default.
fn planned_dim(args: &SolveArgs) -> usize {
    let grid = match (args.nx, args.ny) {
        (Some(x), Some(y)) => Some(x.saturating_mul(y)),
        (Some(x), None) | (None, Some(x)) => Some(x),
        (None, None) => None,
    };
    let default = PROBLEMS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(&args.problem))
        .map_or(0, |p| p.default_n);
    args.n.or(grid).unwrap_or(default)
}

/// Every file the solve will write (`--report`, `--plot`, `--checkpoint`)
/// can be written: checked before the solve, so that an unwritable path
/// does not cost the solve or swallow its summary.
fn check_outputs(args: &SolveArgs) -> steihaug::Result<()> {
    for path in [&args.report, &args.plot, &args.checkpoint]
        .into_iter()
        .flatten()
    {
        steihaug::io::atomic::check_writable(path)?;
    }
    Ok(())
}

/// Refuses options that do not go together, before anything is printed.
fn check_combinations(args: &SolveArgs) -> steihaug::Result<()> {
    if args.precond == PrecondKind::Mic0 && args.solver != SolverKind::Tron {
        return Err(steihaug::Error::InvalidOption {
            name: "precond",
            reason:
                "mic0 is TRON's face preconditioner (--solver tron); use ic0 with the other solvers"
                    .into(),
        });
    }
    if args.checkpoint.is_some() && args.checkpoint_every == 0 {
        return Err(steihaug::Error::InvalidOption {
            name: "checkpoint-every",
            reason: "must be at least 1 (0 would never write the checkpoint)".into(),
        });
    }
    Ok(())
}

/// Refuses what needs the trust region or a feature of the build.
fn check_solver_options(args: &SolveArgs) -> steihaug::Result<()> {
    let s = &args.strategy;
    if args.resume.is_some()
        && (s.radius_init.is_some()
            || s.radius_rule.is_some()
            || s.forcing.is_some()
            || s.second_order.is_some()
            || s.subproblem.is_some())
    {
        return Err(steihaug::Error::InvalidOption {
            name: "resume",
            reason: "a resumed solve keeps the strategies its checkpoint was written with; drop --radius-init, --radius-rule, --forcing and --second-order".into(),
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
    Ok(())
}

/// The `--precond` value as written on the command line.
fn precond_name(p: PrecondKind) -> &'static str {
    match p {
        PrecondKind::None => "none",
        PrecondKind::Jacobi => "jacobi",
        PrecondKind::Objective => "objective",
        PrecondKind::Ic0 => "ic0",
        PrecondKind::Mic0 => "mic0",
        PrecondKind::Amg => "amg",
    }
}

/// Runs one solve; `Ok(converged)`.
pub fn solve(args: &SolveArgs, stop: &StopFlag) -> steihaug::Result<bool> {
    check_outputs(args)?;
    method::check_dim(args.solver.method(), planned_dim(args))?;
    let (built, bounds) = build_problem(args)?;
    let obj = &*built.objective;
    let n = built.x0.len();
    let term = termination(args)?;
    check_combinations(args)?;
    let precond = match args.precond {
        PrecondKind::None => Preconditioning::None,
        PrecondKind::Jacobi => Preconditioning::Jacobi,
        // TRON: IC(0) of the reduced Hessian on each face (MINPACK-2).
        PrecondKind::Ic0 if args.solver == SolverKind::Tron => Preconditioning::Ic0,
        PrecondKind::Mic0 => Preconditioning::Mic0 {
            relax: args.mic0_relax,
        },
        PrecondKind::Objective | PrecondKind::Ic0 => Preconditioning::Objective,
        PrecondKind::Amg => Preconditioning::Amg(steihaug::linalg::sparse::AmgConfig {
            reuse: match args.amg_reuse {
                AmgReuseKind::Aggregation => steihaug::linalg::sparse::AmgReuse::Aggregation,
                AmgReuseKind::Rebuild => steihaug::linalg::sparse::AmgReuse::Rebuild,
            },
            strength_theta: args.amg_theta,
            ..Default::default()
        }),
    };
    check_solver_options(args)?;
    let resume = args.resume.as_ref().map(Checkpoint::read).transpose()?;
    if let Some(cp) = &resume {
        // The stored base of the relative gradient test is checked against
        // ∇f at the problem's start point, the x0 of every command-line solve.
        cp.validate(n)?;
        cp.verify_start(obj, built.x0.view())?;
    }
    install_ctrlc(stop, "the report is still printed and written");

    let mut options = method::with_precond(Options::new(args.solver.method()), precond)?;
    *options.termination_mut() = term;
    args.strategy.apply(&mut options)?;
    if let (Some(cp), Options::TrustRegion(config)) = (&resume, &mut options) {
        *config = cp.resume_config(&term);
    }
    let check_x0 = derivative_check(args.check_derivatives, args.json, "at x0", || {
        check_derivatives(obj, built.x0.view(), &CheckOptions::default())
    })?;
    let show_bar =
        !args.quiet && std::io::stderr().is_terminal() && std::io::stdout().is_terminal();
    let progress = show_bar.then(|| Rc::new(RefCell::new(Progress::new())));
    let mut observers = Observers::new();
    if !args.json && !args.quiet {
        observers.push(table_printer(args, n, &options, progress.clone()));
    }
    if let Some(p) = &progress {
        let p = p.clone();
        observers.push(move |it: &Iterate<'_>| p.borrow_mut().observe(it));
    }
    observers.push(stop.clone());
    let mut callback = observers.callback();

    let mut sink = args.checkpoint.as_ref().map(JsonFile::new);
    let checkpointing = sink.as_mut().map(|s| Checkpointing {
        every: args.checkpoint_every,
        sink: s,
    });
    // Checkpoints are the trust region's (`check_solver_options`); every
    // other solve goes through the one dispatch.
    let report = match (&options, &resume, checkpointing) {
        (Options::TrustRegion(config), Some(cp), ck) => {
            TrustRegion::new(*config).resume_with(obj, cp, ck, &mut callback)?
        }
        (Options::TrustRegion(config), None, Some(ck)) => TrustRegion::new(*config)
            .solve_with_checkpoints(obj, built.x0.view(), ck, &mut callback)?,
        (options, _, _) => match &bounds {
            Some(b) => method::run_bounded(obj, built.x0.view(), b, options, &mut callback)?,
            None => method::run(obj, built.x0.view(), options, &mut callback)?,
        },
    };
    drop(callback);
    observers.finish(&report);
    if let Some(p) = &progress {
        p.borrow_mut().finish(&report);
    }
    let check_final = derivative_check(
        args.check_derivatives_final,
        args.json,
        "at the final x",
        || check_derivatives(obj, report.x.view(), &CheckOptions::default()),
    )?;
    if let Some(path) = &args.report {
        let text = report.to_json()?;
        steihaug::io::atomic::write_bytes(path, text.as_bytes())?;
    }
    if args.json {
        let mut fields = json::report_fields(&report)?;
        fields.insert("problem".into(), args.problem.clone().into());
        fields.insert("n".into(), n.into());
        fields.insert("f_star".into(), json::value(built.f_star));
        fields.insert("config".into(), method::options_json(&options));
        if let Some(r) = check_x0 {
            fields.insert("derivative_check".into(), json::value(r));
        }
        if let Some(r) = check_final {
            fields.insert("derivative_check_final".into(), json::value(r));
        }
        json::print(fields);
    } else {
        outln!("{}", report.summary());
        if let Some(fs) = built.f_star {
            outln!("known optimum f* = {fs:e}; f - f* = {:.3e}", report.f - fs);
        }
    }
    #[cfg(feature = "plot")]
    if let Some(path) = &args.plot {
        plot(args, n, &report, path);
    }
    Ok(report.status.is_converged())
}

/// Runs `check` when `wanted`, printing the verdict with `label` unless the
/// output is JSON.
fn derivative_check(
    wanted: bool,
    json: bool,
    label: &str,
    check: impl FnOnce() -> steihaug::Result<DerivativeReport>,
) -> steihaug::Result<Option<DerivativeReport>> {
    if !wanted {
        return Ok(None);
    }
    let r = check()?;
    if !json {
        outln!("{label}: {r}");
    }
    Ok(Some(r))
}

/// The per-iteration table: title and header come with the first row, so
/// that anything the solver rejects up front (options, a checkpoint that
/// does not fit) is reported before any table line.
fn table_printer(
    args: &SolveArgs,
    n: usize,
    options: &Options,
    progress: Option<Rc<RefCell<Progress>>>,
) -> impl FnMut(&Iterate<'_>) -> ControlFlow<()> {
    let strategies = strategy::describe(options).map_or(String::new(), |s| format!("\n{s}"));
    let precond = precond_name(args.precond);
    let mut header = Some(format!(
        "problem {} (n = {n}), solver {}, precond {precond}{strategies}\n{}",
        args.problem,
        args.solver.title(),
        table_header()
    ));
    move |rec: &Iterate<'_>| {
        let line = match header.take() {
            Some(h) => format!("{h}\n{}", rec.table_row()),
            None => rec.table_row(),
        };
        match &progress {
            Some(p) => p.borrow().println(&line),
            None => crate::output::line(&line),
        }
        ControlFlow::Continue(())
    }
}

/// `--plot FILE.svg`. The solve's output is already printed: a plot that
/// cannot be drawn (no iterations, an unwritable path) is a warning.
#[cfg(feature = "plot")]
fn plot(args: &SolveArgs, n: usize, report: &steihaug::Report, path: &std::path::Path) {
    let options = steihaug::report::plot::PlotOptions {
        title: Some(format!(
            "{} (n = {n}), {}: {} after {} iterations",
            args.problem,
            args.solver.title(),
            report.status,
            report.iterations
        )),
        f_star: None,
        ..Default::default()
    };
    if let Err(e) = steihaug::report::plot::convergence_svg(report, &options, path) {
        errln!(
            "steihaug: warning: no plot written to {}: {e}",
            path.display()
        );
    }
}
