//! Sparse Hessians: `sprs` matrices as operators, an objective adapter for
//! assembled Hessians, and an incomplete Cholesky preconditioner.
//!
//! * [`csr_matvec`]: the parallel CSR product `y ← A x`. Rows are split into
//!   fixed blocks of [`ROW_BLOCK`] rows; each row's dot product is computed
//!   by one thread in index order, so the result is bit-for-bit the same for
//!   any number of threads.
//! * `impl LinearOperator for sprs::CsMatBase<f64, ..>`: any sprs matrix is an
//!   operator (CSR: the parallel kernel; CSC: a sequential column scatter).
//!   Shape errors cannot be returned from `apply`, so a non-square matrix
//!   writes NaN and the solver stops with a non-finite-Hessian status; use
//!   [`SparseOperator::new`] to get a typed error up front instead.
//! * [`SparseOperator`]: a validated square CSR matrix (CSC input is
//!   converted), whose values can be refilled in place.
//! * [`SymmetricUpper`]: a symmetric matrix given by its upper triangle.
//!   The choice made here: the full pattern is built once at construction
//!   (with a map from each full entry to its upper-storage entry), so every
//!   product is the same row-parallel, conflict-free kernel; refilling values
//!   from upper storage is one gather, without reallocation.
//! * [`Assembled`] and [`SparseHessian`]: the objective adapter for users who
//!   assemble a sparse Hessian with a fixed pattern.
//! * [`Ic0`]: incomplete Cholesky with zero fill, with the diagonal-shift
//!   retry of Lin & Moré (1999).
//! * [`Amg`]: smoothed-aggregation algebraic multigrid (Vaněk, Mandel &
//!   Brezina 1996), one symmetric V-cycle per application.
//!
//! Error policy (as sprs): data problems — a non-square matrix, a pattern
//! with an out-of-range column, a lower entry in upper storage — are
//! [`crate::Error`] values from the constructors; nothing in this module
//! panics on user data.

pub mod amg;
mod assembled;
mod ic0;

pub use amg::{Amg, AmgConfig, AmgReuse, AmgSmoother, DEFAULT_THETA};
pub use assembled::{Assembled, AssembledHessian, AssembledPreconditioner, SparseHessian};
pub(crate) use ic0::PIVOT_REL as IC0_PIVOT_REL;
pub use ic0::{Ic0, Ic0Config};

use ndarray::{ArrayView1, ArrayViewMut1};
use rayon::prelude::*;
use sprs::{CompressedStorage, CsMatBase, CsMatI, SpIndex};
use std::ops::Deref;

use crate::error::{Error, Result};
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::Par;

/// Rows per parallel block of [`csr_matvec`]. Only the work split depends on
/// it, never the result.
pub const ROW_BLOCK: usize = 4096;

/// How a sparse matrix stores a symmetric operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Storage {
    /// Every nonzero is stored.
    #[default]
    Full,
    /// Only entries with column ≥ row are stored; the lower triangle is
    /// implied by symmetry.
    Upper,
}

/// One CSR row's dot product `Σ_p data[p]·x[indices[p]]` in index order.
#[inline(always)]
fn row_dot<I: SpIndex>(indices: &[I], data: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (&j, &a) in indices.iter().zip(data) {
        s += a * x[j.index()];
    }
    s
}

fn csr_block<I: SpIndex, P: SpIndex>(
    indptr: &[P],
    indices: &[I],
    data: &[f64],
    x: &[f64],
    row0: usize,
    y: &mut [f64],
) {
    let base = indptr[0].index();
    let mut start = indptr[row0].index() - base;
    for (r, yr) in y.iter_mut().enumerate() {
        let end = indptr[row0 + r + 1].index() - base;
        *yr = row_dot(&indices[start..end], &data[start..end], x);
        start = end;
    }
}

