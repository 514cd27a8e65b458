//! IC(0) of a 5-point MINPACK-2 Hessian on a face of the box, in the
//! stencil's own form: TRON's face preconditioner
//! ([`crate::Preconditioning::Ic0`]) for EPT, PJB and SSC without an
//! assembled matrix.
//!
//! On the face F (the free variables, `mask` nonzero) the matrix is
//! H(F,F) ⊕ I, as in `solvers/tron/face_ic0.rs`. In the natural (row by
//! row) ordering of a 5-point matrix A, IC(0) has no fill to drop from the
//! strictly lower part: its factor is `M = (P + L) P⁻¹ (P + Lᵀ)` with L the
//! strictly lower triangle of A and the pivots
//!
//! `p_k = a_k − w_h(i)²/p_{k−1} − w_v(i)²/p_{k−nx}`
//!
//! (Meijerink & van der Vorst 1977; Saad 2003, §10.3.2), the terms present
//! only where the neighbour is free.
//!
//! **MIC(0)**, relaxed by ω ∈ [0, 1] (`relax`; Gustafsson 1978, Axelsson &
//! Lindskog 1986): the product `(P + L) P⁻¹ (P + Lᵀ)` has two fill entries
//! in row k that IC(0) drops, at k − 1 + nx (through k − 1) and at
//! k + 1 − nx (through k − nx). MIC(0) subtracts ω times them from the
//! pivot instead,
//!
//! `p_k −= ω·(w_h(i)·w_v(i−1)/p_{k−1} + w_v(i)·w_h(i+1)/p_{k−nx})`,
//!
//! each term where both the path's node and the fill's node are free
//! and in the band. At ω = 1 the factor has the row sums of H(F,F) with
//! the cross-band couplings dropped (and of the shifted matrix after a
//! breakdown; tested: `M⁻¹(H·1_F) = 1_F`). On the Dirichlet Laplacian of
//! the whole grid that lowers the condition number from O(h⁻²) to O(h⁻¹)
//! (Gustafsson's bound, with a small diagonal perturbation); ω < 1 keeps the pivots away from the
//! breakdown that a shifted (indefinite) stencil reaches at ω = 1.
//! ω = 0 is IC(0). Only the inverse pivots q_k = 1/p_k
//! are stored, with q_k = 0 on the fixed variables: then every coupling
//! to a fixed neighbour drops out of the two sweeps by itself, and
//! `z = M⁻¹ r` is exactly 0 off the face whatever r holds there, so no
//! mask passes are needed around it.
//!
//! - forward, `(P + L) y = r`: `y_k = q_k·(r_k + w_h(i)·y_{k−1} + w_v(i)·y_{k−nx})`;
//! - backward, `(P + Lᵀ) z = P y`: `z_k = y_k + q_k·(w_h(i+1)·z_{k+1} + w_v(i)·z_{k+nx})`.
//!
//! Each sweep streams two n-vectors and the pivots (24 bytes per unknown);
//! it is a recurrence, so it runs on one thread per strip. **Strips**: the
//! grid's rows are cut into [`strips`] bands whose couplings across the
//! cut are dropped (block-Jacobi over IC(0) of each band), so the bands
//! factor and solve in parallel; the bands depend only on the grid, never
//! on the thread count, so neither do the results. With one band the
//! factor is IC(0) of H(F,F) itself (tested against the sparse IC(0) of
//! the reduced matrix).
//!
//! Breakdown (a pivot not finite or below `PIVOT_REL·(a_k + α·|a_k|)`) is
//! the rule of [`crate::linalg::sparse::Ic0`], written unscaled: factor
//! A + α·diag(|a_k|), α = 0 first when every free a_k > 0 (else β minus
//! the smallest a_k/|a_k|),
//! then α ← max(2α, β) with β = 1e-3, at most 40 attempts; then no factor
//! (the caller falls back).

use ndarray::{ArrayView1, ArrayViewMut1};
use rayon::prelude::*;

