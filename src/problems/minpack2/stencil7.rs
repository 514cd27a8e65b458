//! The product with an x-dependent MINPACK-2 Hessian (MSA, ODC) as a
//! 7-point node stencil.
//!
//! A lower triangle of cell (i, s) has vertices P00 = (i, s), P10 =
//! (i+1, s), P01 = (i, s+1) and slopes a = (v10 − v00)/hx,
//! b = (v01 − v00)/hy; its Hessian `(h_aa, h_ab, h_bb)` in (a, b) gives the
//! vertex matrix `h_aa·ααᵀ + h_ab·(αβᵀ + βαᵀ) + h_bb·ββᵀ` with
//! α = (−1/hx, 1/hx, 0), β = (−1/hy, 0, 1/hy). An upper triangle has
//! vertices P11 = (i+1, s+1), P01, P10, a = (v11 − v01)/hx,
//! b = (v11 − v10)/hy, so α = (1/hx, −1/hx, 0) and β = (1/hy, 0, −1/hy)
//! over (P11, P01, P10). Summing these over the six triangles at an
//! interior node (p, q), with L and U the lower and upper triangle of a
//! cell, rx = 1/hx, ry = 1/hy:
//!
//! - centre: `L(p,q)` as P00 (`aa·rx² + 2·ab·rx·ry + bb·ry²`), `L(p−1,q)` as
//!   P10 (`aa·rx²`), `L(p,q−1)` as P01 (`bb·ry²`), `U(p−1,q−1)` as P11 (as
//!   P00), `U(p,q−1)` as P01 (`aa·rx²`), `U(p−1,q)` as P10 (`bb·ry²`), plus
//!   the node curvature ν″;
//! - east, to (p+1, q): `−(aa·rx² + ab·rx·ry)` of `L(p,q)` and of `U(p,q−1)`;
//! - north, to (p, q+1): `−(ab·rx·ry + bb·ry²)` of `L(p,q)` and of `U(p−1,q)`;
//! - north-west, to (p−1, q+1), the diagonal of cell (p−1, q):
//!   `ab·rx·ry` of `L(p−1,q)` and of `U(p−1,q)`.
//!
//! Couplings to boundary nodes are dropped (v = 0 there). Stored per
//! unknown k: the centre c, east e, north n and north-west w, so
//!
//! `(Hv)_k = c_k·v_k + e_k·v_{k+1} + e_{k−1}·v_{k−1} + n_k·v_{k+nx} + n_{k−nx}·v_{k−nx} + w_k·v_{k+nx−1} + w_{k−nx+1}·v_{k−nx+1}`.
//!
//! The product streams v, the four coefficients and y (48 bytes per
//! unknown, where the element loop streams 64 and gathers and scatters six
//! values per cell) in loops without a carried dependency. It equals the
//! element loop's product up to rounding (the same terms, summed in another
//! order). The stencil is built and applied in parallel over the element
//! loop's blocks of rows, each row on its own, so neither depends on the
//! thread count.

use rayon::prelude::*;

use super::grid::mask_row;
use super::{Element, Minpack2};

/// The 7-point node stencil of a MINPACK-2 Hessian at a point (module
/// documentation), one entry per unknown in each array.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Stencil7 {
    /// Centre.
    c: Vec<f64>,
    /// Coupling to the east neighbour (0 on the last column).
    e: Vec<f64>,
    /// Coupling to the north neighbour (0 on the top row).
    n: Vec<f64>,
    /// Coupling to the north-west neighbour (0 on the first column and the
    /// top row).
    w: Vec<f64>,
}

/// The three entries of the lower (`upper = false`) or upper triangle of
/// cell i in a strip's element Hessians.
#[inline(always)]
fn tri(strip: &[f64], i: usize, upper: bool) -> (f64, f64, f64) {
    let q = 6 * i + if upper { 3 } else { 0 };
    (strip[q], strip[q + 1], strip[q + 2])
}

