//! The objective adapter for users who assemble a sparse Hessian.
//!
//! A [`SparseHessian`] problem states its sparsity pattern once and, at each
//! point, writes the Hessian values in pattern order. [`Assembled`] turns it
//! into an [`Objective`]:
//! * the pattern is validated and (for upper-triangle storage) expanded once,
//!   at construction; it is never rebuilt;
//! * each `hessian(x)` takes a value buffer from a small pool (allocating
//!   only while the pool is empty, i.e. on the first preparations), lets the
//!   problem refill it, and returns it to the pool when the Hessian is
//!   dropped — in a solve, after the first iteration, no allocation happens
//!   for the Hessian at all ([`Assembled::value_buffers_allocated`]);
//! * products are the parallel deterministic [`super::csr_matvec`];
//! * with [`crate::Preconditioning::Objective`], the preconditioner is
//!   [`Ic0`] of the assembled matrix (or none,
//!   see [`AssembledPreconditioner`]); [`crate::Preconditioning::Jacobi`]
//!   uses the stored diagonal; [`crate::Preconditioning::Amg`] the assembled
//!   matrix ([`LinearOperator::assembled_pattern`]).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use ndarray::{ArrayView1, ArrayViewMut1};

use super::{csr_apply, expand_upper, ExpandedPattern, Ic0, Ic0Config, Storage};
use crate::error::{Error, Result};
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::Par;
use crate::linalg::precond::Preconditioner;
use crate::problem::objective::Objective;

/// A problem with an assembled sparse Hessian of fixed pattern.
pub trait SparseHessian: Send + Sync {
    /// The dimension n.
    fn dim(&self) -> usize;

    /// Returns f(x) and writes ∇f(x) into `grad`.
    fn value_grad(&self, x: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64;

    /// The sparsity pattern in CSR form: `indptr` (length n + 1, starting at
    /// 0), column indices sorted and unique within each row, and how the
    /// symmetric matrix is stored. Called once, by [`Assembled::new`].
    fn pattern(&self) -> (Vec<usize>, Vec<usize>, Storage);

    /// Writes the Hessian values at x, in the order of the pattern's column
    /// indices (`values.len()` = number of pattern entries).
    fn fill_values(&self, x: ArrayView1<'_, f64>, values: &mut [f64]);
}

/// The preconditioner [`Assembled`] offers under
/// [`crate::Preconditioning::Objective`]. If IC(0) breaks down even after
/// its diagonal shifts, that iteration uses Jacobi (the Hessian's diagonal,
/// safeguarded) instead.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum AssembledPreconditioner {
    /// None.
    None,
    /// Incomplete Cholesky IC(0) of the assembled Hessian (the default).
    #[default]
    Ic0,
    /// IC(0) with chosen options.
    Ic0With(Ic0Config),
}

struct Buffers {
    /// Values in the user's storage (empty when the storage is full).
    user: Vec<f64>,
    /// Values of the full symmetric pattern.
    full: Vec<f64>,
}

/// [`Objective`] for a [`SparseHessian`] problem; see the module docs.
pub struct Assembled<P> {
    problem: P,
    n: usize,
    user_nnz: usize,
    /// Full pattern; `map` empty for full storage.
    full: ExpandedPattern,
    diag_pos: Vec<usize>,
    pool: Mutex<Vec<Buffers>>,
    allocated: AtomicUsize,
    precond: AssembledPreconditioner,
    par: Par,
}

/// Validates a CSR pattern; `n` rows and columns.
pub(crate) fn check_pattern(
    n: usize,
    indptr: &[usize],
    indices: &[usize],
    storage: Storage,
) -> Result<()> {
    let bad = |m: String| Err(Error::InvalidInput(format!("sparsity pattern: {m}")));
    if indptr.len() != n + 1 {
        return bad(format!(
            "indptr has length {}, expected n + 1 = {}",
            indptr.len(),
            n + 1
        ));
    }
    if indptr[0] != 0 || indptr[n] != indices.len() {
        return bad(format!(
            "indptr must run from 0 to nnz = {}, got {}..{}",
            indices.len(),
            indptr[0],
            indptr[n]
        ));
    }
    // All of indptr first: a rise past nnz followed by a fall must be an
    // error before any row is sliced.
    if let Some(i) = (0..n).find(|&i| indptr[i] > indptr[i + 1]) {
        return bad(format!("indptr decreases at row {i}"));
    }
    for i in 0..n {
        let row = &indices[indptr[i]..indptr[i + 1]];
        for (t, &j) in row.iter().enumerate() {
            if j >= n {
                return bad(format!("column {j} in row {i} is out of range (n = {n})"));
            }
            if t > 0 && row[t - 1] >= j {
                return bad(format!(
                    "row {i} is not sorted or has a duplicate column {j}"
                ));
            }
            if storage == Storage::Upper && j < i {
                return bad(format!("upper storage has the lower entry ({i}, {j})"));
            }
        }
    }
    if storage == Storage::Full {
        if let Some((i, j)) = super::asymmetric_entry(indptr, indices) {
            return bad(format!(
                "full storage must be structurally symmetric, but ({i}, {j}) is stored \
                 and ({j}, {i}) is not (for the upper triangle only, use Storage::Upper)"
            ));
        }
    }
    Ok(())
}

impl<P: SparseHessian> Assembled<P> {
    /// Validates the problem's pattern and builds the operator structure.
    ///
    /// Errors: n = 0; a malformed pattern (wrong indptr length, column out
    /// of range, unsorted or duplicate columns, a lower entry in upper
    /// storage, a full-storage pattern that is not structurally symmetric)
    /// as [`Error::InvalidInput`].
    pub fn new(problem: P) -> Result<Self> {
        let n = problem.dim();
        if n == 0 {
            return Err(Error::EmptyProblem);
        }
        let (indptr, indices, storage) = problem.pattern();
        check_pattern(n, &indptr, &indices, storage)?;
        let user_nnz = indices.len();
        let full = match storage {
            Storage::Full => ExpandedPattern {
                indptr,
                indices,
                map: Vec::new(),
            },
            Storage::Upper => expand_upper(n, &indptr, &indices)?,
        };
        let diag_pos = (0..n)
            .map(|i| {
                let (s, e) = (full.indptr[i], full.indptr[i + 1]);
                full.indices[s..e]
                    .binary_search(&i)
                    .map_or(usize::MAX, |p| s + p)
            })
            .collect();
        Ok(Self {
            problem,
            n,
            user_nnz,
            full,
            diag_pos,
            pool: Mutex::new(Vec::new()),
            allocated: AtomicUsize::new(0),
            precond: AssembledPreconditioner::default(),
            par: Par::Rayon,
        })
    }

