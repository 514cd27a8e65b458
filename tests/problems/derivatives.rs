//! Finite-difference and forward-AD Hessian-vector products, dense
//! finite-difference Hessians, and the derivative checker. (The AD tests
//! need the `ad` feature.)

use ndarray::{array, Array1, Array2, ArrayView1, ArrayViewMut1};
use steihaug::derivatives::{
    check_derivatives, fd_dense_hessian, fd_dense_hessian_from_values, fd_hvp, CheckOptions,
    FdObjective, FdScheme, FdWorkspace, Verdict,
};
use steihaug::linalg::rng::SplitMix64;
use steihaug::problems::cutest::{Dixmaan, DixmaanVariant};
use steihaug::problems::ExtendedRosenbrock;
use steihaug::{
    DenseNewton, FnObjective, LineSearchNewtonCg, LinearOperator, Objective, TrustRegion,
};

use crate::common::WithHessian;

/// The seed example: f = x1² x2³ x3⁴.
fn seed_value_grad(x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>) -> f64 {
    let (a, b, c) = (x[0], x[1], x[2]);
    g[0] = 2.0 * a * b.powi(3) * c.powi(4);
    g[1] = 3.0 * a * a * b * b * c.powi(4);
    g[2] = 4.0 * a * a * b.powi(3) * c.powi(3);
    a * a * b.powi(3) * c.powi(4)
}

fn seed_hessian() -> Array2<f64> {
    array![
        [-16.0, -72.0, 192.0],
        [-72.0, -108.0, 432.0],
        [192.0, 432.0, -864.0]
    ]
}

#[test]
fn dense_fd_hessian_of_the_seed_example() {
    let x = array![-3.0, -2.0, 1.0];
    let want = seed_hessian();
    let mut h = Array2::zeros((3, 3));
    fd_dense_hessian(&seed_value_grad, x.view(), h.view_mut()).unwrap();
    for (a, b) in h.iter().zip(want.iter()) {
        assert!((a - b).abs() <= 1e-7 * b.abs(), "{h}");
    }
    let f = |x: ArrayView1<'_, f64>| x[0] * x[0] * x[1].powi(3) * x[2].powi(4);
    fd_dense_hessian_from_values(&f, x.view(), h.view_mut()).unwrap();
    for (a, b) in h.iter().zip(want.iter()) {
        assert!((a - b).abs() <= 1e-5 * b.abs(), "{h}");
    }
    // A wrong-sized output is an error, not a panic.
    let mut bad = Array2::zeros((3, 2));
    assert!(fd_dense_hessian(&seed_value_grad, x.view(), bad.view_mut()).is_err());
}

#[test]
fn fd_hvp_forward_and_central_on_the_seed_example() {
    let x = array![-3.0, -2.0, 1.0];
    let h = seed_hessian();
    let mut ws = FdWorkspace::new(3);
    let mut out = Array1::zeros(3);
    // Directions of very different lengths: the step scales with 1/‖v‖, so
    // the relative accuracy does not depend on ‖v‖ (pitfalls §15). Every
    // component is perturbed, including the first (§16).
    for scale in [1e-6, 1.0, 1e6] {
        for v in [array![1.0, 0.0, 0.0], array![0.3, -0.7, 0.2]] {
            let v = v * scale;
            let want = h.dot(&v);
            let wn = want.dot(&want).sqrt();
            for (scheme, tol) in [(FdScheme::Forward, 1e-6), (FdScheme::Central, 1e-8)] {
                fd_hvp(
                    &seed_value_grad,
                    x.view(),
                    None,
                    v.view(),
                    scheme,
                    &mut ws,
                    out.view_mut(),
                );
                let err = (&out - &want).mapv(|e| e * e).sum().sqrt();
                assert!(err <= tol * wn, "{scheme:?} scale {scale}: {out} vs {want}");
            }
        }
    }
    // v = 0 gives 0 without evaluations.
    let n = fd_hvp(
        &seed_value_grad,
        x.view(),
        None,
        Array1::zeros(3).view(),
        FdScheme::Central,
        &mut ws,
        out.view_mut(),
    );
    assert_eq!(n, 0);
    assert!(out.iter().all(|&o| o == 0.0));
    // A v of the wrong length: NaN out, no evaluation, no panic.
    let n = fd_hvp(
        &seed_value_grad,
        x.view(),
        None,
        Array1::ones(2).view(),
        FdScheme::Central,
        &mut ws,
        out.view_mut(),
    );
    assert_eq!(n, 0);
    assert!(out.iter().all(|o| o.is_nan()));
}

