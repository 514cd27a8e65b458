//! The product with a constant MINPACK-2 Hessian as a 5-point stencil.
//!
//! For the quadratic elements (EPT, PJB, SSC: `Element::CONST_HESS`) every
//! triangle's Hessian in its slopes (a, b) is diagonal, `(t_aa, 0, t_bb)`,
//! so the triangles' energy is a sum over grid edges of
//! `½·w_e·(v_p − v_q)²`: a horizontal edge between padded columns c and
//! c+1 of a row gets `w_h(c) = (t_aa(lower, c) + t_aa(upper, c+1))/hx²`
//! from the lower triangle of the cell above it and the upper triangle of
//! the cell below it, and a vertical edge on padded column c gets
//! `w_v(c) = (t_bb(lower, c) + t_bb(upper, c))/hy²` from the two triangles
//! of its strip that share it. The weights depend on the column only (on
//! PJB's per-column triangle weights), so the Hessian is
//!
//! `(Hv)_k = d_i·v_k − w_h(i−1)·v_{k−1} − w_h(i)·v_{k+1} − w_v(i)·(v_{k−nx} + v_{k+nx}) + ν″_k·v_k`
//!
//! at padded column i, with `d_i = w_h(i−1) + w_h(i) + 2·w_v(i)`, v = 0 on
//! the boundary and ν″ the node curvature (SSC). The product reads v and
//! writes y once (16 bytes per unknown, 24 with ν″) in a loop without a
//! carried dependency, where the element loop gathers and scatters six
//! values per cell. It equals the element loop's product up to rounding
//! (the same terms, summed in another order); rows run in parallel over the
//! element loop's blocks, so the result does not depend on the thread
//! count.

use super::grid::mask_row;
use super::{Element, Minpack2};

/// The edge weights of a constant MINPACK-2 Hessian (module documentation).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Stencil5 {
    /// `w_h(c)` for padded columns c = 0..=nx (edge c — c+1).
    pub(super) wh: Vec<f64>,
    /// `w_v(c)` for interior columns, index c − 1 (c = 1..=nx).
    pub(super) wv: Vec<f64>,
    /// `d_c` for interior columns, index c − 1.
    pub(super) diag: Vec<f64>,
}

impl Stencil5 {
    /// The stencil of `p`'s Hessian, or `None` when the element Hessians
    /// depend on x or couple a and b (then the product stays the element
    /// loop).
    pub(super) fn new<E: Element>(p: &Minpack2<E>) -> Option<Self> {
        if !E::CONST_HESS {
            return None;
        }
        let nx = p.geo.nx;
        let (rx2, ry2) = (1.0 / (p.geo.hx * p.geo.hx), 1.0 / (p.geo.hy * p.geo.hy));
        let lower = |c: usize| p.elem.tri_hess(false, c, 0.0, 0.0);
        let upper = |c: usize| p.elem.tri_hess(true, c, 0.0, 0.0);
        // Lower triangles have col 0..=nx, upper ones 1..=nx+1.
        let coupled = (0..=nx).any(|c| lower(c).1 != 0.0 || upper(c + 1).1 != 0.0);
        if coupled {
            return None;
        }
        let wh: Vec<f64> = (0..=nx)
            .map(|c| rx2 * (lower(c).0 + upper(c + 1).0))
            .collect();
        let wv: Vec<f64> = (1..=nx).map(|c| ry2 * (lower(c).2 + upper(c).2)).collect();
        let diag = (0..nx).map(|i| wh[i] + wh[i + 1] + 2.0 * wv[i]).collect();
        Some(Self { wh, wv, diag })
    }

    /// y = H·v with the node curvature `nd` (empty: none), or y = D·H·v
    /// with D = diag(`mask`) when it is given (each row masked as it is
    /// written, [`mask_row`]).
    pub(super) fn apply<E: Element>(
        &self,
        p: &Minpack2<E>,
        v: &[f64],
        nd: &[f64],
        mask: Option<&[f64]>,
        y: &mut [f64],
    ) {
        let (nx, ny, br) = (p.geo.nx, p.geo.ny, p.block_rows);
        let block = |b: usize, out: &mut [f64]| {
            for (t, yr) in out.chunks_exact_mut(nx).enumerate() {
                let j = b * br + t;
                let row = |r: usize| &v[r * nx..(r + 1) * nx];
                let down = if j == 0 { &p.zeros[..] } else { row(j - 1) };
                let up = if j + 1 == ny {
                    &p.zeros[..]
                } else {
                    row(j + 1)
                };
                let ndr = if nd.is_empty() {
                    None
                } else {
                    Some(&nd[j * nx..(j + 1) * nx])
                };
                self.row(row(j), down, up, ndr, yr);
                if let Some(m) = mask {
                    mask_row(&m[j * nx..(j + 1) * nx], yr);
                }
            }
        };
        p.for_row_blocks(y, block);
    }

    /// One grid row: `c` the row of v, `down`/`up` the rows below and above
    /// (zeros at the boundary), `nd` the row's node curvature.
    #[inline(always)]
    fn row(&self, c: &[f64], down: &[f64], up: &[f64], nd: Option<&[f64]>, y: &mut [f64]) {
        let nx = c.len();
        let (d, wv) = (&self.diag[..nx], &self.wv[..nx]);
        let (wl, wr) = (&self.wh[..nx], &self.wh[1..=nx]);
        let (down, up, y) = (&down[..nx], &up[..nx], &mut y[..nx]);
        let vert = |i: usize| d[i] * c[i] - wv[i] * (down[i] + up[i]);
        if nx == 1 {
            y[0] = vert(0);
        } else {
            y[0] = vert(0) - wr[0] * c[1];
            for i in 1..nx - 1 {
                y[i] = vert(i) - wl[i] * c[i - 1] - wr[i] * c[i + 1];
            }
            y[nx - 1] = vert(nx - 1) - wl[nx - 1] * c[nx - 2];
        }
        if let Some(nd) = nd {
            for ((y, &n), &c) in y.iter_mut().zip(&nd[..nx]).zip(c) {
                *y += n * c;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::par::Par;
    use crate::problem::objective::Objective;

    /// The stencil's product against the element loop's on the same
    /// Hessian (the stencil taken away), for the three quadratic elements,
    /// grids with one row or column, and both `Par`s.
    fn agrees<E: Element>(p: &Minpack2<E>) {
        let x = p.start();
        let h = p.hessian(x.view());
        assert!(h.stencil.is_some(), "{}: no stencil", p.elem.name());
        h.assert_product_is_the_element_loops();
    }

    #[test]
    fn stencil_product_equals_the_element_loop() {
        for (nx, ny) in [(1, 1), (1, 6), (6, 1), (7, 4), (40, 33), (300, 300)] {
            agrees(&Minpack2::ept(nx, ny).unwrap());
            agrees(&Minpack2::pjb(nx, ny).unwrap());
            agrees(&Minpack2::ssc(nx, ny).unwrap());
            agrees(&Minpack2::ssc(nx, ny).unwrap().with_par(Par::Seq));
        }
    }

    /// The coupled and x-dependent elements keep the element loop.
    #[test]
    fn no_stencil_for_msa_and_odc() {
        let p = Minpack2::msa(5, 5).unwrap();
        assert!(Stencil5::new(&p).is_none());
        let p = Minpack2::odc(5, 5).unwrap();
        assert!(Stencil5::new(&p).is_none());
    }
}
