//! TRIDIA (CUTEst; Buckley 1989).

use ndarray::Array1;

use super::{require, CutestHessian, Elements};
use crate::error::Result;

/// TRIDIA: `f = (x_1 − 1)² + Σ_{i=2}^n i(2x_i − x_{i−1})²`, n ≥ 2.
///
/// A convex quadratic with a constant tridiagonal Hessian whose condition
/// number grows like n². Start x0 = 1, f(x0) = n(n+1)/2 − 1; minimizer
/// `x_1 = 1, x_i = x_{i−1}/2`, f* = 0.
#[derive(Debug, Clone, Copy)]
pub struct Tridia {
    n: usize,
}

impl Tridia {
    /// The problem in dimension n ≥ 2.
    pub fn new(n: usize) -> Result<Self> {
        require(n >= 2, "TRIDIA", "n >= 2", n)?;
        Ok(Self { n })
    }

    /// The standard start x0 = 1.
    pub fn start(&self) -> Array1<f64> {
        Array1::ones(self.n)
    }
}

impl Elements for Tridia {
    fn n(&self) -> usize {
        self.n
    }
    fn eval(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let s = x[0] - 1.0;
        let mut f = s * s;
        g[0] += 2.0 * s;
        for i in 1..self.n {
            let w = (i + 1) as f64;
            let r = 2.0 * x[i] - x[i - 1];
            f += w * r * r;
            g[i] += 4.0 * w * r;
            g[i - 1] -= 2.0 * w * r;
        }
        f
    }
    fn hessian_entries(&self, _x: &[f64], h: &mut CutestHessian) {
        h.d(0, 2.0);
        for i in 1..self.n {
            let w = (i + 1) as f64;
            h.d(i, 8.0 * w);
            h.d(i - 1, 2.0 * w);
            h.o(i - 1, i, -4.0 * w);
        }
    }
    fn off_diagonal_hint(&self) -> usize {
        self.n
    }
}

element_objective!(Tridia);
