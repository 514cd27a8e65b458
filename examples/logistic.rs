//! Logistic regression, f(w) = Σᵢ log(1 + exp(−yᵢ xᵢᵀw)): Newton's method
//! here is iteratively reweighted least squares (IRLS). The trust-region and
//! line-search Newton-CG solvers and dense Newton side by side, each with
//! its per-iteration table, on the seed problem of the test suite (100
//! samples, 3 features) and on a larger one (20,000 samples, 50 features,
//! λ = 1).
//!
//! ```text
//! cargo run --release --example logistic
//! ```

use std::ops::ControlFlow;

use ndarray::{Array1, ArrayView1};
use steihaug::problems::DenseLogistic;
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

fn compare(reports: &[Report]) {
    // Dense Newton is the reference.
    let reference = &reports[2].x;
    println!(
        "\n{:<13} {:>10} {:>6} {:>6} {:>6} {:>22} {:>9} {:>14}",
        "solver", "status", "iters", "evals", "hvps", "f", "|g|", "|w - w_dense|"
    );
    for r in reports {
        let diff = (&r.x - reference).mapv(|v| v * v).sum().sqrt();
        println!(
            "{:<13} {:>10} {:>6} {:>6} {:>6} {:>22.15e} {:>9.2e} {:>14.2e}",
            r.solver,
            r.status.as_str(),
            r.iterations,
            r.counts.evals,
            r.counts.hvps,
            r.f,
            r.grad_norm,
            diff
        );
    }
}

fn main() -> steihaug::Result<()> {
    let termination = Termination {
        gtol_abs: 1e-9,
        gtol_rel: 0.0,
        ..Termination::default()
    };

    let w_true = [1.5, -1.0, 0.5];
    println!("### 100 samples, 3 features, w_true = {w_true:?}");
    let p = DenseLogistic::synthetic(100, &w_true, 0.0, 42)?;
    let reports = run_all(&p, Array1::zeros(3).view(), termination)?;
    compare(&reports);
    println!("fitted w = {:.6}", reports[0].x);

    let d = 50;
    let w_true: Vec<f64> = (0..d).map(|j| ((j as f64) * 0.7).sin()).collect();
    println!("\n### 20000 samples, {d} features, lambda = 1");
    let p = DenseLogistic::synthetic(20_000, &w_true, 1.0, 7)?;
    let reports = run_all(&p, Array1::zeros(d).view(), termination)?;
    compare(&reports);
    Ok(())
}
