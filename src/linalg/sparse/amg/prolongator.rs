//! The prolongator of smoothed aggregation (Vaněk, Mandel & Brezina 1996,
//! §3-4):
//! * the tentative prolongator T restricts the near-null-space vector B to
//!   each aggregate and normalizes it: `T_ic = B_i / ‖B|_c‖` for i in
//!   aggregate c, and the coarse near-null-space vector is `B_c = ‖B|_c‖`
//!   (a one-column QR per aggregate, as PyAMG's `fit_candidates`); on the
//!   finest level B = 1;
//! * the smoothed prolongator is one damped Jacobi step applied to T:
//!   `P = (I − ω D⁻¹A) T` with `ω = (4/3)/ρ(D⁻¹A)` (PyAMG's default
//!   `jacobi_prolongation_smoother`, unfiltered A, diagonal weighting);
//! * ρ(D⁻¹A) is estimated by [`spectral_radius`].

use super::aggregate::ISOLATED;
use super::csr::{product_values_with, Csr};
use crate::linalg::par::{chunked_sum, Par};

/// The tentative prolongator (n × `count`, at most one entry a row) and the
/// coarse near-null-space vector.
pub(crate) fn tentative(agg: &[usize], count: usize, b: &[f64]) -> (Csr, Vec<f64>) {
    let mut norm2 = vec![0.0; count];
    for (&a, &bi) in agg.iter().zip(b) {
        if a != ISOLATED {
            norm2[a] += bi * bi;
        }
    }
    let bc: Vec<f64> = norm2.iter().map(|s| s.sqrt()).collect();
    let n = agg.len();
    let mut t = Csr {
        nrows: n,
        ncols: count,
        indptr: Vec::with_capacity(n + 1),
        indices: Vec::with_capacity(n),
        data: Vec::with_capacity(n),
    };
    t.indptr.push(0);
    for (&a, &bi) in agg.iter().zip(b) {
        if a != ISOLATED && bc[a] > 0.0 {
            t.indices.push(a);
            t.data.push(bi / bc[a]);
        }
        t.indptr.push(t.indices.len());
    }
    (t, bc)
}

/// The entry (i, k) of the prolongator smoother S = I − ω D⁻¹A, from
/// a_ik and 1/a_ii.
#[inline]
pub(crate) fn smoother_entry(i: usize, k: usize, aik: f64, dinv_i: f64, omega: f64) -> f64 {
    let delta = if i == k { 1.0 } else { 0.0 };
    delta - omega * dinv_i * aik
}

/// The values of the smoothed prolongator P = (I − ω D⁻¹A)·T on the pattern
/// `product_pattern(a, t)`, without storing S: its entries are
/// [`smoother_entry`] on A's pattern, which holds every diagonal entry
/// (the level's [`super::inverse_diagonal`] has checked that), so S and A
/// have the same pattern.
pub(crate) fn smoothed_values(par: Par, a: &Csr, dinv: &[f64], omega: f64, t: &Csr, p: &mut Csr) {
    product_values_with(
        par,
        a,
        |i, k, aik| smoother_entry(i, k, aik, dinv[i], omega),
        t,
        p,
    );
}

/// Power iterations used by [`spectral_radius`].
pub(crate) const POWER_ITERATIONS: usize = 15;

/// An estimate of ρ(D⁻¹A) for symmetric A with positive diagonal D:
/// [`POWER_ITERATIONS`] steps of the power method on D⁻¹A from a fixed
/// start vector, returning the D-Rayleigh quotient vᵀAv / vᵀDv of the last
/// iterate (a lower bound of ρ, since D⁻¹A is self-adjoint in the D inner
/// product), capped by the Gershgorin bound `max_i Σ_j |a_ij| / a_ii`
/// (an upper bound). The sums are [`chunked_sum`]s, so the estimate is the
/// same for any thread count. Returns `(estimate, gershgorin)`.
///
/// `dinv` holds 1/a_ii; `v`, `w` are work vectors of length n.
pub(crate) fn spectral_radius(
    par: Par,
    a: &Csr,
    dinv: &[f64],
    v: &mut [f64],
    w: &mut [f64],
) -> (f64, f64) {
    let n = a.nrows;
    let gersh = (0..n)
        .map(|i| a.row(i).1.iter().map(|x| x.abs()).sum::<f64>() * dinv[i])
        .fold(0.0f64, f64::max);
    // A fixed start with components of both signs and no structure
    // aligned with the grid (a Weyl sequence).
    for (i, vi) in v.iter_mut().enumerate() {
        *vi = ((i as f64 * 0.618_033_988_749_895).fract() - 0.5) + 1.0;
    }
    let mut est = 0.0;
    for _ in 0..POWER_ITERATIONS {
        a.matvec(par, v, w); // w = A v
        let vav = chunked_sum(par, n, |r| r.map(|i| v[i] * w[i]).sum());
        let vdv = chunked_sum(par, n, |r| r.map(|i| v[i] * v[i] / dinv[i]).sum());
        if vdv.is_nan() || vdv <= 0.0 {
            break;
        }
        est = vav / vdv;
        // v ← D⁻¹ A v, normalized in the D-norm.
        let s = chunked_sum(par, n, |r| r.map(|i| w[i] * w[i] * dinv[i]).sum()).sqrt();
        if !(s > 0.0 && s.is_finite()) {
            break;
        }
        for i in 0..n {
            v[i] = w[i] * dinv[i] / s;
        }
    }
    (est.min(gersh), gersh)
}

