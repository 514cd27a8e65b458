//! [argmin](https://argmin-rs.org) 0.11 interoperability (feature `argmin`).
//!
//! Two directions:
//! * [`ArgminTrustRegion`]: our trust-region Newton-CG as an argmin
//!   [`Solver`], run by argmin's `Executor` with its observers, checkpointing
//!   hooks and termination (max iterations, target cost, timeout, Ctrl-C),
//!   for a problem implementing argmin's [`CostFunction`], [`Gradient`] and
//!   [`Hessian`], where the Hessian's value is an *operator*: any type with
//!   `ArgminDot<Vec<f64>, Vec<f64>>` (`h.dot(&v)` = H v), a dense
//!   `Vec<Vec<f64>>` included;
//! * [`FromArgmin`]: such an argmin problem as our [`Objective`], to hand to
//!   [`crate::TrustRegion::solve`] or any other solver of this crate.
//!
//! # Vector types: argmin-math's `Vec<f64>` backend
//! argmin-math 0.5's ndarray backend is built against ndarray 0.16, while
//! this crate's public API is built on ndarray 0.17; the two
//! `Array1<f64>` types are distinct and cannot be passed across. The
//! adapters therefore use argmin-math's `vec` backend: parameters and
//! gradients are `Vec<f64>`, and the adapters copy at the boundary
//! (ndarray views ⇄ slices, O(n) per evaluation or product, no change to
//! the numerics).
//!
//! # What runs inside `next_iter`
//! One call of argmin's `next_iter` is exactly one outer iteration of
//! [`crate::TrustRegion`]: the same function runs it (step by
//! [`crate::krylov::steihaug()`], ratio, radius rule, acceptance, failure
//! counters), so the iterates are those of `TrustRegion::solve` on the same
//! problem. The Hessian is prepared only at accepted points
//! (`reference/pitfalls.md` §6) and kept in the solver across rejected
//! steps.
//!
//! # Termination
//! Unlike argmin's own `TrustRegion` (which has no convergence test,
//! `reference/pitfalls.md` §17), the adapter stops on our gradient test and
//! reports it as `TerminationReason::SolverConverged`; our other statuses
//! map to `MaxItersReached`, `Timeout` or `SolverExit(status)` with the
//! [`Status`] name (`"radius_collapsed"`, `"max_hvps"`, ...), and
//! [`ArgminTrustRegion::status`] gives the typed [`Status`]. argmin's own
//! budgets (`max_iters`, `target_cost`, `timeout`) apply as well; argmin's
//! timeout is checked between iterations only, so for a wall-clock limit
//! that also cuts a long inner CG loop set
//! `config.termination.max_time` (nested budgets, `reference/pitfalls.md`
//! §20).
//!
//! # Counts
//! argmin counts `cost_count`, `gradient_count` and `hessian_count` (enable
//! them with `state.counting(true)`); the adapter adds `hvp_count`, the
//! Hessian-vector products. Our `value_grad` is one `cost` and one
//! `gradient` call, so both counts equal our evaluation count.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use argmin::core::{
    ArgminError, CostFunction, Error as ArgminErr, Gradient, Hessian, IterState, Problem, Solver,
    State, TerminationReason, KV,
};
use argmin_math::ArgminDot;
use ndarray::{Array1, ArrayView1, ArrayViewMut1};

use crate::linalg::operator::LinearOperator;
use crate::problem::objective::Objective;
use crate::report::observe::no_callback;
use crate::report::status::Status;
use crate::report::Counts;
use crate::solvers::config::TrustRegionConfig;
use crate::solvers::newton_cg::{AtPoint, NewtonCgWork};
use crate::solvers::state::{FailureCounters, Run, State as SolveState};
use crate::solvers::trust_region::TrustRegion;

/// The argmin state used by [`ArgminTrustRegion`]: parameter and gradient
/// `Vec<f64>`, cost `f64`, no Hessian in the state (the solver keeps its
/// operator itself).
pub type ArgminState = IterState<Vec<f64>, Vec<f64>, (), (), (), f64>;

/// An argmin Hessian value (`h.dot(&v)` = H v) as a [`LinearOperator`].
///
/// A product whose result has the wrong length, or a Hessian that could not
/// be evaluated, gives NaN, which the CG loop reports as
/// [`crate::KrylovExit::NonFinite`].
pub struct ArgminOperator<H> {
    h: Option<H>,
    n: usize,
}