use super::stencil::Stencil5;
use crate::linalg::precond::Preconditioner;
use crate::linalg::sparse::{Ic0Config, IC0_PIVOT_REL as PIVOT_REL};

/// The fewest grid rows in a band.
pub(super) const MIN_BAND_ROWS: usize = 128;
/// The most bands.
const MAX_BANDS: usize = 8;

/// Bands for a grid of `ny` rows: the largest power of two at most
/// `ny / MIN_BAND_ROWS`, between 1 and 8 (powers of two share out evenly
/// over 2, 4 or 8 threads).
pub(super) fn strips(ny: usize) -> usize {
    let most = (ny / MIN_BAND_ROWS).clamp(1, MAX_BANDS);
    1 << most.ilog2()
}

/// The rows of band b of `bands` over `ny` rows (as even as possible).
fn band_rows(ny: usize, bands: usize, b: usize) -> std::ops::Range<usize> {
    (b * ny / bands)..((b + 1) * ny / bands)
}

/// IC(0) of H(F,F) ⊕ I for a 5-point stencil (module documentation).
#[derive(Debug)]
pub(super) struct StencilIc0<'a> {
    st: &'a Stencil5,
    nx: usize,
    ny: usize,
    bands: usize,
    parallel: bool,
    /// 1/p_k on the face, 0 off it.
    q: Vec<f64>,
}

impl<'a> StencilIc0<'a> {
    /// Factors the face `mask` (nonzero: free) of the stencil `st` with
    /// node curvature `nd` (empty: none) on an nx × ny grid, in `bands`
    /// bands, in parallel over bands when `parallel`, relaxed by `relax`
    /// (0: IC(0); module documentation). `None` when every shift breaks
    /// down.
    pub(super) fn factor(
        st: &'a Stencil5,
        (nx, ny): (usize, usize),
        nd: &[f64],
        mask: &[f64],
        bands: usize,
        parallel: bool,
        relax: f64,
    ) -> Option<Self> {
        let n = nx * ny;
        let bands = bands.clamp(1, MAX_BANDS);
        // The shift rule and its constants are the sparse IC(0)'s.
        let Ic0Config { beta, max_attempts } = Ic0Config::default();
        // The smallest scaled diagonal entry a_k/|a_k| (0 where a_k = 0;
        // 1 when no variable is free).
        let min_sign = (0..n)
            .filter(|&k| mask[k] != 0.0)
            .map(|k| {
                let a = diag_entry(st, nd, k % nx, k);
                if a == 0.0 {
                    0.0
                } else {
                    a.signum()
                }
            })
            .fold(1.0f64, f64::min);
        let mut alpha = if min_sign > 0.0 { 0.0 } else { beta - min_sign };
        let mut q = vec![0.0; n];
        for _ in 0..max_attempts {
            let ok = {
                let band = |b: usize, qb: &mut [f64]| {
                    factor_band(
                        st,
                        nx,
                        band_rows(ny, bands, b).start,
                        nd,
                        mask,
                        (alpha, relax),
                        qb,
                    )
                };
                let chunks = split_bands(&mut q, nx, ny, bands);
                if parallel {
                    chunks
                        .into_par_iter()
                        .take(bands)
                        .enumerate()
                        .map(|(b, qb)| band(b, qb))
                        .reduce(|| true, |a, b| a && b)
                } else {
                    chunks
                        .into_iter()
                        .take(bands)
                        .enumerate()
                        .fold(true, |acc, (b, qb)| band(b, qb) && acc)
                }
            };
            if ok {
                return Some(Self {
                    st,
                    nx,
                    ny,
                    bands,
                    parallel,
                    q,
                });
            }
            alpha = (2.0 * alpha).max(beta);
        }
        None
    }

