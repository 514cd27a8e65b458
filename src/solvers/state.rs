//! The state of a solve, and the bookkeeping every solver shares: start
//! checks, budgets, the gradient and target tests, history, the callback and
//! the final report.
//!
//! [`State`] is the data a solve carries from one iteration to the next —
//! what a checkpoint saves. `Run` adds what is not data: the stopping
//! rules, the clock and the partial-sum buffers of the vector passes.

use std::ops::{ControlFlow, Deref, DerefMut};
use std::time::{Duration, Instant};

use ndarray::{Array1, ArrayView1};

use crate::error::{check_dim, Error, Result};
use crate::linalg::par::{Par, Partials};
use crate::linalg::vecops::{all_finite, norm_finite_with, norm_with};
use crate::problem::objective::Objective;
use crate::report::method::Method;
use crate::report::observe::{Callback, Iterate};
use crate::report::status::Status;
use crate::report::{Counts, IterationRecord, Report};
use crate::solvers::config::Termination;
use crate::solvers::forcing::ForcingMemory;

/// Consecutive-failure counters of a solve (part of a [`State`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FailureCounters {
    /// Consecutive trial points with a non-finite value or gradient.
    pub non_finite_trial: usize,
    /// Consecutive inner solves that met a non-finite product.
    pub non_finite_cg: usize,
    /// Consecutive steps with a non-positive or non-finite prediction.
    pub model: usize,
}

/// The gap test: the last accepted step's Newton-decrement estimate of
/// f − f* is at most `gap_tol·max(1, |f|)` (`gap_tol = 0` turns the test
/// off). Near a minimizer the inner solve of the step from x_{k−1} gives,
/// from CG's energy-error estimate and the step's actual reduction, an
/// estimate of f(x_k) − f* in units of f
/// (`solvers::newton_cg::gap_estimate`;
/// `reference/radius-and-forcing.md` §5), which no threshold on ‖g‖ does:
/// on singular or badly scaled problems a small gradient can sit far above
/// f* in value.
pub fn gap_converged(gap_estimate: Option<f64>, f: f64, gap_tol: f64) -> bool {
    gap_tol == 0.0 || gap_estimate.is_some_and(|d| d <= gap_tol * f.abs().max(1.0))
}

/// Most history records reserved at the start of a solve, so that the
/// history does not allocate inside the iterations of an ordinary solve.
const HISTORY_RESERVE: usize = 4096;

/// The state of a solve after an iteration: everything the outer loop
/// carries to the next one. A [`crate::Checkpoint`] saves it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct State {
    /// The current (last accepted) point.
    pub x: Array1<f64>,
    /// ∇f(x).
    pub g: Array1<f64>,
    /// f(x).
    pub f: f64,
    /// ‖∇f(x)‖.
    pub grad_norm: f64,
    /// ‖∇f(x₀)‖, the base of the relative gradient test.
    pub grad_norm0: f64,
    /// Outer iterations done (accepted or not).
    pub iter: usize,
    /// Steps accepted so far.
    pub accepted_steps: usize,
    /// The trust radius for the next iteration (NaN for solvers without one).
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub radius: f64,
    /// Consecutive-failure counters.
    pub failures: FailureCounters,
    /// Evaluation counts so far.
    pub counts: Counts,
    /// One record per iteration so far.
    pub history: Vec<IterationRecord>,
    /// What the Eisenstat-Walker forcing terms remember of the last
    /// accepted step (`None` before it, and for the other forcing terms).
    #[cfg_attr(feature = "serde", serde(default))]
    pub forcing: Option<ForcingMemory>,
    /// The Newton-decrement estimate of f − f* from the last accepted step,
    /// when that step came from a converged interior Newton solve (CG
    /// converged with positive curvature and not on the boundary; dense
    /// Newton without a shift), whatever step length a line search took:
    /// the solve's predicted reduction, a lower estimate of λ²/2 = ½gᵀH⁻¹g
    /// at the point it was computed (Boyd & Vandenberghe 2004, §9.5.1), so
    /// an estimate of f(x_{k−1}) − f* ≥ f(x_k) − f*. `None` otherwise.
    #[cfg_attr(feature = "serde", serde(default))]
    pub gap_estimate: Option<f64>,
}