/// FdObjective turns value_grad into a full objective; all three solvers
/// solve with it, and it counts the gradients its products cost.
#[test]
fn fd_objective_solves_extended_rosenbrock() {
    let p = ExtendedRosenbrock::new(100).unwrap();
    let at_ones = |x: &Array1<f64>| x.iter().all(|v| (v - 1.0).abs() < 1e-6);
    for scheme in [FdScheme::Forward, FdScheme::Central] {
        let obj = FdObjective::new(100, |x, g| p.value_grad(x, g)).with_scheme(scheme);
        let x0 = p.start();
        let tr = TrustRegion::default().solve(&obj, x0.view()).unwrap();
        assert!(tr.status.is_converged(), "{scheme:?}: {}", tr.summary());
        assert!(at_ones(&tr.x), "{scheme:?}: {}", tr.summary());
        // A forward product costs one gradient at x + hv (and the Hessian one
        // at x); a central product two, at x ± hv.
        let per_solve = match scheme {
            FdScheme::Forward => tr.counts.hessians + tr.counts.hvps,
            FdScheme::Central => 2 * tr.counts.hvps,
        };
        assert_eq!(obj.gradient_evals(), per_solve, "{scheme:?}");
        let ls = LineSearchNewtonCg::default()
            .solve(&obj, x0.view())
            .unwrap();
        assert!(ls.status.is_converged(), "{}", ls.summary());
        assert!(at_ones(&ls.x), "{scheme:?}: {}", ls.summary());
    }
    let p10 = ExtendedRosenbrock::new(10).unwrap();
    let obj = FdObjective::new(10, |x, g| p10.value_grad(x, g));
    let dn = DenseNewton::default()
        .solve(&obj, p10.start().view())
        .unwrap();
    assert!(dn.status.is_converged());
    assert!(at_ones(&dn.x), "{}", dn.summary());
}

/// The FD product matches the exact product of a CUTEst problem.
#[test]
fn fd_hessian_matches_closed_form_products() {
    let p = Dixmaan::new(DixmaanVariant::H, 30).unwrap();
    let fd = FdObjective::new(30, |x, g| p.value_grad(x, g));
    let mut rng = SplitMix64::new(3);
    let x = p.start().mapv(|v| v + 0.5 * rng.normal());
    let exact = p.hessian(x.view());
    let approx = fd.hessian(x.view());
    for _ in 0..5 {
        let v = Array1::from_shape_fn(30, |_| rng.normal());
        let mut a = Array1::zeros(30);
        let mut b = Array1::zeros(30);
        exact.apply(v.view(), a.view_mut());
        approx.apply(v.view(), b.view_mut());
        let err = (&a - &b).mapv(|e| e * e).sum().sqrt();
        assert!(err <= 1e-7 * a.dot(&a).sqrt(), "{err}");
    }
}

fn quartic_value_grad(x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>) -> f64 {
    // f = Σ (x_i − i)⁴/4 + Σ x_i x_{i+1}: smooth, nonconvex.
    let n = x.len();
    let mut f = 0.0;
    g.fill(0.0);
    for i in 0..n {
        let d = x[i] - i as f64;
        f += 0.25 * d.powi(4);
        g[i] += d.powi(3);
        if i + 1 < n {
            f += x[i] * x[i + 1];
            g[i] += x[i + 1];
            g[i + 1] += x[i];
        }
    }
    f
}