    /// z = M⁻¹ r on slices (0 off the face).
    pub(super) fn solve(&self, r: &[f64], z: &mut [f64]) {
        let (nx, ny, bands) = (self.nx, self.ny, self.bands);
        let band = |b: usize, zb: &mut [f64]| {
            let rows = band_rows(ny, bands, b);
            let rb = &r[rows.start * nx..rows.end * nx];
            let qb = &self.q[rows.start * nx..rows.end * nx];
            forward(self.st, nx, rb, qb, zb);
            backward(self.st, nx, qb, zb);
        };
        let chunks = split_bands(z, nx, ny, bands);
        if self.parallel {
            chunks
                .into_par_iter()
                .take(bands)
                .enumerate()
                .for_each(|(b, zb)| band(b, zb));
        } else {
            chunks
                .into_iter()
                .take(bands)
                .enumerate()
                .for_each(|(b, zb)| band(b, zb));
        }
    }
}

/// The n-vector `v` cut into the parts of `bands` ≤ [`MAX_BANDS`] bands,
/// then empty slices: a fixed array, so a solve (once per CG iteration)
/// allocates nothing.
fn split_bands(v: &mut [f64], nx: usize, ny: usize, bands: usize) -> [&mut [f64]; MAX_BANDS] {
    let mut rest = v;
    std::array::from_fn(|b| {
        let len = if b < bands {
            band_rows(ny, bands, b).len() * nx
        } else {
            0
        };
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(len);
        rest = tail;
        head
    })
}

/// a_k: the stencil's diagonal at column i plus the node curvature at k
/// (`nd` empty: none).
fn diag_entry(st: &Stencil5, nd: &[f64], i: usize, k: usize) -> f64 {
    st.diag[i] + if nd.is_empty() { 0.0 } else { nd[k] }
}

/// The inverse pivots of one band starting at grid row `j0` (`q` holds
/// its rows), with the diagonal shift α and the MIC(0) relaxation ω;
/// false on a breakdown.
fn factor_band(
    st: &Stencil5,
    nx: usize,
    j0: usize,
    nd: &[f64],
    mask: &[f64],
    (alpha, relax): (f64, f64),
    q: &mut [f64],
) -> bool {
    let (wh, wv) = (&st.wh, &st.wv);
    let rows = q.len() / nx;
    for t in 0..rows {
        let k0 = (j0 + t) * nx;
        for i in 0..nx {
            let k = k0 + i;
            let local = t * nx + i;
            if mask[k] == 0.0 {
                q[local] = 0.0;
                continue;
            }
            let a = diag_entry(st, nd, i, k);
            let scale = if a == 0.0 { 1.0 } else { a.abs() };
            let shifted = a + alpha * scale;
            let mut p = shifted;
            if i > 0 {
                p -= wh[i] * wh[i] * q[local - 1];
            }
            if t > 0 {
                p -= wv[i] * wv[i] * q[local - nx];
            }
            if relax != 0.0 {
                let mut fill = 0.0;
                if i > 0 && t + 1 < rows && mask[k - 1 + nx] != 0.0 {
                    fill += wh[i] * wv[i - 1] * q[local - 1];
                }
                if t > 0 && i + 1 < nx && mask[k + 1 - nx] != 0.0 {
                    fill += wv[i] * wh[i + 1] * q[local - nx];
                }
                p -= relax * fill;
            }
            if !(p.is_finite() && p > PIVOT_REL * shifted) {
                return false;
            }
            q[local] = 1.0 / p;
        }
    }
    true
}

/// Rows swept together (see [`forward`]).
const GROUP: usize = 4;

