//! The operator D·A·D and the preconditioner D·M⁻¹·D for a 0/1 diagonal
//! mask D: a matrix restricted to a face of a box without forming the
//! submatrix.
//!
//! With F the set where D = 1, (D·A·D)v agrees with A(F,F)·v_F on F and is
//! 0 elsewhere, so Krylov methods started from a right-hand side that is 0
//! off F stay in that subspace and see exactly A(F,F) (JSOSolvers `tron`
//! with an `opDiagonal` mask; TAO `-tao_subset_type mask`). One product
//! with A per product with D·A·D; the mask is applied to a copy of v kept
//! in a caller-owned scratch buffer, so no product allocates, and to A·v
//! by [`LinearOperator::apply_masked`] (in the operator's own output pass
//! where it overrides it).
//!
//! D·M⁻¹·D is the exact restriction for a diagonal M (Jacobi); for an
//! incomplete factor of the whole matrix it is symmetric positive definite
//! on F but differs from a factor of A(F,F) (`reference/bounds.md` §1.2.2).

use std::cell::RefCell;

use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

use crate::linalg::operator::LinearOperator;
use crate::linalg::par::{for_blocks, Par};
use crate::linalg::precond::Preconditioner;

/// D·A·D for a 0/1 mask D (module documentation).
pub struct Masked<'a, A: ?Sized> {
    a: &'a A,
    mask: ArrayView1<'a, f64>,
    /// Holds D·v; `None` for [`Masked::on_face`].
    scratch: Option<&'a RefCell<Array1<f64>>>,
    par: Par,
}

impl<'a, A: LinearOperator + ?Sized> Masked<'a, A> {
    /// D·A·D with D = diag(`mask`) (entries 0 or 1) and `scratch` an
    /// n-vector to hold D·v.
    pub fn new(a: &'a A, mask: ArrayView1<'a, f64>, scratch: &'a RefCell<Array1<f64>>) -> Self {
        Self {
            a,
            mask,
            scratch: Some(scratch),
            par: Par::Rayon,
        }
    }

    /// D·A·D for vectors that are already 0 off the mask, as every vector
    /// of a Krylov method started from such a right-hand side is: a product
    /// is D·(A·v), without the copy D·v (one pass over three vectors less).
    /// The caller guarantees v = D·v (checked in debug builds); for such v
    /// the result equals [`Masked::new`]'s.
    pub fn on_face(a: &'a A, mask: ArrayView1<'a, f64>) -> Self {
        Self {
            a,
            mask,
            scratch: None,
            par: Par::Rayon,
        }
    }

    /// How the mask passes run ([`Par::Rayon`] by default; the same
    /// result either way).
    pub fn with_par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }
}

/// Whether v is 0 wherever the mask is (the precondition of
/// [`Masked::on_face`]).
fn zero_off_mask(v: ArrayView1<'_, f64>, mask: ArrayView1<'_, f64>) -> bool {
    v.iter().zip(mask).all(|(&v, &m)| m != 0.0 || v == 0.0)
}

impl<A: LinearOperator + ?Sized> LinearOperator for Masked<'_, A> {
    fn dim(&self) -> usize {
        self.a.dim()
    }
    fn shape(&self) -> (usize, usize) {
        self.a.shape()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        match self.scratch {
            Some(scratch) => {
                let mut s = scratch.borrow_mut();
                masked_copy(self.par, s.view_mut(), v, self.mask);
                self.a.apply_masked(s.view(), self.mask, out, self.par);
            }
            None => {
                debug_assert!(zero_off_mask(v, self.mask), "Masked::on_face: v ≠ D·v");
                self.a.apply_masked(v, self.mask, out, self.par);
            }
        }
    }
    fn diagonal(&self, mut out: ArrayViewMut1<'_, f64>) -> bool {
        if !self.a.diagonal(out.view_mut()) {
            return false;
        }
        mask_in_place(self.par, out, self.mask);
        true
    }
}

/// D·M⁻¹·D for a 0/1 mask D.
pub struct MaskedPreconditioner<'a> {
    m: &'a dyn Preconditioner,
    mask: ArrayView1<'a, f64>,
    scratch: &'a RefCell<Array1<f64>>,
    par: Par,
}

impl<'a> MaskedPreconditioner<'a> {
    /// D·M⁻¹·D with D = diag(`mask`) and `scratch` an n-vector.
    pub fn new(
        m: &'a dyn Preconditioner,
        mask: ArrayView1<'a, f64>,
        scratch: &'a RefCell<Array1<f64>>,
    ) -> Self {
        Self {
            m,
            mask,
            scratch,
            par: Par::Rayon,
        }
    }

