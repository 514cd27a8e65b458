//! Tests of the whole hierarchy: convergence factor of the V-cycle,
//! symmetry and definiteness of M⁻¹, agreement of preconditioned and plain
//! CG, reuse, determinism across thread counts, and bad input.

use super::*;
use ndarray::Array1;

/// The 5-point Laplacian on an m×m grid (Dirichlet), optionally with a
/// variable coefficient field c(i) ≥ 1 on the diagonal (c·4) and a shift.
fn lap2d(m: usize, shift: f64) -> (usize, Vec<usize>, Vec<usize>, Vec<f64>) {
    let n = m * m;
    let (mut indptr, mut indices, mut data) = (vec![0], Vec::new(), Vec::new());
    for k in 0..n {
        let (i, j) = (k % m, k / m);
        let mut push = |c: usize, v: f64| {
            indices.push(c);
            data.push(v);
        };
        if j > 0 {
            push(k - m, -1.0);
        }
        if i > 0 {
            push(k - 1, -1.0);
        }
        push(k, 4.0 - shift);
        if i + 1 < m {
            push(k + 1, -1.0);
        }
        if j + 1 < m {
            push(k + m, -1.0);
        }
        indptr.push(indices.len());
    }
    (n, indptr, indices, data)
}

fn matvec(indptr: &[usize], indices: &[usize], data: &[f64], x: &[f64]) -> Vec<f64> {
    (0..indptr.len() - 1)
        .map(|i| {
            (indptr[i]..indptr[i + 1])
                .map(|q| data[q] * x[indices[q]])
                .sum()
        })
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn pseudo_random(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = crate::linalg::rng::SplitMix64::new(seed);
    (0..n).map(|_| rng.uniform() - 0.5).collect()
}

fn apply(m: &Amg, r: &[f64]) -> Vec<f64> {
    let mut z = Array1::zeros(r.len());
    m.apply(ArrayView1::from(r), z.view_mut());
    z.to_vec()
}

/// The asymptotic convergence factor of the stationary iteration
/// e ← (I − M⁻¹A) e, measured in the A-norm as the geometric mean of the
/// reduction over iterations 6..16 from a random error.
fn convergence_factor(m: &Amg, sys: &(usize, Vec<usize>, Vec<usize>, Vec<f64>)) -> f64 {
    let (n, ip, ind, a) = sys;
    let mut e = pseudo_random(*n, 7);
    let anorm = |e: &[f64]| dot(e, &matvec(ip, ind, a, e)).sqrt();
    let (mut start, mut end) = (0.0, 0.0);
    for k in 0..16 {
        if k == 6 {
            start = anorm(&e);
        }
        let ae = matvec(ip, ind, a, &e);
        let c = apply(m, &ae);
        for (ei, ci) in e.iter_mut().zip(&c) {
            *ei -= ci;
        }
        end = anorm(&e);
    }
    (end / start).powf(1.0 / 10.0)
}

#[test]
fn vcycle_convergence_factor_on_the_2d_laplacian() {
    // Two levels (4096 → 704 unknowns, the coarse one factored). Measured
    // at commit 2e587f3 + this change (deterministic, so these are the
    // values the test sees): two Jacobi sweeps (the default) 0.256,
    // Chebyshev of degree 4 0.198, Chebyshev of degree 2 0.592 (hence not
    // the default). Asserted below the 0.3 with the margin left.
    let sys = lap2d(64, 0.0);
    let cfg = AmgConfig {
        max_coarse: 3000,
        ..Default::default()
    };
    let m = Amg::new(sys.0, &sys.1, &sys.2, &sys.3, cfg).unwrap();
    assert_eq!(m.levels(), 2, "{:?}", m.level_sizes());
    let f = convergence_factor(&m, &sys);
    eprintln!("jacobi(2): factor {f:.4}, levels {:?}", m.level_sizes());
    assert!(f < 0.28, "factor {f}");
    let cheb = AmgConfig {
        smoother: AmgSmoother::Chebyshev { degree: 4 },
        ..cfg
    };
    let m = Amg::new(sys.0, &sys.1, &sys.2, &sys.3, cheb).unwrap();
    let f = convergence_factor(&m, &sys);
    eprintln!("chebyshev(4): factor {f:.4}");
    assert!(f < 0.22, "factor {f}");
}

#[test]
fn preconditioner_is_symmetric_and_positive_definite() {
    for smoother in [
        AmgSmoother::Chebyshev { degree: 2 },
        AmgSmoother::Jacobi { sweeps: 1 },
    ] {
        // Small max_coarse so that several levels and the smoothers count.
        let sys = lap2d(60, 0.0);
        let cfg = AmgConfig {
            smoother,
            max_coarse: 20,
            ..Default::default()
        };
        let m = Amg::new(sys.0, &sys.1, &sys.2, &sys.3, cfg).unwrap();
        assert!(m.levels() >= 3);
        for seed in 0..4 {
            let v = pseudo_random(sys.0, 100 + seed);
            let w = pseudo_random(sys.0, 200 + seed);
            let (mv, mw) = (apply(&m, &v), apply(&m, &w));
            let (a, b) = (dot(&w, &mv), dot(&v, &mw));
            let scale = (dot(&v, &v) * dot(&mw, &mw)).sqrt();
            assert!((a - b).abs() <= 1e-12 * scale, "{a} vs {b} ({smoother:?})");
            assert!(dot(&v, &mv) > 0.0);
        }
    }
}

/// Preconditioned CG on A x = b to a relative residual `tol`; returns
/// (x, iterations).
fn pcg(
    sys: &(usize, Vec<usize>, Vec<usize>, Vec<f64>),
    m: Option<&Amg>,
    b: &[f64],
    tol: f64,
) -> (Vec<f64>, usize) {
    let (n, ip, ind, a) = sys;
    let mut x = vec![0.0; *n];
    let mut r = b.to_vec();
    let prec = |r: &[f64]| m.map_or_else(|| r.to_vec(), |m| apply(m, r));
    let mut z = prec(&r);
    let mut p = z.clone();
    let mut rz = dot(&r, &z);
    let bnorm = dot(b, b).sqrt();
    for it in 1..=10 * n {
        let ap = matvec(ip, ind, a, &p);
        let alpha = rz / dot(&p, &ap);
        for i in 0..*n {
            x[i] += alpha * p[i];
            r[i] -= alpha * ap[i];
        }
        if dot(&r, &r).sqrt() <= tol * bnorm {
            return (x, it);
        }
        z = prec(&r);
        let rz_next = dot(&r, &z);
        let beta = rz_next / rz;
        rz = rz_next;
        for i in 0..*n {
            p[i] = z[i] + beta * p[i];
        }
    }
    (x, usize::MAX)
}

#[test]
fn preconditioned_and_plain_cg_agree_and_amg_needs_few_iterations() {
    let sys = lap2d(100, 0.0);
    let b = pseudo_random(sys.0, 3);
    let m = Amg::new(sys.0, &sys.1, &sys.2, &sys.3, AmgConfig::default()).unwrap();
    let (x1, it1) = pcg(&sys, None, &b, 1e-10);
    let (x2, it2) = pcg(&sys, Some(&m), &b, 1e-10);
    eprintln!("plain CG {it1} iterations, AMG-CG {it2}");
    assert!(it2 <= 30 && it1 > 100, "{it1} {it2}");
    let diff: f64 = x1
        .iter()
        .zip(&x2)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        .sqrt();
    let norm: f64 = dot(&x1, &x1).sqrt();
    // Both residuals are ≤ 1e-10‖b‖; κ ≈ 4·10³ bounds the error gap.
    assert!(diff <= 1e-6 * norm, "{diff} vs {norm}");
    // And x solves the system.
    let r: Vec<f64> = matvec(&sys.1, &sys.2, &sys.3, &x2)
        .iter()
        .zip(&b)
        .map(|(a, b)| a - b)
        .collect();
    assert!(dot(&r, &r).sqrt() <= 1e-10 * dot(&b, &b).sqrt());
}

#[test]
fn refresh_equals_rebuild_and_keeps_the_structure() {
    // θ = 0: the aggregation depends on the pattern only, so a refresh with
    // new values must give bit for bit the hierarchy built from them.
    let cfg0 = AmgConfig {
        strength_theta: 0.0,
        ..AmgConfig::default()
    };
    let sys = lap2d(80, 0.0);
    let values2: Vec<f64> = sys
        .3
        .iter()
        .enumerate()
        .map(|(q, v)| v * (1.0 + 0.5 * ((q * 37 % 11) as f64 / 11.0)))
        .collect();
    // Keep it symmetric: scale a_ij by a symmetric factor s_i s_j.
    let s: Vec<f64> = (0..sys.0).map(|i| 1.0 + (i % 7) as f64 / 7.0).collect();
    let mut values2 = values2;
    for i in 0..sys.0 {
        for q in sys.1[i]..sys.1[i + 1] {
            values2[q] = sys.3[q] * s[i] * s[sys.2[q]];
        }
    }
    let mut m = Amg::new(sys.0, &sys.1, &sys.2, &sys.3, cfg0).unwrap();
    let sizes = m.level_sizes();
    m.refresh(&values2).unwrap();
    assert_eq!(m.level_sizes(), sizes);
    let fresh = Amg::new(sys.0, &sys.1, &sys.2, &values2, cfg0).unwrap();
    let v = pseudo_random(sys.0, 9);
    assert_eq!(apply(&m, &v), apply(&fresh, &v));
    // A failed refresh is an error, not a panic; a good one recovers.
    let mut neg = sys.3.clone();
    neg[sys.1[5]..sys.1[6]].iter_mut().for_each(|v| *v = -*v);
    assert!(matches!(m.refresh(&neg), Err(Error::Factorization(_))));
    assert!(m.refresh(&[1.0]).is_err());
    m.refresh(&values2).unwrap();
    assert_eq!(apply(&m, &v), apply(&fresh, &v));
    // In place: the same bits; a fill that supplies nothing is an error.
    assert!(matches!(
        m.refresh_in_place(|_| false),
        Err(Error::InvalidInput(_))
    ));
    m.refresh_in_place(|d| {
        d.copy_from_slice(&values2);
        true
    })
    .unwrap();
    assert_eq!(m.nnz(), values2.len());
    assert_eq!(apply(&m, &v), apply(&fresh, &v));
    let owned = Amg::from_values(sys.0, &sys.1, &sys.2, values2.clone(), cfg0);
    assert_eq!(apply(&owned.unwrap(), &v), apply(&fresh, &v));
}

#[test]
fn same_bits_for_any_thread_count() {
    // n = 22500 > ROW_BLOCK, so the row blocks really split.
    let sys = lap2d(150, 0.0);
    let v = pseudo_random(sys.0, 11);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let m = Amg::new(sys.0, &sys.1, &sys.2, &sys.3, AmgConfig::default()).unwrap();
            (m.level_sizes(), apply(&m, &v))
        })
    };
    let one = run(1);
    assert_eq!(run(2), one);
    assert_eq!(run(4), one);
    let seq = Amg::new(sys.0, &sys.1, &sys.2, &sys.3, AmgConfig::default())
        .unwrap()
        .with_par(Par::Seq);
    assert_eq!(apply(&seq, &v), one.1);
}

