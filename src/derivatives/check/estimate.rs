//! The error estimates of the derivative checker: the error of a central
//! difference from the same difference at steps 2h and h/2, and the
//! relative error that counts only the disagreement beyond it (see the
//! [module docs](super)).

/// The relative error of `a` against a finite difference `fd` whose own
/// error is estimated as `noise`: only the part of `|a − fd|` above the
/// noise counts (see the module docs).
pub(super) fn rel_error(a: f64, fd: f64, noise: f64) -> f64 {
    if !a.is_finite() {
        return f64::INFINITY;
    }
    excess_ratio((a - fd).abs(), noise, a.abs().max(fd.abs()))
}

/// `max(0, d − noise) / scale`, 0 when nothing exceeds the noise.
pub(super) fn excess_ratio(d: f64, noise: f64, scale: f64) -> f64 {
    let excess = d - noise;
    if excess > 0.0 {
        excess / scale.max(f64::MIN_POSITIVE)
    } else if excess <= 0.0 {
        0.0
    } else {
        f64::INFINITY // NaN
    }
}

/// The error estimate of a central difference `d1` (step h) from the same
/// difference at steps 2h (`d2`) and h/2 (`d3`); see [`fd_error_estimate`].
pub(super) fn fd_noise(d1: f64, d2: f64, d3: f64) -> f64 {
    fd_error_estimate((d1 - d2).abs(), (d1 - d3).abs())
}

/// The error of a difference at step h from `a = |fd(h) − fd(2h)|` and
/// `b = |fd(h) − fd(h/2)|`. If the error behaves like `C·h^p`, then
/// `a/b = 2^p` and the error at h is `b/(1 − 2^{−p}) = ab/(a − b)`: for a
/// smooth f (p = 2) that is `4b/3`, for a function like `|t|^{7/3}` near
/// t = 0 (p = 1/3, BROYDN7D) almost `5b`. When the ratio shows no clean
/// convergence (p < 1/3: rounding dominates, or f is rougher still) the
/// estimate is `5·max(a, b)`. A safety factor of 2 is applied.
pub(super) fn fd_error_estimate(a: f64, b: f64) -> f64 {
    const MIN_RATIO: f64 = 1.26; // 2^{1/3}
    let e = if a >= MIN_RATIO * b && a > 0.0 {
        a * b / (a - b)
    } else {
        5.0 * a.max(b)
    };
    2.0 * e
}