impl<H> ArgminOperator<H> {
    /// Wraps an argmin Hessian value of dimension n.
    pub fn new(h: H, n: usize) -> Self {
        Self { h: Some(h), n }
    }

    /// The wrapped value, if it could be evaluated.
    pub fn inner(&self) -> Option<&H> {
        self.h.as_ref()
    }
}

impl<H: ArgminDot<Vec<f64>, Vec<f64>>> LinearOperator for ArgminOperator<H> {
    fn dim(&self) -> usize {
        self.n
    }
    fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
        match &self.h {
            Some(h) => {
                let hv = h.dot(&v.to_vec());
                if hv.len() == out.len() {
                    out.iter_mut().zip(hv).for_each(|(o, x)| *o = x);
                } else {
                    out.fill(f64::NAN);
                }
            }
            None => out.fill(f64::NAN),
        }
    }
}

/// An argmin problem (cost, gradient, Hessian operator on `Vec<f64>`) as an
/// [`Objective`] of dimension n.
///
/// Evaluations go through an argmin [`Problem`], so argmin's counts
/// (`cost_count`, `gradient_count`, `hessian_count`) are kept
/// ([`FromArgmin::counts`]). An error returned by the problem makes the value
/// NaN (the solvers treat x as outside the domain) and is kept for
/// [`FromArgmin::take_error`].
///
/// ```
/// use argmin::core::{CostFunction, Error, Gradient, Hessian};
/// use steihaug::interop::argmin::FromArgmin;
/// use steihaug::TrustRegion;
///
/// /// f(x) = Σ (x_i − 1)², with the Hessian 2I as a dense matrix.
/// struct Bowl;
/// impl CostFunction for Bowl {
///     type Param = Vec<f64>;
///     type Output = f64;
///     fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
///         Ok(x.iter().map(|v| (v - 1.0).powi(2)).sum())
///     }
/// }
/// impl Gradient for Bowl {
///     type Param = Vec<f64>;
///     type Gradient = Vec<f64>;
///     fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Error> {
///         Ok(x.iter().map(|v| 2.0 * (v - 1.0)).collect())
///     }
/// }
/// impl Hessian for Bowl {
///     type Param = Vec<f64>;
///     type Hessian = Vec<Vec<f64>>;
///     fn hessian(&self, x: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
///         let n = x.len();
///         Ok((0..n).map(|i| (0..n).map(|j| if i == j { 2.0 } else { 0.0 }).collect()).collect())
///     }
/// }
///
/// let obj = FromArgmin::new(Bowl, 3);
/// let report = TrustRegion::default().solve(&obj, ndarray::array![5.0, -2.0, 0.0].view())?;
/// assert!(report.status.is_converged());
/// assert!(report.x.iter().all(|v| (v - 1.0).abs() < 1e-8));
/// assert_eq!(obj.counts()["cost_count"], report.counts.evals);
/// # Ok::<(), steihaug::Error>(())
/// ```
pub struct FromArgmin<O> {
    problem: RefCell<Problem<O>>,
    n: usize,
    error: RefCell<Option<ArgminErr>>,
}

impl<O> FromArgmin<O> {
    /// Wraps `problem`, whose parameters have length `n`.
    pub fn new(problem: O, n: usize) -> Self {
        Self::from_problem(Problem::new(problem), n)
    }

    fn from_problem(problem: Problem<O>, n: usize) -> Self {
        Self {
            problem: RefCell::new(problem),
            n,
            error: RefCell::new(None),
        }
    }

    /// argmin's evaluation counts so far.
    pub fn counts(&self) -> HashMap<&'static str, u64> {
        self.problem.borrow().counts.clone()
    }

    /// The first error the problem returned, if any (and clears it).
    pub fn take_error(&self) -> Option<ArgminErr> {
        self.error.borrow_mut().take()
    }

    /// The wrapped problem.
    pub fn into_inner(self) -> Option<O> {
        self.problem.into_inner().problem
    }

    fn into_problem(self) -> Problem<O> {
        self.problem.into_inner()
    }

    fn keep_error(&self, e: ArgminErr) {
        let mut slot = self.error.borrow_mut();
        if slot.is_none() {
            *slot = Some(e);
        }
    }
}

