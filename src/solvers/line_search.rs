//! Line-search Newton-CG (truncated Newton) and the Armijo backtracking it
//! shares with dense Newton.
//!
//! Each iteration (Nocedal & Wright 2006, Algorithm 7.1): CG on `H p = −g`
//! with the same forcing term as the trust-region solver; at negative or zero
//! curvature CG returns its current iterate, or the steepest-descent
//! direction −g (−M⁻¹g when preconditioned) if that happens at the first CG
//! iteration. Then a backtracking line search (N&W Algorithm 3.1) from
//! α = 1 halves α until the Armijo condition
//! `f(x + αp) ≤ f(x) + c₁ α gᵀp` holds; a non-finite trial value counts as
//! a failure of the condition, so the search backtracks out of the region
//! where f is undefined.
//!
//! Near a minimizer the decrease `c₁ α |gᵀp|` falls below the rounding
//! error of f, and comparing f values is noise (`reference/pitfalls.md` §4,
//! the line-search twin of the trust-region κ = 1 rule). When both
//! `|α gᵀp|` and `|f(x + αp) − f(x)|` are below `ε^(2/3)·max(1, |f|)`, a
//! step is also accepted if the directional derivative satisfies
//! `∇f(x + αp)ᵀp ≤ (2c₁ − 1)·gᵀp`, which for a quadratic along p is the
//! Armijo condition itself, written with gradients (Hager & Zhang 2005,
//! "approximate Wolfe" conditions).

use ndarray::{Array1, ArrayView1};

use crate::error::{check_dim, Result};
use crate::krylov::steihaug::steihaug_trial;
use crate::krylov::{KrylovWorkspace, SteihaugParams, Truncation};
use crate::linalg::operator::LinearOperator;
use crate::linalg::precond::{Jacobi, Preconditioner};
use crate::linalg::vecops::axpy_into;
use crate::problem::objective::Objective;
use crate::report::observe::{no_callback, Callback};
use crate::report::status::{KrylovExit, Status};
use crate::report::{IterationRecord, Report};
use crate::solvers::config::{in_open_unit, KrylovConfig, Preconditioning, Termination};
use crate::solvers::state::Run;

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
}

impl Default for ArmijoConfig {
    fn default() -> Self {
        Self {
            c1: DEFAULT_C1,
            backtrack: DEFAULT_BACKTRACK,
            max_backtracks: DEFAULT_MAX_BACKTRACKS,
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

/// Outcome of one backtracking search.
pub(crate) enum Search {
    /// Accepted α; x, g, f, gnorm in `run` are updated.
    Accepted { alpha: f64, df: f64 },
    /// No acceptable α (the run is left at the old point).
    Failed(Status),
}

/// Backtracking from α = 1 along `p` (a descent direction, `gp = gᵀp < 0`).
/// On success swaps the trial point into `run`.
pub(crate) fn armijo<O: Objective + ?Sized>(
    obj: &O,
    run: &mut Run<'_>,
    p: ArrayView1<'_, f64>,
    gp: f64,
    cfg: &ArmijoConfig,
    x_trial: &mut Array1<f64>,
    g_trial: &mut Array1<f64>,
) -> Search {
    let mut alpha = 1.0;
    for k in 0..=cfg.max_backtracks {
        if !run.eval_allowed() {
            return Search::Failed(Status::MaxEvaluations);
        }
        // The time limit also holds between backtracks (up to 61 of them).
        if k > 0 && run.time_up() {
            return Search::Failed(Status::TimeLimit);
        }
        axpy_into(
            run.partials.par(),
            run.x.view(),
            alpha,
            p,
            x_trial.view_mut(),
        );
        let ft = obj.value_grad(x_trial.view(), g_trial.view_mut());
        run.counts.evals += 1;
        let (gnorm_trial, g_finite) = run.norm_finite(g_trial.view());
        let finite = ft.is_finite() && g_finite;
        let armijo_holds = ft <= run.f + cfg.c1 * alpha * gp;
        let noise = f64::EPSILON.powf(2.0 / 3.0) * run.f.abs().max(1.0);
        let round_off = (alpha * gp).abs() <= noise && (ft - run.f).abs() <= noise;
        if finite && (armijo_holds || (round_off && g_trial.dot(&p) <= (2.0 * cfg.c1 - 1.0) * gp)) {
            let df = run.f - ft;
            std::mem::swap(&mut run.x, x_trial);
            std::mem::swap(&mut run.g, g_trial);
            run.f = ft;
            run.gnorm = gnorm_trial;
            return Search::Accepted { alpha, df };
        }
        alpha *= cfg.backtrack;
    }
    Search::Failed(Status::LineSearchFailed)
}

/// Options of [`LineSearchNewtonCg`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
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
}

impl LineSearchConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        self.termination.validate()?;
        self.krylov.validate()?;
        self.line_search.validate()
    }
}

/// Line-search Newton-CG (truncated Newton).
///
/// ```
/// use steihaug::{problems::Rosenbrock, LineSearchNewtonCg};
/// let report = LineSearchNewtonCg::default()
///     .solve(&Rosenbrock, ndarray::array![-1.2, 1.0].view())
///     .unwrap();
/// assert!(report.status.is_converged());
/// assert!((report.x[0] - 1.0).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LineSearchNewtonCg {
    /// The options.
    pub config: LineSearchConfig,
}

impl LineSearchNewtonCg {
    /// A solver with the given options.
    pub fn new(config: LineSearchConfig) -> Self {
        Self { config }
    }

    /// Minimizes `obj` from `x0`.
    pub fn solve<O: Objective + ?Sized>(&self, obj: &O, x0: ArrayView1<'_, f64>) -> Result<Report> {
        self.solve_with(obj, x0, &mut no_callback)
    }