impl Stencil7 {
    /// The stencil of `p`'s Hessian at x, with the node curvature `nd`
    /// (empty: none).
    pub(super) fn new<E: Element>(p: &Minpack2<E>, x: &[f64], nd: &[f64]) -> Self {
        let (nx, ny, br) = (p.geo.nx, p.geo.ny, p.block_rows);
        let n = nx * ny;
        let mut st = Self {
            c: vec![0.0; n],
            e: vec![0.0; n],
            n: vec![0.0; n],
            w: vec![0.0; n],
        };
        let (rx, ry) = (1.0 / p.geo.hx, 1.0 / p.geo.hy);
        let (rx2, ry2, rxy) = (rx * rx, ry * ry, rx * ry);
        let slen = 6 * (nx + 1);
        // Rows j = b·br .. of block b: interior row j (padded q = j + 1)
        // needs strips q − 1 = j and q = j + 1, kept in two buffers.
        let block = |b: usize, c: &mut [f64], e: &mut [f64], nn: &mut [f64], w: &mut [f64]| {
            let mut below = vec![0.0; slen];
            let mut above = vec![0.0; slen];
            let j0 = b * br;
            p.strip_hessians(x, j0, &mut below);
            let rows = c
                .chunks_exact_mut(nx)
                .zip(e.chunks_exact_mut(nx))
                .zip(nn.chunks_exact_mut(nx).zip(w.chunks_exact_mut(nx)));
            for (t, ((c, e), (nn, w))) in rows.enumerate() {
                let j = j0 + t;
                p.strip_hessians(x, j + 1, &mut above);
                let top = j + 1 == ny;
                for i in 0..nx {
                    let pc = i + 1; // padded column p
                    let l = tri(&above, pc, false); // L(p, q)
                    let lw = tri(&above, pc - 1, false); // L(p−1, q)
                    let ls = tri(&below, pc, false); // L(p, q−1)
                    let usw = tri(&below, pc - 1, true); // U(p−1, q−1)
                    let us = tri(&below, pc, true); // U(p, q−1)
                    let uw = tri(&above, pc - 1, true); // U(p−1, q)
                    let corner = |h: (f64, f64, f64)| h.0 * rx2 + 2.0 * h.1 * rxy + h.2 * ry2;
                    c[i] =
                        corner(l) + lw.0 * rx2 + ls.2 * ry2 + corner(usw) + us.0 * rx2 + uw.2 * ry2;
                    e[i] = if i + 1 < nx {
                        -(l.0 * rx2 + l.1 * rxy) - (us.0 * rx2 + us.1 * rxy)
                    } else {
                        0.0
                    };
                    nn[i] = if top {
                        0.0
                    } else {
                        -(l.1 * rxy + l.2 * ry2) - (uw.1 * rxy + uw.2 * ry2)
                    };
                    w[i] = if top || i == 0 {
                        0.0
                    } else {
                        (lw.1 + uw.1) * rxy
                    };
                }
                if !nd.is_empty() {
                    for (c, &d) in c.iter_mut().zip(&nd[j * nx..(j + 1) * nx]) {
                        *c += d;
                    }
                }
                std::mem::swap(&mut below, &mut above);
            }
        };
        let len = br * nx;
        let Self { c, e, n: nn, w } = &mut st;
        if p.parallel_blocks() {
            (
                c.par_chunks_mut(len),
                e.par_chunks_mut(len),
                nn.par_chunks_mut(len),
                w.par_chunks_mut(len),
            )
                .into_par_iter()
                .enumerate()
                .for_each(|(b, (c, e, nn, w))| block(b, c, e, nn, w));
        } else {
            c.chunks_mut(len)
                .zip(e.chunks_mut(len))
                .zip(nn.chunks_mut(len).zip(w.chunks_mut(len)))
                .enumerate()
                .for_each(|(b, ((c, e), (nn, w)))| block(b, c, e, nn, w));
        }
        st
    }

    /// y = H·v, or y = D·H·v with D = diag(`mask`) when it is given (each
    /// row masked as it is written, [`mask_row`]).
    pub(super) fn apply<E: Element>(
        &self,
        p: &Minpack2<E>,
        v: &[f64],
        mask: Option<&[f64]>,
        y: &mut [f64],
    ) {
        let (nx, ny, br) = (p.geo.nx, p.geo.ny, p.block_rows);
        let zeros = &p.zeros[..];
        let block = |b: usize, out: &mut [f64]| {
            for (t, yr) in out.chunks_exact_mut(nx).enumerate() {
                let j = b * br + t;
                let r = j * nx..(j + 1) * nx;
                let (down, nd, wd) = if j == 0 {
                    (zeros, zeros, zeros)
                } else {
                    let rd = (j - 1) * nx..j * nx;
                    (&v[rd.clone()], &self.n[rd.clone()], &self.w[rd])
                };
                let up = if j + 1 == ny {
                    zeros
                } else {
                    &v[(j + 1) * nx..(j + 2) * nx]
                };
                let rows = Rows {
                    v: &v[r.clone()],
                    down,
                    up,
                    c: &self.c[r.clone()],
                    e: &self.e[r.clone()],
                    n: &self.n[r.clone()],
                    w: &self.w[r],
                    nd,
                    wd,
                };
                rows.product(yr);
                if let Some(m) = mask {
                    mask_row(&m[j * nx..(j + 1) * nx], yr);
                }
            }
        };
        p.for_row_blocks(y, block);
    }
}

