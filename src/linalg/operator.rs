//! Linear operators `v ↦ A v`: the Hessian as something that can be applied.
//!
//! Matrix-free methods never need the entries of the Hessian, only its action
//! on vectors. [`LinearOperator`] is that action. It is implemented here for
//! dense `ndarray` matrices and for closures; sparse matrices and sharded
//! sums implement it in their own modules.

use ndarray::{Array2, ArrayBase, ArrayView1, ArrayViewMut1, Data, Ix2};

use crate::linalg::par::Par;
use crate::linalg::precond::Preconditioner;
use crate::linalg::vecops::mask_in_place;

/// A square linear operator on `R^n`, symmetric when it stands for a Hessian.
///
/// `apply(v, out)` writes `A v` into `out` (overwriting it). Both have length
/// [`dim`](LinearOperator::dim); the solvers check lengths once, before the
/// first product, so implementations may assume them.
pub trait LinearOperator {
    /// The dimension n.
    fn dim(&self) -> usize;

    /// `out ← A v`.
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>);

    /// `out ← D·(A v)` for the 0/1 diagonal D = diag(`mask`): `A v` with
    /// `out[i]` set to exactly 0 wherever `mask[i] == 0`, the product of
    /// [`Masked`](crate::linalg::masked::Masked), TRON's operator on a face
    /// of the box. The default is [`apply`](LinearOperator::apply) and then
    /// a mask pass over `out`, run as `par` says. An operator that writes
    /// its output in blocks of its own may override it to mask each block
    /// while it is still in cache, which saves a read and a write of `out`;
    /// an override must give the same values as the default.
    fn apply_masked(
        &self,
        v: ArrayView1<'_, f64>,
        mask: ArrayView1<'_, f64>,
        mut out: ArrayViewMut1<'_, f64>,
        par: Par,
    ) {
        self.apply(v, out.view_mut());
        mask_in_place(par, out, mask);
    }

    /// (rows, columns). The solvers check that both equal n before the
    /// first product. The default is `(dim(), dim())`; only operators that
    /// can be rectangular (a dense `ndarray` matrix) override it.
    fn shape(&self) -> (usize, usize) {
        (self.dim(), self.dim())
    }

    /// Writes the diagonal of A into `out` and returns `true`, or returns
    /// `false` if the diagonal is not available cheaply. Used by the Jacobi
    /// preconditioner. The default returns `false`.
    fn diagonal(&self, out: ArrayViewMut1<'_, f64>) -> bool {
        let _ = out;
        false
    }

    /// The sparsity pattern `(indptr, indices)` of the assembled matrix this
    /// operator applies, if it has one: full symmetric storage in CSR form,
    /// `indptr` of length n + 1 from 0, column indices sorted and unique in
    /// each row. With [`assembled_values`](LinearOperator::assembled_values)
    /// it lets [`crate::Preconditioning::Amg`] build a multigrid hierarchy.
    /// The pattern must be the same at every point of a solve. Default:
    /// `None`.
    fn assembled_pattern(&self) -> Option<(&[usize], &[usize])> {
        None
    }

    /// Writes the values of the assembled matrix, in the order of
    /// [`assembled_pattern`](LinearOperator::assembled_pattern), into
    /// `values` (its length is the pattern's) and returns `true`, or returns
    /// `false` if there is no assembled matrix. Default: `false`.
    fn assembled_values(&self, values: &mut [f64]) -> bool {
        let _ = values;
        false
    }

    /// An incomplete Cholesky factor, IC(0), of the reduced matrix
    /// `A(F,F) ⊕ I` on the face F = {i : `mask[i]` ≠ 0}, built in the
    /// operator's own structure (a grid stencil) without an assembled
    /// matrix, if it has one. Its `z = M⁻¹ r` must be exactly 0 off F.
    ///
    /// `relax` = ω ∈ [0, 1] asks for the relaxed **modified** factor,
    /// MIC(0): ω times each fill entry that IC(0) drops is subtracted from
    /// the pivot of its row, so that at ω = 1 the factor has the row sums
    /// of A(F,F) (of the matrix it factors: with any couplings a banded
    /// factor drops, and any diagonal shift a breakdown forced; Gustafsson
    /// 1978; Axelsson & Lindskog 1986 for the relaxation). ω = 0 is
    /// IC(0).
    ///
    /// TRON's [`crate::Preconditioning::Ic0`] (ω = 0) and
    /// [`crate::Preconditioning::Mic0`] ask for it on every face before
    /// they fall back to the IC(0) of the assembled pattern. Default:
    /// `None`.
    fn face_ic0(
        &self,
        mask: ArrayView1<'_, f64>,
        relax: f64,
    ) -> Option<Box<dyn Preconditioner + '_>> {
        let _ = (mask, relax);
        None
    }
}

