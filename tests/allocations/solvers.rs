//! A second solve of the same problem allocates nothing inside its
//! iterations, with the trust region and with line-search Newton-CG
//! (JSOSolvers' `test/allocs.jl`). Only allocations on the test's own
//! thread are counted.
//!
//! Work vectors, partial-sum buffers and the history are allocated once at
//! the start of a solve. The test objective is extended Rosenbrock whose
//! Hessian keeps a read guard on a copy of x held by the objective, so that
//! preparing it allocates nothing either: what is counted is the solver's
//! own work.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{RwLock, RwLockReadGuard};

use ndarray::{Array1, ArrayView1, ArrayViewMut1};
use steihaug::{
    Iterate, LineSearchConfig, LineSearchNewtonCg, LinearOperator, Objective, Par, Report,
    Subproblem, TrustRegion, TrustRegionConfig,
};

use crate::{count_on_this_thread, stop_counting};

/// Allocations of the second solves.
static SECOND_SOLVES: AtomicUsize = AtomicUsize::new(0);
/// Allocations of the whole solve of `the_counter_counts`.
static WHOLE_SOLVE: AtomicUsize = AtomicUsize::new(0);

/// Extended Rosenbrock, Σ 100(x₂ₖ − x₂ₖ₋₁²)² + (1 − x₂ₖ₋₁)².
struct Rosen {
    x: RwLock<Array1<f64>>,
}

/// The 2×2-block Hessian at the point the objective last copied.
struct RosenHessian<'a>(RwLockReadGuard<'a, Array1<f64>>);

impl LinearOperator for RosenHessian<'_> {
    fn dim(&self) -> usize {
        self.0.len()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
        let x = &*self.0;
        for k in 0..x.len() / 2 {
            let (u, w) = (x[2 * k], x[2 * k + 1]);
            let (a, b) = (1200.0 * u * u - 400.0 * w + 2.0, -400.0 * u);
            out[2 * k] = a * v[2 * k] + b * v[2 * k + 1];
            out[2 * k + 1] = b * v[2 * k] + 200.0 * v[2 * k + 1];
        }
    }
}

impl Objective for Rosen {
    type Hessian<'a> = RosenHessian<'a>;
    fn dim(&self) -> usize {
        self.x.read().unwrap().len()
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>) -> f64 {
        let mut f = 0.0;
        for k in 0..x.len() / 2 {
            let (u, w) = (x[2 * k], x[2 * k + 1]);
            let t = w - u * u;
            f += 100.0 * t * t + (1.0 - u) * (1.0 - u);
            g[2 * k] = -400.0 * u * t - 2.0 * (1.0 - u);
            g[2 * k + 1] = 200.0 * t;
        }
        f
    }
    fn hessian(&self, x: ArrayView1<'_, f64>) -> RosenHessian<'_> {
        self.x.write().unwrap().assign(&x);
        RosenHessian(self.x.read().unwrap())
    }
}

fn start(n: usize) -> Array1<f64> {
    Array1::from_shape_fn(n, |i| if i % 2 == 0 { -1.2 } else { 1.0 })
}

/// Runs `solve` twice and returns the second report with the number of
/// allocations between its first and its last callback, and how many
/// callbacks came after the first.
fn second_solve(
    solve: impl Fn(&mut dyn FnMut(&Iterate<'_>) -> ControlFlow<()>) -> Report,
) -> (Report, usize, usize) {
    solve(&mut |_| ControlFlow::Continue(()));
    let mut first: Option<usize> = None;
    let mut last = 0;
    let mut later = 0usize;
    count_on_this_thread(&SECOND_SOLVES);
    let report = solve(&mut |_| {
        let now = SECOND_SOLVES.load(Ordering::SeqCst);
        match first {
            None => first = Some(now),
            Some(_) => later += 1,
        }
        last = now;
        ControlFlow::Continue(())
    });
    stop_counting();
    (report, last - first.expect("at least one iteration"), later)
}

#[test]
fn second_solves_allocate_nothing_inside_the_iterations() {
    for (n, par) in [(1000, Par::Rayon), (1 << 19, Par::Seq)] {
        let obj = Rosen {
            x: RwLock::new(Array1::zeros(n)),
        };
        let x0 = start(n);

        let tr = TrustRegion::new(TrustRegionConfig::default().par(par));
        let (report, allocs, later) =
            second_solve(|cb| tr.solve_with(&obj, x0.view(), cb).unwrap());
        assert!(
            report.status.is_converged(),
            "TR n = {n}: {}",
            report.status
        );
        assert!(report.x.iter().all(|&v| (v - 1.0).abs() < 1e-6));
        // The solve has rejected steps and several CG exits, so the
        // iterations counted are not all of one kind.
        assert!(
            report.history.iter().any(|r| !r.accepted),
            "no rejected step"
        );
        assert!(later >= 10, "{later}");
        assert_eq!(
            allocs, 0,
            "TR n = {n}: {allocs} allocations in {later} iterations"
        );

        // GLTR: pass 2, re-solves after rejected steps and the tridiagonal
        // solves allocate nothing either (its scalar buffers are reserved
        // to the iteration cap on its first step, before the first
        // callback).
        let gl = TrustRegion::new(
            TrustRegionConfig::default()
                .par(par)
                .subproblem(Subproblem::GLTR),
        );
        let (report, allocs, later) =
            second_solve(|cb| gl.solve_with(&obj, x0.view(), cb).unwrap());
        assert!(
            report.status.is_converged(),
            "GLTR n = {n}: {}",
            report.status
        );
        assert!(report.x.iter().all(|&v| (v - 1.0).abs() < 1e-6));
        assert!(
            report.history.iter().any(|r| !r.accepted),
            "no rejected step"
        );
        assert!(report.counts.pass2_hvps > 0, "no pass 2");
        assert!(later >= 10, "{later}");
        assert_eq!(
            allocs, 0,
            "GLTR n = {n}: {allocs} allocations in {later} iterations"
        );

        let ls = LineSearchNewtonCg::new(LineSearchConfig::default().par(par));
        let (report, allocs, later) =
            second_solve(|cb| ls.solve_with(&obj, x0.view(), cb).unwrap());
        assert!(
            report.status.is_converged(),
            "LS n = {n}: {}",
            report.status
        );
        assert!(report.x.iter().all(|&v| (v - 1.0).abs() < 1e-6));
        assert!(later >= 10, "{later}");
        assert_eq!(
            allocs, 0,
            "LS n = {n}: {allocs} allocations in {later} iterations"
        );
    }
}

/// The counter sees what it should: a solve as a whole allocates (work
/// vectors), so a test that found zero everywhere would be suspect.
#[test]
fn the_counter_counts() {
    let obj = Rosen {
        x: RwLock::new(Array1::zeros(100)),
    };
    let x0 = start(100);
    count_on_this_thread(&WHOLE_SOLVE);
    let before = WHOLE_SOLVE.load(Ordering::SeqCst);
    let report = TrustRegion::default().solve(&obj, x0.view()).unwrap();
    let after = WHOLE_SOLVE.load(Ordering::SeqCst);
    stop_counting();
    assert!(report.status.is_converged());
    assert!(after - before >= 5, "{}", after - before);
}
