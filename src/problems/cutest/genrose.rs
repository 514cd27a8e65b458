//! GENROSE (CUTEst; the chained Rosenbrock function).

use ndarray::Array1;

use super::{require, CutestHessian, Elements};
use crate::error::Result;

/// GENROSE: `f = 1 + Σ_{i<n} 100(x_{i+1} − x_i²)² + (x_i − 1)²` (1-based),
/// n ≥ 2.
///
/// Start `x0_i = i/(n+1)`; minimizer x = 1, f* = 1. The curved valley runs
/// through all n variables, so the number of iterations grows with n, and
/// the Hessian is indefinite early on. Tridiagonal Hessian.
#[derive(Debug, Clone, Copy)]
pub struct Genrose {
    n: usize,
}

impl Genrose {
    /// The problem in dimension n ≥ 2.
    pub fn new(n: usize) -> Result<Self> {
        require(n >= 2, "GENROSE", "n >= 2", n)?;
        Ok(Self { n })
    }

    /// The standard start `x_i = i/(n+1)`.
    pub fn start(&self) -> Array1<f64> {
        Array1::from_shape_fn(self.n, |i| (i + 1) as f64 / (self.n + 1) as f64)
    }
}

impl Elements for Genrose {
    fn n(&self) -> usize {
        self.n
    }
    fn eval(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut f = 1.0;
        for i in 0..self.n - 1 {
            let r = x[i + 1] - x[i] * x[i];
            let s = x[i] - 1.0;
            f += 100.0 * r * r + s * s;
            g[i] += -400.0 * x[i] * r + 2.0 * s;
            g[i + 1] += 200.0 * r;
        }
        f
    }
    fn hessian_entries(&self, x: &[f64], h: &mut CutestHessian) {
        for i in 0..self.n - 1 {
            h.d(i, 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0);
            h.d(i + 1, 200.0);
            h.o(i, i + 1, -400.0 * x[i]);
        }
    }
    fn off_diagonal_hint(&self) -> usize {
        self.n
    }
}

element_objective!(Genrose);
