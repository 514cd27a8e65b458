//! The same problem solved by argmin's own `TrustRegion<Steihaug>` and by
//! steihaug's trust-region Newton-CG running inside argmin's `Executor`;
//! then the argmin problem handed to steihaug's own `solve`.
//!
//! ```text
//! cargo run --release --example argmin_interop --features argmin [-- N]
//! ```
//!
//! The problem is the extended Rosenbrock function written as an argmin
//! problem (`CostFunction`, `Gradient`, and a `Hessian` whose value is an
//! operator applying H v, counted). Both solvers run under the same argmin
//! termination: target cost 1e-12 or 500 iterations.

use std::sync::atomic::{AtomicU64, Ordering};

use argmin::core::{Error, Executor, State};
use argmin::solver::trustregion::{Steihaug, TrustRegion as ArgminTr};
use steihaug::interop::argmin::{ArgminTrustRegion, FromArgmin};
use steihaug::{TrustRegion, TrustRegionConfig};

#[path = "../tests/common/argmin_problem.rs"]
mod argmin_problem;
use argmin_problem::{start, ExtRosenbrock};

fn max_err(x: &[f64]) -> f64 {
    x.iter().fold(0.0f64, |m, v| m.max((v - 1.0).abs()))
}

/// argmin's counter names, in table order.
fn counts(get: impl Fn(&str) -> Option<u64>) -> [u64; 3] {
    ["cost_count", "gradient_count", "hessian_count"].map(|k| get(k).unwrap_or(0))
}

/// One table row: argmin's evaluation counters (cost, gradient, Hessian),
/// the problem's HVP counter, the result.
fn row(
    label: &str,
    iters: u64,
    counts: [u64; 3],
    hvps: &AtomicU64,
    f: f64,
    x: &[f64],
    status: String,
) {
    println!(
        "{:<34} {:>6} {:>8} {:>9} {:>9} {:>7} {:>11.3e} {:>10.2e}   ({})",
        label,
        iters,
        counts[0],
        counts[1],
        counts[2],
        hvps.load(Ordering::Relaxed),
        f,
        max_err(x),
        status,
    );
}

fn main() -> Result<(), Error> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1000);
    println!("extended Rosenbrock, n = {n}; stop at f <= 1e-12 or 500 iterations\n");
    println!(
        "{:<34} {:>6} {:>8} {:>9} {:>9} {:>7} {:>11} {:>10}",
        "solver", "iters", "cost", "gradient", "hessian", "HVPs", "f", "max|x-1|"
    );

    // argmin's own trust region with its Steihaug subproblem.
    let problem = ExtRosenbrock::new();
    let hvps = problem.hvps.clone();
    let theirs =
        ArgminTr::new(Steihaug::new().with_max_iters(2 * n as u64)).with_max_radius(1e10)?;
    let res = Executor::new(problem, theirs)
        .configure(|s| {
            s.param(start(n))
                .target_cost(1e-12)
                .max_iters(500)
                .counting(true)
        })
        .run()?;
    row(
        "argmin TrustRegion<Steihaug>",
        res.state.get_iter(),
        counts(|k| res.state.counts.get(k).copied()),
        &hvps,
        res.state.get_best_cost(),
        res.state.get_best_param().map_or(&[][..], |x| x.as_slice()),
        res.state
            .get_termination_reason()
            .map_or("-".into(), |r| r.to_string()),
    );

    // Ours, inside argmin's Executor.
    let problem = ExtRosenbrock::new();
    let hvps = problem.hvps.clone();
    let ours = ArgminTrustRegion::new(TrustRegionConfig::default());
    let res = Executor::new(problem, ours)
        .configure(|s| {
            s.param(start(n))
                .target_cost(1e-12)
                .max_iters(500)
                .counting(true)
        })
        .run()?;
    row(
        "steihaug ArgminTrustRegion",
        res.state.get_iter(),
        counts(|k| res.state.counts.get(k).copied()),
        &hvps,
        res.state.get_best_cost(),
        res.state.get_best_param().map_or(&[][..], |x| x.as_slice()),
        res.state
            .get_termination_reason()
            .map_or("-".into(), |r| r.to_string()),
    );

    // The argmin problem handed to our own solve (no argmin Executor).
    let problem = ExtRosenbrock::new();
    let hvps = problem.hvps.clone();
    let obj = FromArgmin::new(problem, n);
    let report = TrustRegion::default()
        .solve(&obj, ndarray::Array1::from(start(n)).view())
        .map_err(Error::from)?;
    row(
        "steihaug TrustRegion::solve",
        report.iterations as u64,
        counts(|k| obj.counts().get(k).copied()),
        &hvps,
        report.f,
        report.x.as_slice().unwrap_or(&[]),
        report.status.to_string(),
    );
    Ok(())
}
