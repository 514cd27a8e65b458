use ndarray::{Array1, Array2, ArrayView1, ArrayViewMut1, Zip};

use crate::error::{check_dim, Error, Result};
use crate::linalg::operator::LinearOperator;
use crate::linalg::rng::SplitMix64;
use crate::problem::objective::Objective;

/// `log(1 + exp(t))` without overflow or loss of accuracy for large |t|.
pub(crate) fn log1pexp(t: f64) -> f64 {
    if t > 0.0 {
        t + (-t).exp().ln_1p()
    } else {
        t.exp().ln_1p()
    }
}

/// The logistic function 1/(1 + e^{−t}), stable for large |t|.
pub(crate) fn sigmoid(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + (-t).exp())
    } else {
        let e = t.exp();
        e / (1.0 + e)
    }
}

/// `(log1pexp(t), sigmoid(t))` with one exponential, e^{−|t|}, which both
/// use: bit for bit the two functions' values.
#[inline]
pub(crate) fn log1pexp_sigmoid(t: f64) -> (f64, f64) {
    let e = (-t.abs()).exp();
    let loss = if t > 0.0 { t + e.ln_1p() } else { e.ln_1p() };
    let s = if t >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    };
    (loss, s)
}

/// Logistic regression on a dense design matrix X (m×d) with labels
/// y ∈ {−1, +1}:
/// `f(w) = Σ_i log(1 + exp(−y_i x_iᵀw)) + (λ/2)‖w‖²`.
///
/// With σ_i = σ(y_i x_iᵀw): `∇f = −Xᵀ((1−σ)∘y) + λw` and
/// `∇²f v = Xᵀ D X v + λv`, `D_ii = σ_i(1−σ_i)`. The weights D are computed
/// once per Hessian preparation; each product reads every row once.
/// Newton's method on this problem is iteratively reweighted least squares
/// (IRLS).
#[derive(Debug, Clone)]
pub struct DenseLogistic {
    x: Array2<f64>,
    y: Array1<f64>,
    lambda: f64,
}

impl DenseLogistic {
    /// Checks shapes, labels (±1) and λ ≥ 0.
    pub fn new(x: Array2<f64>, y: Array1<f64>, lambda: f64) -> Result<Self> {
        check_dim("DenseLogistic: labels", x.nrows(), y.len())?;
        if x.nrows() == 0 || x.ncols() == 0 {
            return Err(Error::EmptyProblem);
        }
        // Labels are exact codes, not measurements: compare exactly.
        #[allow(clippy::float_cmp)]
        let bad = y.iter().position(|&v| v != 1.0 && v != -1.0);
        if let Some(i) = bad {
            return Err(Error::InvalidInput(format!(
                "DenseLogistic: label {} at row {i} is not ±1",
                y[i]
            )));
        }
        if !x.iter().all(|v| v.is_finite()) {
            return Err(Error::InvalidInput(
                "DenseLogistic: X has non-finite entries".into(),
            ));
        }
        crate::solvers::config::nonneg("lambda", lambda)?;
        Ok(Self { x, y, lambda })
    }

    /// Synthetic data: rows x_i with x_i0 = 1 (intercept) and the other
    /// entries standard normal, labels +1 with probability σ(x_iᵀw_true),
    /// all from a [`SplitMix64`] seeded with `seed`. The seed problem of the
    /// test suite is `synthetic(100, &[1.5, -1.0, 0.5], 0.0, 42)`.
    pub fn synthetic(m: usize, w_true: &[f64], lambda: f64, seed: u64) -> Result<Self> {
        let d = w_true.len();
        let mut rng = SplitMix64::new(seed);
        let x = Array2::from_shape_fn((m, d), |(_, j)| if j == 0 { 1.0 } else { 0.0 });
        let mut x = x;
        for i in 0..m {
            for j in 1..d {
                x[[i, j]] = rng.normal();
            }
        }
        let w = ArrayView1::from(w_true);
        let y = Array1::from_shape_fn(m, |i| {
            let p = sigmoid(x.row(i).dot(&w));
            if rng.uniform() < p {
                1.0
            } else {
                -1.0
            }
        });
        Self::new(x, y, lambda)
    }

    /// The design matrix.
    pub fn features(&self) -> &Array2<f64> {
        &self.x
    }

    /// The labels.
    pub fn labels(&self) -> &Array1<f64> {
        &self.y
    }
}

/// The Hessian of [`DenseLogistic`] at w: the weights D and a borrow of X.
#[derive(Debug, Clone)]
pub struct DenseLogisticHessian<'a> {
    x: &'a Array2<f64>,
    d: Array1<f64>,
    lambda: f64,
}

impl LinearOperator for DenseLogisticHessian<'_> {
    fn dim(&self) -> usize {
        self.x.ncols()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
        Zip::from(&mut out)
            .and(&v)
            .for_each(|o, &v| *o = self.lambda * v);
        for (row, &di) in self.x.rows().into_iter().zip(self.d.iter()) {
            let t = di * row.dot(&v);
            Zip::from(&mut out).and(&row).for_each(|o, &r| *o += t * r);
        }
    }
    fn diagonal(&self, mut out: ArrayViewMut1<'_, f64>) -> bool {
        out.fill(self.lambda);
        for (row, &di) in self.x.rows().into_iter().zip(self.d.iter()) {
            Zip::from(&mut out)
                .and(&row)
                .for_each(|o, &r| *o += di * r * r);
        }
        true
    }
}

impl Objective for DenseLogistic {
    type Hessian<'a> = DenseLogisticHessian<'a>;

    fn dim(&self) -> usize {
        self.x.ncols()
    }

    fn value_grad(&self, w: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>) -> f64 {
        Zip::from(&mut g)
            .and(&w)
            .for_each(|g, &w| *g = self.lambda * w);
        let mut f = 0.5 * self.lambda * w.dot(&w);
        for (row, &yi) in self.x.rows().into_iter().zip(self.y.iter()) {
            let m = yi * row.dot(&w);
            f += log1pexp(-m);
            let c = -yi * (1.0 - sigmoid(m));
            Zip::from(&mut g).and(&row).for_each(|g, &r| *g += c * r);
        }
        f
    }

    fn hessian(&self, w: ArrayView1<'_, f64>) -> DenseLogisticHessian<'_> {
        let d = self
            .x
            .rows()
            .into_iter()
            .map(|row| {
                let s = sigmoid(row.dot(&w));
                s * (1.0 - s)
            })
            .collect();
        DenseLogisticHessian {
            x: &self.x,
            d,
            lambda: self.lambda,
        }
    }
}

#[cfg(test)]
mod fused_tests {
    use super::*;

    #[test]
    fn the_fused_loss_and_sigmoid_equal_the_separate_functions() {
        let (l, s) = log1pexp_sigmoid(f64::NAN);
        assert!(
            l.is_nan() && s.is_nan(),
            "NaN stays NaN (its sign bit may differ)"
        );
        let mut ts = vec![0.0, -0.0, 1e-300, -1e-300, 700.0, -700.0, 746.0, -746.0];
        ts.extend((-4000..=4000).map(|k| k as f64 * 0.0137));
        for t in ts {
            let (l, s) = log1pexp_sigmoid(t);
            assert_eq!(l.to_bits(), log1pexp(t).to_bits(), "log1pexp({t})");
            assert_eq!(s.to_bits(), sigmoid(t).to_bits(), "sigmoid({t})");
        }
    }
}
