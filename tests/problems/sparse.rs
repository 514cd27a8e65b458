//! Sparse operators, the assembled-Hessian adapter and IC(0): typed errors
//! for bad input, IC(0) against a dense Cholesky (faer), and solves.

use faer::linalg::solvers::Solve;
use faer::{Mat, Side};
use ndarray::{Array1, ArrayView1, ArrayViewMut1};
use sprs::{CsMat, TriMat};
use steihaug::linalg::sparse::{
    Assembled, Ic0, SparseHessian, SparseOperator, Storage, SymmetricUpper,
};
use steihaug::{
    Error, LinearOperator, Objective, Preconditioner, Preconditioning, TrustRegion,
    TrustRegionConfig,
};

fn dense(a: &CsMat<f64>) -> Mat<f64> {
    let n = a.rows();
    let mut m = Mat::<f64>::zeros(n, n);
    for (v, (i, j)) in a.iter() {
        m[(i, j)] = *v;
    }
    m
}

/// An SPD band matrix with half-bandwidth `bw` and uneven diagonal.
fn band(n: usize, bw: usize) -> CsMat<f64> {
    let mut t = TriMat::new((n, n));
    for i in 0..n {
        t.add_triplet(i, i, 2.0 * bw as f64 + 1.0 + (i % 7) as f64);
        for k in 1..=bw {
            if i + k < n {
                let v = -1.0 / k as f64 - 0.01 * ((i + k) % 3) as f64;
                t.add_triplet(i, i + k, v);
                t.add_triplet(i + k, i, v);
            }
        }
    }
    t.to_csr()
}

fn apply_pc(m: &dyn Preconditioner, r: &Array1<f64>) -> Array1<f64> {
    let mut z = Array1::zeros(r.len());
    m.apply(r.view(), z.view_mut());
    z
}

#[test]
fn ic0_is_exact_cholesky_on_tridiagonal_and_arrow_free_band() {
    for n in [1, 2, 5, 40] {
        let a = band(n, 1);
        let ic = Ic0::new(&a).unwrap();
        assert_eq!(ic.shift(), 0.0);
        assert_eq!(ic.attempts(), 1);
        let r = Array1::from_shape_fn(n, |i| (i as f64 * 0.7).cos());
        let z = apply_pc(&ic, &r);
        // Dense Cholesky solve with faer.
        let llt = dense(&a).llt(Side::Lower).unwrap();
        let mut rhs = Mat::<f64>::from_fn(n, 1, |i, _| r[i]);
        llt.solve_in_place(&mut rhs);
        for i in 0..n {
            assert!((z[i] - rhs[(i, 0)]).abs() <= 1e-13 * (1.0 + rhs[(i, 0)].abs()));
        }
    }
}

#[test]
fn ic0_matches_cholesky_on_its_pattern_for_a_wider_band() {
    // For a band matrix the Cholesky factor has no fill outside the band,
    // so IC(0) is exact again.
    let n = 30;
    let a = band(n, 3);
    let ic = Ic0::new(&a).unwrap();
    let r = Array1::from_shape_fn(n, |i| 1.0 + (i as f64).sin());
    let z = apply_pc(&ic, &r);
    let llt = dense(&a).llt(Side::Lower).unwrap();
    let mut rhs = Mat::<f64>::from_fn(n, 1, |i, _| r[i]);
    llt.solve_in_place(&mut rhs);
    for i in 0..n {
        assert!((z[i] - rhs[(i, 0)]).abs() <= 1e-12 * (1.0 + rhs[(i, 0)].abs()));
    }
}

