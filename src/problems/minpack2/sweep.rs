//! The element loop: value, gradient and Hessian-vector products as one
//! sweep over the triangles of the grid, strip by strip, in parallel over
//! blocks of rows with ghost rows added in block order (see the
//! [module docs](super)).

use rayon::prelude::*;

use super::grid::{Row, MIN_BLOCK};
use super::{Element, Minpack2};
use crate::linalg::par::Par;

impl<E: Element> Minpack2<E> {
    /// One strip of cells between padded rows s and s+1: accumulates into
    /// `out_lo` (row s, `+=`) and assigns `out_hi` (row s+1, `=`); returns
    /// the sum of the triangles' values. `f(s, upper, col, a, b, da, db)`
    /// returns (value, sa, sb), the vector scattered as a gradient.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn strip<F>(
        &self,
        s: usize,
        xlo: Row<'_>,
        xhi: Row<'_>,
        dlo: Row<'_>,
        dhi: Row<'_>,
        out_lo: &mut [f64],
        out_hi: &mut [f64],
        f: &F,
    ) -> f64
    where
        F: Fn(usize, bool, usize, f64, f64, f64, f64) -> (f64, f64, f64),
    {
        let nx = self.geo.nx;
        let (rx, ry) = (1.0 / self.geo.hx, 1.0 / self.geo.hy);
        // Cell i with corners (i,s), (i+1,s), (i,s+1), (i+1,s+1): returns
        // the value and the scatter to the four corners (g00, g10, g01, g11).
        #[inline(always)]
        fn cell<F>(f: &F, s: usize, i: usize, r: (f64, f64), x: [f64; 4], d: [f64; 4]) -> [f64; 5]
        where
            F: Fn(usize, bool, usize, f64, f64, f64, f64) -> (f64, f64, f64),
        {
            let (rx, ry) = r;
            let [x00, x10, x01, x11] = x;
            let [d00, d10, d01, d11] = d;
            // Lower triangle (i,s), (i+1,s), (i,s+1).
            let (v1, sa, sb) = f(
                s,
                false,
                i,
                (x10 - x00) * rx,
                (x01 - x00) * ry,
                (d10 - d00) * rx,
                (d01 - d00) * ry,
            );
            let (ga, gb) = (sa * rx, sb * ry);
            // Upper triangle (i+1,s+1), (i,s+1), (i+1,s).
            let (v2, ta, tb) = f(
                s,
                true,
                i + 1,
                (x11 - x01) * rx,
                (x11 - x10) * ry,
                (d11 - d01) * rx,
                (d11 - d10) * ry,
            );
            let (ha, hb) = (ta * rx, tb * ry);
            [v1 + v2, -(ga + gb), ga - hb, gb - ha, ha + hb]
        }
        let r = (rx, ry);
        // Cell 0: its left corners are boundary nodes.
        let (x0, d0) = if nx > 0 {
            ((xlo.mid[0], xhi.mid[0]), (dlo.mid[0], dhi.mid[0]))
        } else {
            ((xlo.last, xhi.last), (dlo.last, dhi.last))
        };
        let c = cell(
            f,
            s,
            0,
            r,
            [xlo.first, x0.0, xhi.first, x0.1],
            [dlo.first, d0.0, dhi.first, d0.1],
        );
        let mut val = c[0];
        let (mut acc_lo, mut acc_hi) = (c[2], c[4]);
        let (mut x00, mut x01, mut d00, mut d01) = (x0.0, x0.1, d0.0, d0.1);
        // Cells 1..nx: interior right corners; column i−1 of the output
        // (0-based) is complete after cell i.
        let interior = xlo.mid[1..]
            .iter()
            .zip(&xhi.mid[1..])
            .zip(dlo.mid[1..].iter().zip(&dhi.mid[1..]))
            .zip(out_lo[..nx - 1].iter_mut().zip(out_hi[..nx - 1].iter_mut()));
        for (i, (((&x10, &x11), (&d10, &d11)), (ol, oh))) in interior.enumerate() {
            let c = cell(f, s, i + 1, r, [x00, x10, x01, x11], [d00, d10, d01, d11]);
            val += c[0];
            *ol += acc_lo + c[1];
            *oh = acc_hi + c[3];
            acc_lo = c[2];
            acc_hi = c[4];
            (x00, x01, d00, d01) = (x10, x11, d10, d11);
        }
        // Cell nx: its right corners are boundary nodes.
        let c = cell(
            f,
            s,
            nx,
            r,
            [x00, xlo.last, x01, xhi.last],
            [d00, dlo.last, d01, dhi.last],
        );
        val += c[0];
        out_lo[nx - 1] += acc_lo + c[1];
        out_hi[nx - 1] = acc_hi + c[3];
        val
    }

    /// The element loop over the whole grid (see the module docs), writing
    /// `out` (length n) and returning Σ triangle values + Σ node values.
    /// `ghosts` has `nblocks()·nx + nx` entries. `node(k, i, j, out_k)`
    /// adds the node term of unknown k and returns its value. With `x =
    /// None` the triangles see a = b = 0 (for products whose element
    /// Hessians were computed beforehand).
    pub(super) fn sweep<F, N>(
        &self,
        x: Option<&[f64]>,
        v: Option<&[f64]>,
        out: &mut [f64],
        ghosts: &mut [f64],
        f: &F,
        node: &N,
    ) -> f64
    where
        F: Fn(usize, bool, usize, f64, f64, f64, f64) -> (f64, f64, f64) + Sync,
        N: Fn(usize, usize, usize, &mut f64) -> f64 + Sync,
    {
        let (nx, ny, br) = (self.geo.nx, self.geo.ny, self.block_rows);
        let nb = self.nblocks();
        let xr = |s: usize| match x {
            Some(x) => self.xrow(x, s),
            None => self.drow(&self.zeros, 0),
        };
        let dir = |s: usize| match v {
            Some(v) => self.drow(v, s),
            None => xr(s),
        };
        let block = |b: usize, own: &mut [f64], ghost: &mut [f64]| -> f64 {
            let r0 = b * br;
            let r1 = (r0 + br).min(ny);
            ghost.fill(0.0);
            let mut val = 0.0;
            for s in r0..r1 {
                // Strip s: padded rows s, s+1 = interior rows s−1, s.
                let (lo, hi): (&mut [f64], &mut [f64]) = if s == r0 {
                    (&mut *ghost, &mut own[..nx])
                } else {
                    let (a, c) = own.split_at_mut((s - r0) * nx);
                    (&mut a[(s - r0 - 1) * nx..], &mut c[..nx])
                };
                val += self.strip(s, xr(s), xr(s + 1), dir(s), dir(s + 1), lo, hi, f);
            }
            for (t, o) in own.iter_mut().enumerate() {
                let k = r0 * nx + t;
                val += node(k, k % nx + 1, k / nx + 1, o);
            }
            val
        };
        let (gh, sink) = ghosts.split_at_mut(nb * nx);
        let parallel = self.par == Par::Rayon && nb > 1 && self.n() >= 2 * MIN_BLOCK;
        let mut val = if parallel {
            let parts: Vec<f64> = out
                .par_chunks_mut(br * nx)
                .zip(gh.par_chunks_mut(nx))
                .enumerate()
                .map(|(b, (own, g))| block(b, own, g))
                .collect();
            parts.iter().sum()
        } else {
            out.chunks_mut(br * nx)
                .zip(gh.chunks_mut(nx))
                .enumerate()
                .map(|(b, (own, g))| block(b, own, g))
                .sum()
        };
        // Ghost rows into the rows they stand for, in block order.
        for b in 1..nb {
            let row = b * br - 1;
            for (o, g) in out[row * nx..(row + 1) * nx]
                .iter_mut()
                .zip(&gh[b * nx..(b + 1) * nx])
            {
                *o += g;
            }
        }
        // The last strip (padded rows ny, ny+1): its top row is boundary.
        let lo = &mut out[(ny - 1) * nx..];
        val += self.strip(ny, xr(ny), xr(ny + 1), dir(ny), dir(ny + 1), lo, sink, f);
        val
    }

    pub(super) fn ghost_len(&self) -> usize {
        (self.nblocks() + 1) * self.geo.nx
    }

    pub(super) fn value_grad_slices(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut ghosts = vec![0.0; self.ghost_len()];
        let e = &self.elem;
        let f = |_s: usize, upper: bool, col: usize, a: f64, b: f64, _da: f64, _db: f64| {
            e.tri(upper, col, a, b)
        };
        let node = |k: usize, i: usize, j: usize, o: &mut f64| {
            let (v, d) = e.node(i, j, x[k]);
            *o += d;
            v
        };
        self.sweep(Some(x), None, g, &mut ghosts, &f, &node) + e.constant()
    }
}
