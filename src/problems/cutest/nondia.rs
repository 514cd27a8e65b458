//! NONDIA (Shanno 1978; the paper form, see `reference/cutest.md`).

use ndarray::Array1;

use super::{require, CutestHessian, Elements};
use crate::error::Result;

/// NONDIA, in the form of the original paper: `f = (x_1 − 1)² + 100
/// Σ_{i=2}^n (x_1 − x_i²)²`, n ≥ 2. (The CUTEst SIF file differs; the paper
/// form is the one OptimizationProblems.jl keeps.)
///
/// Start x0 = −1, f(x0) = 4 + 400(n − 1); minimizer x = 1, f* = 0. Arrowhead
/// Hessian coupling every variable to x_1.
#[derive(Debug, Clone, Copy)]
pub struct Nondia {
    n: usize,
}

impl Nondia {
    /// The problem in dimension n ≥ 2.
    pub fn new(n: usize) -> Result<Self> {
        require(n >= 2, "NONDIA", "n >= 2", n)?;
        Ok(Self { n })
    }

    /// The standard start x0 = −1.
    pub fn start(&self) -> Array1<f64> {
        Array1::from_elem(self.n, -1.0)
    }
}

impl Elements for Nondia {
    fn n(&self) -> usize {
        self.n
    }
    fn eval(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let s = x[0] - 1.0;
        let mut f = s * s;
        let mut g0 = 2.0 * s;
        for i in 1..self.n {
            let r = x[0] - x[i] * x[i];
            f += 100.0 * r * r;
            g0 += 200.0 * r;
            g[i] += -400.0 * x[i] * r;
        }
        g[0] += g0;
        f
    }
    fn hessian_entries(&self, x: &[f64], h: &mut CutestHessian) {
        h.d(0, 2.0 + 200.0 * (self.n - 1) as f64);
        for i in 1..self.n {
            h.d(i, 1200.0 * x[i] * x[i] - 400.0 * x[0]);
            h.o(0, i, -400.0 * x[i]);
        }
    }
    fn off_diagonal_hint(&self) -> usize {
        self.n
    }
}

element_objective!(Nondia);