    /// Chooses the preconditioner used under
    /// [`crate::Preconditioning::Objective`].
    pub fn with_preconditioner(mut self, p: AssembledPreconditioner) -> Self {
        self.precond = p;
        self
    }

    /// Chooses sequential or parallel products (same result either way).
    pub fn with_par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }

    /// The wrapped problem.
    pub fn problem(&self) -> &P {
        &self.problem
    }

    /// Entries of the full symmetric pattern (what each product reads).
    pub fn nnz(&self) -> usize {
        self.full.indices.len()
    }

    /// How many value buffers were ever allocated (the pool's size): stays
    /// at 1 or 2 for a whole solve, however many Hessians are prepared.
    pub fn value_buffers_allocated(&self) -> usize {
        self.allocated.load(Ordering::Relaxed)
    }

    /// The Hessian at x as a standalone sprs CSR matrix (full storage).
    /// Allocates; meant for tests and export.
    pub fn matrix_at(&self, x: ArrayView1<'_, f64>) -> sprs::CsMat<f64> {
        let h = Objective::hessian(self, x);
        sprs::CsMat::new(
            (self.n, self.n),
            self.full.indptr.clone(),
            self.full.indices.clone(),
            h.values().to_vec(),
        )
    }

    fn take_buffers(&self) -> Buffers {
        let popped = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        popped.unwrap_or_else(|| {
            self.allocated.fetch_add(1, Ordering::Relaxed);
            Buffers {
                user: if self.full.map.is_empty() {
                    Vec::new()
                } else {
                    vec![0.0; self.user_nnz]
                },
                full: vec![0.0; self.full.indices.len()],
            }
        })
    }
}

/// The Hessian of an [`Assembled`] problem at a point: the shared pattern
/// and a pooled value buffer (returned to the pool on drop).
pub struct AssembledHessian<'a, P> {
    owner: &'a Assembled<P>,
    bufs: Option<Buffers>,
}

impl<P> AssembledHessian<'_, P> {
    /// The values of the full pattern, in CSR order.
    pub fn values(&self) -> &[f64] {
        &self.bufs.as_ref().expect("present until drop").full
    }
}

impl<P> Drop for AssembledHessian<'_, P> {
    fn drop(&mut self) {
        if let Some(b) = self.bufs.take() {
            self.owner
                .pool
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(b);
        }
    }
}

impl<P> LinearOperator for AssembledHessian<'_, P> {
    fn dim(&self) -> usize {
        self.owner.n
    }
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        csr_apply(
            self.owner.par,
            &self.owner.full.indptr,
            &self.owner.full.indices,
            self.values(),
            v,
            out,
        );
    }
    fn diagonal(&self, mut out: ArrayViewMut1<'_, f64>) -> bool {
        let vals = self.values();
        for (o, &p) in out.iter_mut().zip(&self.owner.diag_pos) {
            *o = if p == usize::MAX { 0.0 } else { vals[p] };
        }
        true
    }
    fn assembled_pattern(&self) -> Option<(&[usize], &[usize])> {
        Some((&self.owner.full.indptr, &self.owner.full.indices))
    }
    fn assembled_values(&self, values: &mut [f64]) -> bool {
        values.copy_from_slice(self.values());
        true
    }
}

impl<P: SparseHessian> Objective for Assembled<P> {
    type Hessian<'a>
        = AssembledHessian<'a, P>
    where
        Self: 'a;

    fn dim(&self) -> usize {
        self.n
    }

    fn value_grad(&self, x: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64 {
        self.problem.value_grad(x, grad)
    }

    fn hessian(&self, x: ArrayView1<'_, f64>) -> AssembledHessian<'_, P> {
        let mut b = self.take_buffers();
        if self.full.map.is_empty() {
            self.problem.fill_values(x, &mut b.full);
        } else {
            self.problem.fill_values(x, &mut b.user);
            for (v, &q) in b.full.iter_mut().zip(&self.full.map) {
                *v = b.user[q];
            }
        }
        AssembledHessian {
            owner: self,
            bufs: Some(b),
        }
    }

    fn preconditioner<'a>(
        &'a self,
        _x: ArrayView1<'_, f64>,
        hessian: &AssembledHessian<'a, P>,
    ) -> Option<Box<dyn Preconditioner + 'a>> {
        let cfg = match self.precond {
            AssembledPreconditioner::None => return None,
            AssembledPreconditioner::Ic0 => Ic0Config::default(),
            AssembledPreconditioner::Ic0With(c) => c,
        };
        Ic0::from_csr(
            self.n,
            &self.full.indptr,
            &self.full.indices,
            hessian.values(),
            cfg,
        )
        .ok()
        .map(|m| Box::new(m) as Box<dyn Preconditioner>)
        .or_else(|| crate::linalg::precond::jacobi_fallback(hessian, self.n))
    }
}
