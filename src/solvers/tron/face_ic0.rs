//! IC(0) of the reduced Hessian H(F,F) on each face, the preconditioner of
//! MINPACK-2 `dtron` (which refactors `dicfs` on every face in `dspcg`;
//! Lin & Moré 1999 §4), with [`crate::Preconditioning::Ic0`] and
//! [`crate::Preconditioning::Mic0`].
//!
//! The factor is that of H(F,F) ⊕ I: the assembled values of H with every
//! row and column outside F cleared and a unit diagonal there
//! ([`reduced_values`]). That matrix has H's pattern, so no submatrix is
//! formed, and its IC(0) factor restricted to F is exactly IC(0) of
//! H(F,F) (the cleared rows and columns never enter F's elimination). Where
//! IC(0) fails for every shift, the face uses Jacobi from H's diagonal.
//!
//! This is the fallback: TRON first asks the operator for a face IC(0) in
//! its own structure ([`LinearOperator::face_ic0`]; the 5-point MINPACK-2
//! stencils build one from their edge weights with no assembled matrix),
//! and the values here are read only on the first face of a point that
//! needs them (`FaceIc0::new_point`), so such a point never assembles.
//! The operator's own factor may be modified (MIC(0), relaxed by
//! [`crate::Preconditioning::Mic0`]'s ω); the assembled fallback is IC(0)
//! whatever ω is.

use ndarray::{Array1, ArrayView1};

use crate::linalg::operator::LinearOperator;
use crate::linalg::precond::{Jacobi, Preconditioner};
use crate::linalg::sparse::{Ic0, Ic0Config};

/// The values of H(F,F) ⊕ I on H's CSR pattern: entry (i, j) is H's when
/// both i and j are free (`mask` nonzero), 1 on the diagonal of a fixed
/// row, 0 otherwise. `out` has the length of `values`.
pub fn reduced_values(
    indptr: &[usize],
    indices: &[usize],
    values: &[f64],
    mask: ArrayView1<'_, f64>,
    out: &mut [f64],
) {
    for i in 0..indptr.len() - 1 {
        let free_i = mask[i] != 0.0;
        for q in indptr[i]..indptr[i + 1] {
            let j = indices[q];
            out[q] = if free_i && mask[j] != 0.0 {
                values[q]
            } else if i == j {
                1.0
            } else {
                0.0
            };
        }
    }
}

/// The per-point values and the per-face factor.
#[derive(Default)]
pub(super) struct FaceIc0 {
    values: Vec<f64>,
    reduced: Vec<f64>,
    factor: Option<Ic0>,
    fallback: Option<Jacobi>,
    /// Whether the Hessian at the current point has an assembled matrix.
    assembled: bool,
    /// Whether `values` (and `assembled`) belong to the current point:
    /// they are read on the first face that needs them, so a point whose
    /// faces all use the operator's own IC(0)
    /// ([`LinearOperator::face_ic0`]) never assembles.
    loaded: bool,
    /// ω asked of the operator's own factor (0: IC(0)).
    relax: f64,
}

impl FaceIc0 {
    /// Faces factored with ω = `relax` where the operator factors them
    /// itself ([`LinearOperator::face_ic0`]), IC(0) of the assembled
    /// values otherwise.
    pub fn new(relax: f64) -> Self {
        Self {
            relax,
            ..Self::default()
        }
    }

    /// ω asked of the operator's own factor.
    pub fn relax(&self) -> f64 {
        self.relax
    }

    /// A new point: its assembled values are read when a face first needs
    /// them ([`Self::factor_face`]).
    pub fn new_point(&mut self) {
        self.factor = None;
        self.fallback = None;
        self.loaded = false;
    }

    /// Reads the assembled values of the Hessian at the current point;
    /// false when it has none (the faces then use Jacobi, or nothing).
    pub fn load<H: LinearOperator + ?Sized>(&mut self, h: &H) -> bool {
        self.new_point();
        self.loaded = true;
        self.assembled = match h.assembled_pattern() {
            Some((_, indices)) => {
                self.values.resize(indices.len(), 0.0);
                self.reduced.resize(indices.len(), 0.0);
                h.assembled_values(&mut self.values)
            }
            None => false,
        };
        self.assembled
    }

    /// Factors H(F,F) ⊕ I for the face `mask` (Jacobi from H's diagonal if
    /// that fails or H has no assembled matrix).
    pub fn factor_face<H: LinearOperator + ?Sized>(&mut self, h: &H, mask: ArrayView1<'_, f64>) {
        if !self.loaded {
            self.load(h);
        }
        self.factor = None;
        let n = mask.len();
        if self.assembled {
            if let Some((indptr, indices)) = h.assembled_pattern() {
                reduced_values(indptr, indices, &self.values, mask, &mut self.reduced);
                self.factor =
                    Ic0::from_csr(n, indptr, indices, &self.reduced, Ic0Config::default()).ok();
            }
        }
        if self.factor.is_none() && self.fallback.is_none() {
            let mut d = Array1::zeros(n);
            if h.diagonal(d.view_mut()) {
                self.fallback = Jacobi::new(d.view()).ok();
            }
        }
    }