impl<O, H> Objective for FromArgmin<O>
where
    O: CostFunction<Param = Vec<f64>, Output = f64>
        + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>
        + Hessian<Param = Vec<f64>, Hessian = H>,
    H: ArgminDot<Vec<f64>, Vec<f64>>,
{
    type Hessian<'a>
        = ArgminOperator<H>
    where
        Self: 'a;

    fn dim(&self) -> usize {
        self.n
    }

    fn value_grad(&self, x: ArrayView1<'_, f64>, mut grad: ArrayViewMut1<'_, f64>) -> f64 {
        let x = x.to_vec();
        let mut p = self.problem.borrow_mut();
        let f = match p.cost(&x) {
            Ok(f) => f,
            Err(e) => {
                self.keep_error(e);
                return f64::NAN;
            }
        };
        match p.gradient(&x) {
            Ok(g) if g.len() == grad.len() => {
                grad.iter_mut().zip(g).for_each(|(o, v)| *o = v);
                f
            }
            Ok(g) => {
                self.keep_error(
                    ArgminError::InvalidParameter {
                        text: format!("gradient has length {}, expected {}", g.len(), grad.len()),
                    }
                    .into(),
                );
                f64::NAN
            }
            Err(e) => {
                self.keep_error(e);
                f64::NAN
            }
        }
    }

    fn hessian(&self, x: ArrayView1<'_, f64>) -> ArgminOperator<H> {
        match self.problem.borrow_mut().hessian(&x.to_vec()) {
            Ok(h) => ArgminOperator::new(h, self.n),
            Err(e) => {
                self.keep_error(e);
                ArgminOperator { h: None, n: self.n }
            }
        }
    }
}

/// What the adapter carries between two `next_iter` calls besides argmin's
/// parameter, gradient and cost.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Carry {
    grad_norm: f64,
    grad_norm0: f64,
    iter: usize,
    #[cfg_attr(feature = "serde", serde(default))]
    accepted_steps: usize,
    radius: f64,
    failures: FailureCounters,
    counts: Counts,
    elapsed_s: f64,
    #[cfg_attr(feature = "serde", serde(default))]
    forcing: Option<crate::solvers::forcing::ForcingMemory>,
    #[cfg_attr(feature = "serde", serde(default))]
    gap_estimate: Option<f64>,
}

/// Our trust-region Newton-CG as an argmin [`Solver`] (see the
/// [module docs](self)).
///
/// ```
/// use argmin::core::{CostFunction, Error, Executor, Gradient, Hessian, State, TerminationReason};
/// use steihaug::interop::argmin::ArgminTrustRegion;
/// use steihaug::TrustRegionConfig;
///
/// /// Rosenbrock in 2-D with a dense Hessian.
/// struct Rosen;
/// impl CostFunction for Rosen {
///     type Param = Vec<f64>;
///     type Output = f64;
///     fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
///         Ok((1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2))
///     }
/// }
/// impl Gradient for Rosen {
///     type Param = Vec<f64>;
///     type Gradient = Vec<f64>;
///     fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Error> {
///         let t = x[1] - x[0] * x[0];
///         Ok(vec![-2.0 * (1.0 - x[0]) - 400.0 * x[0] * t, 200.0 * t])
///     }
/// }
/// impl Hessian for Rosen {
///     type Param = Vec<f64>;
///     type Hessian = Vec<Vec<f64>>;
///     fn hessian(&self, x: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
///         let h11 = 2.0 - 400.0 * (x[1] - 3.0 * x[0] * x[0]);
///         Ok(vec![vec![h11, -400.0 * x[0]], vec![-400.0 * x[0], 200.0]])
///     }
/// }
///
/// let solver = ArgminTrustRegion::new(TrustRegionConfig::default());
/// let res = Executor::new(Rosen, solver)
///     .configure(|state| state.param(vec![-1.2, 1.0]).max_iters(200).counting(true))
///     .run()?;
/// assert_eq!(
///     res.state.get_termination_reason(),
///     Some(&TerminationReason::SolverConverged)
/// );
/// let x = res.state.get_best_param().unwrap();
/// assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6);
/// assert!(res.solver.status().unwrap().is_converged());
/// # Ok::<(), argmin::core::Error>(())
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ArgminTrustRegion<H> {
    config: TrustRegionConfig,
    carry: Option<Carry>,
    status: Option<Status>,
    #[cfg_attr(feature = "serde", serde(skip))]
    hessian: Option<ArgminOperator<H>>,
    #[cfg_attr(feature = "serde", serde(skip))]
    work: Option<NewtonCgWork>,
}

