//! `Counted`: the calls a solver really makes, so that the report's counters
//! are checked against something they do not compute.

use std::cell::Cell;

use ndarray::{ArrayView1, ArrayViewMut1};
use steihaug::{LinearOperator, Objective};

/// Wraps an objective and counts `value_grad` calls, prepared Hessians and
/// Hessian-vector products.
///
/// It offers neither `dense_hessian` nor a preconditioner of its own, so
/// every use of the Hessian, dense Newton's assembly included, is a counted
/// product.
pub struct Counted<O> {
    pub inner: O,
    pub evals: Cell<u64>,
    pub hessians: Cell<u64>,
    pub products: Cell<u64>,
}

impl<O> Counted<O> {
    pub fn new(inner: O) -> Self {
        Self {
            inner,
            evals: Cell::new(0),
            hessians: Cell::new(0),
            products: Cell::new(0),
        }
    }
}

/// The inner Hessian operator, counting its products.
pub struct CountedOp<'a, H> {
    inner: H,
    products: &'a Cell<u64>,
}

impl<H: LinearOperator> LinearOperator for CountedOp<'_, H> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn shape(&self) -> (usize, usize) {
        self.inner.shape()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        self.products.set(self.products.get() + 1);
        self.inner.apply(v, out)
    }
    fn diagonal(&self, out: ArrayViewMut1<'_, f64>) -> bool {
        self.inner.diagonal(out)
    }
}

impl<O: Objective> Objective for Counted<O> {
    type Hessian<'a>
        = CountedOp<'a, O::Hessian<'a>>
    where
        Self: 'a;
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, g: ArrayViewMut1<'_, f64>) -> f64 {
        self.evals.set(self.evals.get() + 1);
        self.inner.value_grad(x, g)
    }
    fn hessian(&self, x: ArrayView1<'_, f64>) -> Self::Hessian<'_> {
        self.hessians.set(self.hessians.get() + 1);
        CountedOp {
            inner: self.inner.hessian(x),
            products: &self.products,
        }
    }
}