    /// How the mask passes run ([`Par::Rayon`] by default; the same
    /// result either way).
    pub fn with_par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }
}

impl Preconditioner for MaskedPreconditioner<'_> {
    fn dim(&self) -> usize {
        self.m.dim()
    }
    fn apply(&self, r: ArrayView1<'_, f64>, mut z: ArrayViewMut1<'_, f64>) {
        let mut s = self.scratch.borrow_mut();
        masked_copy(self.par, s.view_mut(), r, self.mask);
        self.m.apply(s.view(), z.view_mut());
        mask_in_place(self.par, z, self.mask);
    }
}

pub use crate::linalg::vecops::mask_in_place;

/// out ← D·v, with exact zeros off the mask (see [`mask_in_place`]).
fn masked_copy(
    par: Par,
    out: ArrayViewMut1<'_, f64>,
    v: ArrayView1<'_, f64>,
    mask: ArrayView1<'_, f64>,
) {
    for_blocks(par, (out, v, mask), |(mut out, v, mask)| {
        Zip::from(&mut out)
            .and(&v)
            .and(&mask)
            .for_each(|s, &v, &m| *s = if m == 0.0 { 0.0 } else { v });
    });
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::linalg::precond::Jacobi;
    use ndarray::{array, Array2};

    /// A symmetric positive definite 6×6 matrix with distinct entries.
    fn spd() -> Array2<f64> {
        let b = Array2::from_shape_fn((6, 6), |(i, j)| ((i * 7 + j * 3) % 5) as f64 - 1.5);
        let mut a = b.t().dot(&b);
        for i in 0..6 {
            a[[i, i]] += 6.0;
        }
        a
    }

    #[test]
    fn masked_product_equals_the_explicit_submatrix() {
        let a = spd();
        let mask = array![1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
        let free: Vec<usize> = (0..6).filter(|&i| mask[i] == 1.0).collect();
        let sub = Array2::from_shape_fn((free.len(), free.len()), |(p, q)| a[[free[p], free[q]]]);
        let scratch = RefCell::new(Array1::zeros(6));
        let op = Masked::new(&a, mask.view(), &scratch);
        // A v with nonzero entries off the face too: they must not leak in.
        let v = array![1.0, -2.0, 0.5, 3.0, 7.0, -1.0];
        let mut out = Array1::zeros(6);
        op.apply(v.view(), out.view_mut());
        let vf = Array1::from_iter(free.iter().map(|&i| v[i]));
        let want = sub.dot(&vf);
        for (p, &i) in free.iter().enumerate() {
            assert!((out[i] - want[p]).abs() <= 1e-12 * want[p].abs().max(1.0));
        }
        assert_eq!(out[1], 0.0);
        assert_eq!(out[4], 0.0);
        // The diagonal is the submatrix's diagonal, 0 off the face.
        let mut d = Array1::zeros(6);
        assert!(op.diagonal(d.view_mut()));
        for i in 0..6 {
            assert_eq!(d[i], mask[i] * a[[i, i]]);
        }
    }

    #[test]
    fn on_face_equals_the_copying_product_for_vectors_on_the_face() {
        let a = spd();
        let mask = array![1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
        let scratch = RefCell::new(Array1::zeros(6));
        let copying = Masked::new(&a, mask.view(), &scratch);
        let face = Masked::on_face(&a, mask.view());
        let v = array![1.0, 0.0, 0.5, -3.0, 0.0, 2.5];
        let (mut y1, mut y2) = (Array1::zeros(6), Array1::zeros(6));
        copying.apply(v.view(), y1.view_mut());
        face.apply(v.view(), y2.view_mut());
        assert_eq!(y1, y2);
        assert!(y2.iter().any(|&y| y != 0.0));
        assert_eq!((y2[1], y2[4]), (0.0, 0.0));
        assert!(!zero_off_mask(
            array![0.0, 1e-300, 0.0, 0.0, 0.0, 0.0].view(),
            mask.view()
        ));
    }

    #[test]
    fn masked_jacobi_is_the_restricted_inverse_diagonal() {
        let a = spd();
        let j = Jacobi::new(a.diag()).unwrap();
        let mask = array![0.0, 1.0, 1.0, 0.0, 1.0, 0.0];
        let scratch = RefCell::new(Array1::zeros(6));
        let m = MaskedPreconditioner::new(&j, mask.view(), &scratch);
        let r = array![1.0, 2.0, 3.0, 4.0, 5.0, f64::INFINITY];
        let mut z = Array1::zeros(6);
        m.apply(r.view(), z.view_mut());
        for i in 0..6 {
            let want = if mask[i] == 1.0 {
                r[i] / a[[i, i]]
            } else {
                0.0
            };
            assert_eq!(z[i], want);
        }
    }
}