/// `y ← A x` for a CSR matrix given by its raw arrays (`indptr` of length
/// `y.len() + 1`, possibly not starting at 0 as for sprs sub-views).
///
/// Row blocks of [`ROW_BLOCK`] rows run in parallel with [`Par::Rayon`];
/// every output entry is one sequential dot product, so `Par::Seq` and any
/// thread count give identical bits. Memory traffic per product (no cache
/// reuse of `x` beyond the band): `nnz·(8 + size_of::<I>()) + (n+1)·
/// size_of::<P>() + 8·ncols + 8·n` bytes.
///
/// The caller guarantees consistent arrays (as every sprs matrix has); this
/// function indexes with bounds checks, so inconsistent arrays panic rather
/// than read out of bounds.
pub fn csr_matvec<I: SpIndex, P: SpIndex>(
    par: Par,
    indptr: &[P],
    indices: &[I],
    data: &[f64],
    x: &[f64],
    y: &mut [f64],
) {
    let n = y.len();
    if par == Par::Rayon && n > ROW_BLOCK {
        y.par_chunks_mut(ROW_BLOCK)
            .enumerate()
            .for_each(|(b, yb)| csr_block(indptr, indices, data, x, b * ROW_BLOCK, yb));
    } else {
        csr_block(indptr, indices, data, x, 0, y);
    }
}

/// Applies a CSR product to ndarray vectors, copying only when a vector is
/// not contiguous (never for the solvers' own work vectors).
pub(crate) fn csr_apply<I: SpIndex, P: SpIndex>(
    par: Par,
    indptr: &[P],
    indices: &[I],
    data: &[f64],
    v: ArrayView1<'_, f64>,
    mut out: ArrayViewMut1<'_, f64>,
) {
    match (v.as_slice(), out.as_slice_mut()) {
        (Some(x), Some(y)) => csr_matvec(par, indptr, indices, data, x, y),
        (x, _) => {
            let xv: Vec<f64> = match x {
                Some(x) => x.to_vec(),
                None => v.iter().copied().collect(),
            };
            let mut yv = vec![0.0; out.len()];
            csr_matvec(par, indptr, indices, data, &xv, &mut yv);
            out.assign(&ArrayView1::from(&yv[..]));
        }
    }
}

/// Writes the diagonal of a CSR/CSC matrix with sorted indices (zero where
/// no diagonal entry is stored).
fn compressed_diagonal<I: SpIndex, P: SpIndex>(
    indptr: &[P],
    indices: &[I],
    data: &[f64],
    mut out: ArrayViewMut1<'_, f64>,
) {
    let base = indptr[0].index();
    for (r, o) in out.iter_mut().enumerate() {
        let (s, e) = (indptr[r].index() - base, indptr[r + 1].index() - base);
        *o = match indices[s..e].binary_search_by(|j| j.index().cmp(&r)) {
            Ok(p) => data[s + p],
            Err(_) => 0.0,
        };
    }
}

/// The first stored entry (i, j) of a square CSR pattern whose mirror
/// (j, i) is not stored, or `None` when the pattern is structurally
/// symmetric. Rows must be sorted (binary search); O(nnz·log(row length)),
/// parallel over rows.
pub(crate) fn asymmetric_entry<I: SpIndex, P: SpIndex>(
    indptr: &[P],
    indices: &[I],
) -> Option<(usize, usize)> {
    let n = indptr.len().saturating_sub(1);
    let base = indptr.first().map_or(0, |p| p.index());
    let row = |i: usize| &indices[indptr[i].index() - base..indptr[i + 1].index() - base];
    (0..n)
        .into_par_iter()
        .find_first(|&i| {
            row(i).iter().any(|j| {
                let j = j.index();
                j != i && (j >= n || row(j).binary_search_by(|c| c.index().cmp(&i)).is_err())
            })
        })
        .and_then(|i| {
            row(i)
                .iter()
                .map(|j| j.index())
                .find(|&j| {
                    j != i && (j >= n || row(j).binary_search_by(|c| c.index().cmp(&i)).is_err())
                })
                .map(|j| (i, j))
        })
}

