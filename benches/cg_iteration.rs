//! Cost of the pieces of one Newton-CG iteration at n = 10^6 on extended
//! Rosenbrock at the standard start (−1.2, 1, −1.2, 1, …).
//!
//! Measured, each for `Par::Seq` and `Par::Rayon` kernels of the problem:
//! * `hvp`: one Hessian-vector product `H v` (Hessian prepared beforehand);
//! * `cg1`: one call of `steihaug` with `max_iter = 1`, η = 1e-300 and radius
//!   1e300: one HVP plus the vector work of one CG iteration (residual and
//!   direction set-up, the p/r update with ‖r‖², the direction update, and
//!   the predicted reduction `½ pᵀ(r − g)` at exit). `cg1 − hvp` is the
//!   solver's vector work per CG iteration. `cg1` uses the workspace's
//!   default passes (`Par::Rayon`: parallel from `par::PAR_MIN_LEN`
//!   elements on), `cg1_seqpasses` the same passes on the calling thread
//!   (`KrylovWorkspace::with_par(Par::Seq)`; same results bit for bit);
//! * `value_grad`: one evaluation of f and ∇f;
//! * `hessian_prep`: one `Objective::hessian(x)` (the per-iteration
//!   preparation of the 2×2 blocks).
//!
//! Run: `cargo bench --bench cg_iteration` (about 30 s).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ndarray::Array1;
use steihaug::krylov::{self, KrylovWorkspace, SteihaugParams, Truncation};
use steihaug::problems::ExtendedRosenbrock;
use steihaug::{KrylovExit, LinearOperator, Objective, Par};

const N: usize = 1_000_000;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("ext_rosenbrock_n{N}"));
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(N as u64));

    for (label, par) in [("seq", Par::Seq), ("rayon", Par::Rayon)] {
        let problem = ExtendedRosenbrock::new(N).expect("even n").with_par(par);
        let x = problem.start();
        let mut g = Array1::<f64>::zeros(N);
        let f0 = problem.value_grad(x.view(), g.view_mut());
        assert!(f0.is_finite());
        let h = problem.hessian(x.view());

        // (a) one HVP, v = −g (the first CG direction).
        let v = g.mapv(|t| -t);
        let mut out = Array1::<f64>::zeros(N);
        group.bench_function(format!("hvp/{label}"), |b| {
            b.iter(|| h.apply(black_box(v.view()), out.view_mut()))
        });

        // (b) one HVP + one CG iteration's vector work.
        let params = SteihaugParams {
            truncation: Truncation::TrustRegion { radius: 1e300 },
            eta: 1e-300,
            max_iter: 1,
            curvature_eps: f64::EPSILON,
            deadline: None,
        };
        let mut ws = KrylovWorkspace::new(N);
        let mut p = Array1::<f64>::zeros(N);
        let info = krylov::steihaug(&h, None, g.view(), &params, &mut ws, p.view_mut()).unwrap();
        assert_eq!(
            info.exit,
            KrylovExit::MaxIterations,
            "one full CG iteration"
        );
        assert_eq!(info.iterations, 1);
        group.bench_function(format!("cg1/{label}"), |b| {
            b.iter(|| {
                krylov::steihaug(
                    &h,
                    None,
                    black_box(g.view()),
                    &params,
                    &mut ws,
                    p.view_mut(),
                )
                .unwrap()
            })
        });

        // (b') the same with the solver's passes on the calling thread.
        let mut ws_seq = KrylovWorkspace::new(N).with_par(Par::Seq);
        group.bench_function(format!("cg1_seqpasses/{label}"), |b| {
            b.iter(|| {
                krylov::steihaug(
                    &h,
                    None,
                    black_box(g.view()),
                    &params,
                    &mut ws_seq,
                    p.view_mut(),
                )
                .unwrap()
            })
        });

        // (c) one value and gradient.
        let mut g2 = Array1::<f64>::zeros(N);
        group.bench_function(format!("value_grad/{label}"), |b| {
            b.iter(|| problem.value_grad(black_box(x.view()), g2.view_mut()))
        });

        // (d) one Hessian preparation.
        group.bench_function(format!("hessian_prep/{label}"), |b| {
            b.iter(|| problem.hessian(black_box(x.view())))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = bench
}
criterion_main!(benches);
