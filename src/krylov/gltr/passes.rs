//! The vector passes of GLTR: the boundary step of the Steihaug phase,
//! pass 2 (the recovery of s = Q_k h) and the exit pass.

use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

use super::record::*;
use crate::krylov::boundary::boundary_roots;
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::Partials;
use crate::linalg::precond::Preconditioner;

/// The Steihaug boundary step τ along p from s (the positive root, or on
/// negative curvature the root with the lower model value, with
/// `rᵀp = −r_jᵀz_j`; N&W Algorithm 7.2).
pub(super) fn boundary_step(
    s_mp: f64,
    s_md: f64,
    d_md: f64,
    radius: f64,
    rz: f64,
    php: f64,
) -> f64 {
    let (tm, tp) = boundary_roots(d_md, s_md, s_mp - radius * radius);
    let dm = |t: f64| -t * rz + 0.5 * t * t * php;
    if php <= 0.0 && dm(tm) < dm(tp) {
        tm
    } else {
        tp
    }
}

/// Pass 2: replays the CG recurrences from r₀ = g with the recorded α_j
/// and β_j and accumulates `s = Σ_j h_j σ_j z_j/√(r_jᵀz_j)`, with
/// `σ₀ = 1`, `σ_{j+1} = −σ_j·sign(α_j)`. Returns the products made
/// (k − 1).
#[allow(clippy::too_many_arguments)]
pub(super) fn pass2<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    g: ArrayView1<'_, f64>,
    r: &mut Array1<f64>,
    z: &mut Array1<f64>,
    d: &mut Array1<f64>,
    hd: &mut Array1<f64>,
    k: &mut Partials,
    rec: &GltrRecord,
    kdim: usize,
    mut s: ArrayViewMut1<'_, f64>,
) -> usize {
    let hvec = &rec.tri.h[..kdim];
    copy_and_zero(k, r, s.view_mut(), g);
    if let Some(m) = precond {
        m.apply(r.view(), z.view_mut());
    }
    let mut products = 0;
    let mut sign = 1.0f64;
    for (j, &hj) in hvec.iter().enumerate() {
        let c = sign * hj / rec.rho[j].sqrt();
        {
            let zsrc = if precond.is_some() { &*z } else { &*r };
            if j == 0 {
                negate(k, d, zsrc);
            }
            axpy(k, s.view_mut(), zsrc, c);
        }
        if j + 1 == kdim {
            break;
        }
        h.apply(d.view(), hd.view_mut());
        products += 1;
        let alpha = rec.alpha[j];
        axpy(k, r.view_mut(), hd, alpha);
        if let Some(m) = precond {
            m.apply(r.view(), z.view_mut());
        }
        let beta = rec.rho[j + 1] / rec.rho[j];
        let zsrc = if precond.is_some() { &*z } else { &*r };
        direction(k, d, zsrc, beta);
        sign = -sign * alpha.signum();
    }
    products
}

// Vector passes over the blocks of `crate::linalg::par` (deterministic for
// any thread count, no allocation).

pub(super) fn dot(k: &mut Partials, a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    k.reduce((a, b), |(a, b)| [a.dot(&b), 0.0, 0.0])[0]
}

/// `r ← g`, `s ← 0`; returns ‖g‖².
pub(super) fn copy_and_zero(
    k: &mut Partials,
    r: &mut Array1<f64>,
    s: ArrayViewMut1<'_, f64>,
    g: ArrayView1<'_, f64>,
) -> f64 {
    k.reduce((r.view_mut(), s, g), |(mut r, mut s, g)| {
        r.assign(&g);
        s.fill(0.0);
        [g.dot(&g), 0.0, 0.0]
    })[0]
}

/// `d ← −z`.
pub(super) fn negate(k: &Partials, d: &mut Array1<f64>, z: &Array1<f64>) {
    k.for_each((d.view_mut(), z.view()), |(mut d, z)| {
        Zip::from(&mut d).and(&z).for_each(|d, &z| *d = -z)
    });
}

/// `d ← −z + βd`.
pub(super) fn direction(k: &Partials, d: &mut Array1<f64>, z: &Array1<f64>, beta: f64) {
    k.for_each((d.view_mut(), z.view()), |(mut d, z)| {
        Zip::from(&mut d)
            .and(&z)
            .for_each(|d, &z| *d = -z + beta * *d)
    });
}

/// `y ← y + a·x`.
pub(super) fn axpy(k: &Partials, y: ArrayViewMut1<'_, f64>, x: &Array1<f64>, a: f64) {
    k.for_each((y, x.view()), |(mut y, x)| {
        Zip::from(&mut y).and(&x).for_each(|y, &x| *y += a * x)
    });
}

/// `s ← s + αp`, `r ← r + αHp` in one pass (the same elementwise
/// operations as [`axpy`] on r, so pass 2 replays r bit for bit).
pub(super) fn update(
    k: &Partials,
    s: ArrayViewMut1<'_, f64>,
    r: &mut Array1<f64>,
    d: &Array1<f64>,
    hd: &Array1<f64>,
    alpha: f64,
) {
    k.for_each(
        (s, r.view_mut(), d.view(), hd.view()),
        |(mut s, mut r, d, hd)| {
            Zip::from(&mut s)
                .and(&mut r)
                .and(&d)
                .and(&hd)
                .for_each(|s, r, &d, &hd| {
                    *s += alpha * d;
                    *r += alpha * hd;
                })
        },
    );
}

/// `(sᵀr, sᵀg, sᵀs)` in one pass, and `out ← x + s` when asked.
pub(super) fn exit_pass(
    k: &mut Partials,
    s: ArrayView1<'_, f64>,
    r: ArrayView1<'_, f64>,
    g: ArrayView1<'_, f64>,
    trial: Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
) -> [f64; 3] {
    match trial {
        None => k.reduce((s, r, g), |(s, r, g)| [s.dot(&r), s.dot(&g), s.dot(&s)]),
        Some((x, out)) => k.reduce((s, r, g, x, out), |(s, r, g, x, mut out)| {
            Zip::from(&mut out)
                .and(&x)
                .and(&s)
                .for_each(|o, &x, &s| *o = x + s);
            [s.dot(&r), s.dot(&g), s.dot(&s)]
        }),
    }
}

/// `s ← 0`, and `out ← x` when asked.
pub(super) fn zero_step(
    k: &Partials,
    s: ArrayViewMut1<'_, f64>,
    trial: Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
) {
    k.for_each(s, |mut s| s.fill(0.0));
    if let Some((x, out)) = trial {
        k.for_each((out, x), |(mut o, x)| o.assign(&x));
    }
}
