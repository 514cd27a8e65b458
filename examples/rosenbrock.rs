//! Rosenbrock's function f(x, y) = (1 − x)² + 100(y − x²)² from the standard
//! start (−1.2, 1): trust-region Newton-CG, line-search Newton-CG and dense
//! Newton side by side, each with its per-iteration table.
//!
//! ```text
//! cargo run --release --example rosenbrock
//! ```

use std::ops::ControlFlow;

use ndarray::{array, ArrayView1};
use steihaug::problems::Rosenbrock;
use steihaug::report::table_header;
use steihaug::{
    DenseNewton, DenseNewtonConfig, IterationRecord, LineSearchConfig, LineSearchNewtonCg,
    Objective, Report, Termination, TrustRegion, TrustRegionConfig,
};

/// Runs the three solvers with the same stopping rule, printing a table for
/// each, and returns their reports.
fn run_all<O: Objective>(
    obj: &O,
    x0: ArrayView1<'_, f64>,
    termination: Termination,
) -> steihaug::Result<Vec<Report>> {
    let mut reports = Vec::new();
    for solver in 0..3 {
        let mut print_row = |rec: &IterationRecord| {
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

fn main() -> steihaug::Result<()> {
    // Stop at ‖∇f‖ ≤ 1e-10 for all three, so the answers can be compared.
    let termination = Termination {
        gtol_abs: 1e-10,
        gtol_rel: 0.0,
        ..Termination::default()
    };
    let reports = run_all(&Rosenbrock, array![-1.2, 1.0].view(), termination)?;

    println!("\nminimizer (1, 1), f* = 0");
    println!(
        "{:<13} {:>10} {:>6} {:>6} {:>6} {:>13} {:>13} {:>9}",
        "solver", "status", "iters", "evals", "hvps", "x", "y", "|g|"
    );
    for r in &reports {
        println!(
            "{:<13} {:>10} {:>6} {:>6} {:>6} {:>13.10} {:>13.10} {:>9.2e}",
            r.solver,
            r.status.as_str(),
            r.iterations,
            r.counts.evals,
            r.counts.hvps,
            r.x[0],
            r.x[1],
            r.grad_norm
        );
    }
    Ok(())
}
