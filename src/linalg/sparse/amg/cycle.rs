//! The symmetric V-cycle and its smoothers.
//!
//! One V-cycle for `A x = b` from x = 0 (Briggs, Henson & McCormick 2000,
//! ch. 3; Trottenberg, Oosterlee & Schüller 2001, §2.4): on each level but
//! the coarsest, pre-smooth from zero, restrict the residual with R = Pᵀ,
//! recurse, add the prolongated correction, post-smooth with the same
//! smoother; on the coarsest level, solve directly (or smooth, see
//! [`super::Amg`]). Both smoothers are polynomials in D⁻¹A applied
//! to the residual, so each is self-adjoint in the A inner product; with the
//! same smoother before and after the coarse correction and R = Pᵀ, the
//! cycle's operator M⁻¹ is symmetric (and positive definite when the
//! smoothers converge), as CG requires (Tatebe 1993).
//!
//! * **Chebyshev** of degree k on [λ_max/[`CHEB_RATIO`], λ_max] for D⁻¹A
//!   (Adams, Brezina, Hu & Tuminaro 2003; the three-term recurrence of
//!   Saad 2003, Algorithm 12.1), with λ_max the power estimate of ρ(D⁻¹A)
//!   times [`CHEB_BOOST`], capped by the Gershgorin bound. k products a
//!   sweep (k − 1 from a zero start).
//! * **Damped Jacobi** (the default, two sweeps), `x ← x + ω D⁻¹(b − A x)` with ω = 4/(3ρ), the
//!   weight that minimizes the smoothing factor on [ρ/2, ρ].
//!
//! Every kernel runs over fixed row blocks and writes each entry from one
//! sequential sum, so the cycle is bit-for-bit the same for any thread
//! count; all vectors are per-level workspaces allocated at setup.

use rayon::prelude::*;

use super::csr::Csr;
use crate::linalg::par::Par;
use crate::linalg::sparse::ROW_BLOCK;

/// Ratio λ_max/λ_min of the Chebyshev interval (Ifpack2's and MueLu's
/// default 30): the smoother damps the top 1/30 of the spectrum.
pub const CHEB_RATIO: f64 = 30.0;

/// Safety factor on the power estimate of λ_max (MueLu's default 1.1): the
/// power method approaches ρ from below.
pub const CHEB_BOOST: f64 = 1.1;

/// How one level is smoothed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Smooth {
    /// Chebyshev of this degree on [lmax/CHEB_RATIO, lmax].
    Chebyshev { degree: usize, lmax: f64 },
    /// `sweeps` damped Jacobi sweeps with weight omega.
    Jacobi { sweeps: usize, omega: f64 },
}

/// The work vectors of one level.
#[derive(Debug, Clone)]
pub(crate) struct LevelWork {
    pub x: Vec<f64>,
    pub b: Vec<f64>,
    pub z: Vec<f64>,
    pub d: Vec<f64>,
}

impl LevelWork {
    pub fn new(n: usize) -> Self {
        Self {
            x: vec![0.0; n],
            b: vec![0.0; n],
            z: vec![0.0; n],
            d: vec![0.0; n],
        }
    }
}

/// Row blocks of `y` in parallel (or not), with each block's first row.
fn for_rows<F: Fn(usize, &mut [f64]) + Sync + Send>(par: Par, y: &mut [f64], f: F) {
    if par == Par::Rayon && y.len() > ROW_BLOCK {
        y.par_chunks_mut(ROW_BLOCK)
            .enumerate()
            .for_each(|(b, yb)| f(b * ROW_BLOCK, yb));
    } else {
        f(0, y);
    }
}

/// `z ← D⁻¹(b − A x)` (scale = dinv) or `z ← b − A x` (scale = None).
pub(crate) fn residual(
    par: Par,
    a: &Csr,
    dinv: Option<&[f64]>,
    b: &[f64],
    x: &[f64],
    z: &mut [f64],
) {
    for_rows(par, z, |row0, zb| {
        for (r, zr) in zb.iter_mut().enumerate() {
            let i = row0 + r;
            let (cols, vals) = a.row(i);
            let mut s = 0.0;
            for (&j, &v) in cols.iter().zip(vals) {
                s += v * x[j];
            }
            let res = b[i] - s;
            *zr = match dinv {
                Some(d) => d[i] * res,
                None => res,
            };
        }
    });
}

/// `x ← x + P e` (P: n × n_coarse).
pub(crate) fn prolong_add(par: Par, p: &Csr, e: &[f64], x: &mut [f64]) {
    for_rows(par, x, |row0, xb| {
        for (r, xr) in xb.iter_mut().enumerate() {
            let (cols, vals) = p.row(row0 + r);
            let mut s = 0.0;
            for (&j, &v) in cols.iter().zip(vals) {
                s += v * e[j];
            }
            *xr += s;
        }
    });
}

