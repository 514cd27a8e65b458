//! The geometry of the box along a path x + t·w: breakpoints (MINPACK-2
//! `dbreakpt`), the projected step (`dgpstep`) and a step added so that the
//! bounds it reaches are met exactly.

use ndarray::{ArrayView1, ArrayViewMut1, Zip};

use crate::linalg::par::{for_blocks, Par};
use crate::problem::bounds::Bounds;

/// The smallest and largest breakpoints t_i > 0 of x + t·w on the box
/// (MINPACK-2 `dbreakpt`): t_i = (u_i − x_i)/w_i for w_i > 0 and x_i < u_i,
/// (l_i − x_i)/w_i for w_i < 0 and x_i > l_i; infinite bounds give none.
/// `(+∞, 0)` when there is none (then the path never meets a bound;
/// `t_max = 0` means every component that moves is already blocked).
pub fn breakpoints(x: ArrayView1<'_, f64>, w: ArrayView1<'_, f64>, b: &Bounds) -> (f64, f64) {
    let (mut tmin, mut tmax) = (f64::INFINITY, 0.0f64);
    let mut unbounded_move = false;
    Zip::from(&x)
        .and(&w)
        .and(b.lower())
        .and(b.upper())
        .for_each(|&x, &w, &l, &u| {
            let t = breakpoint(x, w, l, u);
            if t.is_finite() {
                tmin = tmin.min(t);
                tmax = tmax.max(t);
            } else if t == f64::INFINITY {
                unbounded_move = true;
            }
        });
    if unbounded_move {
        tmax = f64::INFINITY;
    }
    (tmin, tmax)
}

/// The breakpoint of one component: +∞ when it moves without meeting a
/// bound, NaN when it does not move or is blocked already.
#[inline]
fn breakpoint(x: f64, w: f64, l: f64, u: f64) -> f64 {
    if w > 0.0 && x < u {
        (u - x) / w
    } else if w < 0.0 && x > l {
        (l - x) / w
    } else {
        f64::NAN
    }
}

/// The projected step s = P(x + t·w) − x (MINPACK-2 `dgpstep`), formed per
/// component as l_i − x_i, u_i − x_i or t·w_i, so that an unclipped
/// component carries no rounding. A component is clipped when its
/// breakpoint is at most t (the same test as [`breakpoints`], so that at
/// t = t_min the blocking bound is met exactly). Components already at a
/// bound and pointing out of the box give 0.
pub fn projected_step(
    par: Par,
    x: ArrayView1<'_, f64>,
    t: f64,
    w: ArrayView1<'_, f64>,
    b: &Bounds,
    s: ArrayViewMut1<'_, f64>,
) {
    let lanes = (s, x, w, b.lower(), b.upper());
    for_blocks(par, lanes, |(mut s, x, w, l, u)| {
        Zip::from(&mut s)
            .and(&x)
            .and(&w)
            .and(&l)
            .and(&u)
            .for_each(|s, &x, &w, &l, &u| {
                *s = if w > 0.0 {
                    if x >= u {
                        0.0
                    } else if (u - x) / w <= t {
                        u - x
                    } else {
                        t * w
                    }
                } else if w < 0.0 {
                    if x <= l {
                        0.0
                    } else if (l - x) / w <= t {
                        l - x
                    } else {
                        t * w
                    }
                } else {
                    0.0
                };
            });
    });
}

/// x₊ = x + s with the components that reach a bound set to the bound
/// itself (`reference/bounds.md` §3 rule 12).
#[allow(clippy::float_cmp)] // a step that ends on a bound lands on it exactly
pub fn add_step_exact(
    par: Par,
    x: ArrayView1<'_, f64>,
    s: ArrayView1<'_, f64>,
    b: &Bounds,
    out: ArrayViewMut1<'_, f64>,
) {
    let lanes = (out, x, s, b.lower(), b.upper());
    for_blocks(par, lanes, |(mut out, x, s, l, u)| {
        Zip::from(&mut out)
            .and(&x)
            .and(&s)
            .and(&l)
            .and(&u)
            .for_each(|o, &x, &s, &l, &u| *o = step_exact(x, s, l, u));
    });
}

/// x ← x + s as [`add_step_exact`], in place.
pub fn add_step_exact_in_place(
    par: Par,
    x: ArrayViewMut1<'_, f64>,
    s: ArrayView1<'_, f64>,
    b: &Bounds,
) {
    let lanes = (x, s, b.lower(), b.upper());
    for_blocks(par, lanes, |(mut x, s, l, u)| {
        Zip::from(&mut x)
            .and(&s)
            .and(&l)
            .and(&u)
            .for_each(|x, &s, &l, &u| *x = step_exact(*x, s, l, u));
    });
}

/// One component of [`add_step_exact`]: the bound itself where x + s
/// reaches it by a step formed as l − x or u − x.
#[inline(always)]
#[allow(clippy::float_cmp)] // a step that ends on a bound lands on it exactly
fn step_exact(x: f64, s: f64, l: f64, u: f64) -> f64 {
    if s != 0.0 && s == l - x {
        l
    } else if s != 0.0 && s == u - x {
        u
    } else {
        (x + s).clamp(l, u)
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use ndarray::{array, Array1};

    #[test]
    fn breakpoints_and_projected_step() {
        let b = Bounds::new(
            array![0.0, 0.0, f64::NEG_INFINITY, 0.0],
            array![1.0, 1.0, 1.0, 1.0],
        )
        .unwrap();
        let x = array![0.5, 0.0, 0.0, 1.0];
        let w = array![1.0, -1.0, -1.0, 2.0];
        // Component 0 meets u at t = 0.5; 1 is blocked; 2 never meets l;
        // 3 is blocked.
        let (tmin, tmax) = breakpoints(x.view(), w.view(), &b);
        assert_eq!(tmin, 0.5);
        assert_eq!(tmax, f64::INFINITY);
        let mut s = Array1::zeros(4);
        projected_step(Par::Seq, x.view(), 2.0, w.view(), &b, s.view_mut());
        assert_eq!(s, array![0.5, 0.0, -2.0, 0.0]);
        let mut xp = Array1::zeros(4);
        add_step_exact(Par::Seq, x.view(), s.view(), &b, xp.view_mut());
        assert_eq!(xp, array![1.0, 0.0, -2.0, 1.0]);
        // At t = t_min the blocking component lands exactly on its bound,
        // even when (u − x)/w·w rounds below u − x.
        let b1 = Bounds::new(array![0.0], array![0.3]).unwrap();
        let x1 = array![0.1];
        let w1 = array![0.7];
        let (t1, _) = breakpoints(x1.view(), w1.view(), &b1);
        let mut s1 = Array1::zeros(1);
        projected_step(Par::Seq, x1.view(), t1, w1.view(), &b1, s1.view_mut());
        let mut x1p = Array1::zeros(1);
        add_step_exact(Par::Seq, x1.view(), s1.view(), &b1, x1p.view_mut());
        assert_eq!(x1p[0], 0.3);
    }
}
