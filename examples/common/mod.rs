//! What the seed examples (`quadratic`, `rosenbrock`, `logistic`) share:
//! the three solvers run with one stopping rule, and a comparison table.

use std::ops::ControlFlow;

use ndarray::ArrayView1;
use steihaug::report::table_header;
use steihaug::{
    DenseNewton, DenseNewtonConfig, LineSearchConfig, LineSearchNewtonCg, Objective, Report,
    Termination, TrustRegion, TrustRegionConfig,
};

/// Runs the three solvers with the same stopping rule, printing a table for
/// each, and returns their reports (trust region, line search, dense).
pub fn run_all<O: Objective>(
    obj: &O,
    x0: ArrayView1<'_, f64>,
    termination: Termination,
) -> steihaug::Result<Vec<Report>> {
    let mut reports = Vec::new();
    for solver in 0..3 {
        let mut print_row = |rec: &steihaug::Iterate| {
            println!("{}", rec.table_row());
            ControlFlow::Continue(())
        };
        let title = ["trust region", "line search", "dense Newton"][solver];
        println!("\n== {title} ==\n{}", table_header());
        let report = match solver {
            0 => TrustRegion::new(TrustRegionConfig {
                termination,
                ..Default::default()
            })
            .solve_with(obj, x0, &mut print_row)?,
            1 => LineSearchNewtonCg::new(LineSearchConfig {
                termination,
                ..Default::default()
            })
            .solve_with(obj, x0, &mut print_row)?,
            _ => DenseNewton::new(DenseNewtonConfig {
                termination,
                ..Default::default()
            })
            .solve_with(obj, x0, &mut print_row)?,
        };
        println!("{}", report.summary());
        reports.push(report);
    }
    Ok(reports)
}

/// One row per report: status, counts, f, ‖g‖ and the distance of x to
/// `reference`, in a column headed `label`.
#[allow(dead_code)] // not every example uses it
pub fn compare(reports: &[Report], reference: ArrayView1<'_, f64>, label: &str) {
    let w = label.chars().count().max(11);
    println!(
        "\n{:<13} {:>10} {:>6} {:>6} {:>6} {:>22} {:>9} {:>w$}",
        "solver", "status", "iters", "evals", "hvps", "f", "|g|", label
    );
    for r in reports {
        let dist = (&r.x - &reference).mapv(|v| v * v).sum().sqrt();
        println!(
            "{:<13} {:>10} {:>6} {:>6} {:>6} {:>22.15e} {:>9.2e} {:>w$.2e}",
            r.solver,
            r.status.as_str(),
            r.iterations,
            r.counts.evals,
            r.counts.hvps,
            r.f,
            r.grad_norm,
            dist
        );
    }
}