/// `d ← c1·d + c2·z; x ← x + d` (or `x ← d` when `assign`).
fn update(par: Par, c1: f64, c2: f64, z: &[f64], d: &mut [f64], x: &mut [f64], assign: bool) {
    let f = |(d, (x, z)): (&mut [f64], (&mut [f64], &[f64]))| {
        for ((di, xi), &zi) in d.iter_mut().zip(x.iter_mut()).zip(z) {
            *di = c1 * *di + c2 * zi;
            *xi = if assign { *di } else { *xi + *di };
        }
    };
    if par == Par::Rayon && x.len() > ROW_BLOCK {
        d.par_chunks_mut(ROW_BLOCK)
            .zip(x.par_chunks_mut(ROW_BLOCK).zip(z.par_chunks(ROW_BLOCK)))
            .for_each(f);
    } else {
        f((d, (x, z)));
    }
}

/// Applies the level's smoother to `A x = b`; `zero_start`: x is taken as 0
/// (and overwritten), saving one product.
pub(crate) fn smooth(
    par: Par,
    a: &Csr,
    dinv: &[f64],
    how: Smooth,
    w: &mut LevelWork,
    zero_start: bool,
) {
    let LevelWork { x, b, z, d } = w;
    match how {
        Smooth::Jacobi { sweeps, omega } => {
            for s in 0..sweeps {
                let first = zero_start && s == 0;
                if first {
                    for ((zi, &bi), &di) in z.iter_mut().zip(b.iter()).zip(dinv) {
                        *zi = bi * di;
                    }
                } else {
                    residual(par, a, Some(dinv), b, x, z);
                }
                update(par, 0.0, omega, z, d, x, first);
            }
        }
        Smooth::Chebyshev { degree, lmax } => {
            let lmin = lmax / CHEB_RATIO;
            let theta = 0.5 * (lmax + lmin);
            let delta = 0.5 * (lmax - lmin);
            let sigma = theta / delta;
            let mut rho = 1.0 / sigma;
            if zero_start {
                for ((zi, &bi), &di) in z.iter_mut().zip(b.iter()).zip(dinv) {
                    *zi = bi * di;
                }
            } else {
                residual(par, a, Some(dinv), b, x, z);
            }
            update(par, 0.0, 1.0 / theta, z, d, x, zero_start);
            for _ in 1..degree {
                let rho_next = 1.0 / (2.0 * sigma - rho);
                let (c1, c2) = (rho_next * rho, 2.0 * rho_next / delta);
                rho = rho_next;
                residual(par, a, Some(dinv), b, x, z);
                update(par, c1, c2, z, d, x, false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 1-D Laplacian tridiag(−1, 2, −1).
    fn lap1d(n: usize) -> Csr {
        let mut a = Csr {
            nrows: n,
            ncols: n,
            indptr: vec![0],
            ..Default::default()
        };
        for i in 0..n {
            for (j, v) in [(i.wrapping_sub(1), -1.0), (i, 2.0), (i + 1, -1.0)] {
                if j < n {
                    a.indices.push(j);
                    a.data.push(v);
                }
            }
            a.indptr.push(a.indices.len());
        }
        a
    }

    /// Error reduction of a smoother on the highest mode: Chebyshev and
    /// Jacobi must damp it by their closed-form factors.
    #[test]
    fn smoothers_damp_the_highest_mode_by_their_closed_form_factors() {
        let n = 63;
        let a = lap1d(n);
        let dinv = vec![0.5; n];
        let h = std::f64::consts::PI / (n + 1) as f64;
        // The highest eigenvector sin(n k h), eigenvalue of D⁻¹A: 1 − cos(n h).
        let mode: Vec<f64> = (0..n)
            .map(|i| ((i + 1) as f64 * n as f64 * h).sin())
            .collect();
        let lam = 1.0 - (n as f64 * h).cos();
        let rho = lam; // the exact ρ(D⁻¹A)
                       // Smooth A x = 0 from x = mode: the error is the iterate.
        let run = |how: Smooth| {
            let mut w = LevelWork::new(n);
            w.x.copy_from_slice(&mode);
            smooth(Par::Seq, &a, &dinv, how, &mut w, false);
            w.x.iter().zip(&mode).map(|(x, m)| x / m).sum::<f64>() / n as f64
        };
        let omega = 4.0 / (3.0 * rho);
        let j = run(Smooth::Jacobi { sweeps: 2, omega });
        assert!((j - (1.0 - omega * lam).powi(2)).abs() < 1e-12, "{j}");
        // Chebyshev degree 2 on [l/30, l] at λ = l: T₂(−1)/T₂(σ) = 1/T₂(σ).
        let lmax = rho;
        let c = run(Smooth::Chebyshev { degree: 2, lmax });
        let lmin = lmax / CHEB_RATIO;
        let sigma = (lmax + lmin) / (lmax - lmin);
        let t2 = 2.0 * sigma * sigma - 1.0;
        assert!((c - 1.0 / t2).abs() < 1e-12, "{c} vs {}", 1.0 / t2);
    }
}
