//! ARWHEAD (CUTEst; Conn, Gould, Lescrenier & Toint 1994).

use ndarray::Array1;

use super::{require, CutestHessian, Elements};
use crate::error::Result;

/// ARWHEAD: `f = Σ_{i<n} (x_i² + x_n²)² − 4x_i + 3` (1-based), n ≥ 2.
///
/// Start x0 = (1, …, 1), f(x0) = 3(n − 1); minimizer x = (1, …, 1, 0),
/// f* = 0. The Hessian is an arrowhead: `H_ii = 12x_i² + 4x_n²`,
/// `H_in = 8x_i x_n`, `H_nn = Σ 4x_i² + 12x_n²`.
#[derive(Debug, Clone, Copy)]
pub struct Arwhead {
    n: usize,
}

impl Arwhead {
    /// The problem in dimension n ≥ 2.
    pub fn new(n: usize) -> Result<Self> {
        require(n >= 2, "ARWHEAD", "n >= 2", n)?;
        Ok(Self { n })
    }

    /// The standard start x0 = 1.
    pub fn start(&self) -> Array1<f64> {
        Array1::ones(self.n)
    }
}

impl Elements for Arwhead {
    fn n(&self) -> usize {
        self.n
    }
    fn eval(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let last = self.n - 1;
        let xn = x[last];
        let mut f = 0.0;
        let mut gn = 0.0;
        for i in 0..last {
            let s = x[i] * x[i] + xn * xn;
            f += s * s - 4.0 * x[i] + 3.0;
            g[i] += 4.0 * s * x[i] - 4.0;
            gn += 4.0 * s * xn;
        }
        g[last] += gn;
        f
    }
    fn hessian_entries(&self, x: &[f64], h: &mut CutestHessian) {
        let last = self.n - 1;
        let xn = x[last];
        for i in 0..last {
            let s = x[i] * x[i] + xn * xn;
            h.d(i, 8.0 * x[i] * x[i] + 4.0 * s);
            h.d(last, 8.0 * xn * xn + 4.0 * s);
            h.o(i, last, 8.0 * x[i] * xn);
        }
    }
    fn off_diagonal_hint(&self) -> usize {
        self.n
    }
}

element_objective!(Arwhead);
