//! CHAINWOO (CUTEst; the chained Wood function, Conn, Gould & Toint 1988).

use ndarray::Array1;

use super::{require, CutestHessian, Elements};
use crate::error::Result;

/// CHAINWOO: with `(a, b, c, d) = (x_{2i−1}, x_{2i}, x_{2i+1}, x_{2i+2})`,
/// `f = 1 + Σ_{i=1}^{n/2−1} 100(b − a²)² + (1 − a)² + 90(d − c²)² + (1 − c)²
/// + 10(b + d − 2)² + 0.1(b − d)²`, n even ≥ 4.
///
/// Start x0 = (−3, −1, −3, −1, −2, −2, …); the global minimizer is x = 1
/// with f* = 1, but the problem has local minima and from x0 Newton methods
/// may stop at one (12.42… at n = 1000 in `reference/cutest.md`).
#[derive(Debug, Clone, Copy)]
pub struct Chainwoo {
    n: usize,
}

impl Chainwoo {
    /// The problem in dimension n (even, ≥ 4).
    pub fn new(n: usize) -> Result<Self> {
        require(
            n >= 4 && n.is_multiple_of(2),
            "CHAINWOO",
            "an even n >= 4",
            n,
        )?;
        Ok(Self { n })
    }

    /// The standard start (−3, −1, −3, −1, −2, −2, …).
    pub fn start(&self) -> Array1<f64> {
        Array1::from_shape_fn(self.n, |i| match i {
            0 | 2 => -3.0,
            1 | 3 => -1.0,
            _ => -2.0,
        })
    }
}

impl Elements for Chainwoo {
    fn n(&self) -> usize {
        self.n
    }
    fn eval(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut f = 1.0;
        for k in 0..self.n / 2 - 1 {
            let j = 2 * k;
            let (a, b, c, d) = (x[j], x[j + 1], x[j + 2], x[j + 3]);
            let r1 = b - a * a;
            let r2 = d - c * c;
            let s = b + d - 2.0;
            let t = b - d;
            f += 100.0 * r1 * r1
                + (1.0 - a) * (1.0 - a)
                + 90.0 * r2 * r2
                + (1.0 - c) * (1.0 - c)
                + 10.0 * s * s
                + 0.1 * t * t;
            g[j] += -400.0 * a * r1 - 2.0 * (1.0 - a);
            g[j + 1] += 200.0 * r1 + 20.0 * s + 0.2 * t;
            g[j + 2] += -360.0 * c * r2 - 2.0 * (1.0 - c);
            g[j + 3] += 180.0 * r2 + 20.0 * s - 0.2 * t;
        }
        f
    }
    fn hessian_entries(&self, x: &[f64], h: &mut CutestHessian) {
        for k in 0..self.n / 2 - 1 {
            let j = 2 * k;
            let (a, b, c, d) = (x[j], x[j + 1], x[j + 2], x[j + 3]);
            h.d(j, 1200.0 * a * a - 400.0 * b + 2.0);
            h.d(j + 1, 220.2);
            h.d(j + 2, 1080.0 * c * c - 360.0 * d + 2.0);
            h.d(j + 3, 200.2);
            h.o(j, j + 1, -400.0 * a);
            h.o(j + 2, j + 3, -360.0 * c);
            h.o(j + 1, j + 3, 19.8);
        }
    }
    fn off_diagonal_hint(&self) -> usize {
        3 * self.n / 2
    }
}

element_objective!(Chainwoo);