fn quartic_hvp(x: ArrayView1<'_, f64>, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
    let n = x.len();
    for i in 0..n {
        let d = x[i] - i as f64;
        out[i] = 3.0 * d * d * v[i];
        if i > 0 {
            out[i] += v[i - 1];
        }
        if i + 1 < n {
            out[i] += v[i + 1];
        }
    }
}

#[test]
fn checker_passes_correct_derivatives() {
    let n = 50;
    let obj = FnObjective::new(n, quartic_value_grad, quartic_hvp);
    let x = Array1::from_shape_fn(n, |i| 0.3 * i as f64 - 2.0);
    let r = check_derivatives(&obj, x.view(), &CheckOptions::default()).unwrap();
    assert_eq!(r.verdict, Verdict::Correct, "{r}");
    assert!(r.is_correct());
    assert_eq!(r.gradient.components_checked, n);
    assert_eq!(r.gradient.components_inconclusive, 0, "{r}");
}

#[test]
fn checker_catches_one_wrong_gradient_component() {
    let n = 50;
    for bad in [0, 17, 49] {
        let obj = FnObjective::new(
            n,
            move |x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>| {
                let f = quartic_value_grad(x, g.view_mut());
                g[bad] *= 1.01; // 1% wrong in one component
                f
            },
            quartic_hvp,
        );
        let x = Array1::from_shape_fn(n, |i| 0.3 * i as f64 - 2.0);
        let r = check_derivatives(&obj, x.view(), &CheckOptions::default()).unwrap();
        assert_eq!(r.verdict, Verdict::Wrong, "{r}");
        assert_eq!(r.gradient.verdict, Verdict::Wrong);
        assert_eq!(r.gradient.worst_component, Some(bad), "{r}");
        assert!(r.to_string().contains("WRONG: the gradient"));
    }
    // Up to n = 1000 (the default) every component is checked: a 1% error
    // in one of a thousand components is found and located. (At this point
    // f ≈ 1e13, so the rounding of f hides a 1% error in the small
    // components near the start: those are counted as inconclusive.)
    let n = 1000;
    for bad in [300, 500, 998] {
        let obj = FnObjective::new(
            n,
            move |x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>| {
                let f = quartic_value_grad(x, g.view_mut());
                g[bad] *= 1.01;
                f
            },
            quartic_hvp,
        );
        let x = Array1::from_shape_fn(n, |i| 0.3 * i as f64 - 2.0);
        let r = check_derivatives(&obj, x.view(), &CheckOptions::default()).unwrap();
        assert_eq!(r.gradient.components_checked, n);
        assert_eq!(r.gradient.verdict, Verdict::Wrong, "{r}");
        assert_eq!(r.gradient.worst_component, Some(bad), "{r}");
        let k = r.gradient.components_inconclusive;
        assert!(k > 0 && k < 100, "{k} inconclusive: {r}");
        assert!(r.to_string().contains("inconclusive"));
    }
    // In a larger problem only a sample of components is checked one by
    // one, but the random directions see every component.
    let n = 5000;
    let obj = FnObjective::new(
        n,
        |x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>| {
            let f = quartic_value_grad(x, g.view_mut());
            g[4321] += 1e3;
            f
        },
        quartic_hvp,
    );
    let x = Array1::from_shape_fn(n, |i| i as f64 + 0.5);
    let r = check_derivatives(&obj, x.view(), &CheckOptions::default()).unwrap();
    assert_eq!(r.gradient.verdict, Verdict::Wrong, "{r}");
    assert!(r.gradient.direction_rel_error > 1e-3);
}