/// Any sprs matrix is a linear operator on `R^rows`.
///
/// * CSR: the parallel kernel [`csr_matvec`] (deterministic).
/// * CSC: `y = Σ_j x_j A_{:,j}`, sequential. For a symmetric matrix CSC
///   and CSR arrays coincide, so prefer [`SparseOperator::new`], which
///   converts once.
/// * A non-square matrix, or vectors whose length differs from the matrix
///   shape, cannot be reported from `apply`: the output is filled with NaN,
///   and the solvers stop with `Status::NonFiniteHessian` (documented
///   status, never a wrong answer). [`SparseOperator::new`] returns a typed
///   error instead.
/// * The stored matrix is applied as stored: an upper-triangle-only matrix
///   must be wrapped in [`SymmetricUpper`].
impl<I, P, IpS, IS, DS> LinearOperator for CsMatBase<f64, I, IpS, IS, DS, P>
where
    I: SpIndex,
    P: SpIndex,
    IpS: Deref<Target = [P]>,
    IS: Deref<Target = [I]>,
    DS: Deref<Target = [f64]>,
{
    fn dim(&self) -> usize {
        self.rows()
    }

    fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
        if self.rows() != self.cols() || v.len() != self.cols() || out.len() != self.rows() {
            out.fill(f64::NAN);
            return;
        }
        let ip = self.indptr();
        let indptr = ip.raw_storage();
        match self.storage() {
            CompressedStorage::CSR => {
                csr_apply(Par::Rayon, indptr, self.indices(), self.data(), v, out)
            }
            CompressedStorage::CSC => {
                out.fill(0.0);
                let base = indptr[0].index();
                for (j, &xj) in v.iter().enumerate() {
                    let (s, e) = (indptr[j].index() - base, indptr[j + 1].index() - base);
                    for (&i, &a) in self.indices()[s..e].iter().zip(&self.data()[s..e]) {
                        out[i.index()] += a * xj;
                    }
                }
            }
        }
    }

    fn diagonal(&self, out: ArrayViewMut1<'_, f64>) -> bool {
        if self.rows() != self.cols() || out.len() != self.rows() {
            return false;
        }
        let ip = self.indptr();
        compressed_diagonal(ip.raw_storage(), self.indices(), self.data(), out);
        true
    }
}

/// A validated square CSR matrix used as a Hessian operator.
///
/// Construction checks the shape (square, n ≥ 1) and converts CSC input to
/// CSR; the product is [`csr_matvec`] with the chosen [`Par`]. The values
/// can be refilled in place ([`SparseOperator::values_mut`]) when the
/// Hessian changes but its pattern does not.
///
/// ```
/// use ndarray::array;
/// use steihaug::{linalg::sparse::SparseOperator, LinearOperator};
/// let a = sprs::CsMat::new((2, 2), vec![0, 2, 4], vec![0, 1, 0, 1], vec![2.0, -1.0, -1.0, 2.0]);
/// let op = SparseOperator::new(a).unwrap();
/// let mut y = ndarray::Array1::zeros(2);
/// op.apply(array![1.0, 1.0].view(), y.view_mut());
/// assert_eq!(y, array![1.0, 1.0]);
/// // Non-square: a typed error.
/// let b = sprs::CsMat::new((2, 3), vec![0, 1, 2], vec![0, 2], vec![1.0, 1.0]);
/// assert!(SparseOperator::new(b).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct SparseOperator<I: SpIndex = usize, P: SpIndex = I> {
    mat: CsMatI<f64, I, P>,
    par: Par,
}

