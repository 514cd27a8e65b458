use ndarray::{Array1, ArrayView1, ArrayViewMut1, ArrayViewMut2};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::{Par, CHUNK};
use crate::problem::objective::Objective;

/// Rosenbrock's function f(x, y) = (1−x)² + 100(y−x²)², minimizer (1, 1),
/// f* = 0. Standard start (−1.2, 1).
#[derive(Debug, Clone, Copy, Default)]
pub struct Rosenbrock;

/// The Hessian of [`Rosenbrock`] at a point: `[[a, b], [b, 200]]`.
#[derive(Debug, Clone, Copy)]
pub struct RosenbrockHessian {
    a: f64,
    b: f64,
}

impl LinearOperator for RosenbrockHessian {
    fn dim(&self) -> usize {
        2
    }
    fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
        out[0] = self.a * v[0] + self.b * v[1];
        out[1] = self.b * v[0] + 200.0 * v[1];
    }
    fn diagonal(&self, mut out: ArrayViewMut1<'_, f64>) -> bool {
        out[0] = self.a;
        out[1] = 200.0;
        true
    }
}

impl Objective for Rosenbrock {
    type Hessian<'a> = RosenbrockHessian;

    fn dim(&self) -> usize {
        2
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>) -> f64 {
        let (u, w) = (x[0], x[1]);
        let r = w - u * u;
        g[0] = -2.0 * (1.0 - u) - 400.0 * u * r;
        g[1] = 200.0 * r;
        (1.0 - u).powi(2) + 100.0 * r * r
    }
    fn hessian(&self, x: ArrayView1<'_, f64>) -> RosenbrockHessian {
        RosenbrockHessian {
            a: 1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0,
            b: -400.0 * x[0],
        }
    }
    fn dense_hessian(&self, x: ArrayView1<'_, f64>, mut out: ArrayViewMut2<'_, f64>) -> bool {
        let h = self.hessian(x);
        out[[0, 0]] = h.a;
        out[[0, 1]] = h.b;
        out[[1, 0]] = h.b;
        out[[1, 1]] = 200.0;
        true
    }
}

/// Extended Rosenbrock (Moré, Garbow & Hillstrom 1981, problem 21; CUTEst
/// SROSENBR): `f = Σ_{i<n/2} 100(x_{2i+1} − x_{2i}²)² + (1 − x_{2i})²`
/// (0-based), n even. Start x0 = (−1.2, 1, −1.2, 1, …), minimizer x = 1,
/// f* = 0. The Hessian is block diagonal with 2×2 blocks and is indefinite
/// in parts of the plane.
///
/// Value, gradient and products run in parallel over fixed chunks of
/// blocks (deterministic for any thread count).
#[derive(Debug, Clone, Copy)]
pub struct ExtendedRosenbrock {
    n: usize,
    par: Par,
}

impl ExtendedRosenbrock {
    /// The problem in dimension n (even, ≥ 2).
    pub fn new(n: usize) -> Result<Self> {
        if n == 0 || !n.is_multiple_of(2) {
            return Err(Error::InvalidOption {
                name: "n",
                reason: format!("extended Rosenbrock needs an even n ≥ 2, got {n}"),
            });
        }
        Ok(Self { n, par: Par::Rayon })
    }

    /// Chooses sequential or parallel kernels.
    pub fn with_par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }

    /// The standard start (−1.2, 1, −1.2, 1, …).
    pub fn start(&self) -> Array1<f64> {
        Array1::from_shape_fn(self.n, |i| if i % 2 == 0 { -1.2 } else { 1.0 })
    }
}

/// The Hessian of [`ExtendedRosenbrock`] at a point: per block
/// `[[a_k, b_k], [b_k, 200]]`, with `a_k` and `b_k` computed once.
#[derive(Debug, Clone)]
pub struct ExtendedRosenbrockHessian {
    ab: Vec<[f64; 2]>,
    par: Par,
}

fn block_hvp(ab: &[[f64; 2]], v: &[f64], out: &mut [f64]) {
    for ((h, v), o) in ab
        .iter()
        .zip(v.chunks_exact(2))
        .zip(out.chunks_exact_mut(2))
    {
        o[0] = h[0] * v[0] + h[1] * v[1];
        o[1] = h[1] * v[0] + 200.0 * v[1];
    }
}