#[test]
fn ic0_on_a_2d_laplacian_is_an_spd_approximation() {
    // 5-point Laplacian: fill is dropped, so M ≠ A, but M⁻¹ is SPD and
    // M agrees with A on the pattern ((L Lᵀ)_ij = a_ij there).
    let k = 8;
    let n = k * k;
    let mut t = TriMat::new((n, n));
    for j in 0..k {
        for i in 0..k {
            let p = j * k + i;
            t.add_triplet(p, p, 4.0);
            if i + 1 < k {
                t.add_triplet(p, p + 1, -1.0);
                t.add_triplet(p + 1, p, -1.0);
            }
            if j + 1 < k {
                t.add_triplet(p, p + k, -1.0);
                t.add_triplet(p + k, p, -1.0);
            }
        }
    }
    let a: CsMat<f64> = t.to_csr();
    let ic = Ic0::new(&a).unwrap();
    // Columns of M⁻¹ give M⁻¹ as a dense matrix: check symmetry and
    // positive definiteness with faer, and that M = (M⁻¹)⁻¹ matches A on
    // the pattern.
    let mut minv = Mat::<f64>::zeros(n, n);
    for c in 0..n {
        let mut e = Array1::zeros(n);
        e[c] = 1.0;
        let z = apply_pc(&ic, &e);
        for r in 0..n {
            minv[(r, c)] = z[r];
        }
    }
    for r in 0..n {
        for c in 0..n {
            assert!((minv[(r, c)] - minv[(c, r)]).abs() < 1e-12);
        }
    }
    let llt = minv.llt(Side::Lower).expect("M⁻¹ is SPD");
    let mut m = Mat::<f64>::identity(n, n);
    llt.solve_in_place(&mut m);
    for (v, (i, j)) in a.iter() {
        assert!(
            (m[(i, j)] - v).abs() < 1e-10,
            "({i},{j}) {} vs {v}",
            m[(i, j)]
        );
    }
}

#[test]
fn ic0_shifts_on_breakdown() {
    // Indefinite: IC(0) of A itself breaks down; the retry shifts.
    let mut a = band(10, 1);
    a.set(4, 4, -3.0);
    let ic = Ic0::new(&a).unwrap();
    assert!(ic.shift() > 0.0);
    let r = Array1::from_elem(10, 1.0);
    let z = apply_pc(&ic, &r);
    assert!(z.iter().all(|v| v.is_finite()));
    assert!(r.dot(&z) > 0.0);
    // Positive diagonal but not positive definite: [[1, 2], [2, 1]].
    let b = CsMat::new(
        (2, 2),
        vec![0, 2, 4],
        vec![0, 1, 0, 1],
        vec![1.0, 2.0, 2.0, 1.0],
    );
    let ic = Ic0::new(&b).unwrap();
    assert!(ic.attempts() > 1 && ic.shift() > 0.0);
}