    /// Minimizes `obj` from `x0`, calling `callback` after every iteration.
    pub fn solve_with<O: Objective + ?Sized>(
        &self,
        obj: &O,
        x0: ArrayView1<'_, f64>,
        callback: &mut Callback<'_>,
    ) -> Result<Report> {
        let cfg = &self.config;
        cfg.validate()?;
        let mut run = Run::start(obj, x0, &cfg.termination)?;
        let status = self.iterate(obj, &mut run, callback)?;
        Ok(run.finish("line_search", status))
    }

    fn iterate<O: Objective + ?Sized>(
        &self,
        obj: &O,
        run: &mut Run<'_>,
        callback: &mut Callback<'_>,
    ) -> Result<Status> {
        let cfg = &self.config;
        let n = run.n();
        let mut ws = KrylovWorkspace::new(n).with_par(cfg.krylov.par);
        run.set_par(cfg.krylov.par);
        let mut p = Array1::<f64>::zeros(n);
        let mut x_trial = Array1::<f64>::zeros(n);
        let mut g_trial = Array1::<f64>::zeros(n);
        let mut diag = Array1::<f64>::zeros(if cfg.preconditioning == Preconditioning::Jacobi {
            n
        } else {
            0
        });
        let mut jacobi: Option<Jacobi> = None;
        let cg_cap = cfg.krylov.cap(n);
        let mut nonfinite_cg = 0usize;

        loop {
            if run.gradient_converged() {
                return Ok(Status::Converged);
            }
            if let Some(s) = run.budget_exhausted() {
                return Ok(s);
            }
            let h = obj.hessian(run.x.view());
            crate::linalg::operator::check_square("Hessian operator", n, &h)?;
            run.counts.hessians += 1;
            let objective_precond;
            let precond: Option<&dyn Preconditioner> = match cfg.preconditioning {
                Preconditioning::None => None,
                Preconditioning::Jacobi => {
                    if h.diagonal(diag.view_mut()) {
                        match jacobi.as_mut() {
                            Some(j) => j.update(diag.view())?,
                            None => jacobi = Some(Jacobi::new(diag.view())?),
                        }
                        jacobi.as_ref().map(|j| j as &dyn Preconditioner)
                    } else {
                        None
                    }
                }
                Preconditioning::Objective => {
                    objective_precond = obj.preconditioner(run.x.view(), &h);
                    if let Some(m) = &objective_precond {
                        check_dim("preconditioner", n, m.dim())?;
                    }
                    objective_precond.as_deref()
                }
            };
            let params = SteihaugParams {
                truncation: Truncation::LineSearch,
                eta: cfg.krylov.forcing.eta(run.gnorm),
                max_iter: cg_cap.min(usize::try_from(run.hvps_left()).unwrap_or(usize::MAX)),
                curvature_eps: cfg.krylov.curvature_eps,
                deadline: run.deadline,
            };
            let info = steihaug_trial(
                &h,
                precond,
                run.g.view(),
                &params,
                &mut ws,
                p.view_mut(),
                None,
            );
            run.counts.hvps += info.iterations as u64;
            run.counts.krylov_iterations += info.iterations as u64;
            run.iter += 1;

            let mut stop = None;
            if info.exit == KrylovExit::NonFinite {
                nonfinite_cg += 1;
                if nonfinite_cg >= 5 {
                    stop = Some(Status::NonFiniteHessian);
                }
            } else {
                nonfinite_cg = 0;
            }
            let mut gp = info.grad_dot_step;
            let mut step_norm = info.step_norm;
            if stop.is_none() && (gp >= 0.0 || !gp.is_finite()) {
                // No usable Newton-CG direction (zero step from a failed CG
                // run, or an ascent direction from an inexact solve): use −g.
                stop = match info.exit {
                    KrylovExit::TimeLimit => Some(Status::TimeLimit),
                    KrylovExit::MaxIterations if run.hvps_left() == 0 => Some(Status::MaxHvps),
                    _ => None,
                };
                ndarray::Zip::from(&mut p)
                    .and(&run.g)
                    .for_each(|p, &g| *p = -g);
                gp = -run.gnorm * run.gnorm;
                step_norm = run.gnorm;
            }
            if let Some(status) = stop {
                // The iteration did work (and counted it): record it, without
                // a step, so that the history has one record per iteration.
                let record = IterationRecord {
                    krylov_iterations: info.iterations,
                    krylov_exit: Some(info.exit),
                    ..run.blank_record()
                };
                if let Some(s) = run.record(record, callback) {
                    return Ok(s);
                }
                return Ok(status);
            }
            let outcome = armijo(
                obj,
                run,
                p.view(),
                gp,
                &cfg.line_search,
                &mut x_trial,
                &mut g_trial,
            );
            let (accepted, alpha, status) = match outcome {
                Search::Accepted { alpha, df } => {
                    let stall = if run.gradient_converged() {
                        None
                    } else {
                        run.stalled(df, alpha * step_norm)
                    };
                    (true, alpha, stall)
                }
                Search::Failed(s) => (false, f64::NAN, Some(s)),
            };
            let record = IterationRecord {
                alpha,
                accepted,
                krylov_iterations: info.iterations,
                krylov_exit: Some(info.exit),
                step_norm: if accepted {
                    alpha * step_norm
                } else {
                    step_norm
                },
                ..run.blank_record()
            };
            if let Some(s) = run.record(record, callback) {
                return Ok(s);
            }
            if let Some(s) = status {
                return Ok(s);
            }
        }
    }
}
