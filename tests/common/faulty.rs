//! `Faulty`: an objective that returns a non-finite value now and then.

use std::cell::Cell;

use ndarray::{ArrayView1, ArrayViewMut1};
use steihaug::Objective;

/// Wraps an objective and returns `bad` (f and every gradient entry) at
/// every `every`-th evaluation after the first. (With `every = 3` the
/// trust-region radius shrinks by 4 every third trial and grows by at most 4
/// in between, so progress stalls; one failure in seven is "some trial
/// points".)
pub struct Faulty<O> {
    pub inner: O,
    pub every: usize,
    pub bad: f64,
    pub calls: Cell<usize>,
    pub injected: Cell<usize>,
}

impl<O> Faulty<O> {
    pub fn new(inner: O, every: usize, bad: f64) -> Self {
        Self {
            inner,
            every,
            bad,
            calls: Cell::new(0),
            injected: Cell::new(0),
        }
    }
}

impl<O: Objective> Objective for Faulty<O> {
    type Hessian<'a>
        = O::Hessian<'a>
    where
        Self: 'a;
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>) -> f64 {
        let c = self.calls.get() + 1;
        self.calls.set(c);
        if c > 1 && c.is_multiple_of(self.every) {
            self.injected.set(self.injected.get() + 1);
            g.fill(self.bad);
            return self.bad;
        }
        self.inner.value_grad(x, g)
    }
    fn hessian(&self, x: ArrayView1<'_, f64>) -> O::Hessian<'_> {
        self.inner.hessian(x)
    }
}