#[test]
fn bad_input_gives_typed_errors() {
    let cfg = AmgConfig::default();
    // Non-square.
    let b = sprs::CsMat::new((2, 3), vec![0, 1, 2], vec![0, 2], vec![1.0, 1.0]);
    assert!(matches!(
        Amg::from_csr(&b, cfg),
        Err(Error::InvalidInput(_))
    ));
    // Empty.
    assert!(matches!(
        Amg::new(0, &[0], &[], &[], cfg),
        Err(Error::EmptyProblem)
    ));
    // Structurally unsymmetric: (0, 1) without (1, 0).
    let e = Amg::new(2, &[0, 2, 3], &[0, 1, 1], &[2.0, -1.0, 2.0], cfg);
    assert!(matches!(e, Err(Error::InvalidInput(m)) if m.contains("symmetric")));
    // Unsymmetric values.
    let e = Amg::new(2, &[0, 2, 4], &[0, 1, 0, 1], &[2.0, -1.0, -1.5, 2.0], cfg);
    assert!(matches!(e, Err(Error::InvalidInput(m)) if m.contains("symmetric")));
    // An empty row.
    let e = Amg::new(2, &[0, 1, 1], &[0], &[2.0], cfg);
    assert!(matches!(e, Err(Error::InvalidInput(m)) if m.contains("empty")));
    // NaN.
    let e = Amg::new(
        2,
        &[0, 2, 4],
        &[0, 1, 0, 1],
        &[2.0, f64::NAN, f64::NAN, 2.0],
        cfg,
    );
    assert!(matches!(e, Err(Error::InvalidInput(m)) if m.contains("finite")));
    // Unsorted row, out-of-range column, inconsistent arrays.
    assert!(Amg::new(2, &[0, 2, 4], &[1, 0, 0, 1], &[-1.0, 2.0, -1.0, 2.0], cfg).is_err());
    assert!(Amg::new(2, &[0, 2, 4], &[0, 2, 0, 1], &[2.0, -1.0, -1.0, 2.0], cfg).is_err());
    assert!(Amg::new(2, &[0, 2], &[0, 1], &[2.0, 1.0], cfg).is_err());
    // Bad options.
    let bad = AmgConfig {
        smoother: AmgSmoother::Chebyshev { degree: 0 },
        ..cfg
    };
    assert!(matches!(
        Amg::new(1, &[0, 1], &[0], &[1.0], bad),
        Err(Error::InvalidOption { .. })
    ));
}