/// `(P + L) y = r` on one band (`y` its rows).
///
/// Each row is a recurrence along the row (y_k needs y_{k−1}), so one row
/// at a time waits on the latency of every multiply-add. [`GROUP`] rows
/// go together on a skewed front instead: chain g (row t + g) is at
/// column s − g in step s, so its left neighbour is its own previous
/// value and its lower neighbour (row t + g − 1, same column) the value
/// chain g − 1 made in step s − 1, both in registers (the chains are taken
/// from the top down within a step). The chains are independent within a
/// step, and every y_k is computed from the same operands in the same
/// order as one row at a time.
#[inline]
fn forward(st: &Stencil5, nx: usize, r: &[f64], q: &[f64], y: &mut [f64]) {
    let rows = y.len() / nx;
    let mut t0 = 0;
    while t0 < rows {
        if rows - t0 >= GROUP {
            forward_rows::<GROUP>(st, nx, t0, r, q, y);
            t0 += GROUP;
        } else {
            forward_rows::<1>(st, nx, t0, r, q, y);
            t0 += 1;
        }
    }
}

/// [`forward`] on the G rows from band row `t0` (G a constant, so the
/// chains unroll and stay in registers).
#[inline(always)]
fn forward_rows<const G: usize>(
    st: &Stencil5,
    nx: usize,
    t0: usize,
    r: &[f64],
    q: &[f64],
    y: &mut [f64],
) {
    let (wh, wv) = (&st.wh[..nx], &st.wv[..nx]);
    let base = t0 * nx;
    let (done, rest) = y.split_at_mut(base);
    let below0 = done.len().checked_sub(nx).map(|b| &done[b..]);
    let mut chunks = rest[..G * nx].chunks_exact_mut(nx);
    let ys: [&mut [f64]; G] = std::array::from_fn(|_| chunks.next().unwrap_or_default());
    let rs: [&[f64]; G] = std::array::from_fn(|g| &r[base + g * nx..base + (g + 1) * nx]);
    let qs: [&[f64]; G] = std::array::from_fn(|g| &q[base + g * nx..base + (g + 1) * nx]);
    let mut left = [0.0f64; G];
    for s in 0..nx + G - 1 {
        for g in (0..G).rev() {
            if s < g || s - g >= nx {
                continue;
            }
            let i = s - g;
            let below = if g == 0 {
                below0.map_or(0.0, |b| b[i])
            } else {
                left[g - 1]
            };
            let mut v = rs[g][i] + wh[i] * left[g];
            v += wv[i] * below;
            left[g] = qs[g][i] * v;
            ys[g][i] = left[g];
        }
    }
}

/// `(P + Lᵀ) z = P y` in place on one band (`z` holds y on entry), rows
/// from the top down and each row from the right, [`GROUP`] rows on a
/// skewed front as in [`forward`] (chain g is row `top − 1 − g`; its
/// upper neighbour is chain g − 1's value of the step before).
#[inline]
fn backward(st: &Stencil5, nx: usize, q: &[f64], z: &mut [f64]) {
    let rows = z.len() / nx;
    let mut top = rows;
    while top > 0 {
        if top >= GROUP {
            backward_rows::<GROUP>(st, nx, top, q, z);
            top -= GROUP;
        } else {
            backward_rows::<1>(st, nx, top, q, z);
            top -= 1;
        }
    }
}

/// [`backward`] on the G rows below band row `top`.
#[inline(always)]
fn backward_rows<const G: usize>(st: &Stencil5, nx: usize, top: usize, q: &[f64], z: &mut [f64]) {
    let (wh, wv) = (&st.wh[1..=nx], &st.wv[..nx]);
    let lo = (top - G) * nx;
    let (head, after) = z.split_at_mut(top * nx);
    let above0 = (!after.is_empty()).then(|| &after[..nx]);
    // Chain g is row top − 1 − g: the group's rows in reverse.
    let mut chunks = head[lo..].chunks_exact_mut(nx).rev();
    let zs: [&mut [f64]; G] = std::array::from_fn(|_| chunks.next().unwrap_or_default());
    let qs: [&[f64]; G] = std::array::from_fn(|g| {
        let a = (top - 1 - g) * nx;
        &q[a..a + nx]
    });
    let mut right = [0.0f64; G];
    for s in 0..nx + G - 1 {
        for g in (0..G).rev() {
            if s < g || s - g >= nx {
                continue;
            }
            let i = nx - 1 - (s - g);
            let above = if g == 0 {
                above0.map_or(0.0, |a| a[i])
            } else {
                right[g - 1]
            };
            let mut v = wh[i] * right[g];
            v += wv[i] * above;
            right[g] = zs[g][i] + qs[g][i] * v;
            zs[g][i] = right[g];
        }
    }
}

