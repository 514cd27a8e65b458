//! Tests of GLTR against dense solves and Steihaug's CG.

use super::trial::{pull_back_factor, scaled_model};
use super::*;
use crate::krylov::params::KrylovWorkspace;
use crate::krylov::params::{SteihaugParams, Truncation};
use crate::krylov::steihaug::steihaug;
use crate::krylov::tridiag::tests::dense_trs_value;
use crate::linalg::rng::SplitMix64;
use ndarray::Array1;
use ndarray::Array2;

/// A random symmetric n×n matrix with eigenvalues `eigs` (Householder
/// reflection of a diagonal), and a gradient with components `gcomp`
/// in the eigenbasis.
fn problem(rng: &mut SplitMix64, eigs: &[f64], gcomp: &[f64]) -> (Array2<f64>, Array1<f64>) {
    let n = eigs.len();
    let mut v = Array1::from_shape_fn(n, |_| rng.normal());
    v /= v.dot(&v).sqrt();
    // U = I − 2vvᵀ; H = U diag U; g = U gcomp.
    let u = Array2::from_shape_fn((n, n), |(i, j)| {
        f64::from(u8::from(i == j)) - 2.0 * v[i] * v[j]
    });
    let d = Array2::from_diag(&Array1::from(eigs.to_vec()));
    let h = u.dot(&d).dot(&u);
    let h = (&h + &h.t()) * 0.5;
    let g = u.dot(&Array1::from(gcomp.to_vec()));
    (h, g)
}

fn q(h: &Array2<f64>, g: &Array1<f64>, s: &Array1<f64>) -> f64 {
    g.dot(s) + 0.5 * s.dot(&h.dot(s))
}

fn to_faer(h: &Array2<f64>) -> faer::Mat<f64> {
    faer::Mat::from_fn(h.nrows(), h.ncols(), |i, j| h[(i, j)])
}

fn exact(n: usize, radius: f64, eta: f64) -> GltrParams {
    GltrParams {
        max_lanczos: usize::MAX,
        ..GltrParams::new(radius, eta, n)
    }
}

/// SPD, indefinite and (nearly) hard-case problems, run to the full
/// Krylov space: the model value equals the dense exact one.
#[test]
#[allow(clippy::float_cmp)]
fn pull_back_factor_only_shrinks_steps_outside() {
    assert_eq!(pull_back_factor(0.5, 1.0), 1.0);
    assert_eq!(pull_back_factor(1.0, 1.0), 1.0);
    assert_eq!(pull_back_factor(1.0 + f64::EPSILON, 1.0), 1.0);
    assert_eq!(pull_back_factor(2.0, 1.0), 0.5);
    assert_eq!(pull_back_factor(f64::NAN, 1.0), 1.0);
}

#[test]
fn scaled_model_matches_the_tridiagonal_model() {
    use crate::krylov::tridiag::{model_value, solve_tridiagonal_trs, TridiagWorkspace};
    // A boundary solution of a definite and of an indefinite T.
    for (diag, off, radius) in [
        (vec![2.0, 3.0, 1.5], vec![0.7, -0.4], 0.2),
        (vec![-1.0, 2.0, 0.5], vec![0.3, 0.9], 1.0),
    ] {
        let mut ws = TridiagWorkspace::default();
        let sol = solve_tridiagonal_trs(&diag, &off, 1.3, radius, f64::NAN, &mut ws);
        assert!(!sol.interior, "{sol:?}");
        let h = ws.h[..3].to_vec();
        for t in [1.0, 0.999, 0.5] {
            let th: Vec<f64> = h.iter().map(|v| t * v).collect();
            let direct = model_value(&diag, &off, 1.3, &th);
            let scaled = scaled_model(sol.model, sol.lambda, sol.norm, t);
            assert!(
                (direct - scaled).abs() <= 1e-12 * direct.abs().max(1.0),
                "{t}: {direct} {scaled}"
            );
        }
    }
}