/// Cloning keeps the solve state but not the cached Hessian and work
/// vectors; a clone prepares the Hessian again at its next iteration.
impl<H> Clone for ArgminTrustRegion<H> {
    fn clone(&self) -> Self {
        Self {
            config: self.config,
            carry: self.carry,
            status: self.status,
            hessian: None,
            work: None,
        }
    }
}

impl<H> std::fmt::Debug for ArgminTrustRegion<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArgminTrustRegion")
            .field("config", &self.config)
            .field("carry", &self.carry)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl<H> ArgminTrustRegion<H> {
    /// A solver with the given options.
    pub fn new(config: TrustRegionConfig) -> Self {
        Self {
            config,
            carry: None,
            status: None,
            hessian: None,
            work: None,
        }
    }

    /// The options.
    pub fn config(&self) -> &TrustRegionConfig {
        &self.config
    }

    /// Our status once the solver itself ended the run (`None` while it
    /// runs, or when argmin stopped it for its own reasons).
    pub fn status(&self) -> Option<Status> {
        self.status
    }

    /// Our counts (evaluations, HVPs, Hessian preparations, CG iterations).
    pub fn counts(&self) -> Counts {
        self.carry.map(|c| c.counts).unwrap_or_default()
    }

    /// The current trust radius.
    pub fn radius(&self) -> Option<f64> {
        self.carry.map(|c| c.radius)
    }
}

fn termination_reason(s: Status) -> TerminationReason {
    match s {
        Status::Converged => TerminationReason::SolverConverged,
        Status::MaxIterations => TerminationReason::MaxItersReached,
        Status::TimeLimit => TerminationReason::Timeout,
        Status::StoppedByUser => TerminationReason::Interrupt,
        Status::TargetReached => TerminationReason::TargetCostReached,
        other => TerminationReason::SolverExit(other.as_str().to_string()),
    }
}

fn into_vec(a: Array1<f64>) -> Vec<f64> {
    if a.is_standard_layout() {
        let (v, offset) = a.into_raw_vec_and_offset();
        if offset.unwrap_or(0) == 0 {
            return v;
        }
        Array1::from(v).to_vec()
    } else {
        a.to_vec()
    }
}

fn not_initialized(text: &str) -> ArgminErr {
    ArgminError::NotInitialized {
        text: format!("`ArgminTrustRegion`: {text}"),
    }
    .into()
}