#[test]
fn checker_catches_a_nonsymmetric_product() {
    let n = 20;
    // A symmetric part that is right plus a skew part: H v + 0.5 (v_{i+1} − v_{i−1}).
    let obj = FnObjective::new(n, quartic_value_grad, |x, v, mut out| {
        quartic_hvp(x, v, out.view_mut());
        let n = v.len();
        for i in 0..n {
            let up = if i + 1 < n { v[i + 1] } else { 0.0 };
            let down = if i > 0 { v[i - 1] } else { 0.0 };
            out[i] += 0.5 * (up - down);
        }
    });
    let x = Array1::from_shape_fn(n, |i| 0.3 * i as f64 - 2.0);
    let r = check_derivatives(&obj, x.view(), &CheckOptions::default()).unwrap();
    assert_eq!(r.symmetry.verdict, Verdict::Wrong, "{r}");
    assert_eq!(r.verdict, Verdict::Wrong);
    // The gradient is right.
    assert_eq!(r.gradient.verdict, Verdict::Correct, "{r}");
}

#[test]
fn checker_catches_a_wrong_product_and_says_where() {
    let n = 20;
    let obj = FnObjective::new(n, quartic_value_grad, |x, v, mut out| {
        quartic_hvp(x, v, out.view_mut());
        out[7] += 5.0 * v[7]; // wrong diagonal entry, still symmetric
    });
    let x = Array1::from_shape_fn(n, |i| 0.3 * i as f64 - 2.0);
    let r = check_derivatives(&obj, x.view(), &CheckOptions::default()).unwrap();
    assert_eq!(r.hvp.verdict, Verdict::Wrong, "{r}");
    assert_eq!(r.hvp.worst_component, 7, "{r}");
    assert_eq!(r.symmetry.verdict, Verdict::Correct);
}

#[test]
fn checker_reports_bad_input_as_errors() {
    let obj = FnObjective::new(
        3,
        |x, mut g| {
            g.assign(&x);
            0.5 * x.dot(&x)
        },
        |_x, v, mut out| out.assign(&v),
    );
    let opts = CheckOptions::default();
    assert!(check_derivatives(&obj, array![1.0, 2.0].view(), &opts).is_err());
    assert!(check_derivatives(&obj, array![1.0, f64::NAN, 2.0].view(), &opts).is_err());
    let bad = CheckOptions {
        pass_tol: -1.0,
        ..opts
    };
    assert!(check_derivatives(&obj, array![1.0, 2.0, 3.0].view(), &bad).is_err());
    let nan = FnObjective::new(
        2,
        |_x, mut g| {
            g.fill(0.0);
            f64::NAN
        },
        |_x, v, mut out| out.assign(&v),
    );
    assert!(check_derivatives(&nan, array![1.0, 2.0].view(), &opts).is_err());
    // An operator of the wrong dimension.
    let short = WithHessian {
        n: 2,
        h: Array2::eye(3),
    };
    assert!(matches!(
        check_derivatives(&short, array![1.0, 2.0].view(), &opts),
        Err(steihaug::Error::DimensionMismatch { .. })
    ));
}

/// Forward-mode AD (the `ad` feature).
#[cfg(feature = "ad")]
mod ad {
    use ndarray::Array1;
    use steihaug::derivatives::{
        check_derivatives, AdGradient, AdObjective, CheckOptions, Scalar, Verdict,
    };
    use steihaug::linalg::rng::SplitMix64;
    use steihaug::problems::cutest::Chainwoo;
    use steihaug::{LinearOperator, Objective, TrustRegion};

    /// Chained Wood, written once for any scalar; no Hessian anywhere.
    struct ChainwooAd {
        n: usize,
    }

