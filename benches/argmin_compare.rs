//! Our trust-region Newton-CG against argmin 0.11's `TrustRegion` with its
//! `Steihaug` subproblem, on extended Rosenbrock at n = 10^6 from the
//! standard start, both using **our** Hessian-vector product.
//!
//! * argmin works on `Vec<f64>` (argmin-math's `vec` backend). Its Hessian
//!   is [`ArgminHessian`], an `Arc` of our prepared
//!   `ExtendedRosenbrockHessian` whose `ArgminDot<Vec<f64>, Vec<f64>>` calls
//!   our `LinearOperator::apply` (rayon-parallel, like ours); cloning it is
//!   free. Its gradient is our `value_grad`; its cost is a cost-only kernel
//!   written here (parallel over the same chunks), so argmin never pays for
//!   a gradient it did not ask for.
//! * Both start with radius 1, cap the radius at 1e10, and accept a step
//!   when ρ > 1e-4 (our defaults, set on argmin too). argmin's Steihaug
//!   keeps its default tolerance (‖r‖ < 1e-9‖g‖) and gets our CG cap
//!   max(2n, 50) instead of its unlimited default.
//! * argmin's trust region has no gradient test (`reference/pitfalls.md`
//!   §17), so both stop on the same criterion: f ≤ target. The target is
//!   the f at which our solver first meets its own test ‖g‖ ≤ 1e-8‖g0‖
//!   (found by a separate calibration solve, not timed). argmin runs with
//!   `target_cost`, ours with a callback that stops when f ≤ target.
//! * Timed: each whole solve (wall clock, from the start point to the
//!   stop), in alternating rounds; the ratio argmin/ours is taken per round
//!   and its median printed. One more solve of ours runs with timing
//!   wrappers around value_grad, the Hessian preparation and every HVP:
//!   everything else is solver overhead.
//!
//! Run: `cargo bench --bench argmin_compare`. Environment: `BENCH_N`
//! (default 1000000, even), `BENCH_ROUNDS` (default 3).

use std::cell::Cell;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argmin::core::observers::{Observe, ObserverMode};
use argmin::core::{
    CostFunction, Error as ArgminError, Executor, Gradient, Hessian, State, TerminationReason, KV,
};
use argmin::solver::trustregion::{Steihaug, TrustRegion as ArgminTrustRegion};
use argmin_math::ArgminDot;
use ndarray::{Array1, ArrayView1, ArrayViewMut1};
use rayon::prelude::*;
use steihaug::linalg::par::CHUNK;
use steihaug::problems::{DenseLogistic, ExtendedRosenbrock, ExtendedRosenbrockHessian};
use steihaug::{LinearOperator, Objective, Report, Status, TrustRegion};

// ---------------------------------------------------------------- argmin side

/// Evaluation counters of the argmin run.
#[derive(Default)]
struct ArgminCounts {
    cost: AtomicU64,
    grad: AtomicU64,
    hessian: AtomicU64,
    hvp: AtomicU64,
}

impl ArgminCounts {
    fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }
}

/// Extended Rosenbrock as an argmin problem.
struct ArgminRosenbrock {
    problem: ExtendedRosenbrock,
    counts: Arc<ArgminCounts>,
}

/// Our prepared Hessian, as argmin's Hessian type.
#[derive(Clone)]
struct ArgminHessian {
    h: Arc<ExtendedRosenbrockHessian>,
    counts: Arc<ArgminCounts>,
}

impl ArgminDot<Vec<f64>, Vec<f64>> for ArgminHessian {
    fn dot(&self, v: &Vec<f64>) -> Vec<f64> {
        let mut out = vec![0.0; v.len()];
        self.h.apply(
            ArrayView1::from(v.as_slice()),
            ArrayViewMut1::from(out.as_mut_slice()),
        );
        self.counts.hvp.fetch_add(1, Ordering::Relaxed);
        out
    }
}

