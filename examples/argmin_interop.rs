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
    let c = &res.state.counts;
    println!(
        "{:<34} {:>6} {:>8} {:>9} {:>9} {:>7} {:>11.3e} {:>10.2e}   ({})",
        "argmin TrustRegion<Steihaug>",
        res.state.get_iter(),
        c.get("cost_count").unwrap_or(&0),
        c.get("gradient_count").unwrap_or(&0),
        c.get("hessian_count").unwrap_or(&0),
        hvps.load(std::sync::atomic::Ordering::Relaxed),
        res.state.get_best_cost(),
        max_err(res.state.get_best_param().unwrap()),
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
    let c = &res.state.counts;
    println!(
        "{:<34} {:>6} {:>8} {:>9} {:>9} {:>7} {:>11.3e} {:>10.2e}   ({})",
        "steihaug ArgminTrustRegion",
        res.state.get_iter(),
        c.get("cost_count").unwrap_or(&0),
        c.get("gradient_count").unwrap_or(&0),
        c.get("hessian_count").unwrap_or(&0),
        hvps.load(std::sync::atomic::Ordering::Relaxed),
        res.state.get_best_cost(),
        max_err(res.state.get_best_param().unwrap()),
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
    let c = obj.counts();
    println!(
        "{:<34} {:>6} {:>8} {:>9} {:>9} {:>7} {:>11.3e} {:>10.2e}   ({})",
        "steihaug TrustRegion::solve",
        report.iterations,
        c.get("cost_count").unwrap_or(&0),
        c.get("gradient_count").unwrap_or(&0),
        c.get("hessian_count").unwrap_or(&0),
        hvps.load(std::sync::atomic::Ordering::Relaxed),
        report.f,
        max_err(report.x.as_slice().unwrap()),
        report.status,
    );
    Ok(())
}
