//! Bookkeeping shared by every solver: start-point checks, budgets,
//! the gradient test, history, the callback and the final report.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use ndarray::{Array1, ArrayView1};

use crate::error::{check_dim, Error, Result};
use crate::linalg::par::{Par, Partials};
use crate::linalg::vecops::{all_finite, norm, norm_finite_with};
use crate::problem::objective::Objective;
use crate::report::observe::Callback;
use crate::report::status::Status;
use crate::report::{Counts, IterationRecord, Report};
use crate::solvers::config::Termination;

/// The state every solver carries: current point, value, gradient, counters.
pub(crate) struct Run<'t> {
    pub term: &'t Termination,
    pub start: Instant,
    pub deadline: Option<Instant>,
    pub counts: Counts,
    pub history: Vec<IterationRecord>,
    pub x: Array1<f64>,
    pub g: Array1<f64>,
    pub f: f64,
    pub gnorm: f64,
    pub gnorm0: f64,
    pub iter: usize,
    /// Per-block partial sums for the solvers' passes over n-vectors.
    pub partials: Partials,
}

impl<'t> Run<'t> {
    /// Validates dimensions and x0, and evaluates f and ∇f at x0.
    pub fn start<O: Objective + ?Sized>(
        obj: &O,
        x0: ArrayView1<'_, f64>,
        term: &'t Termination,
    ) -> Result<Self> {
        term.validate()?;
        let n = obj.dim();
        if n == 0 {
            return Err(Error::EmptyProblem);
        }
        check_dim("x0", n, x0.len())?;
        if !all_finite(x0) {
            return Err(Error::NonFiniteStart { what: "x0" });
        }
        let start = Instant::now();
        let x = x0.to_owned();
        let mut g = Array1::zeros(n);
        let f = obj.value_grad(x.view(), g.view_mut());
        if !f.is_finite() {
            return Err(Error::NonFiniteStart { what: "f(x0)" });
        }
        let mut partials = Partials::new(n, Par::Rayon);
        let (gnorm, g_finite) = norm_finite_with(&mut partials, g.view());
        if !g_finite {
            return Err(Error::NonFiniteStart {
                what: "gradient at x0",
            });
        }
        Ok(Self {
            term,
            start,
            // A limit too large for the clock is no limit.
            deadline: term.max_time.and_then(|t| start.checked_add(t)),
            counts: Counts {
                evals: 1,
                ..Counts::default()
            },
            history: Vec::new(),
            x,
            g,
            f,
            gnorm,
            gnorm0: gnorm,
            iter: 0,
            partials,
        })
    }

    /// Continues a solve from saved state (a checkpoint, or the argmin
    /// adapter's state between two `next_iter` calls). The clock restarts
    /// with `elapsed` already spent, so `max_time` bounds the whole solve.
    #[allow(clippy::too_many_arguments)]
    pub fn restore(
        term: &'t Termination,
        x: Array1<f64>,
        g: Array1<f64>,
        f: f64,
        gnorm: f64,
        gnorm0: f64,
        iter: usize,
        counts: Counts,
        history: Vec<IterationRecord>,
        elapsed: Duration,
    ) -> Self {
        let now = Instant::now();
        let start = now.checked_sub(elapsed).unwrap_or(now);
        let partials = Partials::new(x.len(), Par::Rayon);
        Self {
            term,
            start,
            // A limit too large for the clock is no limit.
            deadline: term.max_time.and_then(|t| start.checked_add(t)),
            counts,
            history,
            x,
            g,
            f,
            gnorm,
            gnorm0,
            iter,
            partials,
        }
    }

    pub fn n(&self) -> usize {
        self.x.len()
    }

    /// Chooses how the solver's passes over n-vectors run (same results).
    pub fn set_par(&mut self, par: Par) {
        self.partials = Partials::new(self.n(), par);
    }