/// One grid row's data for the product: v on the row and the rows below
/// and above (zeros at the boundary), the row's coefficients, and the north
/// and north-west couplings of the row below (`nd`, `wd`; zeros on the
/// first row).
struct Rows<'a> {
    v: &'a [f64],
    down: &'a [f64],
    up: &'a [f64],
    c: &'a [f64],
    e: &'a [f64],
    n: &'a [f64],
    w: &'a [f64],
    nd: &'a [f64],
    wd: &'a [f64],
}

impl Rows<'_> {
    /// y = the row of H·v.
    #[inline(always)]
    fn product(&self, y: &mut [f64]) {
        let nx = self.v.len();
        let (v, dn, up, c, n, nd) = (
            &self.v[..nx],
            &self.down[..nx],
            &self.up[..nx],
            &self.c[..nx],
            &self.n[..nx],
            &self.nd[..nx],
        );
        let y = &mut y[..nx];
        // Centre and vertical neighbours.
        for i in 0..nx {
            y[i] = c[i] * v[i] + n[i] * up[i] + nd[i] * dn[i];
        }
        if nx == 1 {
            return;
        }
        // East/west and the diagonal: pairs (i, i+1) for i < nx − 1.
        let m = nx - 1;
        let (e, w, wd) = (&self.e[..m], &self.w[1..nx], &self.wd[1..nx]);
        let (vl, vr) = (&v[..m], &v[1..nx]);
        let (upl, dnr) = (&up[..m], &dn[1..nx]);
        {
            let yl = &mut y[..m];
            for i in 0..m {
                // Node i: east neighbour i+1, south-east neighbour (i+1, j−1).
                yl[i] += e[i] * vr[i] + wd[i] * dnr[i];
            }
        }
        let yr = &mut y[1..nx];
        for i in 0..m {
            // Node i+1: west neighbour i, north-west neighbour (i, j+1).
            yr[i] += e[i] * vl[i] + w[i] * upl[i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::par::Par;
    use crate::problem::objective::Objective;

    /// The stencil's product against the element loop's over the stored
    /// element Hessians at the same point, away from the start so that the
    /// element Hessians differ from cell to cell.
    fn agrees<E: Element>(p: &Minpack2<E>) {
        let x: Vec<f64> = p
            .start()
            .iter()
            .enumerate()
            .map(|(k, &s)| s + 0.3 * (((k * 104_729) % 997) as f64 / 997.0 - 0.5))
            .collect();
        let h = p.hessian(ndarray::ArrayView1::from(&x[..]));
        assert!(h.stencil7.is_some(), "{}: no stencil", p.elem.name());
        h.assert_product_is_the_element_loops();
    }

    #[test]
    fn stencil7_product_equals_the_element_loop() {
        for (nx, ny) in [(1, 1), (1, 6), (6, 1), (2, 2), (7, 4), (40, 33), (300, 300)] {
            agrees(&Minpack2::msa(nx, ny).unwrap());
            agrees(&Minpack2::msa(nx, ny).unwrap().with_par(Par::Seq));
            agrees(&Minpack2::odc(nx, ny).unwrap());
        }
    }

    /// Built and applied in parallel, the stencil is the same bit for bit
    /// as sequentially.
    #[test]
    fn stencil7_is_the_same_for_both_pars() {
        let p = Minpack2::msa(300, 300).unwrap();
        let q = Minpack2::msa(300, 300).unwrap().with_par(Par::Seq);
        let x = p.start();
        let (a, b) = (p.hessian(x.view()), q.hessian(x.view()));
        assert_eq!(a.stencil7, b.stencil7);
        let v: Vec<f64> = (0..p.n()).map(|k| (k % 13) as f64 - 6.0).collect();
        let (mut y1, mut y2) = (vec![0.0; p.n()], vec![0.0; p.n()]);
        a.apply_slices(&v, None, &mut y1);
        b.apply_slices(&v, None, &mut y2);
        assert_eq!(y1, y2);
    }
}