/// A solve in progress: its [`State`] (reached through `Deref`) plus the
/// stopping rules, the clock and the buffers of the vector passes.
pub(crate) struct Run<'t> {
    pub state: State,
    pub term: &'t Termination,
    pub start: Instant,
    pub deadline: Option<Instant>,
    /// Per-block partial sums for the solvers' passes over n-vectors.
    pub partials: Partials,
    /// Negative curvature certified at the current point (reset when x
    /// moves): the report's [`Report::negative_curvature`].
    pub negative_curvature: Option<f64>,
}

impl Deref for Run<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        &self.state
    }
}

impl DerefMut for Run<'_> {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.state
    }
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
        let (grad_norm, g_finite) = norm_finite_with(&mut partials, g.view());
        if !g_finite {
            return Err(Error::NonFiniteStart {
                what: "gradient at x0",
            });
        }
        let state = State {
            x,
            g,
            f,
            grad_norm,
            grad_norm0: grad_norm,
            iter: 0,
            accepted_steps: 0,
            radius: f64::NAN,
            failures: FailureCounters::default(),
            counts: Counts {
                evals: 1,
                ..Counts::default()
            },
            history: Vec::with_capacity(term.max_iter.min(HISTORY_RESERVE)),
            forcing: None,
            gap_estimate: None,
        };
        Ok(Self::with_clock(state, term, start, partials))
    }

    /// Continues a solve from saved state (a checkpoint, or the argmin
    /// adapter's state between two `next_iter` calls). The clock restarts
    /// with `elapsed` already spent, so `max_time` bounds the whole solve.
    pub fn restore(mut state: State, term: &'t Termination, elapsed: Duration) -> Self {
        let now = Instant::now();
        let start = now.checked_sub(elapsed).unwrap_or(now);
        let partials = Partials::new(state.x.len(), Par::Rayon);
        let want = term.max_iter.min(HISTORY_RESERVE);
        let have = state.history.len();
        state.history.reserve(want.saturating_sub(have));
        Self::with_clock(state, term, start, partials)
    }

    fn with_clock(state: State, term: &'t Termination, start: Instant, partials: Partials) -> Self {
        Self {
            state,
            term,
            start,
            // A limit too large for the clock is no limit.
            deadline: term.max_time.and_then(|t| start.checked_add(t)),
            partials,
            negative_curvature: None,
        }
    }

    pub fn n(&self) -> usize {
        self.state.x.len()
    }

    /// How the solver's passes over n-vectors run.
    pub fn par(&self) -> Par {
        self.partials.par()
    }

    /// Chooses how the solver's passes over n-vectors run (same results).
    pub fn set_par(&mut self, par: Par) {
        if self.partials.par() != par {
            self.partials = Partials::new(self.n(), par);
        }
    }

    /// `(‖v‖, every entry finite)` of an n-vector, in one pass.
    pub fn norm_finite(&mut self, v: ArrayView1<'_, f64>) -> (f64, bool) {
        norm_finite_with(&mut self.partials, v)
    }

    /// ‖x‖ with the run's partial-sum buffers (no allocation).
    pub fn x_norm(&mut self) -> f64 {
        norm_with(&mut self.partials, self.state.x.view())
    }

    /// The gradient test `‖g‖ ≤ max(gtol_abs, gtol_rel·‖g0‖)`.
    pub fn gradient_converged(&self) -> bool {
        self.grad_norm <= self.term.gtol_abs.max(self.term.gtol_rel * self.grad_norm0)
    }

    /// The convergence test: the gradient test, and, once a step has been
    /// accepted, the gap test of [`gap_converged`] on the last accepted
    /// step's Newton-decrement estimate. At x₀ (no step yet) and where
    /// ‖g‖ ≤ gtol_abs the gradient test alone decides: there the gradient
    /// is at the absolute floor, f − f* ≈ ½gᵀH⁻¹g is below ‖g‖²/(2λ_min),
    /// and a step may be too small for f to show any decrease (so that a
    /// line search never takes the full Newton step that the estimate
    /// needs).
    pub fn converged(&self) -> bool {
        self.gradient_converged()
            && (self.accepted_steps == 0
                || self.grad_norm <= self.term.gtol_abs
                || gap_converged(self.gap_estimate, self.f, self.term.gap_tol))
    }

    /// The end of a solve at its current point, tested after every accepted
    /// step and at the start: convergence first, then the user's target f,
    /// then the floor of f ([`Status::Unbounded`]).
    pub fn point_status(&self) -> Option<Status> {
        if self.converged() {
            Some(Status::Converged)
        } else if self.term.target_f.is_some_and(|t| self.f <= t) {
            Some(Status::TargetReached)
        } else if self.f < self.term.f_floor {
            Some(Status::Unbounded)
        } else {
            None
        }
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
        if self.time_up() {
            return Some(Status::TimeLimit);
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

    /// Makes the trial point (`x_trial`, `g_trial`, value `f`, gradient
    /// norm) the current one, by swapping buffers, and counts the step.
    pub fn accept(
        &mut self,
        x_trial: &mut Array1<f64>,
        g_trial: &mut Array1<f64>,
        f: f64,
        grad_norm: f64,
    ) {
        let s = &mut self.state;
        std::mem::swap(&mut s.x, x_trial);
        std::mem::swap(&mut s.g, g_trial);
        s.f = f;
        s.grad_norm = grad_norm;
        s.accepted_steps += 1;
        self.negative_curvature = None;
    }

    /// The status after an accepted step of norm `step_norm` that changed f
    /// by `df`, with the step's Newton-decrement estimate `gap` (`Some` only
    /// for a full interior Newton step): [`Run::point_status`], then the
    /// stall tests.
    pub fn after_accepted(&mut self, df: f64, step_norm: f64, gap: Option<f64>) -> Option<Status> {
        self.state.gap_estimate = gap;
        self.point_status().or_else(|| self.stalled(df, step_norm))
    }

    /// Stall tests for an accepted step of norm `step_norm` that changed f
    /// by `df`.
    pub fn stalled(&mut self, df: f64, step_norm: f64) -> Option<Status> {
        if self.term.ftol > 0.0 && df.abs() <= self.term.ftol * self.f.abs().max(1.0) {
            return Some(Status::FunctionChangeStalled);
        }
        if self.term.xtol > 0.0 && step_norm <= self.term.xtol * (1.0 + self.x_norm()) {
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
            grad_norm: self.grad_norm,
            radius: f64::NAN,
            next_radius: f64::NAN,
            ratio: f64::NAN,
            alpha: f64::NAN,
            shift: f64::NAN,
            accepted: false,
            krylov_iterations: 0,
            eta: f64::NAN,
            krylov_exit: None,
            step_norm: 0.0,
            hvps: self.counts.hvps,
            leftmost: None,
            elapsed_s: self.elapsed_s(),
            bounds: None,
        }
    }

    /// Records an iteration and shows it, with the current x and g, to the
    /// callback; `Some(StoppedByUser)` if the callback asks to stop.
    /// Solvers combine it as `status.or(run.record(..))`: a status the
    /// iteration itself reached (convergence above all) wins over the
    /// callback's request, so a callback that stops on the iteration that
    /// converges still reports `Converged`.
    pub fn record(&mut self, rec: IterationRecord, callback: &mut Callback<'_>) -> Option<Status> {
        let s = &self.state;
        let stop = callback(&Iterate {
            record: &rec,
            x: s.x.view(),
            g: s.g.view(),
        });
        self.state.history.push(rec);
        match stop {
            ControlFlow::Break(()) => Some(Status::StoppedByUser),
            ControlFlow::Continue(()) => None,
        }
    }

    pub fn finish(self, solver: Method, status: Status) -> Report {
        let elapsed: Duration = self.start.elapsed();
        let negative_curvature = self.negative_curvature;
        let s = self.state;
        Report {
            solver,
            status,
            gap_estimate: s.gap_estimate,
            negative_curvature,
            f: s.f,
            grad_norm: s.grad_norm,
            grad_norm0: s.grad_norm0,
            iterations: s.iter,
            counts: s.counts,
            elapsed,
            history: s.history,
            x: s.x,
            bounds: None,
        }
    }
}