impl Preconditioner for StencilIc0<'_> {
    fn dim(&self) -> usize {
        self.q.len()
    }
    fn apply(&self, r: ArrayView1<'_, f64>, mut z: ArrayViewMut1<'_, f64>) {
        match (r.as_slice(), z.as_slice_mut()) {
            (Some(r), Some(z)) => self.solve(r, z),
            _ => {
                let rv: Vec<f64> = r.iter().copied().collect();
                let mut zv = vec![0.0; rv.len()];
                self.solve(&rv, &mut zv);
                z.assign(&ArrayView1::from(&zv[..]));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::linalg::sparse::Ic0;
    use crate::problem::objective::Objective;
    use crate::problems::minpack2::{Element, Minpack2};
    use ndarray::Array1;
    use sprs::{CsMat, TriMat};

    /// A face freeing about 2/3 of the unknowns (`seed` varies it).
    fn face(n: usize, seed: usize) -> Vec<f64> {
        (0..n)
            .map(|k| {
                if (k * 31 + seed).is_multiple_of(3) {
                    0.0
                } else {
                    1.0
                }
            })
            .collect()
    }

    /// A fixed direction with entries of both signs.
    fn direction(n: usize) -> Vec<f64> {
        (0..n)
            .map(|k| ((k * 7919) % 1009) as f64 / 1009.0 - 0.5)
            .collect()
    }

    /// A(F,F) ⊕ I from the assembled Hessian `a` (an independent code
    /// path: the element assembly), plus `extra` on the diagonal, with the
    /// couplings between grid rows of different bands dropped.
    fn reduced(
        a: &CsMat<f64>,
        extra: &[f64],
        mask: &[f64],
        nx: usize,
        band_of: &dyn Fn(usize) -> usize,
    ) -> CsMat<f64> {
        let n = a.rows();
        let mut t = TriMat::new((n, n));
        for (r, row) in a.outer_iterator().enumerate() {
            if mask[r] == 0.0 {
                t.add_triplet(r, r, 1.0);
                continue;
            }
            for (c, &v) in row.iter() {
                if mask[c] != 0.0 && band_of(r / nx) == band_of(c / nx) {
                    t.add_triplet(r, c, v + if r == c { extra[r] } else { 0.0 });
                }
            }
        }
        t.to_csr()
    }

    /// M⁻¹r of the stencil IC(0) against the sparse IC(0) of the reduced
    /// matrix (with the same bands cut), 1e-11 relative; z = 0 off the face.
    fn agrees<E: Element>(p: &Minpack2<E>, extra: f64, bands: usize, parallel: bool) {
        let (nx, ny) = (p.geo.nx, p.geo.ny);
        let n = nx * ny;
        let x = p.start();
        let mut h = p.hessian(x.view());
        let add: Vec<f64> = (0..n).map(|k| extra * (1.0 + (k % 5) as f64)).collect();
        if extra != 0.0 {
            if h.node_diag.is_empty() {
                h.node_diag = vec![0.0; n];
            }
            for (d, a) in h.node_diag.iter_mut().zip(&add) {
                *d += a;
            }
        }
        let st = h.stencil.as_ref().expect("a 5-point problem");
        let band_of = |j: usize| {
            (0..bands)
                .find(|&b| band_rows(ny, bands, b).contains(&j))
                .unwrap()
        };
        for seed in [1, 2] {
            let mask = face(n, seed);
            let mine = StencilIc0::factor(st, (nx, ny), &h.node_diag, &mask, bands, parallel, 0.0)
                .expect("a factor");
            let a = reduced(&p.hessian_matrix(x.view()), &add, &mask, nx, &band_of);
            let oracle = Ic0::new(&a).expect("the sparse factor");
            let r = direction(n);
            let (mut z1, mut z2) = (Array1::from_elem(n, f64::NAN), Array1::zeros(n));
            mine.apply(ArrayView1::from(&r[..]), z1.view_mut());
            oracle.apply(ArrayView1::from(&r[..]), z2.view_mut());
            let scale = z2.iter().fold(0.0f64, |m, z| m.max(z.abs()));
            let what = format!(
                "{} {nx}x{ny} extra {extra} bands {bands} seed {seed}",
                p.elem.name()
            );
            assert!(scale > 0.0, "{what}");
            for k in 0..n {
                if mask[k] == 0.0 {
                    assert_eq!(z1[k], 0.0, "{what}: z[{k}] off the face");
                } else {
                    assert!(
                        (z1[k] - z2[k]).abs() <= 1e-11 * scale,
                        "{what}: z[{k}] = {} vs {}",
                        z1[k],
                        z2[k]
                    );
                }
            }
        }
    }

    /// MIC(0) at ω = 1 has the row sums of the reduced matrix (with the
    /// cross-band couplings dropped): M·1_F = A(F,F)·1_F, so M⁻¹ applied
    /// to A(F,F)·1_F gives 1_F back (and 0 off the face). EPT and PJB
    /// (M-matrices, where no shift is needed), 1, 2 and 4 bands.
    #[test]
    fn unrelaxed_mic0_keeps_the_row_sums_of_the_reduced_matrix() {
        for (nx, ny) in [(1, 1), (1, 6), (6, 1), (3, 4), (9, 8), (40, 30)] {
            keeps_row_sums(&Minpack2::ept(nx, ny).unwrap());
            keeps_row_sums(&Minpack2::pjb(nx, ny).unwrap());
        }
    }

    /// The check of `unrelaxed_mic0_keeps_the_row_sums_of_the_reduced_matrix`
    /// on one problem.
    fn keeps_row_sums<E: Element>(p: &Minpack2<E>) {
        let (nx, ny) = (p.geo.nx, p.geo.ny);
        let n = nx * ny;
        let x = p.start();
        let h = p.hessian(x.view());
        let st = h.stencil.as_ref().expect("a 5-point problem");
        for bands in [1, 2, 4].into_iter().filter(|&b| b <= ny) {
            let band_of = |j: usize| {
                (0..bands)
                    .find(|&b| band_rows(ny, bands, b).contains(&j))
                    .unwrap()
            };
            for seed in [1, 2] {
                let mask = face(n, seed);
                let f = StencilIc0::factor(st, (nx, ny), &h.node_diag, &mask, bands, false, 1.0)
                    .expect("a factor");
                let zero = vec![0.0; n];
                let a = reduced(&p.hessian_matrix(x.view()), &zero, &mask, nx, &band_of);
                // b = A(F,F)·1_F (rows off the face: 0).
                let mut b = vec![0.0; n];
                for (r, row) in a.outer_iterator().enumerate() {
                    if mask[r] != 0.0 {
                        b[r] = row.iter().map(|(c, &v)| v * mask[c]).sum();
                    }
                }
                let mut z = vec![f64::NAN; n];
                f.solve(&b, &mut z);
                let what = format!("{} {nx}x{ny} bands {bands} seed {seed}", p.elem.name());
                for k in 0..n {
                    assert!(
                        (z[k] - mask[k]).abs() <= 1e-10,
                        "{what}: z[{k}] = {} against {}",
                        z[k],
                        mask[k]
                    );
                }
                // IC(0) does not keep them (the test can tell).
                if nx >= 9 {
                    let ic =
                        StencilIc0::factor(st, (nx, ny), &h.node_diag, &mask, bands, false, 0.0)
                            .unwrap();
                    ic.solve(&b, &mut z);
                    let worst = (0..n).map(|k| (z[k] - mask[k]).abs()).fold(0.0, f64::max);
                    assert!(worst > 1e-3, "{what}: IC(0) worst {worst}");
                }
            }
        }
    }

    /// ω between 0 and 1 interpolates the fill subtracted from the pivots:
    /// every pivot of MIC(0) at ω is at most IC(0)'s and at least
    /// MIC(0)'s at 1 (the fill terms are ≥ 0 on these stencils), each is
    /// the module's formula with ω on both fill terms, and all are
    /// positive (so the factor is SPD).
    #[test]
    fn relaxed_pivots_lie_between_ic0_and_mic0() {
        let p = Minpack2::pjb(25, 17).unwrap();
        let (nx, ny) = (25, 17);
        let n = nx * ny;
        let x = p.start();
        let h = p.hessian(x.view());
        let st = h.stencil.as_ref().unwrap();
        assert!(h.node_diag.is_empty(), "PJB's Hessian is its stencil");
        let mask = face(n, 1);
        let q =
            |w: f64| StencilIc0::factor(st, (nx, ny), &h.node_diag, &mask, 1, false, w).unwrap();
        let (q0, qh, q1) = (q(0.0), q(0.95), q(1.0));
        for k in 0..n {
            // Inverse pivots: larger pivot, smaller q.
            assert!(q0.q[k] <= qh.q[k] && qh.q[k] <= q1.q[k], "k {k}");
        }
        assert!((0..n).any(|k| q0.q[k] < qh.q[k]));
        // ω scales both fill terms: each pivot from its neighbours' by the
        // module's formula (with both terms present at interior nodes).
        let w = 0.95;
        let mut both = 0;
        for k in 0..n {
            let (i, j) = (k % nx, k / nx);
            if mask[k] == 0.0 {
                assert_eq!(qh.q[k], 0.0);
                continue;
            }
            // SPD: every pivot on the face is positive.
            assert!(qh.q[k] > 0.0);
            let (wh, wv) = (&st.wh, &st.wv);
            let left = if i > 0 { qh.q[k - 1] } else { 0.0 };
            let below = if j > 0 { qh.q[k - nx] } else { 0.0 };
            let fill_up = if i > 0 && j + 1 < ny && mask[k - 1 + nx] != 0.0 {
                wh[i] * wv[i - 1] * left
            } else {
                0.0
            };
            let fill_down = if j > 0 && i + 1 < nx && mask[k + 1 - nx] != 0.0 {
                wv[i] * wh[i + 1] * below
            } else {
                0.0
            };
            if fill_up > 0.0 && fill_down > 0.0 {
                both += 1;
            }
            let p = st.diag[i]
                - wh[i] * wh[i] * left
                - wv[i] * wv[i] * below
                - w * (fill_up + fill_down);
            assert!(
                (1.0 / qh.q[k] - p).abs() <= 1e-12 * p.abs(),
                "k {k}: {} against {p}",
                1.0 / qh.q[k]
            );
        }
        assert!(both > 10, "{both} nodes with both fill terms");
        let r = direction(n);
        let mut z = vec![0.0; n];
        qh.solve(&r, &mut z);
        let rz: f64 = r.iter().zip(&z).map(|(r, z)| r * z).sum();
        assert!(rz > 0.0);
    }

    #[test]
    fn one_band_is_the_sparse_ic0_of_the_reduced_matrix() {
        for (nx, ny) in [(1, 1), (1, 5), (5, 1), (2, 3), (4, 4), (7, 9), (30, 20)] {
            agrees(&Minpack2::ept(nx, ny).unwrap(), 0.0, 1, false);
            agrees(&Minpack2::pjb(nx, ny).unwrap(), 0.0, 1, false);
            agrees(&Minpack2::ssc(nx, ny).unwrap(), 0.0, 1, false);
        }
    }

    #[test]
    fn bands_are_block_jacobi_over_the_bands_ic0() {
        for (nx, ny, bands) in [(6, 8, 2), (9, 13, 4), (5, 16, 8), (3, 8, 8)] {
            for parallel in [false, true] {
                agrees(&Minpack2::pjb(nx, ny).unwrap(), 0.0, bands, parallel);
                agrees(&Minpack2::ssc(nx, ny).unwrap(), 0.0, bands, parallel);
            }
        }
    }

    #[test]
    fn negative_curvature_takes_the_shifted_factor_of_the_sparse_rule() {
        // A node curvature that makes some diagonal entries negative: both
        // factors shift by the same rule and must agree.
        for (nx, ny) in [(4, 4), (10, 7)] {
            let p = Minpack2::ept(nx, ny).unwrap();
            let h = p.hessian(p.start().view());
            let d0 = h.stencil.as_ref().unwrap().diag[0];
            agrees(&p, -0.4 * d0, 1, false);
            agrees(&p, -0.1 * d0, 2.min(ny), false);
        }
    }

    #[test]
    fn the_results_do_not_depend_on_threads() {
        let p = Minpack2::pjb(60, 300).unwrap();
        let (nx, ny) = (60, 300);
        let h = p.hessian(p.start().view());
        let st = h.stencil.as_ref().unwrap();
        let mask = face(nx * ny, 1);
        let bands = strips(ny);
        assert_eq!(bands, 2);
        let r = direction(nx * ny);
        let run = |parallel: bool| {
            let f = StencilIc0::factor(st, (nx, ny), &h.node_diag, &mask, bands, parallel, 0.0)
                .unwrap();
            let mut z = vec![f64::NAN; nx * ny];
            f.solve(&r, &mut z);
            (f.q.clone(), z)
        };
        let seq = run(false);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| run(true)), seq);
    }

    #[test]
    fn grouped_sweeps_are_the_row_by_row_sweeps_bit_for_bit() {
        for (nx, ny) in [(1, 1), (3, 5), (8, 4), (13, 11), (40, 9)] {
            let p = Minpack2::pjb(nx, ny).unwrap();
            let h = p.hessian(p.start().view());
            let st = h.stencil.as_ref().unwrap();
            let mask = face(nx * ny, 2);
            let f = StencilIc0::factor(st, (nx, ny), &[], &mask, 1, false, 0.0).unwrap();
            let r = direction(nx * ny);
            let mut grouped = vec![f64::NAN; nx * ny];
            forward(st, nx, &r, &f.q, &mut grouped);
            let mut single = vec![f64::NAN; nx * ny];
            for t in 0..ny {
                forward_rows::<1>(st, nx, t, &r, &f.q, &mut single);
            }
            assert_eq!(grouped, single, "forward {nx}x{ny}");
            backward(st, nx, &f.q, &mut grouped);
            for top in (1..=ny).rev() {
                backward_rows::<1>(st, nx, top, &f.q, &mut single);
            }
            assert_eq!(grouped, single, "backward {nx}x{ny}");
        }
    }

    #[test]
    fn bands_follow_the_grid_height() {
        assert_eq!(strips(1), 1);
        assert_eq!(strips(255), 1);
        assert_eq!(strips(256), 2);
        assert_eq!(strips(500), 2);
        assert_eq!(strips(1000), 4);
        assert_eq!(strips(3162), 8);
        for (ny, b) in [(7, 3), (1000, 4), (13, 8)] {
            let total: usize = (0..b).map(|i| band_rows(ny, b, i).len()).sum();
            assert_eq!(total, ny);
        }
    }

    #[test]
    fn an_indefinite_face_at_every_shift_gives_no_factor() {
        // Diagonal −∞-like: every attempt breaks down (NaN pivots).
        let p = Minpack2::ept(3, 3).unwrap();
        let h = p.hessian(p.start().view());
        let st = h.stencil.as_ref().unwrap();
        let nd = vec![f64::NAN; 9];
        assert!(StencilIc0::factor(st, (3, 3), &nd, &[1.0; 9], 1, false, 0.0).is_none());
    }
}
