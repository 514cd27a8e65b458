//! Quadratics f(x) = ½xᵀAx + bᵀx: the seed problem of the test suite, and a
//! larger, ill-conditioned one where the inner CG loop does the work. The
//! trust-region and line-search Newton-CG solvers and dense Newton side by
//! side, each with its per-iteration table.
//!
//! ```text
//! cargo run --release --example quadratic
//! ```

mod common;

use common::{compare, run_all};
use ndarray::{array, Array1, Array2};
use steihaug::problems::Quadratic;
use steihaug::Termination;

fn main() -> steihaug::Result<()> {
    let termination = Termination {
        gtol_abs: 1e-10,
        gtol_rel: 0.0,
        ..Termination::default()
    };

    // A = [[4, 1], [1, 3]], b = (−1, 2): x* = −A⁻¹b = (5/11, −9/11). Newton's
    // method solves a quadratic in one step. The Newton-CG solvers stop CG
    // early, at ‖r‖ ≤ η‖g‖ with the default η = min(½, √‖g‖), so they take a
    // few inexact steps instead; with `Forcing::Constant(1e-12)` CG runs its
    // n = 2 iterations and one outer step suffices.
    println!("### 2×2 quadratic, x* = (5/11, -9/11)");
    let q = Quadratic::new(array![[4.0, 1.0], [1.0, 3.0]], array![-1.0, 2.0])?;
    let reports = run_all(&q, array![0.0, 0.0].view(), termination)?;
    compare(&reports, array![5.0 / 11.0, -9.0 / 11.0].view(), "|x - x*|");

    // The 1-D Laplacian tridiag(−1, 2, −1) plus 10⁻³·I at n = 400:
    // κ ≈ 4·10³, so CG needs many products per Newton step and the
    // trust region has to grow before the Newton step fits.
    let n = 400;
    println!("\n### 1-D Laplacian + 1e-3 I, n = {n}");
    let a = Array2::from_shape_fn((n, n), |(i, j)| match i.abs_diff(j) {
        0 => 2.0 + 1e-3,
        1 => -1.0,
        _ => 0.0,
    });
    let b = Array1::from_shape_fn(n, |i| ((i + 1) as f64 * 0.05).sin());
    let q = Quadratic::new(a, b)?;
    let x0 = Array1::zeros(n);
    let reports = run_all(&q, x0.view(), termination)?;
    // Dense Newton's single step is the reference here.
    let x_star = reports[2].x.clone();
    compare(&reports, x_star.view(), "|x - x*|");
    Ok(())
}
