//! Small vector kernels used by the solvers; none allocates.

use ndarray::{ArrayView1, ArrayViewMut1, Zip};

/// Euclidean norm, scaled against overflow only when needed.
pub(crate) fn norm(v: ArrayView1<'_, f64>) -> f64 {
    let s = v.dot(&v);
    if s.is_finite() && s > f64::MIN_POSITIVE * 1e10 {
        return s.sqrt();
    }
    // Rescale for overflow/underflow (rare path).
    let m = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if m == 0.0 || !m.is_finite() {
        return if v.iter().any(|x| x.is_nan()) {
            f64::NAN
        } else {
            m
        };
    }
    let s: f64 = v.iter().map(|x| (x / m) * (x / m)).sum();
    m * s.sqrt()
}

/// `out ← x + y`.
pub(crate) fn add_into(
    x: ArrayView1<'_, f64>,
    y: ArrayView1<'_, f64>,
    out: ArrayViewMut1<'_, f64>,
) {
    Zip::from(out)
        .and(&x)
        .and(&y)
        .for_each(|o, &a, &b| *o = a + b);
}

pub(crate) fn all_finite(v: ArrayView1<'_, f64>) -> bool {
    v.iter().all(|x| x.is_finite())
}
