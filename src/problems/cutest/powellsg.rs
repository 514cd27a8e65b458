//! POWELLSG (CUTEst; Moré, Garbow & Hillstrom 1981, problem 22).

use ndarray::Array1;

use super::{require, CutestHessian, Elements};
use crate::error::Result;

/// POWELLSG, the extended Powell singular function: over blocks
/// `(a, b, c, d)` of four variables, `f = Σ (a + 10b)² + 5(c − d)² + (b − 2c)⁴
/// + 10(a − d)⁴`, n a multiple of 4.
///
/// Start x0 = (3, −1, 0, 1, …), f(x0) = 215·n/4; minimizer x = 0, f* = 0,
/// where the Hessian is singular (the quartic terms), so Newton converges
/// only linearly.
#[derive(Debug, Clone, Copy)]
pub struct Powellsg {
    n: usize,
}

impl Powellsg {
    /// The problem in dimension n (a positive multiple of 4).
    pub fn new(n: usize) -> Result<Self> {
        require(
            n >= 4 && n.is_multiple_of(4),
            "POWELLSG",
            "a positive multiple of 4",
            n,
        )?;
        Ok(Self { n })
    }

    /// The standard start (3, −1, 0, 1, 3, −1, 0, 1, …).
    pub fn start(&self) -> Array1<f64> {
        Array1::from_shape_fn(self.n, |i| [3.0, -1.0, 0.0, 1.0][i % 4])
    }
}

impl Elements for Powellsg {
    fn n(&self) -> usize {
        self.n
    }
    fn eval(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut f = 0.0;
        for (x, g) in x.chunks_exact(4).zip(g.chunks_exact_mut(4)) {
            let (a, b, c, d) = (x[0], x[1], x[2], x[3]);
            let t1 = a + 10.0 * b;
            let t2 = c - d;
            let t3 = b - 2.0 * c;
            let t4 = a - d;
            f += t1 * t1 + 5.0 * t2 * t2 + t3.powi(4) + 10.0 * t4.powi(4);
            g[0] += 2.0 * t1 + 40.0 * t4.powi(3);
            g[1] += 20.0 * t1 + 4.0 * t3.powi(3);
            g[2] += 10.0 * t2 - 8.0 * t3.powi(3);
            g[3] += -10.0 * t2 - 40.0 * t4.powi(3);
        }
        f
    }
    fn hessian_entries(&self, x: &[f64], h: &mut CutestHessian) {
        for k in 0..self.n / 4 {
            let j = 4 * k;
            let (a, b, c, d) = (x[j], x[j + 1], x[j + 2], x[j + 3]);
            let q3 = 12.0 * (b - 2.0 * c).powi(2);
            let q4 = 120.0 * (a - d).powi(2);
            h.d(j, 2.0 + q4);
            h.d(j + 1, 200.0 + q3);
            h.d(j + 2, 10.0 + 4.0 * q3);
            h.d(j + 3, 10.0 + q4);
            h.o(j, j + 1, 20.0);
            h.o(j, j + 3, -q4);
            h.o(j + 1, j + 2, -2.0 * q3);
            h.o(j + 2, j + 3, -10.0);
        }
    }
    fn off_diagonal_hint(&self) -> usize {
        self.n
    }
}

element_objective!(Powellsg);