/// Checks that a matrix is square with n ≥ 1; `what` names it in errors.
pub(crate) fn check_square(what: &str, rows: usize, cols: usize) -> Result<()> {
    if rows == 0 || cols == 0 {
        return Err(Error::EmptyProblem);
    }
    if rows != cols {
        return Err(Error::InvalidInput(format!(
            "{what}: a Hessian must be square, got {rows}x{cols}"
        )));
    }
    Ok(())
}

impl<I: SpIndex, P: SpIndex> SparseOperator<I, P> {
    /// Wraps a square matrix (CSC input is converted to CSR once).
    ///
    /// Errors: [`Error::InvalidInput`] for a non-square matrix or a
    /// structurally unsymmetric one (an entry (i, j) stored without
    /// (j, i), as in upper-triangle storage: use [`SymmetricUpper`] for
    /// that), [`Error::EmptyProblem`] for a 0×0 one. The symmetry check
    /// costs one parallel pass over the pattern (O(nnz·log(row length))).
    /// Values are not compared: a structurally symmetric matrix with
    /// unequal values is applied as stored.
    pub fn new(mat: CsMatI<f64, I, P>) -> Result<Self> {
        check_square("SparseOperator", mat.rows(), mat.cols())?;
        let mat = if mat.is_csr() { mat } else { mat.to_csr() };
        if let Some((i, j)) = asymmetric_entry(mat.indptr().raw_storage(), mat.indices()) {
            return Err(Error::InvalidInput(format!(
                "SparseOperator: a Hessian must be symmetric, but entry ({i}, {j}) is stored \
                 and ({j}, {i}) is not; for a matrix given by its upper triangle use \
                 SymmetricUpper"
            )));
        }
        Ok(Self {
            mat,
            par: Par::Rayon,
        })
    }

    /// As [`SparseOperator::new`], and checks the dimension against the
    /// problem's n ([`Error::DimensionMismatch`]).
    pub fn with_dim(mat: CsMatI<f64, I, P>, n: usize) -> Result<Self> {
        let op = Self::new(mat)?;
        crate::error::check_dim("sparse Hessian", n, op.mat.rows())?;
        Ok(op)
    }

    /// Chooses sequential or parallel products (same result either way).
    pub fn with_par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }

    /// The CSR matrix.
    pub fn matrix(&self) -> &CsMatI<f64, I, P> {
        &self.mat
    }

    /// The values, in CSR order, for refilling in place.
    pub fn values_mut(&mut self) -> &mut [f64] {
        self.mat.data_mut()
    }

    /// Returns the matrix.
    pub fn into_inner(self) -> CsMatI<f64, I, P> {
        self.mat
    }
}

impl<I: SpIndex, P: SpIndex> LinearOperator for SparseOperator<I, P> {
    fn dim(&self) -> usize {
        self.mat.rows()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        let ip = self.mat.indptr();
        csr_apply(
            self.par,
            ip.raw_storage(),
            self.mat.indices(),
            self.mat.data(),
            v,
            out,
        );
    }
    fn diagonal(&self, out: ArrayViewMut1<'_, f64>) -> bool {
        let ip = self.mat.indptr();
        compressed_diagonal(ip.raw_storage(), self.mat.indices(), self.mat.data(), out);
        true
    }
}

/// The full CSR pattern of a symmetric matrix stored by its upper triangle,
/// with `map[q]` = position in the upper storage of full entry `q`.
#[derive(Debug, Clone)]
pub(crate) struct ExpandedPattern {
    pub indptr: Vec<usize>,
    pub indices: Vec<usize>,
    pub map: Vec<usize>,
}