    /// The preconditioner of the current face.
    pub fn current(&self) -> Option<&dyn Preconditioner> {
        match &self.factor {
            Some(f) => Some(f as &dyn Preconditioner),
            None => self.fallback.as_ref().map(|j| j as &dyn Preconditioner),
        }
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use ndarray::{array, Array1};
    use sprs::TriMat;

    /// A 6×6 SPD matrix with couplings across the face: the 2-D Laplacian
    /// of a 2×3 grid plus a diagonal shift.
    fn matrix() -> sprs::CsMat<f64> {
        let n = 6;
        let mut t = TriMat::new((n, n));
        for i in 0..n {
            t.add_triplet(i, i, 4.5);
        }
        for (a, b) in [(0, 1), (1, 2), (3, 4), (4, 5), (0, 3), (1, 4), (2, 5)] {
            t.add_triplet(a, b, -1.0);
            t.add_triplet(b, a, -1.0);
        }
        t.to_csr()
    }

    #[test]
    fn reduced_values_clear_fixed_rows_and_columns() {
        let a = matrix();
        let mask = array![1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
        let ip: Vec<usize> = a.indptr().raw_storage().to_vec();
        let mut out = vec![f64::NAN; a.nnz()];
        reduced_values(&ip, a.indices(), a.data(), mask.view(), &mut out);
        for (i, row) in a.outer_iterator().enumerate() {
            for (j, &v) in row.iter() {
                let q = ip[i] + row.indices().iter().position(|&c| c == j).unwrap();
                let want = if mask[i] != 0.0 && mask[j] != 0.0 {
                    v
                } else if i == j {
                    1.0
                } else {
                    0.0
                };
                assert_eq!(out[q], want, "({i}, {j})");
            }
        }
    }

    /// The face factor applied to a vector on F equals IC(0) of the
    /// explicit submatrix H(F,F) applied to its F part.
    #[test]
    fn face_factor_is_ic0_of_the_submatrix() {
        struct Op(sprs::CsMat<f64>, Vec<usize>);
        impl LinearOperator for Op {
            fn dim(&self) -> usize {
                self.0.rows()
            }
            fn apply(&self, v: ArrayView1<'_, f64>, mut out: ndarray::ArrayViewMut1<'_, f64>) {
                out.fill(0.0);
                for (i, row) in self.0.outer_iterator().enumerate() {
                    out[i] = row.iter().map(|(j, &a)| a * v[j]).sum();
                }
            }
            fn diagonal(&self, mut out: ndarray::ArrayViewMut1<'_, f64>) -> bool {
                for i in 0..self.dim() {
                    out[i] = *self.0.get(i, i).unwrap();
                }
                true
            }
            fn assembled_pattern(&self) -> Option<(&[usize], &[usize])> {
                Some((&self.1, self.0.indices()))
            }
            fn assembled_values(&self, values: &mut [f64]) -> bool {
                values.copy_from_slice(self.0.data());
                true
            }
        }
        let a = matrix();
        let ip = a.indptr().raw_storage().to_vec();
        let op = Op(a.clone(), ip);
        let free = [0usize, 2, 3, 5];
        let mut mask = Array1::zeros(6);
        for &i in &free {
            mask[i] = 1.0;
        }
        let mut face = FaceIc0::default();
        assert!(face.load(&op));
        face.factor_face(&op, mask.view());
        let m = face.current().unwrap();
        // The submatrix H(F,F) and its IC(0).
        let mut t = TriMat::new((free.len(), free.len()));
        for (p, &i) in free.iter().enumerate() {
            for (q, &j) in free.iter().enumerate() {
                if let Some(&v) = a.get(i, j) {
                    t.add_triplet(p, q, v);
                }
            }
        }
        let sub = Ic0::new(&t.to_csr::<usize>()).unwrap();
        let r = array![0.3, 0.0, -1.2, 0.7, 0.0, 2.0];
        let mut z = Array1::zeros(6);
        m.apply(r.view(), z.view_mut());
        let rf: Array1<f64> = free.iter().map(|&i| r[i]).collect();
        let mut zf = Array1::zeros(free.len());
        sub.apply(rf.view(), zf.view_mut());
        for (p, &i) in free.iter().enumerate() {
            assert!((z[i] - zf[p]).abs() <= 1e-14 * zf[p].abs().max(1.0), "{i}");
        }
    }
}
