//! The grid of a MINPACK-2 problem: its sizes and spacings, the Dirichlet
//! boundary data, the blocks of rows the kernels run over, and the padded
//! rows and values (interior unknowns framed by boundary values) that the
//! element loop and the Hessian assembly read.

use rayon::prelude::*;

use super::{Element, Minpack2};
use crate::linalg::par::Par;

/// Grid sizes and spacings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    /// Interior nodes per row.
    pub nx: usize,
    /// Interior rows.
    pub ny: usize,
    /// Spacing in x.
    pub hx: f64,
    /// Spacing in y.
    pub hy: f64,
}

/// Dirichlet boundary data on the padded grid: `bottom`/`top` for padded
/// rows 0 and ny+1 (length nx+2), `left`/`right` for padded columns 0 and
/// nx+1 (length ny+2).
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    /// Row 0.
    pub bottom: Vec<f64>,
    /// Row ny+1.
    pub top: Vec<f64>,
    /// Column 0.
    pub left: Vec<f64>,
    /// Column nx+1.
    pub right: Vec<f64>,
}

impl Boundary {
    /// Zero boundary values.
    pub fn zero(g: &Geometry) -> Self {
        Self {
            bottom: vec![0.0; g.nx + 2],
            top: vec![0.0; g.nx + 2],
            left: vec![0.0; g.ny + 2],
            right: vec![0.0; g.ny + 2],
        }
    }
}

/// Target number of row blocks (enough to balance dozens of threads).
pub(super) const TARGET_BLOCKS: usize = 64;
/// Minimum unknowns per block.
pub(super) const MIN_BLOCK: usize = 4096;

/// `y_i ← 0` where `mask_i == 0`: one row of D·y, with the values of
/// [`crate::linalg::masked::mask_in_place`], applied by the stencil
/// products to each output row as they write it.
#[inline(always)]
pub(super) fn mask_row(mask: &[f64], y: &mut [f64]) {
    for (y, &m) in y.iter_mut().zip(mask) {
        if m == 0.0 {
            *y = 0.0;
        }
    }
}

/// A padded grid row: boundary value, interior values, boundary value.
#[derive(Clone, Copy)]
pub(super) struct Row<'a> {
    pub(super) first: f64,
    pub(super) mid: &'a [f64],
    pub(super) last: f64,
}

impl<E: Element> Minpack2<E> {
    pub(super) fn nblocks(&self) -> usize {
        self.geo.ny.div_ceil(self.block_rows)
    }

    /// Whether the kernels run their row blocks on rayon's pool.
    pub(super) fn parallel_blocks(&self) -> bool {
        self.par == Par::Rayon && self.nblocks() > 1 && self.n() >= 2 * MIN_BLOCK
    }

    /// `block(b, out)` on each block b of `block_rows` grid rows of the
    /// n-vector `out` (the last may be shorter), in parallel where
    /// [`Self::parallel_blocks`]; the blocks depend only on the grid.
    pub(super) fn for_row_blocks<F>(&self, out: &mut [f64], block: F)
    where
        F: Fn(usize, &mut [f64]) + Sync,
    {
        let len = self.block_rows * self.geo.nx;
        if self.parallel_blocks() {
            out.par_chunks_mut(len)
                .enumerate()
                .for_each(|(b, o)| block(b, o));
        } else {
            out.chunks_mut(len)
                .enumerate()
                .for_each(|(b, o)| block(b, o));
        }
    }

    /// Padded row s (0..=ny+1) of x.
    #[inline]
    pub(super) fn xrow<'a>(&'a self, x: &'a [f64], s: usize) -> Row<'a> {
        let (nx, ny) = (self.geo.nx, self.geo.ny);
        if s == 0 {
            Row {
                first: self.bnd.bottom[0],
                mid: &self.bnd.bottom[1..=nx],
                last: self.bnd.bottom[nx + 1],
            }
        } else if s == ny + 1 {
            Row {
                first: self.bnd.top[0],
                mid: &self.bnd.top[1..=nx],
                last: self.bnd.top[nx + 1],
            }
        } else {
            Row {
                first: self.bnd.left[s],
                mid: &x[(s - 1) * nx..s * nx],
                last: self.bnd.right[s],
            }
        }
    }

    /// Padded row s of a direction (zero boundary).
    #[inline]
    pub(super) fn drow<'a>(&'a self, v: &'a [f64], s: usize) -> Row<'a> {
        let nx = self.geo.nx;
        let mid = if s == 0 || s == self.geo.ny + 1 {
            &self.zeros[..]
        } else {
            &v[(s - 1) * nx..s * nx]
        };
        Row {
            first: 0.0,
            mid,
            last: 0.0,
        }
    }

    /// Padded value of x at (i, j).
    #[inline]
    pub(super) fn xat(&self, x: &[f64], i: usize, j: usize) -> f64 {
        let (nx, ny) = (self.geo.nx, self.geo.ny);
        if j == 0 {
            self.bnd.bottom[i]
        } else if j == ny + 1 {
            self.bnd.top[i]
        } else if i == 0 {
            self.bnd.left[j]
        } else if i == nx + 1 {
            self.bnd.right[j]
        } else {
            x[(j - 1) * nx + i - 1]
        }
    }
}
