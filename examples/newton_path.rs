//! The path of pure Newton on Rosenbrock from (3, −2), printed from the
//! callback: every solver's callback sees the record of the iteration and
//! borrowed views of the current x and g (`steihaug::Iterate`), so
//! recording iterates needs no wrapper around the objective (SciPy's
//! `callback(xk)`).
//!
//! ```sh
//! cargo run --release --example newton_path
//! ```
//!
//! Pure Newton (α = 1, no shift, no line search) reaches (1, 1) from this
//! start in a handful of steps, first overshooting far along the valley;
//! the trust region's path, printed after it, stays inside its radius.

use std::ops::ControlFlow;

use ndarray::array;
use steihaug::{minimize_with, problems::Rosenbrock, DenseNewton, Iterate, Method, Options};

fn main() -> Result<(), steihaug::Error> {
    let x0 = array![3.0, -2.0];
    let mut path = vec![(0, x0[0], x0[1], f64::NAN)];
    let mut record = |it: &Iterate<'_>| {
        path.push((it.iter, it.x[0], it.x[1], it.f));
        ControlFlow::Continue(())
    };
    let report = DenseNewton::pure().solve_with(&Rosenbrock, x0.view(), &mut record)?;
    println!("pure Newton on Rosenbrock from (3, -2): {}", report.status);
    println!("{:>4} {:>22} {:>22} {:>12}", "iter", "x", "y", "f");
    for (k, x, y, f) in &path {
        println!("{k:>4} {x:>22.15} {y:>22.15} {f:>12.4e}");
    }
    assert!(report.status.is_converged());
    assert!((report.x[0] - 1.0).abs() < 1e-8 && (report.x[1] - 1.0).abs() < 1e-8);

    let mut tr_path = Vec::new();
    let options = Options::new(Method::TrustRegion);
    let tr = minimize_with(&Rosenbrock, x0.view(), &options, &mut |it: &Iterate<'_>| {
        tr_path.push((it.iter, it.x.to_vec(), it.radius, it.accepted));
        ControlFlow::Continue(())
    })?;
    println!(
        "\ntrust region from (3, -2): {} in {} iterations",
        tr.status, tr.iterations
    );
    println!(
        "{:>4} {:>22} {:>22} {:>10} {:>4}",
        "iter", "x", "y", "radius", "acc"
    );
    for (k, x, radius, acc) in &tr_path {
        println!(
            "{k:>4} {:>22.15} {:>22.15} {radius:>10.3e} {:>4}",
            x[0],
            x[1],
            if *acc { "yes" } else { "no" }
        );
    }
    Ok(())
}