/// Validates an upper-triangle CSR pattern (rows sorted, columns ≥ row,
/// < n) and builds the full symmetric pattern with its gather map.
pub(crate) fn expand_upper(
    n: usize,
    indptr: &[usize],
    indices: &[usize],
) -> Result<ExpandedPattern> {
    // Count entries per full row: each stored (i, j), j > i, also gives (j, i).
    let mut counts = vec![0usize; n];
    for i in 0..n {
        for &j in &indices[indptr[i]..indptr[i + 1]] {
            if j < i {
                return Err(Error::InvalidInput(format!(
                    "upper-triangle storage has the lower entry ({i}, {j})"
                )));
            }
            counts[i] += 1;
            if j > i {
                counts[j] += 1;
            }
        }
    }
    let mut full_ptr = vec![0usize; n + 1];
    for i in 0..n {
        full_ptr[i + 1] = full_ptr[i] + counts[i];
    }
    let nnz = full_ptr[n];
    let mut full_ind = vec![0usize; nnz];
    let mut map = vec![0usize; nnz];
    let mut next = full_ptr[..n].to_vec();
    // Row i of the full matrix: first the lower part (i, j) for j < i, which
    // comes from upper rows j < i in increasing j, then the upper row i
    // itself (sorted). Filling in row order of the upper storage keeps both
    // parts sorted.
    for i in 0..n {
        let (s, e) = (indptr[i], indptr[i + 1]);
        for (q, &j) in indices.iter().enumerate().take(e).skip(s) {
            if j > i {
                // entry (j, i) of the full matrix, lower part of row j
                full_ind[next[j]] = i;
                map[next[j]] = q;
                next[j] += 1;
            }
        }
        for (q, &j) in indices.iter().enumerate().take(e).skip(s) {
            full_ind[next[i]] = j;
            map[next[i]] = q;
            next[i] += 1;
        }
    }
    // The lower part of row j is filled while scanning upper rows i < j, but
    // the upper part of row j is filled when scanning row j; entries (j, i)
    // with i < j are written before. Rows are therefore sorted.
    Ok(ExpandedPattern {
        indptr: full_ptr,
        indices: full_ind,
        map,
    })
}

/// A symmetric matrix given by its upper triangle (diagonal included).
///
/// Applied as the full symmetric matrix: see the module documentation for
/// the storage choice (the full pattern is built once; values are gathered
/// from the upper storage by [`SymmetricUpper::update_values`]).
///
/// ```
/// use ndarray::array;
/// use steihaug::{linalg::sparse::SymmetricUpper, LinearOperator};
/// // [[2, -1], [-1, 2]] by its upper triangle
/// let u = sprs::CsMat::new((2, 2), vec![0, 2, 3], vec![0, 1, 1], vec![2.0, -1.0, 2.0]);
/// let op = SymmetricUpper::new(&u).unwrap();
/// let mut y = ndarray::Array1::zeros(2);
/// op.apply(array![1.0, 0.0].view(), y.view_mut());
/// assert_eq!(y, array![2.0, -1.0]);
/// ```
#[derive(Debug, Clone)]
pub struct SymmetricUpper {
    pattern: ExpandedPattern,
    upper_nnz: usize,
    values: Vec<f64>,
    par: Par,
}

impl SymmetricUpper {
    /// Validates the upper-triangle matrix and builds the full pattern.
    ///
    /// Errors: non-square or empty; an entry below the diagonal
    /// ([`Error::InvalidInput`]). CSC input is the lower triangle in CSR
    /// terms, so it is converted first.
    pub fn new<I: SpIndex, P: SpIndex>(upper: &CsMatI<f64, I, P>) -> Result<Self> {
        check_square("SymmetricUpper", upper.rows(), upper.cols())?;
        let csr = if upper.is_csr() {
            upper.clone()
        } else {
            upper.to_csr()
        };
        let ip = csr.indptr();
        let raw = ip.raw_storage();
        let base = raw[0].index();
        let indptr: Vec<usize> = raw.iter().map(|p| p.index() - base).collect();
        let indices: Vec<usize> = csr.indices().iter().map(|j| j.index()).collect();
        let pattern = expand_upper(csr.rows(), &indptr, &indices)?;
        let mut s = Self {
            values: vec![0.0; pattern.indices.len()],
            pattern,
            upper_nnz: indices.len(),
            par: Par::Rayon,
        };
        s.update_values(csr.data())?;
        Ok(s)
    }