impl LinearOperator for ExtendedRosenbrockHessian {
    fn dim(&self) -> usize {
        2 * self.ab.len()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
        match (v.as_slice(), out.as_slice_mut()) {
            (Some(v), Some(out)) if self.par == Par::Rayon && v.len() > CHUNK => {
                out.par_chunks_mut(CHUNK)
                    .zip(v.par_chunks(CHUNK))
                    .zip(self.ab.par_chunks(CHUNK / 2))
                    .for_each(|((o, v), ab)| block_hvp(ab, v, o));
            }
            (Some(v), Some(out)) => block_hvp(&self.ab, v, out),
            _ => {
                for (k, h) in self.ab.iter().enumerate() {
                    let (v0, v1) = (v[2 * k], v[2 * k + 1]);
                    out[2 * k] = h[0] * v0 + h[1] * v1;
                    out[2 * k + 1] = h[1] * v0 + 200.0 * v1;
                }
            }
        }
    }
    fn diagonal(&self, mut out: ArrayViewMut1<'_, f64>) -> bool {
        for (k, h) in self.ab.iter().enumerate() {
            out[2 * k] = h[0];
            out[2 * k + 1] = 200.0;
        }
        true
    }
}

fn block_value_grad(x: &[f64], g: &mut [f64]) -> f64 {
    let mut f = 0.0;
    for (x, g) in x.chunks_exact(2).zip(g.chunks_exact_mut(2)) {
        let (u, w) = (x[0], x[1]);
        let r = w - u * u;
        let s = 1.0 - u;
        f += 100.0 * r * r + s * s;
        g[0] = -400.0 * u * r - 2.0 * s;
        g[1] = 200.0 * r;
    }
    f
}

impl Objective for ExtendedRosenbrock {
    type Hessian<'a> = ExtendedRosenbrockHessian;

    fn dim(&self) -> usize {
        self.n
    }

    fn value_grad(&self, x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>) -> f64 {
        let xs = x.as_standard_layout();
        let xs = xs.as_slice().expect("standard layout");
        match g.as_slice_mut() {
            Some(gs) if self.par == Par::Rayon && gs.len() > CHUNK => {
                // Gradient in parallel over disjoint chunks; value by the
                // ordered chunked sum (same chunks), hence deterministic.
                let parts: Vec<f64> = gs
                    .par_chunks_mut(CHUNK)
                    .zip(xs.par_chunks(CHUNK))
                    .map(|(g, x)| block_value_grad(x, g))
                    .collect();
                parts.iter().sum()
            }
            Some(gs) => {
                // Same chunking as the parallel path, so Seq and Rayon agree
                // bit for bit.
                gs.chunks_mut(CHUNK)
                    .zip(xs.chunks(CHUNK))
                    .map(|(g, x)| block_value_grad(x, g))
                    .sum()
            }
            None => {
                let mut tmp = vec![0.0; self.n];
                let f: f64 = tmp
                    .chunks_mut(CHUNK)
                    .zip(xs.chunks(CHUNK))
                    .map(|(g, x)| block_value_grad(x, g))
                    .sum();
                g.assign(&ArrayView1::from(&tmp[..]));
                f
            }
        }
    }

    fn hessian(&self, x: ArrayView1<'_, f64>) -> ExtendedRosenbrockHessian {
        // Each block is a function of its own two coordinates, so the
        // parallel fill gives the same values as a sequential one.
        let xs = x.as_standard_layout();
        let xs = xs.as_slice().expect("standard layout");
        let mut ab = vec![[0.0; 2]; self.n / 2];
        let fill = |ab: &mut [[f64; 2]], x: &[f64]| {
            for (h, x) in ab.iter_mut().zip(x.chunks_exact(2)) {
                let (u, w) = (x[0], x[1]);
                *h = [1200.0 * u * u - 400.0 * w + 2.0, -400.0 * u];
            }
        };
        if self.par == Par::Rayon && self.n > CHUNK {
            ab.par_chunks_mut(CHUNK / 2)
                .zip(xs.par_chunks(CHUNK))
                .for_each(|(ab, x)| fill(ab, x));
        } else {
            fill(&mut ab, xs);
        }
        ExtendedRosenbrockHessian { ab, par: self.par }
    }
}