#[test]
fn bad_matrices_are_typed_errors() {
    let rect = CsMat::new((2, 3), vec![0, 1, 2], vec![0, 2], vec![1.0, 1.0]);
    assert!(matches!(
        SparseOperator::new(rect.clone()),
        Err(Error::InvalidInput(_))
    ));
    assert!(SymmetricUpper::new(&rect).is_err());
    assert!(Ic0::new(&rect).is_err());
    assert!(matches!(
        SparseOperator::with_dim(band(4, 1), 5),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut nan = band(3, 1);
    nan.set(1, 1, f64::NAN);
    assert!(Ic0::new(&nan).is_err());
    // An upper triangle handed over as a full matrix: a typed error that
    // points to SymmetricUpper, which accepts it and applies the full
    // symmetric matrix.
    let upper = CsMat::new(
        (3, 3),
        vec![0, 2, 4, 5],
        vec![0, 1, 1, 2, 2],
        vec![2.0, -1.0, 2.0, -1.0, 2.0],
    );
    match SparseOperator::new(upper.clone()) {
        Err(Error::InvalidInput(m)) => assert!(m.contains("SymmetricUpper"), "{m}"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    let sym = SymmetricUpper::new(&upper).unwrap();
    let mut y = Array1::zeros(3);
    sym.apply(Array1::from_vec(vec![1.0, 2.0, 3.0]).view(), y.view_mut());
    assert_eq!(y, Array1::from_vec(vec![0.0, 0.0, 4.0]));
    // CSC input is accepted and converted.
    let op = SparseOperator::new(band(6, 2).to_csc()).unwrap();
    assert!(op.matrix().is_csr());
}

/// f(x) = ½xᵀAx − bᵀx + ¼Σx⁴ with A a 1-D Laplacian + I, Hessian
/// A + 3 diag(x²); assembled in full or upper storage.
struct Quartic {
    n: usize,
    storage: Storage,
    pattern: Option<(Vec<usize>, Vec<usize>)>,
}

impl Quartic {
    fn new(n: usize, storage: Storage) -> Self {
        Self {
            n,
            storage,
            pattern: None,
        }
    }
    fn a_times(&self, x: ArrayView1<'_, f64>, i: usize) -> f64 {
        let mut s = 3.0 * x[i];
        if i > 0 {
            s -= x[i - 1];
        }
        if i + 1 < self.n {
            s -= x[i + 1];
        }
        s
    }
}

impl SparseHessian for Quartic {
    fn dim(&self) -> usize {
        self.n
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>) -> f64 {
        let mut f = 0.0;
        for i in 0..self.n {
            let ax = self.a_times(x, i);
            let b = 1.0 + (i % 3) as f64;
            f += 0.5 * x[i] * ax - b * x[i] + 0.25 * x[i].powi(4);
            g[i] = ax - b + x[i].powi(3);
        }
        f
    }
    fn pattern(&self) -> (Vec<usize>, Vec<usize>, Storage) {
        if let Some((p, i)) = &self.pattern {
            return (p.clone(), i.clone(), self.storage);
        }
        let mut indptr = vec![0];
        let mut indices = vec![];
        for i in 0..self.n {
            if self.storage == Storage::Full && i > 0 {
                indices.push(i - 1);
            }
            indices.push(i);
            if i + 1 < self.n {
                indices.push(i + 1);
            }
            indptr.push(indices.len());
        }
        (indptr, indices, self.storage)
    }
    fn fill_values(&self, x: ArrayView1<'_, f64>, values: &mut [f64]) {
        let mut q = 0;
        for i in 0..self.n {
            if self.storage == Storage::Full && i > 0 {
                values[q] = -1.0;
                q += 1;
            }
            values[q] = 3.0 + 3.0 * x[i] * x[i];
            q += 1;
            if i + 1 < self.n {
                values[q] = -1.0;
                q += 1;
            }
        }
    }
}

#[test]
fn assembled_adapter_full_and_upper_storage() {
    let n = 200;
    let x0 = Array1::zeros(n);
    let mut fs = vec![];
    for storage in [Storage::Full, Storage::Upper] {
        let p = Assembled::new(Quartic::new(n, storage)).unwrap();
        // The assembled product equals A v + 3 x² v.
        let x = Array1::from_shape_fn(n, |i| (i as f64 * 0.3).sin());
        let v = Array1::from_shape_fn(n, |i| (i as f64 * 0.11).cos());
        let mut hv = Array1::zeros(n);
        p.hessian(x.view()).apply(v.view(), hv.view_mut());
        for i in 0..n {
            let want = p.problem().a_times(v.view(), i) + 3.0 * x[i] * x[i] * v[i];
            assert!((hv[i] - want).abs() < 1e-13);
        }
        for pc in [
            Preconditioning::None,
            Preconditioning::Jacobi,
            Preconditioning::Objective,
        ] {
            let cfg = TrustRegionConfig {
                preconditioning: pc,
                ..TrustRegionConfig::default()
            };
            let r = TrustRegion::new(cfg).solve(&p, x0.view()).unwrap();
            assert!(r.status.is_converged());
            fs.push(r.f);
        }
        assert!(p.value_buffers_allocated() <= 2);
    }
    for f in &fs {
        assert!((f - fs[0]).abs() < 1e-12 * fs[0].abs());
    }
}

#[test]
fn malformed_patterns_are_typed_errors() {
    struct Bad(Vec<usize>, Vec<usize>, Storage);
    impl SparseHessian for Bad {
        fn dim(&self) -> usize {
            3
        }
        fn value_grad(&self, _x: ArrayView1<'_, f64>, _g: ArrayViewMut1<'_, f64>) -> f64 {
            0.0
        }
        fn pattern(&self) -> (Vec<usize>, Vec<usize>, Storage) {
            (self.0.clone(), self.1.clone(), self.2)
        }
        fn fill_values(&self, _x: ArrayView1<'_, f64>, _v: &mut [f64]) {}
    }
    let cases = [
        Bad(vec![0, 1, 2], vec![0, 1], Storage::Full), // short indptr
        Bad(vec![0, 1, 2, 3], vec![0, 1, 3], Storage::Full), // column 3 ≥ n
        Bad(vec![0, 2, 3, 4], vec![1, 0, 1, 2], Storage::Full), // unsorted
        Bad(vec![0, 2, 3, 4], vec![0, 0, 1, 2], Storage::Full), // duplicate
        Bad(vec![0, 1, 3, 4], vec![0, 0, 1, 2], Storage::Upper), // lower entry
        Bad(vec![0, 1, 2, 5], vec![0, 1, 2], Storage::Full), // nnz mismatch
        Bad(vec![0, 2, 3, 4], vec![0, 1, 1, 2], Storage::Full), // upper only, declared full
        Bad(vec![0, 5, 2, 3], vec![0, 1, 2], Storage::Full), // indptr past nnz, then down
    ];
    for b in cases {
        assert!(matches!(Assembled::new(b), Err(Error::InvalidInput(_))));
    }
}
