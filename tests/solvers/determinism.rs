//! The solvers' results do not depend on the number of threads.
//!
//! The vector passes of the solvers (`steihaug::linalg::par`) split n-vectors into
//! blocks that depend only on n and add per-block partial sums in block
//! order; the problems' own kernels do the same over their chunks. So a
//! solve must give bit-for-bit the same point, values, counts and history
//! in rayon pools of 1, 2 and 4 threads. The sizes are above
//! `par::PAR_MIN_LEN`, so the parallel paths run, and not multiples of the
//! block length. A reduction whose split followed the thread count (rayon's
//! own `sum`, say) would change the last bits of the dot products, and over
//! dozens of CG and outer iterations the results.

use ndarray::{Array1, ArrayView1};
use steihaug::krylov::{self, KrylovWorkspace, SteihaugParams, Truncation};
use steihaug::linalg::par::{BLOCK, PAR_MIN_LEN};
use steihaug::problems::cutest::build;
use steihaug::problems::ExtendedRosenbrock;
use steihaug::{
    DynObjective, KrylovExit, LineSearchConfig, LineSearchNewtonCg, Objective, Par,
    Preconditioning, RadiusRule, Report, Termination, TrustRegion, TrustRegionConfig,
};

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
        .install(f)
}

fn bits(v: ArrayView1<'_, f64>) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Everything in two reports except wall-clock times, compared exactly.
fn assert_same(a: &Report, b: &Report, what: &str) {
    assert_eq!(a.status, b.status, "{what}: status");
    assert_eq!(a.iterations, b.iterations, "{what}: iterations");
    assert_eq!(a.counts, b.counts, "{what}: counts");
    assert_eq!(a.f.to_bits(), b.f.to_bits(), "{what}: f");
    assert_eq!(a.grad_norm.to_bits(), b.grad_norm.to_bits(), "{what}: ‖g‖");
    assert!(bits(a.x.view()) == bits(b.x.view()), "{what}: x differs");
    assert_eq!(a.history.len(), b.history.len(), "{what}: history length");
    for (ra, rb) in a.history.iter().zip(&b.history) {
        let key = |r: &steihaug::IterationRecord| {
            (
                r.iter,
                [
                    r.f,
                    r.grad_norm,
                    r.radius,
                    r.next_radius,
                    r.ratio,
                    r.alpha,
                    r.step_norm,
                ]
                .map(f64::to_bits),
                r.accepted,
                r.krylov_iterations,
                r.krylov_exit,
                r.hvps,
            )
        };
        assert_eq!(key(ra), key(rb), "{what}: iteration {}", ra.iter);
    }
}

/// Solves in pools of 1, 2 and 4 threads and compares; returns the report.
fn same_for_all_thread_counts(what: &str, solve: impl Fn() -> Report + Sync) -> Report {
    let one = in_pool(1, &solve);
    for threads in [2, 4] {
        let other = in_pool(threads, &solve);
        assert_same(&one, &other, &format!("{what}, 1 vs {threads} threads"));
    }
    one
}

#[test]
fn extended_rosenbrock_solves_are_identical_for_1_2_4_threads() {
    let n = PAR_MIN_LEN + 2 * 321; // even, not a multiple of BLOCK
    assert!(!n.is_multiple_of(BLOCK));
    let problem = ExtendedRosenbrock::new(n).unwrap();
    let x0 = problem.start();

    let tr = same_for_all_thread_counts("trust region", || {
        TrustRegion::default().solve(&problem, x0.view()).unwrap()
    });
    assert!(tr.status.is_converged(), "{:?}", tr.status);
    let mut seq = TrustRegionConfig::default();
    seq.krylov.par = Par::Seq;
    let tr_seq = in_pool(4, || {
        TrustRegion::new(seq).solve(&problem, x0.view()).unwrap()
    });
    assert_same(&tr, &tr_seq, "trust region, Seq against Rayon passes");

    let jacobi = TrustRegion::new(TrustRegionConfig {
        preconditioning: Preconditioning::Jacobi,
        radius_rule: RadiusRule::Tron,
        ..TrustRegionConfig::default()
    });
    let trj = same_for_all_thread_counts("trust region, Jacobi, TRON rule", || {
        jacobi.solve(&problem, x0.view()).unwrap()
    });
    assert!(trj.status.is_converged(), "{:?}", trj.status);

    let ls = same_for_all_thread_counts("line search", || {
        LineSearchNewtonCg::default()
            .solve(&problem, x0.view())
            .unwrap()
    });
    assert!(ls.status.is_converged(), "{:?}", ls.status);
}

/// CHAINWOO from its standard start: indefinite Hessians, so the histories
/// contain negative-curvature and boundary exits and rejected steps, and
/// every branch of the CG loop runs in parallel.
#[test]
fn chainwoo_solves_are_identical_for_1_2_4_threads() {
    let n = PAR_MIN_LEN + 4 * 250; // CHAINWOO needs a multiple of 4
    assert!(!n.is_multiple_of(BLOCK));
    let b = build("chainwoo", n).unwrap();
    let obj: &dyn DynObjective = &*b.objective;
    let term = Termination {
        max_iter: 30,
        ..Termination::default()
    };

    let tr = same_for_all_thread_counts("chainwoo, trust region", || {
        let cfg = TrustRegionConfig {
            termination: term,
            ..TrustRegionConfig::default()
        };
        TrustRegion::new(cfg).solve(obj, b.x0.view()).unwrap()
    });
    let exits = |r: &Report, e: KrylovExit| {
        r.history
            .iter()
            .filter(|h| h.krylov_exit == Some(e))
            .count()
    };
    assert!(
        exits(&tr, KrylovExit::NegativeCurvature) > 0,
        "no negative curvature exit"
    );
    assert!(exits(&tr, KrylovExit::Boundary) > 0, "no boundary exit");
    assert!(tr.history.iter().any(|h| !h.accepted), "no rejected step");

    let ls = same_for_all_thread_counts("chainwoo, line search", || {
        let cfg = LineSearchConfig {
            termination: term,
            ..LineSearchConfig::default()
        };
        LineSearchNewtonCg::new(cfg)
            .solve(obj, b.x0.view())
            .unwrap()
    });
    assert!(
        exits(&ls, KrylovExit::NegativeCurvature) > 0,
        "no negative curvature exit"
    );
}

/// One inner solve with sequential and with parallel vector passes (in a
/// pool of 4 threads): the same step and the same CG quantities.
#[test]
fn steihaug_step_is_identical_with_seq_and_rayon_passes() {
    let n = PAR_MIN_LEN + 1000;
    let problem = ExtendedRosenbrock::new(n).unwrap();
    let x = problem.start();
    let mut g = Array1::zeros(n);
    Objective::value_grad(&problem, x.view(), g.view_mut());
    let h = Objective::hessian(&problem, x.view());
    for truncation in [
        Truncation::TrustRegion { radius: 10.0 },
        Truncation::TrustRegion { radius: 1e6 },
        Truncation::LineSearch,
    ] {
        let params = SteihaugParams {
            truncation,
            eta: 1e-10,
            max_iter: 20,
            curvature_eps: f64::EPSILON,
            deadline: None,
        };
        let run = |par: Par| {
            in_pool(4, || {
                let mut ws = KrylovWorkspace::new(n).with_par(par);
                let mut p = Array1::from_elem(n, f64::NAN); // must be overwritten
                let info =
                    krylov::steihaug(&h, None, g.view(), &params, &mut ws, p.view_mut()).unwrap();
                (info, p)
            })
        };
        let (seq, p_seq) = run(Par::Seq);
        let (par, p_par) = run(Par::Rayon);
        assert!(p_seq.iter().all(|v| v.is_finite()));
        assert!(seq.iterations >= 1, "{truncation:?}: {seq:?}");
        assert_eq!(seq.exit, par.exit);
        assert_eq!(seq.iterations, par.iterations);
        assert_eq!(seq.on_boundary, par.on_boundary);
        for (a, b) in [
            (seq.pred, par.pred),
            (seq.step_norm, par.step_norm),
            (seq.step_norm_m, par.step_norm_m),
            (seq.grad_dot_step, par.grad_dot_step),
        ] {
            assert_eq!(a.to_bits(), b.to_bits(), "{truncation:?}");
        }
        assert!(
            bits(p_seq.view()) == bits(p_par.view()),
            "{truncation:?}: p differs"
        );
    }
}
