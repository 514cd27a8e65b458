//! `Recording`: every point a solver evaluates.

use std::cell::RefCell;

use ndarray::{Array1, ArrayView1, ArrayViewMut1, ArrayViewMut2};
use steihaug::Objective;

/// Wraps an objective and records every point where `value_grad` is called;
/// everything else (the Hessian, a dense Hessian) is the inner objective's.
pub struct Recording<O> {
    pub inner: O,
    pub points: RefCell<Vec<Array1<f64>>>,
}

impl<O> Recording<O> {
    pub fn new(inner: O) -> Self {
        Self {
            inner,
            points: RefCell::new(Vec::new()),
        }
    }
}

impl<O: Objective> Objective for Recording<O> {
    type Hessian<'a>
        = O::Hessian<'a>
    where
        Self: 'a;

    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64 {
        self.points.borrow_mut().push(x.to_owned());
        self.inner.value_grad(x, grad)
    }
    fn hessian(&self, x: ArrayView1<'_, f64>) -> O::Hessian<'_> {
        self.inner.hessian(x)
    }
    fn dense_hessian(&self, x: ArrayView1<'_, f64>, out: ArrayViewMut2<'_, f64>) -> bool {
        self.inner.dense_hessian(x, out)
    }
}
