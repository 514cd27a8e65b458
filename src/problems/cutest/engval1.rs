//! ENGVAL1 (CUTEst; Toint 1978).

use ndarray::Array1;

use super::{require, CutestHessian, Elements};
use crate::error::Result;

/// ENGVAL1: `f = Σ_{i<n} (x_i² + x_{i+1}²)² − 4x_i + 3` (1-based), n ≥ 2.
///
/// Start x0 = (2, …, 2), f(x0) = 59(n − 1). The Hessian is tridiagonal;
/// the minimum value depends on n (1108.1947… at n = 1000).
#[derive(Debug, Clone, Copy)]
pub struct Engval1 {
    n: usize,
}

impl Engval1 {
    /// The problem in dimension n ≥ 2.
    pub fn new(n: usize) -> Result<Self> {
        require(n >= 2, "ENGVAL1", "n >= 2", n)?;
        Ok(Self { n })
    }

    /// The standard start x0 = 2.
    pub fn start(&self) -> Array1<f64> {
        Array1::from_elem(self.n, 2.0)
    }
}

impl Elements for Engval1 {
    fn n(&self) -> usize {
        self.n
    }
    fn eval(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut f = 0.0;
        for i in 0..self.n - 1 {
            let (a, b) = (x[i], x[i + 1]);
            let s = a * a + b * b;
            f += s * s - 4.0 * a + 3.0;
            g[i] += 4.0 * s * a - 4.0;
            g[i + 1] += 4.0 * s * b;
        }
        f
    }
    fn hessian_entries(&self, x: &[f64], h: &mut CutestHessian) {
        for i in 0..self.n - 1 {
            let (a, b) = (x[i], x[i + 1]);
            let s = a * a + b * b;
            h.d(i, 8.0 * a * a + 4.0 * s);
            h.d(i + 1, 8.0 * b * b + 4.0 * s);
            h.o(i, i + 1, 8.0 * a * b);
        }
    }
    fn off_diagonal_hint(&self) -> usize {
        self.n
    }
}

element_objective!(Engval1);