/// f alone: Σ 100(x_{2i+1} − x_{2i}²)² + (1 − x_{2i})², chunked like ours.
fn rosenbrock_cost(x: &[f64]) -> f64 {
    let parts: Vec<f64> = x
        .par_chunks(CHUNK)
        .map(|c| {
            c.chunks_exact(2)
                .map(|b| {
                    let r = b[1] - b[0] * b[0];
                    let s = 1.0 - b[0];
                    100.0 * r * r + s * s
                })
                .sum::<f64>()
        })
        .collect();
    parts.iter().sum()
}

impl CostFunction for ArgminRosenbrock {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, ArgminError> {
        self.counts.cost.fetch_add(1, Ordering::Relaxed);
        Ok(rosenbrock_cost(x))
    }
}

impl Gradient for ArgminRosenbrock {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, ArgminError> {
        self.counts.grad.fetch_add(1, Ordering::Relaxed);
        let mut g = vec![0.0; x.len()];
        self.problem.value_grad(
            ArrayView1::from(x.as_slice()),
            ArrayViewMut1::from(g.as_mut_slice()),
        );
        Ok(g)
    }
}

impl Hessian for ArgminRosenbrock {
    type Param = Vec<f64>;
    type Hessian = ArgminHessian;
    fn hessian(&self, x: &Vec<f64>) -> Result<ArgminHessian, ArgminError> {
        self.counts.hessian.fetch_add(1, Ordering::Relaxed);
        Ok(ArgminHessian {
            h: Arc::new(self.problem.hessian(ArrayView1::from(x.as_slice()))),
            counts: Arc::clone(&self.counts),
        })
    }
}

struct ArgminRun {
    elapsed: Duration,
    iterations: u64,
    f: f64,
    x: Vec<f64>,
    reason: String,
    reached: bool,
    cost: u64,
    grad: u64,
    hessian: u64,
    hvp: u64,
    max_radius: f64,
    radius_increases: u64,
}

/// Records the radius argmin used at each iteration (its `"radius"` entry).
#[derive(Clone, Default)]
struct RadiusLog(Arc<Mutex<(f64, f64, u64)>>);

impl<I> Observe<I> for RadiusLog {
    fn observe_iter(&mut self, _state: &I, kv: &KV) -> Result<(), ArgminError> {
        if let Some(r) = kv.get("radius").and_then(|v| v.get_float()) {
            let mut s = self.0.lock().expect("radius log");
            let (max, last, ups) = *s;
            *s = (max.max(r), r, ups + u64::from(r > last && last > 0.0));
        }
        Ok(())
    }
}

fn run_argmin(problem: ExtendedRosenbrock, target: f64) -> ArgminRun {
    let n = problem.dim();
    let counts = Arc::new(ArgminCounts::default());
    let op = ArgminRosenbrock {
        problem,
        counts: Arc::clone(&counts),
    };
    let x0 = problem.start().to_vec();
    let subproblem: Steihaug<Vec<f64>, f64> =
        Steihaug::new().with_max_iters((2 * n).max(50) as u64);
    let solver = ArgminTrustRegion::new(subproblem)
        .with_radius(1.0)
        .and_then(|s| s.with_max_radius(1e10))
        .and_then(|s| s.with_eta(1e-4))
        .expect("valid argmin options");
    let log = RadiusLog::default();
    let t = Instant::now();
    let res = Executor::new(op, solver)
        .configure(|s| s.param(x0).max_iters(100_000).target_cost(target))
        .add_observer(log.clone(), ObserverMode::Always)
        .run()
        .expect("argmin run");
    let elapsed = t.elapsed();
    let state = res.state();
    let reason = state.get_termination_reason();
    let (max_radius, _, radius_increases) = *log.0.lock().expect("radius log");
    ArgminRun {
        elapsed,
        iterations: state.get_iter(),
        f: state.get_best_cost(),
        x: state.get_best_param().expect("best param").clone(),
        reason: format!("{reason:?}"),
        reached: matches!(reason, Some(TerminationReason::TargetCostReached)),
        cost: ArgminCounts::get(&counts.cost),
        grad: ArgminCounts::get(&counts.grad),
        hessian: ArgminCounts::get(&counts.hessian),
        hvp: ArgminCounts::get(&counts.hvp),
        max_radius,
        radius_increases,
    }
}

