//! Sequential against parallel vector passes of the CG loop, by size.
//!
//! For each n: one `steihaug` call with `max_iter = 1` (η = 1e-300, radius
//! 1e300) on extended Rosenbrock at the standard start — one HVP plus one
//! CG iteration's passes with set-up and exit, as `cg_iteration`'s `cg1` —
//! with the workspace's passes on `Par::Seq` and on `Par::Rayon`. The HVP is
//! the problem's sequential kernel in both, so the difference is the
//! solver's own passes. Samples alternate between the two; each sample
//! times enough calls for ≈ 10 ms; the median over samples is printed.
//!
//! Then whole solves: `TrustRegion::default()` on the same problem (with
//! the problem's default, parallel kernels) with `cg.par = Par::Seq` and
//! `Par::Rayon`, alternating, median over `BENCH_SOLVES` (default 9) solves
//! each. Same iterations and results bit for bit (asserted).
//!
//! With the crate as built, `Par::Rayon` falls back to the calling thread
//! below `par::PAR_MIN_LEN`, so the two columns agree there. To see where
//! rayon starts to pay, build with `PAR_MIN_LEN` set to 0 (how the
//! threshold was chosen, `docs/benchmarks-core.md`).
//!
//! Run: `cargo bench --bench par_threshold`. Environment: `BENCH_SIZES`
//! (comma-separated n, even), `BENCH_SAMPLES` (default 15), `BENCH_SOLVES`.

use std::hint::black_box;
use std::time::Instant;

use ndarray::Array1;
use steihaug::krylov::{self, KrylovWorkspace, SteihaugParams, Truncation};
use steihaug::linalg::par::PAR_MIN_LEN;
use steihaug::problems::ExtendedRosenbrock;
use steihaug::{Objective, Par, TrustRegion, TrustRegionConfig};

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|s| {
            s.split(',')
                .map(|t| t.trim().parse().expect("a size"))
                .collect()
        })
        .unwrap_or_else(|| default.to_vec())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let sizes = env_list(
        "BENCH_SIZES",
        &[
            4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576,
        ],
    );
    let samples = env_list("BENCH_SAMPLES", &[15])[0].max(1);
    println!(
        "PAR_MIN_LEN = {PAR_MIN_LEN}, rayon threads = {}",
        rayon::current_num_threads()
    );
    println!(
        "{:>9} {:>12} {:>12} {:>9}",
        "n", "seq µs", "rayon µs", "seq/rayon"
    );
    let params = SteihaugParams {
        truncation: Truncation::TrustRegion { radius: 1e300 },
        eta: 1e-300,
        max_iter: 1,
        curvature_eps: f64::EPSILON,
        deadline: None,
    };
    for n in sizes {
        let problem = ExtendedRosenbrock::new(n)
            .expect("even n")
            .with_par(Par::Seq);
        let x = problem.start();
        let mut g = Array1::<f64>::zeros(n);
        problem.value_grad(x.view(), g.view_mut());
        let h = problem.hessian(x.view());
        let mut p = Array1::<f64>::zeros(n);
        let mut ws = [Par::Seq, Par::Rayon].map(|par| KrylovWorkspace::new(n).with_par(par));
        let mut call = |w: &mut KrylovWorkspace| {
            krylov::steihaug(&h, None, black_box(g.view()), &params, w, p.view_mut()).unwrap()
        };
        // Calls per sample: ≈ 10 ms of the sequential version.
        let t = Instant::now();
        let mut warm = 0;
        while t.elapsed().as_secs_f64() < 0.05 {
            call(&mut ws[0]);
            call(&mut ws[1]);
            warm += 1;
        }
        let per = t.elapsed().as_secs_f64() / (2 * warm) as f64;
        let reps = ((0.01 / per) as usize).max(1);
        let mut times = [Vec::new(), Vec::new()];
        for _ in 0..samples {
            for (w, out) in ws.iter_mut().zip(times.iter_mut()) {
                let t = Instant::now();
                for _ in 0..reps {
                    black_box(call(w));
                }
                out.push(t.elapsed().as_secs_f64() / reps as f64 * 1e6);
            }
        }
        let [seq, par] = times.map(median);
        println!("{n:>9} {seq:>12.1} {par:>12.1} {:>9.2}", seq / par);
    }

    let solves = env_list("BENCH_SOLVES", &[9])[0].max(1);
    println!();
    println!("whole TrustRegion::default() solves, cg.par = Seq vs Rayon, median of {solves}");
    println!(
        "{:>9} {:>6} {:>12} {:>12} {:>9}",
        "n", "iters", "seq ms", "rayon ms", "seq/rayon"
    );
    for n in env_list(
        "BENCH_SIZES",
        &[16384, 32768, 65536, 131072, 262144, 1048576],
    ) {
        let problem = ExtendedRosenbrock::new(n).expect("even n");
        let x0 = problem.start();
        let solvers = [Par::Seq, Par::Rayon].map(|par| {
            let mut cfg = TrustRegionConfig::default();
            cfg.krylov.par = par;
            TrustRegion::new(cfg)
        });
        let mut times = [Vec::new(), Vec::new()];
        let mut reports = Vec::new();
        for _ in 0..solves {
            for (s, out) in solvers.iter().zip(times.iter_mut()) {
                let t = Instant::now();
                let r = s.solve(&problem, x0.view()).expect("solve");
                out.push(t.elapsed().as_secs_f64() * 1e3);
                reports.push(r);
            }
        }
        let (a, b) = (&reports[0], &reports[1]);
        assert!(a.iterations == b.iterations && a.f.to_bits() == b.f.to_bits());
        let [seq, par] = times.map(median);
        println!(
            "{n:>9} {:>6} {seq:>12.1} {par:>12.1} {:>9.2}",
            a.iterations,
            seq / par
        );
    }
}