#[test]
fn gltr_to_convergence_matches_the_dense_exact_solution() {
    let mut rng = SplitMix64::new(11);
    let mut kinds = [0usize; 3];
    for case in 0..60 {
        let n = 4 + case % 9;
        let kind = case % 3;
        let mut eigs: Vec<f64> = (0..n).map(|_| 0.1 + 3.0 * rng.uniform()).collect();
        let mut gc: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        match kind {
            0 => {}
            1 => {
                eigs[0] = -1.0 - rng.uniform();
                eigs[1] = -0.3;
            }
            _ => {
                // Nearly hard: g has a tiny component along the
                // leftmost eigenvector.
                eigs[0] = -2.0;
                gc[0] = 1e-7;
            }
        }
        let (h, g) = problem(&mut rng, &eigs, &gc);
        let radius = [0.1, 1.0, 10.0][(case / 3) % 3];
        let mut ws = GltrWorkspace::new(n, n);
        let mut s = Array1::zeros(n);
        let info = gltr(
            &h,
            None,
            g.view(),
            &exact(n, radius, 1e-14),
            &mut ws,
            s.view_mut(),
        )
        .unwrap();
        let want = dense_trs_value(&to_faer(&h), g.as_slice().unwrap(), radius);
        let got = q(&h, &g, &s);
        assert!(
            (got - want).abs() <= 1e-8 * want.abs(),
            "case {case} kind {kind} n {n} Δ {radius}: {got} vs {want} ({info:?})"
        );
        assert!(s.dot(&s).sqrt() <= radius * (1.0 + 1e-8));
        // pred from T and h is the model decrease of s.
        assert!((info.pred + got).abs() <= 1e-8 * got.abs(), "{info:?}");
        assert!((info.grad_dot_step - g.dot(&s)).abs() <= 1e-10 * g.dot(&g).sqrt());
        if kind > 0 {
            let lm = info.leftmost.unwrap();
            assert!(lm >= eigs[0] - 1e-9, "{lm}");
        }
        kinds[kind] += usize::from(info.on_boundary);
    }
    assert!(kinds[1] >= 15 && kinds[2] >= 15, "{kinds:?}");
}

/// The tridiagonal formulas and the sign rule: the basis replayed and
/// stored here (a test-only stored-basis recovery) is M-orthonormal,
/// QᵀHQ = T, and Q h equals the two-pass step to 1e-10.
#[test]
fn two_pass_recovery_equals_a_stored_basis() {
    let mut rng = SplitMix64::new(12);
    for case in 0..20 {
        let n = 6 + case % 7;
        let eigs: Vec<f64> = (0..n)
            .map(|i| {
                if i < 2 {
                    -1.0 + 0.3 * i as f64
                } else {
                    0.2 + 2.0 * rng.uniform()
                }
            })
            .collect();
        let gc: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let (h, g) = problem(&mut rng, &eigs, &gc);
        // With and without a (diagonal) preconditioner.
        let diag = Array1::from_shape_fn(n, |_| 0.5 + rng.uniform());
        let jac = crate::linalg::precond::Jacobi::new(diag.view()).unwrap();
        for pre in [None, Some(&jac as &dyn Preconditioner)] {
            let mut ws = GltrWorkspace::new(n, n);
            let mut s = Array1::zeros(n);
            let params = GltrParams {
                max_lanczos: 3,
                ..GltrParams::new(0.5, 1e-10, n)
            };
            let info = gltr(&h, pre, g.view(), &params, &mut ws, s.view_mut()).unwrap();
            assert!(info.pass2_iterations > 0, "case {case}: no Lanczos phase");
            assert_eq!(info.pass2_iterations, info.dimension - 1);
            let (td, te, gamma0) = ws.tridiagonal().unwrap();
            let kdim = td.len();
            let rec = &ws.record;
            // Stored basis from the recorded scalars.
            let minv = |v: &Array1<f64>| match pre {
                Some(m) => {
                    let mut z = Array1::zeros(n);
                    m.apply(v.view(), z.view_mut());
                    z
                }
                None => v.clone(),
            };
            let mut r = g.clone();
            let mut z = minv(&r);
            let mut p = -&z;
            let mut sign = 1.0;
            let mut qs: Vec<Array1<f64>> = Vec::new();
            for j in 0..kdim {
                qs.push(&z * (sign / rec.rho[j].sqrt()));
                if j + 1 == kdim {
                    break;
                }
                r = &r + &(h.dot(&p) * rec.alpha[j]);
                z = minv(&r);
                p = -&z + &p * (rec.rho[j + 1] / rec.rho[j]);
                sign = -sign * rec.alpha[j].signum();
            }
            let mvec = |v: &Array1<f64>| match pre {
                Some(_) => v * &diag,
                None => v.clone(),
            };
            for i in 0..kdim {
                for j in 0..kdim {
                    let mij = qs[i].dot(&mvec(&qs[j]));
                    let tij = qs[i].dot(&h.dot(&qs[j]));
                    let want_t = if i == j {
                        td[i]
                    } else if i + 1 == j {
                        te[i]
                    } else if j + 1 == i {
                        te[j]
                    } else {
                        0.0
                    };
                    assert!(
                        (mij - f64::from(u8::from(i == j))).abs() < 1e-9,
                        "M {i} {j}"
                    );
                    assert!((tij - want_t).abs() < 1e-9, "T {i} {j}: {tij} vs {want_t}");
                }
            }
            assert!((gamma0 - g.dot(&minv(&g)).sqrt()).abs() < 1e-12);
            let hsol = ws.record.tri.solution(kdim);
            let mut stored = Array1::<f64>::zeros(n);
            for j in 0..kdim {
                stored = stored + &qs[j] * hsol[j];
            }
            let err = (&stored - &s).mapv(f64::abs).fold(0.0f64, |m, &x| m.max(x));
            assert!(err <= 1e-10, "case {case}: {err}");
        }
    }
}

