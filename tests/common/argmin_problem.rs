//! Extended Rosenbrock written as an argmin problem, shared by
//! `examples/argmin_interop.rs` and `tests/argmin_interop.rs`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use argmin::core::{CostFunction, Error, Gradient, Hessian};
use argmin_math::ArgminDot;

/// Extended Rosenbrock: Σ 100 (x_{2i+1} − x_{2i}²)² + (1 − x_{2i})².
pub struct ExtRosenbrock {
    /// Hessian-vector products so far, shared with the Hessian operators.
    pub hvps: Arc<AtomicU64>,
}

impl ExtRosenbrock {
    /// A problem with a fresh product counter.
    pub fn new() -> Self {
        Self {
            hvps: Arc::new(AtomicU64::new(0)),
        }
    }
}

/// Its Hessian at x, as an operator (block-diagonal 2×2 blocks).
#[derive(Clone)]
pub struct ExtRosenbrockHessian {
    x: Vec<f64>,
    hvps: Arc<AtomicU64>,
}

impl CostFunction for ExtRosenbrock {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
        Ok(x.chunks_exact(2)
            .map(|p| 100.0 * (p[1] - p[0] * p[0]).powi(2) + (1.0 - p[0]).powi(2))
            .sum())
    }
}

impl Gradient for ExtRosenbrock {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Error> {
        let mut g = vec![0.0; x.len()];
        for (p, q) in x.chunks_exact(2).zip(g.chunks_exact_mut(2)) {
            let t = p[1] - p[0] * p[0];
            q[0] = -400.0 * p[0] * t - 2.0 * (1.0 - p[0]);
            q[1] = 200.0 * t;
        }
        Ok(g)
    }
}

impl Hessian for ExtRosenbrock {
    type Param = Vec<f64>;
    type Hessian = ExtRosenbrockHessian;
    fn hessian(&self, x: &Vec<f64>) -> Result<ExtRosenbrockHessian, Error> {
        Ok(ExtRosenbrockHessian {
            x: x.clone(),
            hvps: self.hvps.clone(),
        })
    }
}

impl ArgminDot<Vec<f64>, Vec<f64>> for ExtRosenbrockHessian {
    fn dot(&self, v: &Vec<f64>) -> Vec<f64> {
        self.hvps.fetch_add(1, Ordering::Relaxed);
        let mut out = vec![0.0; v.len()];
        for ((p, w), o) in self
            .x
            .chunks_exact(2)
            .zip(v.chunks_exact(2))
            .zip(out.chunks_exact_mut(2))
        {
            let h11 = 1200.0 * p[0] * p[0] - 400.0 * p[1] + 2.0;
            let h12 = -400.0 * p[0];
            o[0] = h11 * w[0] + h12 * w[1];
            o[1] = h12 * w[0] + 200.0 * w[1];
        }
        out
    }
}

/// The standard start (−1.2, 1, −1.2, 1, ...).
pub fn start(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect()
}