// ------------------------------------------------------------------ our side

/// Time spent inside the objective's calls.
#[derive(Default)]
struct Meter {
    eval: Cell<Duration>,
    prep: Cell<Duration>,
    hvp: Cell<Duration>,
}

fn add(cell: &Cell<Duration>, since: Instant) {
    cell.set(cell.get() + since.elapsed());
}

/// An objective whose every call is timed.
struct Timed<'m, O> {
    inner: O,
    meter: &'m Meter,
}

/// A Hessian whose every product is timed.
struct TimedHessian<'m, H> {
    inner: H,
    meter: &'m Meter,
}

impl<H: LinearOperator> LinearOperator for TimedHessian<'_, H> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        let t = Instant::now();
        self.inner.apply(v, out);
        add(&self.meter.hvp, t);
    }
}

impl<'m, O: Objective> Objective for Timed<'m, O> {
    type Hessian<'a>
        = TimedHessian<'a, O::Hessian<'a>>
    where
        Self: 'a;

    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64 {
        let t = Instant::now();
        let f = self.inner.value_grad(x, grad);
        add(&self.meter.eval, t);
        f
    }
    fn hessian(&self, x: ArrayView1<'_, f64>) -> Self::Hessian<'_> {
        let t = Instant::now();
        let h = self.inner.hessian(x);
        add(&self.meter.prep, t);
        TimedHessian {
            inner: h,
            meter: self.meter,
        }
    }
}

fn run_ours<O: Objective>(obj: &O, x0: ArrayView1<'_, f64>, target: f64) -> Report {
    let mut stop = |r: &steihaug::Iterate| {
        if r.f <= target {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    TrustRegion::default()
        .solve_with(obj, x0, &mut stop)
        .expect("our solve")
}

// ------------------------------------------------------------------- driver

fn grad_norm(problem: &ExtendedRosenbrock, x: ArrayView1<'_, f64>) -> f64 {
    let mut g = Array1::zeros(problem.dim());
    problem.value_grad(x, g.view_mut());
    g.dot(&g).sqrt()
}

fn max_dev_from_one(x: &[f64]) -> f64 {
    x.iter().fold(0.0f64, |m, &v| m.max((v - 1.0).abs()))
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// One table row: solver, round, seconds, iterations, HVPs, evaluations,
/// final f and ‖g‖.
fn row(
    solver: &str,
    round: usize,
    secs: f64,
    (iters, hvps): (u64, u64),
    evals: &str,
    (f, g): (f64, f64),
) {
    println!(
        "{solver:>7} {round:>5} {secs:>9.3} {iters:>6} {hvps:>6} {evals:>22} {:>10.3} {f:>11.4e} {g:>11.4e}",
        1e3 * secs / iters as f64
    );
}

fn main() {
    let n = env_usize("BENCH_N", 1_000_000);
    let rounds = env_usize("BENCH_ROUNDS", 3).max(1);
    let argmin_rounds = env_usize("BENCH_ARGMIN_ROUNDS", 1);
    let problem = ExtendedRosenbrock::new(n).expect("even n");
    let x0 = problem.start();
    let mut g0 = Array1::zeros(n);
    let f0 = problem.value_grad(x0.view(), g0.view_mut());
    println!(
        "argmin_compare: extended Rosenbrock, n = {n}, f(x0) = {f0:.6e}, |g0| = {:.6e}, \
         rayon threads = {}",
        g0.dot(&g0).sqrt(),
        rayon::current_num_threads()
    );

    // Calibration (not timed): where does our solver meet ‖g‖ ≤ 1e-8‖g0‖?
    let cal = TrustRegion::default()
        .solve(&problem, x0.view())
        .expect("calibration solve");
    assert_eq!(
        cal.status,
        Status::Converged,
        "calibration: {}",
        cal.summary()
    );
    let target = cal.f;
    println!(
        "stop rule for both: f <= {target:.6e} (the f at which ours meets |g| <= 1e-8 |g0|, \
         after {} iterations)",
        cal.iterations
    );
    println!();
    println!(
        "{:>7} {:>5} {:>9} {:>6} {:>6} {:>22} {:>10} {:>11} {:>11}",
        "solver", "round", "time s", "iters", "HVPs", "evals", "ms/iter", "final f", "final |g|"
    );

    // Ours, plain.
    let mut ours_t = Vec::new();
    let mut ours = None;
    for round in 1..=rounds {
        let rep = run_ours(&problem, x0.view(), target);
        assert_eq!(rep.status, Status::StoppedByUser, "{}", rep.summary());
        assert!(rep.f <= target, "ours missed the target: {}", rep.summary());
        let secs = rep.elapsed.as_secs_f64();
        row(
            "ours",
            round,
            secs,
            (rep.iterations as u64, rep.counts.hvps),
            &format!("{} f+g, {} H", rep.counts.evals, rep.counts.hessians),
            (rep.f, rep.grad_norm),
        );
        ours_t.push(secs);
        ours = Some(rep);
    }
    let ours = ours.expect("at least one round");
    let ours_med = median(&ours_t);

    // Ours, with every objective call timed.
    let meter = Meter::default();
    let timed = Timed {
        inner: problem,
        meter: &meter,
    };
    let inst = run_ours(&timed, x0.view(), target);
    assert_eq!(inst.status, Status::StoppedByUser, "{}", inst.summary());
    assert_eq!(
        inst.counts, ours.counts,
        "the instrumented run must be the same run"
    );
    row(
        "ours*",
        1,
        inst.elapsed.as_secs_f64(),
        (inst.iterations as u64, inst.counts.hvps),
        &format!("{} f+g, {} H", inst.counts.evals, inst.counts.hessians),
        (inst.f, inst.grad_norm),
    );

    // argmin.
    let mut argmin_t = Vec::new();
    let mut am_last = None;
    for round in 1..=argmin_rounds {
        let am = run_argmin(problem, target);
        assert!(
            am.reached && am.f <= target,
            "argmin did not reach the target: {} with f = {:e} after {} iterations",
            am.reason,
            am.f,
            am.iterations
        );
        let g = grad_norm(&problem, ArrayView1::from(am.x.as_slice()));
        row(
            "argmin",
            round,
            am.elapsed.as_secs_f64(),
            (am.iterations, am.hvp),
            &format!("{} f, {} g, {} H", am.cost, am.grad, am.hessian),
            (am.f, g),
        );
        argmin_t.push(am.elapsed.as_secs_f64());
        am_last = Some(am);
    }
    println!("(ours* = ours with timing wrappers; evals: f+g = value_grad calls, H = Hessian preparations)");
    println!();

    let max_radius_ours = ours.history.iter().map(|r| r.radius).fold(0.0f64, f64::max);
    println!(
        "ours: largest radius used {max_radius_ours:.3e}; max |x_i - 1| = {:.3e}",
        max_dev_from_one(ours.x.as_slice().expect("contiguous"))
    );

    let mut ratio = None;
    if let Some(am) = &am_last {
        println!(
            "argmin: largest radius used {:.3e}, radius increases {}; max |x_i - 1| = {:.3e}",
            am.max_radius,
            am.radius_increases,
            max_dev_from_one(&am.x)
        );
        let r = median(&argmin_t) / ours_med;
        ratio = Some(r);
        let per_iter =
            (median(&argmin_t) / am.iterations as f64) / (ours_med / ours.iterations as f64);
        println!();
        println!(
            "time argmin / ours = {r:.1} (medians: argmin {:.3} s over {} run(s), ours {:.3} s over {} runs)",
            median(&argmin_t),
            argmin_t.len(),
            ours_med,
            ours_t.len()
        );
        println!(
            "  iterations argmin / ours = {:.1}; time per iteration argmin / ours = {per_iter:.2}",
            am.iterations as f64 / ours.iterations as f64
        );
        println!(
            "  HVPs argmin / ours = {:.1} ({:.2} vs {:.2} per iteration); f-or-g evaluations \
             argmin / ours = {:.1}",
            am.hvp as f64 / ours.counts.hvps as f64,
            am.hvp as f64 / am.iterations as f64,
            ours.counts.hvps as f64 / ours.iterations as f64,
            (am.cost + am.grad) as f64 / ours.counts.evals as f64
        );
    }

    // Our solver overhead: time outside the objective's calls.
    println!();
    let overhead = print_split("ours* on extended Rosenbrock", &inst, &meter);

    // The same split on a problem whose HVP is not as cheap as a vector
    // update: L2-regularized logistic regression, m samples, d features.
    let (m, d) = (
        env_usize("BENCH_LOGISTIC_M", 10_000),
        env_usize("BENCH_LOGISTIC_D", 500),
    );
    let w_true: Vec<f64> = (0..d)
        .map(|j| {
            if j == 0 {
                0.5
            } else {
                ((j % 7) as f64 - 3.0) / (3.0 * (d as f64).sqrt())
            }
        })
        .collect();
    let logistic = DenseLogistic::synthetic(m, &w_true, 1.0, 11).expect("logistic problem");
    let meter2 = Meter::default();
    let timed2 = Timed {
        inner: logistic,
        meter: &meter2,
    };
    let rep2 = TrustRegion::default()
        .solve(&timed2, Array1::zeros(d).view())
        .expect("logistic solve");
    assert_eq!(rep2.status, Status::Converged, "{}", rep2.summary());
    println!();
    let overhead2 = print_split(
        &format!("ours on logistic regression, m = {m}, d = {d}, lambda = 1 (to |g| <= 1e-8 |g0|)"),
        &rep2,
        &meter2,
    );
    println!();
    println!(
        "targets: argmin / ours >= 2: {}; overhead < 25% of ours: {} on extended Rosenbrock ({:.1}%), {} on logistic ({:.1}%)",
        match ratio {
            Some(r) if r >= 2.0 => format!("met ({r:.1})"),
            Some(r) => format!("MISSED ({r:.2})"),
            None => "not measured (BENCH_ARGMIN_ROUNDS=0)".into(),
        },
        if overhead < 0.25 { "met" } else { "MISSED" },
        100.0 * overhead,
        if overhead2 < 0.25 { "met" } else { "MISSED" },
        100.0 * overhead2,
    );
}

/// Prints where the time of an instrumented solve went; returns the
/// overhead fraction.
fn print_split(label: &str, rep: &Report, meter: &Meter) -> f64 {
    let total = rep.elapsed.as_secs_f64();
    let (ev, pr, hv) = (
        meter.eval.get().as_secs_f64(),
        meter.prep.get().as_secs_f64(),
        meter.hvp.get().as_secs_f64(),
    );
    let overhead = total - ev - pr - hv;
    println!("{label}: {} iterations, total {total:.3} s", rep.iterations);
    for (name, t, calls) in [
        ("value_grad", ev, rep.counts.evals),
        ("Hessian preparation", pr, rep.counts.hessians),
        ("HVPs", hv, rep.counts.hvps),
    ] {
        println!(
            "  {name:<20} {t:>7.3} s {:>5.1}%  {calls} calls, {:.3} ms each",
            100.0 * t / total,
            1e3 * t / calls as f64
        );
    }
    println!(
        "  {:<20} {overhead:>7.3} s {:>5.1}%  everything else (CG vector work, trial point, norms, checks)",
        "solver overhead",
        100.0 * overhead / total
    );
    overhead / total
}