    impl AdGradient for ChainwooAd {
        fn dim(&self) -> usize {
            self.n
        }
        fn value_grad<D: Scalar>(&self, x: &[D], g: &mut [D]) -> D {
            let mut f = D::from(1.0);
            for k in 0..self.n / 2 - 1 {
                let j = 2 * k;
                let (a, b, c, d) = (x[j], x[j + 1], x[j + 2], x[j + 3]);
                let r1 = b - a * a;
                let r2 = d - c * c;
                let s = b + d - 2.0;
                let t = b - d;
                let one = D::from(1.0);
                f += r1 * r1 * 100.0
                    + (one - a) * (one - a)
                    + r2 * r2 * 90.0
                    + (one - c) * (one - c)
                    + s * s * 10.0
                    + t * t * 0.1;
                g[j] += a * r1 * (-400.0) - (one - a) * 2.0;
                g[j + 1] += r1 * 200.0 + s * 20.0 + t * 0.2;
                g[j + 2] += c * r2 * (-360.0) - (one - c) * 2.0;
                g[j + 3] += r2 * 180.0 + s * 20.0 - t * 0.2;
            }
            f
        }
    }

    #[test]
    fn ad_products_equal_closed_form_products() {
        let n = 40;
        let ad = AdObjective::new(ChainwooAd { n });
        let exact = Chainwoo::new(n).unwrap();
        let mut rng = SplitMix64::new(11);
        let x = exact.start().mapv(|v| v + rng.normal());
        let mut g1 = Array1::zeros(n);
        let mut g2 = Array1::zeros(n);
        let f1 = ad.value_grad(x.view(), g1.view_mut());
        let f2 = exact.value_grad(x.view(), g2.view_mut());
        assert!((f1 - f2).abs() <= 1e-12 * f2.abs());
        assert!(g1
            .iter()
            .zip(&g2)
            .all(|(a, b)| (a - b).abs() <= 1e-12 * (1.0 + b.abs())));
        let ha = ad.hessian(x.view());
        let he = exact.hessian(x.view());
        for _ in 0..5 {
            let v = Array1::from_shape_fn(n, |_| rng.normal());
            let mut a = Array1::zeros(n);
            let mut b = Array1::zeros(n);
            ha.apply(v.view(), a.view_mut());
            he.apply(v.view(), b.view_mut());
            // Exact up to rounding, unlike finite differences.
            assert!(a
                .iter()
                .zip(&b)
                .all(|(a, b)| (a - b).abs() <= 1e-11 * (1.0 + b.abs())));
        }
        // The AD objective solves to the same local minimum as the closed form.
        let r1 = TrustRegion::default()
            .solve(&ad, exact.start().view())
            .unwrap();
        let r2 = TrustRegion::default()
            .solve(&exact, exact.start().view())
            .unwrap();
        assert!(r1.status.is_converged() && r2.status.is_converged());
        assert!((r1.f - r2.f).abs() <= 1e-8 * r2.f.abs());
        let chk = check_derivatives(&ad, x.view(), &CheckOptions::default()).unwrap();
        assert_eq!(chk.verdict, Verdict::Correct, "{chk}");
    }
}

/// An objective that adds into `grad` (`g += …`) instead of overwriting
/// it: the checker calls `value_grad` twice on a dirty buffer and says
/// `Wrong`; the same objective written correctly is `Correct`.
#[test]
fn the_checker_catches_an_objective_that_accumulates_into_grad() {
    let hvp = |_x: ArrayView1<'_, f64>, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>| {
        out.assign(&(&v * 2.0))
    };
    let accumulating = steihaug::FnObjective::new(
        3,
        |x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>| {
            g += &(&x * 2.0);
            x.dot(&x)
        },
        hvp,
    );
    let x = array![0.5, -1.0, 2.0];
    let r = check_derivatives(&accumulating, x.view(), &CheckOptions::default()).unwrap();
    assert!(!r.gradient.overwrites);
    assert_eq!(r.verdict, Verdict::Wrong);
    assert!(r.to_string().contains("overwrite"), "{r}");
    let correct = steihaug::FnObjective::new(
        3,
        |x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>| {
            g.assign(&(&x * 2.0));
            x.dot(&x)
        },
        hvp,
    );
    let r = check_derivatives(&correct, x.view(), &CheckOptions::default()).unwrap();
    assert!(r.gradient.overwrites);
    assert_eq!(r.verdict, Verdict::Correct, "{r}");
}