impl<T: LinearOperator + ?Sized> LinearOperator for &T {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn assembled_pattern(&self) -> Option<(&[usize], &[usize])> {
        (**self).assembled_pattern()
    }
    fn assembled_values(&self, values: &mut [f64]) -> bool {
        (**self).assembled_values(values)
    }
    fn shape(&self) -> (usize, usize) {
        (**self).shape()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        (**self).apply(v, out)
    }
    fn apply_masked(
        &self,
        v: ArrayView1<'_, f64>,
        mask: ArrayView1<'_, f64>,
        out: ArrayViewMut1<'_, f64>,
        par: Par,
    ) {
        (**self).apply_masked(v, mask, out, par)
    }
    fn diagonal(&self, out: ArrayViewMut1<'_, f64>) -> bool {
        (**self).diagonal(out)
    }
    fn face_ic0(
        &self,
        mask: ArrayView1<'_, f64>,
        relax: f64,
    ) -> Option<Box<dyn Preconditioner + '_>> {
        (**self).face_ic0(mask, relax)
    }
}

impl<T: LinearOperator + ?Sized> LinearOperator for Box<T> {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn assembled_pattern(&self) -> Option<(&[usize], &[usize])> {
        (**self).assembled_pattern()
    }
    fn assembled_values(&self, values: &mut [f64]) -> bool {
        (**self).assembled_values(values)
    }
    fn shape(&self) -> (usize, usize) {
        (**self).shape()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        (**self).apply(v, out)
    }
    fn apply_masked(
        &self,
        v: ArrayView1<'_, f64>,
        mask: ArrayView1<'_, f64>,
        out: ArrayViewMut1<'_, f64>,
        par: Par,
    ) {
        (**self).apply_masked(v, mask, out, par)
    }
    fn diagonal(&self, out: ArrayViewMut1<'_, f64>) -> bool {
        (**self).diagonal(out)
    }
    fn face_ic0(
        &self,
        mask: ArrayView1<'_, f64>,
        relax: f64,
    ) -> Option<Box<dyn Preconditioner + '_>> {
        (**self).face_ic0(mask, relax)
    }
}

/// A dense square matrix is an operator. A non-square matrix is a
/// dimension-mismatch error when a solver checks its [`shape`]; applied
/// directly with vectors of the wrong lengths it writes NaN into `out`
/// (as far as `out` goes) instead of panicking.
///
/// [`shape`]: LinearOperator::shape
impl<S: Data<Elem = f64>> LinearOperator for ArrayBase<S, Ix2> {
    fn dim(&self) -> usize {
        self.nrows()
    }
    fn shape(&self) -> (usize, usize) {
        (self.nrows(), self.ncols())
    }
    fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
        if v.len() != self.ncols() || out.len() != self.nrows() {
            out.fill(f64::NAN);
            return;
        }
        ndarray::linalg::general_mat_vec_mul(1.0, self, &v, 0.0, &mut out);
    }
    fn diagonal(&self, mut out: ArrayViewMut1<'_, f64>) -> bool {
        if !self.is_square() || out.len() != self.nrows() {
            return false;
        }
        out.assign(&self.diag());
        true
    }
}

/// Checks that `op` is n × n: a typed error naming `what` otherwise.
pub(crate) fn check_square<O: LinearOperator + ?Sized>(
    what: &'static str,
    n: usize,
    op: &O,
) -> crate::error::Result<()> {
    let (rows, cols) = op.shape();
    crate::error::check_dim(what, n, rows)?;
    crate::error::check_dim(what, n, cols)
}

/// An operator given by a closure `|v, out| ...` that writes `A v` into `out`.
///
/// ```
/// use ndarray::array;
/// use steihaug::{FnOperator, LinearOperator};
/// // A = diag(1, 2, 3)
/// let a = FnOperator::new(3, |v, mut out| {
///     for i in 0..3 { out[i] = (i as f64 + 1.0) * v[i]; }
/// });
/// let mut out = ndarray::Array1::zeros(3);
/// a.apply(array![1.0, 1.0, 1.0].view(), out.view_mut());
/// assert_eq!(out, array![1.0, 2.0, 3.0]);
/// ```
pub struct FnOperator<F> {
    n: usize,
    f: F,
}

impl<F> FnOperator<F>
where
    F: Fn(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>),
{
    /// Wraps `f` as an operator of dimension `n`.
    pub fn new(n: usize, f: F) -> Self {
        Self { n, f }
    }
}

impl<F> LinearOperator for FnOperator<F>
where
    F: Fn(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>),
{
    fn dim(&self) -> usize {
        self.n
    }
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        (self.f)(v, out)
    }
}

/// Assembles the dense matrix of an operator column by column, with n
/// products `A e_j`. Used by the dense Newton solver when only products are
/// available; O(n²) memory, so only for small n.
pub fn assemble_dense<A: LinearOperator + ?Sized>(op: &A) -> Array2<f64> {
    let n = op.dim();
    let mut m = Array2::zeros((n, n));
    let mut e = ndarray::Array1::zeros(n);
    for j in 0..n {
        e[j] = 1.0;
        op.apply(e.view(), m.column_mut(j));
        e[j] = 0.0;
    }
    m
}