/// After a pass 1 at Δ, a re-solve at Δ/4 makes no pass-1 product and
/// gives the step of a fresh solve at Δ/4.
#[test]
fn resolve_at_a_smaller_radius_equals_a_fresh_solve() {
    let mut rng = SplitMix64::new(13);
    for case in 0..30 {
        let n = 5 + case % 8;
        let mut eigs: Vec<f64> = (0..n).map(|_| 0.1 + 3.0 * rng.uniform()).collect();
        if case % 2 == 1 {
            eigs[0] = -0.7;
        }
        let gc: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let (h, g) = problem(&mut rng, &eigs, &gc);
        let radius = [0.3, 2.0, 20.0][case % 3];
        let mut ws = GltrWorkspace::new(n, n);
        let mut s = Array1::zeros(n);
        gltr(
            &h,
            None,
            g.view(),
            &exact(n, radius, 1e-13),
            &mut ws,
            s.view_mut(),
        )
        .unwrap();
        let small = exact(n, radius / 4.0, 1e-13);
        let mut s_re = Array1::zeros(n);
        let re = gltr_resolve(&h, None, g.view(), &small, &mut ws, s_re.view_mut()).unwrap();
        assert_eq!(re.iterations, 0);
        assert_eq!(re.pass2_iterations, re.dimension - 1);
        let mut ws2 = GltrWorkspace::new(n, n);
        let mut s_fresh = Array1::zeros(n);
        gltr(&h, None, g.view(), &small, &mut ws2, s_fresh.view_mut()).unwrap();
        let err = (&s_re - &s_fresh)
            .mapv(f64::abs)
            .fold(0.0f64, |m, &x| m.max(x));
        assert!(err <= 1e-7 * radius, "case {case}: {err}");
        let (qa, qb) = (q(&h, &g, &s_re), q(&h, &g, &s_fresh));
        assert!(
            (qa - qb).abs() <= 1e-10 * qb.abs(),
            "case {case}: {qa} vs {qb}"
        );
    }
    // A re-solve with another g is refused.
    let (h, g) = problem(&mut rng, &[1.0, 2.0, -1.0], &[1.0, 1.0, 1.0]);
    let mut ws = GltrWorkspace::new(3, 3);
    let mut s = Array1::zeros(3);
    gltr(
        &h,
        None,
        g.view(),
        &exact(3, 0.5, 1e-10),
        &mut ws,
        s.view_mut(),
    )
    .unwrap();
    let g2 = &g * 2.0;
    let e = gltr_resolve(
        &h,
        None,
        g2.view(),
        &exact(3, 0.1, 1e-10),
        &mut ws,
        s.view_mut(),
    );
    assert!(matches!(
        e,
        Err(Error::InvalidOption {
            name: "resolve",
            ..
        })
    ));
}

