//! Parallel scaling of the sharded logistic kernels (value+gradient, Hessian
//! preparation, HVP) at 1 and 2 threads, on rcv1-shaped synthetic data.
//!
//! `cargo bench --bench logistic_hvp` (ROWS=677399 by default; DATA=FILE to
//! read a LIBSVM file instead). Prints the minimum and median of REPS
//! (default 15) timings per kernel, interleaving the thread counts so that a
//! change in machine load hits both alike, and the load average. The
//! minimum is the best estimate of the unloaded cost on a shared machine.

use std::sync::Arc;
use std::time::Instant;

use ndarray::Array1;
use steihaug::io::read_libsvm_file;
use steihaug::problems::datagen::Rcv1Shaped;
use steihaug::problems::sparse_logistic::{l2_logistic, BinaryDataset};
use steihaug::{LinearOperator, Objective};

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default()
}

fn main() -> steihaug::Result<()> {
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let data = match std::env::var("DATA") {
        Ok(path) => BinaryDataset::from_libsvm(read_libsvm_file(path)?)?,
        Err(_) => {
            let rows = std::env::var("ROWS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(677_399);
            let spec = Rcv1Shaped {
                rows,
                ..Rcv1Shaped::rcv1_test(1)
            };
            let (y, x) = spec.generate()?;
            BinaryDataset::new(x, y)?
        }
    };
    let data = Arc::new(data);
    let n = data.cols();
    println!(
        "rcv1-shaped synthetic: l = {}, n = {n}, nnz = {}; load before: {}",
        data.rows(),
        data.x().nnz(),
        load().trim()
    );
    let obj = l2_logistic(data.clone(), 1.0)?;
    let pools: Vec<_> = [1usize, 2]
        .iter()
        .map(|&t| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap()
        })
        .collect();
    let w = Array1::from_shape_fn(n, |j| 1e-3 * ((j % 7) as f64 - 3.0));
    let v = Array1::from_shape_fn(n, |j| (j % 5) as f64 - 2.0);
    let mut times = vec![[Vec::new(), Vec::new(), Vec::new()]; 2];
    for _ in 0..reps {
        for (k, pool) in pools.iter().enumerate() {
            pool.install(|| {
                let mut g = Array1::zeros(n);
                let t = Instant::now();
                obj.value_grad(w.view(), g.view_mut());
                times[k][0].push(t.elapsed().as_secs_f64());
                let t = Instant::now();
                let h = obj.hessian(w.view());
                times[k][1].push(t.elapsed().as_secs_f64());
                let mut hv = Array1::zeros(n);
                let t = Instant::now();
                h.apply(v.view(), hv.view_mut());
                times[k][2].push(t.elapsed().as_secs_f64());
            });
        }
    }
    println!("| kernel | 1 thread min / median ms | 2 threads min / median ms | speedup (min) |");
    println!("|---|---|---|---|");
    for (i, name) in [
        "value+gradient",
        "Hessian preparation (cached margins)",
        "HVP (fused)",
    ]
    .iter()
    .enumerate()
    {
        let stat = |k: usize| {
            let mut t = times[k][i].clone();
            t.sort_by(f64::total_cmp);
            (t[0] * 1e3, t[t.len() / 2] * 1e3)
        };
        let (a, am) = stat(0);
        let (b, bm) = stat(1);
        println!(
            "| {name} | {a:.1} / {am:.1} | {b:.1} / {bm:.1} | {:.2}x |",
            a / b
        );
    }
    println!("load after: {}", load().trim());
    Ok(())
}
