use ndarray::{Array1, Array2, ArrayView1, ArrayViewMut1, ArrayViewMut2};

use crate::error::{check_dim, Error, Result};
use crate::problem::objective::Objective;

/// f(x) = ½ xᵀAx + bᵀx with a dense symmetric A; ∇f = Ax + b, ∇²f = A.
/// When A is positive definite the minimizer is x* = −A⁻¹b.
#[derive(Debug, Clone)]
pub struct Quadratic {
    a: Array2<f64>,
    b: Array1<f64>,
}

impl Quadratic {
    /// Checks that A is square, matches b, and is symmetric (to 1e-12
    /// relative).
    pub fn new(a: Array2<f64>, b: Array1<f64>) -> Result<Self> {
        check_dim("Quadratic: columns of A", a.nrows(), a.ncols())?;
        check_dim("Quadratic: b", a.nrows(), b.len())?;
        let scale = a.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let n = a.nrows();
        for i in 0..n {
            for j in 0..i {
                if (a[[i, j]] - a[[j, i]]).abs() > 1e-12 * scale {
                    return Err(Error::InvalidInput(format!(
                        "Quadratic: A is not symmetric at ({i}, {j})"
                    )));
                }
            }
        }
        Ok(Self { a, b })
    }

    /// The matrix A.
    pub fn a(&self) -> &Array2<f64> {
        &self.a
    }

    /// The vector b.
    pub fn b(&self) -> &Array1<f64> {
        &self.b
    }
}

impl Objective for Quadratic {
    type Hessian<'a> = &'a Array2<f64>;

    fn dim(&self) -> usize {
        self.b.len()
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>) -> f64 {
        g.assign(&self.a.dot(&x));
        let f = 0.5 * x.dot(&g) + self.b.dot(&x);
        g += &self.b;
        f
    }
    fn hessian(&self, _x: ArrayView1<'_, f64>) -> &Array2<f64> {
        &self.a
    }
    fn dense_hessian(&self, _x: ArrayView1<'_, f64>, mut out: ArrayViewMut2<'_, f64>) -> bool {
        out.assign(&self.a);
        true
    }
}