#[cfg(test)]
// Exact values: a Gershgorin bound of small integers, a repeated computation.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;

    fn lap1d(n: usize) -> Csr {
        let mut a = Csr {
            nrows: n,
            ncols: n,
            indptr: vec![0],
            ..Default::default()
        };
        for i in 0..n {
            if i > 0 {
                a.indices.push(i - 1);
                a.data.push(-1.0);
            }
            a.indices.push(i);
            a.data.push(2.0);
            if i + 1 < n {
                a.indices.push(i + 1);
                a.data.push(-1.0);
            }
            a.indptr.push(a.indices.len());
        }
        a
    }

    #[test]
    fn tentative_columns_are_orthonormal_and_reproduce_b() {
        let agg = vec![0, 0, 1, 1, 1, ISOLATED, 0];
        let b = vec![1.0, 2.0, 1.0, 1.0, 3.0, 5.0, 2.0];
        let (t, bc) = tentative(&agg, 2, &b);
        // T Bc = B on aggregated nodes, 0 on the isolated one.
        for i in 0..7 {
            let (c, v) = t.row(i);
            let tb: f64 = c.iter().zip(v).map(|(&c, &v)| v * bc[c]).sum();
            let want = if agg[i] == ISOLATED { 0.0 } else { b[i] };
            assert!((tb - want).abs() < 1e-14);
        }
        assert!((bc[0] - 3.0).abs() < 1e-15); // sqrt(1 + 4 + 4)
        assert!((bc[1] - 11f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn spectral_radius_of_the_1d_laplacian() {
        // D⁻¹A = A/2 has ρ = 1 + cos(π/(n+1)) → 2.
        let n = 200;
        let a = lap1d(n);
        let dinv = vec![0.5; n];
        let (mut v, mut w) = (vec![0.0; n], vec![0.0; n]);
        let (est, gersh) = spectral_radius(Par::Seq, &a, &dinv, &mut v, &mut w);
        let rho = 1.0 + (std::f64::consts::PI / (n + 1) as f64).cos();
        assert_eq!(gersh, 2.0);
        assert!(est <= rho + 1e-12 && est > 0.9 * rho, "{est} vs {rho}");
        let (est2, _) = spectral_radius(Par::Rayon, &a, &dinv, &mut v, &mut w);
        assert_eq!(est, est2);
    }

    #[test]
    fn smoothed_prolongator_matches_the_dense_product() {
        // P = (I − ω D⁻¹A) T on the 1-D Laplacian with aggregates of three.
        let n = 9;
        let a = lap1d(n);
        let agg: Vec<usize> = (0..n).map(|i| i / 3).collect();
        let (t, _) = tentative(&agg, 3, &vec![1.0; n]);
        let dinv = vec![0.5; n];
        let omega = 0.7;
        let mut p = super::super::csr::product_pattern(&a, &t);
        smoothed_values(Par::Rayon, &a, &dinv, omega, &t, &mut p);
        let dense = |m: &Csr| {
            let mut d = vec![vec![0.0; m.ncols]; m.nrows];
            for (i, row) in d.iter_mut().enumerate() {
                let (c, v) = m.row(i);
                for (&j, &x) in c.iter().zip(v) {
                    row[j] = x;
                }
            }
            d
        };
        let (ad, td, pd) = (dense(&a), dense(&t), dense(&p));
        for i in 0..n {
            for c in 0..3 {
                let want: f64 = (0..n)
                    .map(|k| smoother_entry(i, k, ad[i][k], dinv[i], omega) * td[k][c])
                    .sum();
                assert!((pd[i][c] - want).abs() < 1e-15, "({i},{c})");
            }
        }
        // Entry rule: 1 − ω a_ii / a_ii on the diagonal, −ω a_ik / a_ii off it.
        assert_eq!(smoother_entry(2, 2, 4.0, 0.25, 0.5), 0.5);
        assert_eq!(smoother_entry(2, 3, -1.0, 0.25, 0.5), 0.125);
    }
}
