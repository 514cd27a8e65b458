//! FLETCHCR (CUTEst; Fletcher's chained Rosenbrock variant).

use ndarray::Array1;

use super::{require, CutestHessian, Elements};
use crate::error::Result;

/// FLETCHCR: `f = 100 Σ_{i<n} (x_{i+1} − x_i + 1 − x_i²)²`, n ≥ 2.
///
/// Start x0 = 0, f(x0) = 100(n − 1); minimizer x = 1, f* = 0. Tridiagonal,
/// badly conditioned Hessian; a hard problem for Newton-CG.
#[derive(Debug, Clone, Copy)]
pub struct Fletchcr {
    n: usize,
}

impl Fletchcr {
    /// The problem in dimension n ≥ 2.
    pub fn new(n: usize) -> Result<Self> {
        require(n >= 2, "FLETCHCR", "n >= 2", n)?;
        Ok(Self { n })
    }

    /// The standard start x0 = 0.
    pub fn start(&self) -> Array1<f64> {
        Array1::zeros(self.n)
    }
}

impl Elements for Fletchcr {
    fn n(&self) -> usize {
        self.n
    }
    fn eval(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut f = 0.0;
        for i in 0..self.n - 1 {
            let r = x[i + 1] - x[i] + 1.0 - x[i] * x[i];
            f += 100.0 * r * r;
            g[i] += 200.0 * r * (-1.0 - 2.0 * x[i]);
            g[i + 1] += 200.0 * r;
        }
        f
    }
    fn hessian_entries(&self, x: &[f64], h: &mut CutestHessian) {
        for i in 0..self.n - 1 {
            let r = x[i + 1] - x[i] + 1.0 - x[i] * x[i];
            let a = -1.0 - 2.0 * x[i];
            h.d(i, 200.0 * (a * a - 2.0 * r));
            h.d(i + 1, 200.0);
            h.o(i, i + 1, 200.0 * a);
        }
    }
    fn off_diagonal_hint(&self) -> usize {
        self.n
    }
}

element_objective!(Fletchcr);
