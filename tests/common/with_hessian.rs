//! `WithHessian`: f = ½‖x‖² in Rⁿ whose `hessian` returns a given matrix,
//! usually of the wrong shape, for the tests that check wrongly sized
//! operators are typed errors.

use ndarray::{Array2, ArrayView1, ArrayViewMut1};
use steihaug::Objective;

/// ½‖x‖² of dimension `n`, with `h` as its Hessian operator.
pub struct WithHessian {
    pub n: usize,
    pub h: Array2<f64>,
}

impl Objective for WithHessian {
    type Hessian<'a> = Array2<f64>;
    fn dim(&self) -> usize {
        self.n
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>) -> f64 {
        g.assign(&x);
        0.5 * x.dot(&x)
    }
    fn hessian(&self, _x: ArrayView1<'_, f64>) -> Array2<f64> {
        self.h.clone()
    }
}
