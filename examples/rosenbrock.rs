//! Rosenbrock's function f(x, y) = (1 − x)² + 100(y − x²)² from the standard
//! start (−1.2, 1): trust-region Newton-CG, line-search Newton-CG and dense
//! Newton side by side, each with its per-iteration table.
//!
//! ```text
//! cargo run --release --example rosenbrock
//! ```

mod common;

use common::run_all;
use ndarray::array;
use steihaug::problems::Rosenbrock;
use steihaug::Termination;

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