/// Property: on the same data, GLTR's model value is never above
/// Steihaug's — with the Lanczos phase off (`max_lanczos = 0`: the same
/// Krylov dimension as Steihaug's) and with the default cap.
#[test]
fn gltr_is_never_worse_than_steihaug() {
    use proptest::prelude::*;
    use proptest::test_runner::TestRunner;
    let config = crate::test_support::fixed_config(200);
    let strategy = (
        3usize..25,
        any::<u64>(),
        0.01f64..20.0,
        0usize..3,
        1e-6f64..0.5,
    );
    let mut runner = TestRunner::new(config);
    let mut boundary = std::cell::Cell::new(0usize);
    runner
        .run(&strategy, |(n, seed, radius, kind, eta)| {
            let mut rng = SplitMix64::new(seed);
            let mut eigs: Vec<f64> = (0..n).map(|_| 0.05 + 5.0 * rng.uniform()).collect();
            if kind == 1 {
                eigs[0] = -2.0 * rng.uniform();
            }
            if kind == 2 {
                for e in eigs.iter_mut().take(n / 2) {
                    *e = -*e;
                }
            }
            let gc: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
            let (h, g) = problem(&mut rng, &eigs, &gc);
            let mut kw = KrylovWorkspace::new(n);
            let mut p = Array1::zeros(n);
            let sp = SteihaugParams {
                truncation: Truncation::TrustRegion { radius },
                eta,
                max_iter: 2 * n,
                curvature_eps: f64::EPSILON,
                deadline: None,
            };
            let st = steihaug(&h, None, g.view(), &sp, &mut kw, p.view_mut()).unwrap();
            let q_st = q(&h, &g, &p);
            for max_lanczos in [0, DEFAULT_MAX_LANCZOS] {
                let params = GltrParams {
                    max_lanczos,
                    ..GltrParams::new(radius, eta, 2 * n)
                };
                let mut ws = GltrWorkspace::new(n, 2 * n);
                let mut s = Array1::zeros(n);
                let info = gltr(&h, None, g.view(), &params, &mut ws, s.view_mut()).unwrap();
                prop_assert!(info.iterations >= st.iterations);
                let q_g = q(&h, &g, &s);
                let tiny = 1e-9 * q_st.abs().max(1e-12);
                prop_assert!(
                    q_g <= q_st + tiny,
                    "lanczos {max_lanczos}: {q_g} > {q_st} ({info:?} vs {st:?})"
                );
                prop_assert!(s.dot(&s).sqrt() <= radius * (1.0 + 1e-9));
            }
            boundary.set(boundary.get() + usize::from(st.on_boundary));
            Ok(())
        })
        .unwrap();
    assert!(*boundary.get_mut() >= 50, "{}", boundary.get());
}

#[test]
fn bad_inputs_are_typed_errors() {
    let h = ndarray::array![[2.0, 0.0], [0.0, 3.0]];
    let g = ndarray::array![1.0, -1.0];
    let mut ws = GltrWorkspace::new(2, 4);
    let mut p = Array1::zeros(2);
    for (radius, eta) in [(f64::NAN, 0.1), (0.0, 0.1), (1.0, -1.0)] {
        let e = gltr(
            &h,
            None,
            g.view(),
            &GltrParams::new(radius, eta, 4),
            &mut ws,
            p.view_mut(),
        );
        assert!(matches!(e, Err(Error::InvalidOption { .. })));
    }
    let mut p3 = Array1::zeros(3);
    let e = gltr(
        &h,
        None,
        g.view(),
        &GltrParams::new(1.0, 0.1, 4),
        &mut ws,
        p3.view_mut(),
    );
    assert!(matches!(e, Err(Error::DimensionMismatch { .. })));
    let e = gltr_resolve(
        &h,
        None,
        g.view(),
        &GltrParams::new(1.0, 0.1, 4),
        &mut ws,
        p.view_mut(),
    );
    assert!(matches!(
        e,
        Err(Error::InvalidOption {
            name: "resolve",
            ..
        })
    ));
    // Zero gradient: zero step, no product.
    let z = Array1::zeros(2);
    let info = gltr(
        &h,
        None,
        z.view(),
        &GltrParams::new(1.0, 0.1, 4),
        &mut ws,
        p.view_mut(),
    )
    .unwrap();
    assert_eq!(info.iterations, 0);
    assert_eq!(p, Array1::<f64>::zeros(2));
}