    /// Refills the values from the upper storage (same pattern as at
    /// construction, in its CSR order). No allocation.
    pub fn update_values(&mut self, upper_values: &[f64]) -> Result<()> {
        crate::error::check_dim("SymmetricUpper values", self.upper_nnz, upper_values.len())?;
        for (v, &q) in self.values.iter_mut().zip(&self.pattern.map) {
            *v = upper_values[q];
        }
        Ok(())
    }

    /// Chooses sequential or parallel products (same result either way).
    pub fn with_par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }

    /// Stored entries of the full pattern.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }
}

impl LinearOperator for SymmetricUpper {
    fn dim(&self) -> usize {
        self.pattern.indptr.len() - 1
    }
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        csr_apply(
            self.par,
            &self.pattern.indptr,
            &self.pattern.indices,
            &self.values,
            v,
            out,
        );
    }
    fn diagonal(&self, out: ArrayViewMut1<'_, f64>) -> bool {
        compressed_diagonal(
            &self.pattern.indptr,
            &self.pattern.indices,
            &self.values,
            out,
        );
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    fn lap1d(n: usize) -> CsMatI<f64, usize> {
        let mut t = sprs::TriMat::new((n, n));
        for i in 0..n {
            t.add_triplet(i, i, 2.0 + i as f64 * 1e-3);
            if i + 1 < n {
                t.add_triplet(i, i + 1, -1.0);
                t.add_triplet(i + 1, i, -1.0);
            }
        }
        t.to_csr()
    }

    #[test]
    fn parallel_product_is_bitwise_sequential() {
        let a = lap1d(3 * ROW_BLOCK + 17);
        let x = Array1::from_shape_fn(a.rows(), |i| ((i * 7919) % 101) as f64 / 7.0 - 3.0);
        let (mut y1, mut y2) = (Array1::zeros(a.rows()), Array1::zeros(a.rows()));
        let op = SparseOperator::new(a.clone()).unwrap();
        op.apply(x.view(), y1.view_mut());
        op.clone().with_par(Par::Seq).apply(x.view(), y2.view_mut());
        assert_eq!(y1, y2);
        // CSC path agrees.
        let csc = a.to_csc();
        let mut y3 = Array1::zeros(a.rows());
        csc.apply(x.view(), y3.view_mut());
        for (p, q) in y1.iter().zip(&y3) {
            assert!((p - q).abs() <= 1e-14 * (1.0 + p.abs()));
        }
    }

    #[test]
    fn upper_storage_expands_exactly() {
        let a = lap1d(50);
        let mut t = sprs::TriMat::new((50, 50));
        for (v, (i, j)) in a.iter() {
            if j >= i {
                t.add_triplet(i, j, *v);
            }
        }
        let u = SymmetricUpper::new(&t.to_csr::<usize>()).unwrap();
        assert_eq!(u.nnz(), a.nnz());
        let x = Array1::from_shape_fn(50, |i| (i as f64).sin());
        let (mut y1, mut y2) = (Array1::zeros(50), Array1::zeros(50));
        a.apply(x.view(), y1.view_mut());
        u.apply(x.view(), y2.view_mut());
        assert_eq!(y1, y2);
        // A lower entry is rejected.
        assert!(SymmetricUpper::new(&a).is_err());
    }

    #[test]
    fn mis_sized_products_give_nan_not_panic() {
        let b: CsMatI<f64, usize> = CsMatI::new((2, 3), vec![0, 1, 2], vec![0, 2], vec![1.0, 1.0]);
        let mut y = Array1::zeros(2);
        b.apply(Array1::ones(2).view(), y.view_mut());
        assert!(y.iter().all(|v| v.is_nan()));
        assert!(SparseOperator::new(b).is_err());
    }
}
