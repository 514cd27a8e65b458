//! Dense Newton against matrix-free trust-region Newton-CG, both with their
//! default options, on the same problems for n = 50 … 2000.
//!
//! Problems:
//! * `rosenbrock`: extended Rosenbrock from the standard start. It has no
//!   dense Hessian of its own, so `DenseNewton` assembles H from n
//!   Hessian-vector products per iteration (counted in its HVPs).
//! * `logistic`: L2-regularized logistic regression (λ = 1, strongly
//!   convex) with n features (the first an intercept) and m = 2n synthetic
//!   samples, from w = 0. Here the dense solver gets a real dense Hessian
//!   `XᵀDX + λI`, formed by one matrix product per iteration (written in this
//!   file), which is what a user of the dense solver would provide.
//!
//! Measured per solve: wall time around the whole `solve` call (median of
//! repeated solves for the small, fast cases), outer iterations,
//! Hessian-vector products, value-and-gradient evaluations and the final f.
//! Both must report convergence (‖g‖ ≤ 1e-8‖g0‖) and their final f and x
//! must agree (asserted: |Δf| ≤ 1e-6(1 + |f|), max|Δx| ≤ 1e-4(1 + max|x|)),
//! so a ratio is never printed for a failed or different solve. The last column is time(dense) / time(TR).
//!
//! Run: `cargo bench --bench dense_vs_tr`. Environment: `BENCH_SIZES`
//! (comma-separated, default `50,100,200,500,1000,2000`).

use std::time::{Duration, Instant};

use ndarray::{linalg::general_mat_mul, Array1, ArrayView1, ArrayViewMut1, ArrayViewMut2};
use steihaug::problems::{DenseLogistic, DenseLogisticHessian, ExtendedRosenbrock};
use steihaug::{DenseNewton, Objective, Report, TrustRegion};

/// [`DenseLogistic`] with its dense Hessian `XᵀDX + λI`, D = σ(1 − σ) at w.
struct LogisticWithDenseHessian {
    inner: DenseLogistic,
    lambda: f64,
}

fn sigmoid(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + (-t).exp())
    } else {
        let e = t.exp();
        e / (1.0 + e)
    }
}

impl Objective for LogisticWithDenseHessian {
    type Hessian<'a> = DenseLogisticHessian<'a>;

    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn value_grad(&self, w: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64 {
        self.inner.value_grad(w, grad)
    }
    fn hessian(&self, w: ArrayView1<'_, f64>) -> DenseLogisticHessian<'_> {
        self.inner.hessian(w)
    }
    fn dense_hessian(&self, w: ArrayView1<'_, f64>, mut out: ArrayViewMut2<'_, f64>) -> bool {
        let x = self.inner.features();
        // A = diag(√D) X, H = AᵀA + λI.
        let mut a = x.clone();
        for (mut row, xr) in a.rows_mut().into_iter().zip(x.rows()) {
            let s = sigmoid(xr.dot(&w));
            row *= (s * (1.0 - s)).sqrt();
        }
        general_mat_mul(1.0, &a.t(), &a, 0.0, &mut out);
        for i in 0..out.nrows() {
            out[[i, i]] += self.lambda;
        }
        true
    }
}

fn logistic(n: usize) -> LogisticWithDenseHessian {
    let lambda = 1.0;
    // An intercept and n − 1 weights of size O(1/√n), so that xᵀw = O(1).
    let scale = 1.0 / (n as f64).sqrt();
    let w_true: Vec<f64> = (0..n)
        .map(|j| {
            if j == 0 {
                0.5
            } else {
                scale * (((j * 7919) % 13) as f64 - 6.0) / 3.0
            }
        })
        .collect();
    let inner = DenseLogistic::synthetic(2 * n, &w_true, lambda, 7).expect("valid problem");
    LogisticWithDenseHessian { inner, lambda }
}

/// Solves repeatedly (at least once, until 0.3 s are spent or 15 solves)
/// and returns the last report with the median wall time.
fn timed<F: FnMut() -> Report>(mut solve: F) -> (Report, Duration) {
    let mut times = Vec::new();
    let mut spent = Duration::ZERO;
    let mut report;
    loop {
        let t = Instant::now();
        report = solve();
        let dt = t.elapsed();
        times.push(dt);
        spent += dt;
        if spent >= Duration::from_millis(300) || times.len() >= 15 {
            break;
        }
    }
    times.sort();
    (report, times[times.len() / 2])
}

fn compare<O: Objective>(name: &str, obj: &O, x0: ArrayView1<'_, f64>, dense_h: &str) {
    let n = obj.dim();
    let (dn, t_dn) = timed(|| DenseNewton::default().solve(obj, x0).expect("dense solve"));
    let (tr, t_tr) = timed(|| TrustRegion::default().solve(obj, x0).expect("TR solve"));
    assert!(dn.status.is_converged(), "{name} n={n}: {}", dn.summary());
    assert!(tr.status.is_converged(), "{name} n={n}: {}", tr.summary());
    // Both stop at ‖g‖ ≤ 1e-8‖g0‖, so f and x agree to what that test
    // allows (on Rosenbrock, f ~ ‖g‖² ~ 1e-8 at n = 2000), not to rounding.
    let scale = 1.0 + dn.f.abs().max(tr.f.abs());
    assert!(
        (dn.f - tr.f).abs() <= 1e-6 * scale,
        "{name} n={n}: final f differ: dense {:e}, TR {:e}",
        dn.f,
        tr.f
    );
    let dx = (&dn.x - &tr.x).iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let xmax = dn.x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(
        dx <= 1e-4 * (1.0 + xmax),
        "{name} n={n}: final x differ by {dx:e}"
    );
    for (solver, r, t) in [("dense", &dn, t_dn), ("TR", &tr, t_tr)] {
        println!(
            "{name:>10} {n:>5} {solver:>6} {:>11.4} {:>6} {:>8} {:>6} {:>20.12e} {:>10}",
            1e3 * t.as_secs_f64(),
            r.iterations,
            r.counts.hvps,
            r.counts.evals,
            r.f,
            if solver == "dense" {
                dense_h.to_string()
            } else {
                format!("{:.1e}", dx)
            },
        );
    }
    println!(
        "{:>10} {:>5} {:>6} dense / TR time = {:.2}",
        "",
        "",
        "",
        t_dn.as_secs_f64() / t_tr.as_secs_f64()
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|t| t.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![50, 100, 200, 500, 1000, 2000]);
    println!(
        "dense_vs_tr: DenseNewton::default() vs TrustRegion::default(); rayon threads = {}",
        rayon::current_num_threads()
    );
    println!(
        "{:>10} {:>5} {:>6} {:>11} {:>6} {:>8} {:>6} {:>20} {:>10}",
        "problem", "n", "solver", "time ms", "iters", "HVPs", "evals", "final f", "note"
    );
    println!("(note: for dense, how H was formed; for TR, max |x_dense - x_TR|)");
    for &n in &sizes {
        let p = ExtendedRosenbrock::new(n).expect("even n");
        compare("rosenbrock", &p, p.start().view(), "n HVPs");
    }
    for &n in &sizes {
        let p = logistic(n);
        let w0 = Array1::<f64>::zeros(n);
        compare("logistic", &p, w0.view(), "X'DX+lI");
    }
}