impl<O, H> Solver<O, ArgminState> for ArgminTrustRegion<H>
where
    O: CostFunction<Param = Vec<f64>, Output = f64>
        + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>
        + Hessian<Param = Vec<f64>, Hessian = H>,
    H: ArgminDot<Vec<f64>, Vec<f64>>,
{
    fn name(&self) -> &str {
        "steihaug trust-region Newton-CG"
    }

    fn init(
        &mut self,
        problem: &mut Problem<O>,
        mut state: ArgminState,
    ) -> Result<(ArgminState, Option<KV>), ArgminErr> {
        self.config.validate()?;
        if matches!(
            self.config.initial_radius,
            crate::solvers::radius::InitialRadius::Interpolation { .. }
        ) {
            return Err(ArgminError::InvalidParameter {
                text: "the interpolation start (InitialRadius::Interpolation) is not supported by the argmin adapter; use FirstStep, Constant or GradientNorm".into(),
            }
            .into());
        }
        let x0 = state.take_param().ok_or_else(|| {
            not_initialized(
                "an initial parameter vector is required (configure it with `state.param(x0)`)",
            )
        })?;
        let n = x0.len();
        let inner = problem
            .take_problem()
            .ok_or_else(|| not_initialized("the problem is missing"))?;
        let adapter = FromArgmin::from_problem(Problem::new(inner), n);
        let term = self.config.termination;
        let started = Run::start(&adapter, ArrayView1::from(&x0[..]), &term);
        let error = adapter.take_error();
        problem.consume_problem(adapter.into_problem());
        if let Some(e) = error {
            return Err(e);
        }
        let run = started?;
        let solver = TrustRegion::new(self.config);
        self.carry = Some(Carry {
            grad_norm: run.grad_norm,
            grad_norm0: run.grad_norm0,
            iter: 0,
            accepted_steps: 0,
            radius: solver.initial_radius(run.grad_norm),
            failures: FailureCounters::default(),
            counts: run.counts,
            elapsed_s: run.elapsed_s(),
            forcing: None,
            gap_estimate: None,
        });
        self.status = None;
        self.hessian = None;
        self.work = None;
        problem.counts.insert("hvp_count", 0);
        let converged = run.point_status();
        let mut kv = KV::new();
        kv.insert("grad_norm", run.grad_norm.into());
        kv.insert("radius", self.carry.map_or(f64::NAN, |c| c.radius).into());
        let mut state = state
            .param(into_vec(run.state.x))
            .gradient(into_vec(run.state.g))
            .cost(run.state.f);
        if let Some(s) = converged {
            self.status = Some(s);
            state = state.terminate_with(termination_reason(s));
        }
        Ok((state, Some(kv)))
    }

    fn next_iter(
        &mut self,
        problem: &mut Problem<O>,
        mut state: ArgminState,
    ) -> Result<(ArgminState, Option<KV>), ArgminErr> {
        let carry = self
            .carry
            .ok_or_else(|| not_initialized("`init` was not run"))?;
        let x = state
            .take_param()
            .ok_or_else(|| not_initialized("the state has no parameter vector"))?;
        let g = state
            .take_gradient()
            .ok_or_else(|| not_initialized("the state has no gradient"))?;
        let f = state.get_cost();
        let n = x.len();
        if g.len() != n {
            return Err(ArgminError::InvalidParameter {
                text: format!("gradient has length {}, parameter {n}", g.len()),
            }
            .into());
        }
        let solver = TrustRegion::new(self.config);
        let term = self.config.termination;
        let saved = SolveState {
            x: Array1::from(x),
            g: Array1::from(g),
            f,
            grad_norm: carry.grad_norm,
            grad_norm0: carry.grad_norm0,
            iter: carry.iter,
            accepted_steps: carry.accepted_steps,
            radius: carry.radius,
            failures: carry.failures,
            counts: carry.counts,
            history: Vec::with_capacity(1),
            forcing: carry.forcing,
            gap_estimate: carry.gap_estimate,
        };
        let mut run = Run::restore(saved, &term, Duration::from_secs_f64(carry.elapsed_s));
        if self.work.as_ref().is_none_or(|w| w.dim() != n) {
            self.work = Some(solver.work(n));
            self.hessian = None;
        }
        let work = self.work.as_mut().expect("set above");
        let inner = problem
            .take_problem()
            .ok_or_else(|| not_initialized("the problem is missing"))?;
        let adapter = FromArgmin::from_problem(Problem::new(inner), n);
        let mut cache = AtPoint {
            hessian: self.hessian.take(),
            objective_precond: None,
        };
        let outcome = solver.iteration(&adapter, &mut run, work, &mut cache, &mut no_callback);
        self.hessian = cache.hessian.take();
        drop(cache);
        let error = adapter.take_error();
        problem.consume_problem(adapter.into_problem());
        if let Some(e) = error {
            return Err(e);
        }
        let outcome = outcome?;
        problem.counts.insert("hvp_count", run.counts.hvps);

        self.carry = Some(Carry {
            grad_norm: run.grad_norm,
            grad_norm0: run.grad_norm0,
            iter: run.iter,
            accepted_steps: run.accepted_steps,
            radius: run.radius,
            failures: run.failures,
            counts: run.counts,
            elapsed_s: run.elapsed_s(),
            forcing: run.forcing,
            gap_estimate: run.gap_estimate,
        });
        let mut kv = KV::new();
        if let Some(r) = run.history.pop() {
            kv.insert("grad_norm", r.grad_norm.into());
            kv.insert("radius", r.radius.into());
            kv.insert("next_radius", r.next_radius.into());
            kv.insert("ratio", r.ratio.into());
            kv.insert("accepted", r.accepted.into());
            kv.insert("cg_iterations", (r.krylov_iterations as u64).into());
            let exit = r.krylov_exit.map_or("-", |e| e.as_str());
            kv.insert("cg_exit", exit.to_string().into());
            kv.insert("step_norm", r.step_norm.into());
            kv.insert("hvps", r.hvps.into());
        }
        let mut state = state
            .param(into_vec(run.state.x))
            .gradient(into_vec(run.state.g))
            .cost(run.state.f);
        if let Some(s) = outcome {
            self.status = Some(s);
            state = state.terminate_with(termination_reason(s));
        }
        Ok((state, Some(kv)))
    }
}
