//! BROYDN7D (Broyden 1971, tridiagonal problem 7; the paper form).

use ndarray::Array1;

use super::{require, CutestHessian, Elements};
use crate::error::Result;

/// BROYDN7D, in the form of the original paper (`reference/cutest.md`; the
/// CUTEst SIF file differs):
/// `f = Σ_{i=1}^n |(3 − x_i/2)x_i + 1 − x_{i−1} − 2x_{i+1}|^{7/3} +
/// Σ_{i=1}^{n/2} |x_i + x_{i+n/2}|^{7/3}` with `x_0 = x_{n+1} = 0`, n even.
///
/// Start x0 = −1. The power 7/3 makes f twice differentiable but its
/// Hessian only Hölder continuous (`φ''(t) = (28/9)|t|^{1/3}`), so Newton's
/// local convergence is slower than quadratic. The Hessian is pentadiagonal
/// plus a band at distance n/2. From x0 the solvers reach a local minimum
/// (105.7008… at n = 1000 in `reference/cutest.md`).
#[derive(Debug, Clone, Copy)]
pub struct Broydn7d {
    n: usize,
}

/// `|t|^{7/3}`, its first and its second derivative.
#[inline]
fn phi(t: f64) -> (f64, f64, f64) {
    let c = t.abs().cbrt();
    (t * t * c, (7.0 / 3.0) * t * c, (28.0 / 9.0) * c)
}

impl Broydn7d {
    /// The problem in dimension n (even, ≥ 2).
    pub fn new(n: usize) -> Result<Self> {
        require(
            n >= 2 && n.is_multiple_of(2),
            "BROYDN7D",
            "an even n >= 2",
            n,
        )?;
        Ok(Self { n })
    }

    /// The standard start x0 = −1.
    pub fn start(&self) -> Array1<f64> {
        Array1::from_elem(self.n, -1.0)
    }

    #[inline]
    fn residual(x: &[f64], i: usize) -> f64 {
        let prev = if i > 0 { x[i - 1] } else { 0.0 };
        let next = x.get(i + 1).copied().unwrap_or(0.0);
        (3.0 - 0.5 * x[i]) * x[i] + 1.0 - prev - 2.0 * next
    }
}

impl Elements for Broydn7d {
    fn n(&self) -> usize {
        self.n
    }
    fn eval(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let n = self.n;
        let mut f = 0.0;
        for i in 0..n {
            let (v, d1, _) = phi(Self::residual(x, i));
            f += v;
            // ∇r_i: (i−1: −1, i: 3 − x_i, i+1: −2).
            g[i] += d1 * (3.0 - x[i]);
            if i > 0 {
                g[i - 1] -= d1;
            }
            if i + 1 < n {
                g[i + 1] -= 2.0 * d1;
            }
        }
        let m = n / 2;
        for k in 0..m {
            let (v, d1, _) = phi(x[k] + x[k + m]);
            f += v;
            g[k] += d1;
            g[k + m] += d1;
        }
        f
    }
    fn hessian_entries(&self, x: &[f64], h: &mut CutestHessian) {
        let n = self.n;
        for i in 0..n {
            let (_, d1, d2) = phi(Self::residual(x, i));
            let a = 3.0 - x[i];
            // φ''∇r∇rᵀ + φ'∇²r, with ∇²r_i = −e_i e_iᵀ.
            h.d(i, d2 * a * a - d1);
            if i > 0 {
                h.d(i - 1, d2);
                h.o(i - 1, i, -d2 * a);
            }
            if i + 1 < n {
                h.d(i + 1, 4.0 * d2);
                h.o(i, i + 1, -2.0 * d2 * a);
            }
            if i > 0 && i + 1 < n {
                h.o(i - 1, i + 1, 2.0 * d2);
            }
        }
        let m = n / 2;
        for k in 0..m {
            let (_, _, d2) = phi(x[k] + x[k + m]);
            h.d(k, d2);
            h.d(k + m, d2);
            h.o(k, k + m, d2);
        }
    }
    fn off_diagonal_hint(&self) -> usize {
        4 * self.n
    }
}

element_objective!(Broydn7d);