    /// `(‖v‖, every entry finite)` of an n-vector, in one pass.
    pub fn norm_finite(&mut self, v: ArrayView1<'_, f64>) -> (f64, bool) {
        norm_finite_with(&mut self.partials, v)
    }

    /// The gradient test `‖g‖ ≤ max(gtol_abs, gtol_rel·‖g0‖)`.
    pub fn gradient_converged(&self) -> bool {
        self.gnorm <= self.term.gtol_abs.max(self.term.gtol_rel * self.gnorm0)
    }

    /// A budget that is used up, checked before each iteration.
    pub fn budget_exhausted(&self) -> Option<Status> {
        if self.iter >= self.term.max_iter {
            return Some(Status::MaxIterations);
        }
        if let Some(m) = self.term.max_evals {
            if self.counts.evals >= m {
                return Some(Status::MaxEvaluations);
            }
        }
        if let Some(m) = self.term.max_hvps {
            if self.counts.hvps >= m {
                return Some(Status::MaxHvps);
            }
        }
        if let Some(t) = self.deadline {
            if Instant::now() >= t {
                return Some(Status::TimeLimit);
            }
        }
        None
    }

    /// Whether the time limit has passed.
    pub fn time_up(&self) -> bool {
        self.deadline.is_some_and(|t| Instant::now() >= t)
    }

    /// Hessian-vector products still allowed.
    pub fn hvps_left(&self) -> u64 {
        self.term
            .max_hvps
            .map_or(u64::MAX, |m| m.saturating_sub(self.counts.hvps))
    }

    /// Whether one more objective evaluation is allowed.
    pub fn eval_allowed(&self) -> bool {
        self.term.max_evals.is_none_or(|m| self.counts.evals < m)
    }

    /// Stall tests for an accepted step of norm `step_norm` that changed f
    /// by `df`.
    pub fn stalled(&self, df: f64, step_norm: f64) -> Option<Status> {
        if self.term.ftol > 0.0 && df.abs() <= self.term.ftol * self.f.abs().max(1.0) {
            return Some(Status::FunctionChangeStalled);
        }
        if self.term.xtol > 0.0 && step_norm <= self.term.xtol * (1.0 + norm(self.x.view())) {
            return Some(Status::StepSizeStalled);
        }
        None
    }

    pub fn elapsed_s(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// The record of the current iteration as the run stands now (iteration
    /// number, f, ‖g‖, HVPs, elapsed time), with no step: the fields a
    /// solver does not have are NaN (radius, ratio, α, shift), `None` or 0.
    /// Solvers fill in what they have with struct-update syntax.
    pub fn blank_record(&self) -> IterationRecord {
        IterationRecord {
            iter: self.iter,
            f: self.f,
            grad_norm: self.gnorm,
            radius: f64::NAN,
            next_radius: f64::NAN,
            ratio: f64::NAN,
            alpha: f64::NAN,
            shift: f64::NAN,
            accepted: false,
            krylov_iterations: 0,
            krylov_exit: None,
            step_norm: 0.0,
            hvps: self.counts.hvps,
            elapsed_s: self.elapsed_s(),
        }
    }

    /// Records an iteration and runs the callback; `Some(StoppedByUser)` if
    /// the callback asks to stop.
    pub fn record(&mut self, rec: IterationRecord, callback: &mut Callback<'_>) -> Option<Status> {
        let stop = callback(&rec);
        self.history.push(rec);
        match stop {
            ControlFlow::Break(()) => Some(Status::StoppedByUser),
            ControlFlow::Continue(()) => None,
        }
    }

    pub fn finish(self, solver: &'static str, status: Status) -> Report {
        let elapsed: Duration = self.start.elapsed();
        Report {
            solver,
            status,
            f: self.f,
            grad_norm: self.gnorm,
            grad_norm0: self.gnorm0,
            iterations: self.iter,
            counts: self.counts,
            elapsed,
            history: self.history,
            x: self.x,
        }
    }
}
