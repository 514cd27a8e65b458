//! Small vector kernels used by the solvers.
//!
//! All of them go over the fixed blocks of [`crate::linalg::par`], so a value is the
//! same for any thread count; the `_with` forms take the solve's
//! [`Partials`] and allocate nothing.

use ndarray::{ArrayView1, ArrayViewMut1, Zip};

use crate::linalg::par::{for_blocks, Par, Partials};

/// v ← D·v for the 0/1 diagonal D = diag(`mask`). Off the mask the entry
/// is set to exactly 0 (not 0·v, which is NaN for an infinite v).
///
/// Element-wise, so with [`Par::Rayon`] it runs over
/// [`crate::linalg::par::BLOCK`]-element blocks on rayon's pool for long
/// vectors, with the same result as [`Par::Seq`].
pub fn mask_in_place(par: Par, v: ArrayViewMut1<'_, f64>, mask: ArrayView1<'_, f64>) {
    for_blocks(par, (v, mask), |(mut v, mask)| {
        Zip::from(&mut v).and(&mask).for_each(|v, &m| {
            if m == 0.0 {
                *v = 0.0;
            }
        });
    });
}

/// `‖v‖²` by blocks (overflow is the caller's business).
fn sum_squares(k: &mut Partials, v: ArrayView1<'_, f64>) -> f64 {
    k.reduce(v, |b| [b.dot(&b), 0.0, 0.0])[0]
}

/// Euclidean norm from `s = ‖v‖²` computed by blocks; rescales against
/// overflow and underflow only when `s` says it is needed (rare path).
pub(crate) fn norm_from_squares(s: f64, v: ArrayView1<'_, f64>) -> f64 {
    if s.is_finite() && s > f64::MIN_POSITIVE * 1e10 {
        return s.sqrt();
    }
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

/// Euclidean norm, scaled against overflow only when needed.
pub(crate) fn norm_with(k: &mut Partials, v: ArrayView1<'_, f64>) -> f64 {
    let s = sum_squares(k, v);
    norm_from_squares(s, v)
}

/// Euclidean norm (makes its own partials: outside the solvers' loops).
pub(crate) fn norm(v: ArrayView1<'_, f64>) -> f64 {
    norm_with(&mut Partials::new(v.len(), Par::Rayon), v)
}

/// `(‖v‖, every entry finite)` in one pass. A finite sum of squares proves
/// every entry finite; otherwise the entries are checked.
pub(crate) fn norm_finite_with(k: &mut Partials, v: ArrayView1<'_, f64>) -> (f64, bool) {
    let s = sum_squares(k, v);
    if s.is_finite() {
        (norm_from_squares(s, v), true)
    } else {
        let finite = all_finite(v);
        (norm_from_squares(s, v), finite)
    }
}

/// `out ← x + αy`.
pub(crate) fn axpy_into(
    par: Par,
    x: ArrayView1<'_, f64>,
    alpha: f64,
    y: ArrayView1<'_, f64>,
    out: ArrayViewMut1<'_, f64>,
) {
    for_blocks(par, (out, x, y), |(o, x, y)| {
        Zip::from(o)
            .and(&x)
            .and(&y)
            .for_each(|o, &a, &b| *o = a + alpha * b)
    });
}

/// Whether every entry is finite.
pub(crate) fn all_finite(v: ArrayView1<'_, f64>) -> bool {
    let mut k = Partials::new(v.len(), Par::Rayon);
    // Count the non-finite entries of each block (exact in f64 up to 2⁵³).
    let bad = k.reduce(v, |b| {
        [b.iter().filter(|x| !x.is_finite()).count() as f64, 0.0, 0.0]
    });
    bad[0] == 0.0
}