#[test]
fn indefinite_and_singular_matrices_fail_setup_as_factorization_errors() {
    // Negative diagonal: −Laplacian.
    let (n, ip, ind, a) = lap2d(40, 0.0);
    let neg: Vec<f64> = a.iter().map(|v| -v).collect();
    assert!(matches!(
        Amg::new(n, &ip, &ind, &neg, AmgConfig::default()),
        Err(Error::Factorization(_))
    ));
    // Positive diagonal but indefinite (shift 1 > λ_min of the Laplacian):
    // the coarsest factorization fails.
    let sys = lap2d(40, 1.0);
    let e = Amg::new(sys.0, &sys.1, &sys.2, &sys.3, AmgConfig::default());
    assert!(matches!(e, Err(Error::Factorization(_))), "{e:?}");
    // Singular: the pure-Neumann 1-D Laplacian (rows sum to zero), small
    // enough to be factored directly.
    let e = Amg::new(
        3,
        &[0, 2, 5, 7],
        &[0, 1, 0, 1, 2, 1, 2],
        &[1.0, -1.0, -1.0, 2.0, -1.0, -1.0, 1.0],
        AmgConfig::default(),
    );
    assert!(matches!(e, Err(Error::Factorization(_))));
}

#[test]
fn a_small_matrix_is_one_directly_solved_level() {
    let sys = lap2d(10, 0.0);
    let m = Amg::new(sys.0, &sys.1, &sys.2, &sys.3, AmgConfig::default()).unwrap();
    assert_eq!(m.levels(), 1);
    assert!(m.coarsest_is_direct());
    let b = pseudo_random(sys.0, 5);
    let x = apply(&m, &b);
    let r: Vec<f64> = matvec(&sys.1, &sys.2, &sys.3, &x)
        .iter()
        .zip(&b)
        .map(|(a, b)| a - b)
        .collect();
    assert!(dot(&r, &r).sqrt() < 1e-13 * dot(&b, &b).sqrt());
}

#[test]
fn a_diagonal_matrix_stops_coarsening_and_is_still_exact() {
    // Every node isolated: no aggregates; one level, solved directly.
    let n = 600;
    let ip: Vec<usize> = (0..=n).collect();
    let ind: Vec<usize> = (0..n).collect();
    let d: Vec<f64> = (0..n).map(|i| 1.0 + i as f64).collect();
    let m = Amg::new(n, &ip, &ind, &d, AmgConfig::default()).unwrap();
    assert_eq!(m.levels(), 1);
    let x = apply(&m, &vec![1.0; n]);
    for (i, xi) in x.iter().enumerate() {
        assert!((xi * d[i] - 1.0).abs() < 1e-14);
    }
}
