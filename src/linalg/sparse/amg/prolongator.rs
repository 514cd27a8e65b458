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
use super::csr::Csr;
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

/// The pattern of S = I − ω D⁻¹A: A's pattern with the diagonal added where
/// it is missing (rows stay sorted). Returns S (values zero) and, for each
/// entry of S, the position of the same entry in A (`usize::MAX`: not in A).
pub(crate) fn smoother_pattern(a: &Csr) -> (Csr, Vec<usize>) {
    let mut s = Csr {
        nrows: a.nrows,
        ncols: a.ncols,
        indptr: Vec::with_capacity(a.nrows + 1),
        indices: Vec::with_capacity(a.nnz() + a.nrows),
        data: Vec::new(),
    };
    let mut src = Vec::with_capacity(a.nnz() + a.nrows);
    s.indptr.push(0);
    for i in 0..a.nrows {
        let mut placed = false;
        for q in a.indptr[i]..a.indptr[i + 1] {
            let j = a.indices[q];
            if !placed && j > i {
                s.indices.push(i);
                src.push(usize::MAX);
                placed = true;
            }
            if j == i {
                placed = true;
            }
            s.indices.push(j);
            src.push(q);
        }
        if !placed {
            s.indices.push(i);
            src.push(usize::MAX);
        }
        s.indptr.push(s.indices.len());
    }
    s.data = vec![0.0; s.indices.len()];
    (s, src)
}

/// The values of S = I − ω D⁻¹A on the pattern of [`smoother_pattern`].
// CSR indexing: q runs over row i's slice of parallel arrays.
#[allow(clippy::needless_range_loop)]
pub(crate) fn smoother_values(a: &Csr, src: &[usize], dinv: &[f64], omega: f64, s: &mut Csr) {
    for i in 0..s.nrows {
        for q in s.indptr[i]..s.indptr[i + 1] {
            let j = s.indices[q];
            let aij = if src[q] == usize::MAX {
                0.0
            } else {
                a.data[src[q]]
            };
            s.data[q] = if i == j { 1.0 } else { 0.0 } - omega * dinv[i] * aij;
        }
    }
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
    fn smoother_adds_missing_diagonals_in_order() {
        // Row 0 lacks its diagonal, row 1 has it.
        let a = Csr {
            nrows: 2,
            ncols: 2,
            indptr: vec![0, 1, 3],
            indices: vec![1, 0, 1],
            data: vec![-1.0, -1.0, 4.0],
        };
        let (mut s, src) = smoother_pattern(&a);
        assert_eq!(s.indices, vec![0, 1, 0, 1]);
        smoother_values(&a, &src, &[1.0, 0.25], 0.5, &mut s);
        assert_eq!(s.data, vec![1.0, 0.5, 0.125, 0.5]);
    }
}
