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

mod common;

use common::{compare, run_all};
use ndarray::Array1;
use steihaug::problems::DenseLogistic;
use steihaug::Termination;

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
    compare(&reports, reports[2].x.view(), "|w - w_dense|");
    println!("fitted w = {:.6}", reports[0].x);

    let d = 50;
    let w_true: Vec<f64> = (0..d).map(|j| ((j as f64) * 0.7).sin()).collect();
    println!("\n### 20000 samples, {d} features, lambda = 1");
    let p = DenseLogistic::synthetic(20_000, &w_true, 1.0, 7)?;
    let reports = run_all(&p, Array1::zeros(d).view(), termination)?;
    compare(&reports, reports[2].x.view(), "|w - w_dense|");
    Ok(())
}
