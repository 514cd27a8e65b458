//! MINPACK-2 problems: reference values (TAO outputs and the reference
//! table in `reference/minpack2.md`), matrix-free against assembled
//! Hessians, both against central differences of the gradient, determinism
//! of the parallel kernels, and preconditioned solves.

use ndarray::Array1;
use steihaug::problems::minpack2::{Element, Minpack2};
use steihaug::sparse::Assembled;
use steihaug::{LinearOperator, Objective, Par, Preconditioning, TrustRegion, TrustRegionConfig};

fn f_at<E: Element>(p: &Minpack2<E>, x: &Array1<f64>) -> f64 {
    let mut g = Array1::zeros(p.n());
    p.value_grad(x.view(), g.view_mut())
}

fn solve<O: Objective + ?Sized>(
    p: &O,
    x0: &Array1<f64>,
    gtol: f64,
    precond: Preconditioning,
) -> steihaug::Report {
    let mut cfg = TrustRegionConfig {
        preconditioning: precond,
        ..TrustRegionConfig::default()
    };
    cfg.termination.gtol_rel = gtol;
    cfg.termination.gtol_abs = 0.0;
    TrustRegion::new(cfg).solve(p, x0.view()).unwrap()
}

/// A deterministic pseudo-random vector in [-1, 1].
fn wiggle(n: usize, seed: u64) -> Array1<f64> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    Array1::from_shape_fn(n, |_| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    })
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn tao_small_grids() {
    // TAO minsurf1 10x8 and eptorsion1 10x10 (6 printed digits).
    let msa = Minpack2::msa(10, 8).unwrap();
    let x0 = msa.start();
    assert!(close(f_at(&msa, &x0), 1.45591, 5e-6), "{}", f_at(&msa, &x0));
    let r = solve(&msa, &x0, 1e-10, Preconditioning::None);
    assert!(r.status.is_converged());
    assert!(close(r.f, 1.41775, 5e-6), "{}", r.f);

    let ept = Minpack2::ept(10, 10).unwrap();
    let x0 = ept.start();
    assert!(close(f_at(&ept, &x0), -0.330579, 5e-7));
    let r = solve(&ept, &x0, 1e-10, Preconditioning::None);
    assert!(r.status.is_converged());
    assert!(close(r.f, -0.427745, 5e-7), "{}", r.f);
}

#[test]
fn start_values_100x100() {
    let cases: [(f64, f64); 5] = [
        (f_at(&Minpack2::msa(100, 100).unwrap(), &Minpack2::msa(100, 100).unwrap().start()), 1.5324371),
        (f_at(&Minpack2::ept(100, 100).unwrap(), &Minpack2::ept(100, 100).unwrap().start()), -0.33330066),
        (f_at(&Minpack2::ssc(100, 100).unwrap(), &Minpack2::ssc(100, 100).unwrap().start()), -4.5080259),
        (f_at(&Minpack2::odc(100, 100).unwrap(), &Minpack2::odc(100, 100).unwrap().start()), 0.048234203),
        (f_at(&Minpack2::pjb(100, 100).unwrap(), &Minpack2::pjb(100, 100).unwrap().start()), 20.66646),
    ];
    for (got, want) in cases {
        assert!(close(got, want, 1e-7 * want.abs().max(1.0)), "{got} vs {want}");
    }
}
