//! The MINPACK-2 finite-element minimization problems on a rectangular grid.
//!
//! Averick, Carter, Moré & Xue, "The MINPACK-2 test problem collection",
//! Argonne ANL/MCS-P153-0692 (1992); the PETSc/TAO tutorials `minsurf1`,
//! `eptorsion1`, `jbearing2` use the same discretization.
//!
//! The unknowns are the interior nodes (i, j), 1 ≤ i ≤ nx, 1 ≤ j ≤ ny, of
//! a uniform grid on `(0,Lx)×(0,Ly)` with `hx = Lx/(nx+1)`,
//! `hy = Ly/(ny+1)`, stored at `k = (j−1)·nx + (i−1)` (x fastest). Each grid
//! cell is split into a lower triangle (vertices (i,j), (i+1,j), (i,j+1))
//! and an upper triangle ((i+1,j+1), (i,j+1), (i+1,j)); on each triangle
//! the piecewise-linear interpolant has the constant gradient (a, b), and
//!
//! `f(x) = Σ_T φ_T(a_T, b_T) + Σ_k ν(x_k) + c`
//!
//! with an [`Element`] giving φ (scaled by the triangle's weight), the node
//! term ν and the constant c: [`Msa`], [`Ept`], [`Ssc`], [`Odc`], [`Pjb`].
//!
//! # Kernels
//! Value, gradient and Hessian-vector products are one element loop
//! (gather (a, b) — and (da, db) for a product — per triangle, scatter
//! `∇φ` or `∇²φ·(da, db)` to the three vertices), run **in parallel over
//! blocks of grid rows**: the triangles between padded rows s and s+1 (a
//! "strip") write only to those two rows, so a block of strips owns its
//! rows and writes the row below its first strip into a private ghost row,
//! which is added afterwards in block order. The blocks depend only on the
//! grid, so results are bit-for-bit independent of the thread count.
//!
//! The Hessian preparation ([`Objective::hessian`]) copies x and, where the
//! element Hessians depend on x (MSA, ODC), stores their three entries per
//! triangle (6 doubles per unknown), so a product streams v, the element
//! Hessians and y — 64 bytes per unknown, against 136 for the 7-point CSR
//! matrix with `usize` indices — and computes no square roots; for the
//! quadratic elements it streams only v and y (16 bytes; EPT, PJB), plus
//! the node curvature for SSC (24 bytes).
//! Products allocate nothing.
//!
//! The same element Hessians assemble the sparse Hessian (a 7-point stencil
//! for MSA and ODC, 5-point for the others) through
//! [`crate::linalg::sparse::SparseHessian`], so `Assembled::new(problem)` gives the
//! assembled-Hessian version of any problem here.

mod elements;

use std::sync::{Mutex, OnceLock};

use ndarray::{Array1, ArrayView1, ArrayViewMut1};
use rayon::prelude::*;

pub use elements::{Ept, Msa, Odc, Pjb, Ssc};

use crate::error::{Error, Result};
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::Par;
use crate::linalg::precond::Preconditioner;
use crate::linalg::sparse::{Ic0, Ic0Config, SparseHessian, Storage};
use crate::problem::objective::Objective;

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

/// The per-triangle and per-node functions of a MINPACK-2 problem.
///
/// Triangles are identified by `upper` and the padded column `col` of their
/// right-angle vertex's column: a lower triangle of cell i has `col = i`,
/// an upper one `col = i + 1` (only PJB's weights depend on it).
pub trait Element: Send + Sync {
    /// Whether element Hessians may couple a and b (then the assembled
    /// Hessian has the 7-point pattern; otherwise 5 points).
    const COUPLED: bool;
    /// Whether the node term has curvature (SSC).
    const HAS_NODE_HESS: bool = false;
    /// Whether `tri_hess` is independent of (a, b) (quadratic element
    /// terms: EPT, SSC, PJB). Otherwise the Hessian preparation stores the
    /// three entries of every element Hessian.
    const CONST_HESS: bool = false;
    /// The problem's short name.
    fn name(&self) -> &'static str;
    /// The domain size (Lx, Ly); default the unit square.
    fn domain(&self) -> (f64, f64) {
        (1.0, 1.0)
    }
    /// Called once with the grid: precomputes weights, returns the boundary
    /// data.
    fn setup(&mut self, g: &Geometry) -> Boundary;
    /// `(φ, ∂φ/∂a, ∂φ/∂b)` of a triangle.
    fn tri(&self, upper: bool, col: usize, a: f64, b: f64) -> (f64, f64, f64);
    /// `(φ_aa, φ_ab, φ_bb)` of a triangle.
    fn tri_hess(&self, upper: bool, col: usize, a: f64, b: f64) -> (f64, f64, f64);
    /// `(ν, ν′)` at interior node (i, j) (padded, 1-based) with value x.
    fn node(&self, i: usize, j: usize, x: f64) -> (f64, f64) {
        let _ = (i, j, x);
        (0.0, 0.0)
    }
    /// `ν″` at interior node (i, j).
    fn node_hess(&self, i: usize, j: usize, x: f64) -> f64 {
        let _ = (i, j, x);
        0.0
    }
    /// The constant c.
    fn constant(&self) -> f64 {
        0.0
    }
    /// The standard start at interior node (i, j) (padded, 1-based).
    fn start(&self, g: &Geometry, bnd: &Boundary, i: usize, j: usize) -> f64;
}

/// A MINPACK-2 problem on an nx×ny interior grid with matrix-free
/// Hessian-vector products; see the module documentation.
///
/// ```
/// use steihaug::problems::minpack2::Minpack2;
/// use steihaug::{Objective, TrustRegion};
/// let p = Minpack2::ept(10, 10).unwrap();
/// let mut g = ndarray::Array1::zeros(100);
/// let f0 = p.value_grad(p.start().view(), g.view_mut());
/// assert!((f0 - -0.330579).abs() < 5e-7); // TAO eptorsion1, 10x10
/// let r = TrustRegion::default().solve(&p, p.start().view()).unwrap();
/// assert!((r.f - -0.427745).abs() < 5e-7);
/// ```
pub struct Minpack2<E> {
    geo: Geometry,
    elem: E,
    bnd: Boundary,
    zeros: Vec<f64>,
    block_rows: usize,
    par: Par,
    pattern: OnceLock<(Vec<usize>, Vec<usize>)>,
    ic0: bool,
}

/// Target number of row blocks (enough to balance dozens of threads).
const TARGET_BLOCKS: usize = 64;
/// Minimum unknowns per block.
const MIN_BLOCK: usize = 4096;

/// A padded grid row: boundary value, interior values, boundary value.
#[derive(Clone, Copy)]
struct Row<'a> {
    first: f64,
    mid: &'a [f64],
    last: f64,
}

impl Minpack2<Msa> {
    /// MSA on an nx×ny grid.
    pub fn msa(nx: usize, ny: usize) -> Result<Self> {
        Self::new(nx, ny, Msa::default())
    }
}
impl Minpack2<Ept> {
    /// EPT (c = 5) on an nx×ny grid.
    pub fn ept(nx: usize, ny: usize) -> Result<Self> {
        Self::new(nx, ny, Ept::default())
    }
}
impl Minpack2<Ssc> {
    /// SSC (λ = 5) on an nx×ny grid.
    pub fn ssc(nx: usize, ny: usize) -> Result<Self> {
        Self::new(nx, ny, Ssc::default())
    }
}
impl Minpack2<Odc> {
    /// ODC (λ = 0.008, μ = (1, 2)) on an nx×ny grid.
    pub fn odc(nx: usize, ny: usize) -> Result<Self> {
        Self::new(nx, ny, Odc::default())
    }
}
impl Minpack2<Pjb> {
    /// PJB (ε = 0.1, b = 10, no bounds) on an nx×ny grid.
    pub fn pjb(nx: usize, ny: usize) -> Result<Self> {
        Self::new(nx, ny, Pjb::standard())
    }
}

impl<E: Element> Minpack2<E> {
    /// The problem `elem` on an nx×ny interior grid.
    ///
    /// Errors: nx or ny is 0, or nx·ny overflows ([`Error::InvalidOption`]).
    pub fn new(nx: usize, ny: usize, mut elem: E) -> Result<Self> {
        if nx == 0 || ny == 0 || nx.checked_mul(ny).is_none() {
            return Err(Error::InvalidOption {
                name: "nx, ny",
                reason: format!("the grid needs nx, ny ≥ 1, got {nx}x{ny}"),
            });
        }
        let (lx, ly) = elem.domain();
        let geo = Geometry {
            nx,
            ny,
            hx: lx / (nx + 1) as f64,
            hy: ly / (ny + 1) as f64,
        };
        let bnd = elem.setup(&geo);
        let block_rows = ny
            .div_ceil(TARGET_BLOCKS)
            .max(MIN_BLOCK.div_ceil(nx))
            .min(ny);
        Ok(Self {
            geo,
            elem,
            bnd,
            zeros: vec![0.0; nx],
            block_rows,
            par: Par::Rayon,
            pattern: OnceLock::new(),
            ic0: true,
        })
    }

    /// Chooses sequential or parallel kernels (identical results).
    pub fn with_par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }

    /// Whether [`Objective::preconditioner`] offers IC(0) of the assembled
    /// Hessian (default `true`; used under
    /// [`crate::Preconditioning::Objective`]).
    pub fn with_ic0(mut self, on: bool) -> Self {
        self.ic0 = on;
        self
    }

    /// The grid.
    pub fn geometry(&self) -> Geometry {
        self.geo
    }

    /// The element (problem parameters).
    pub fn element(&self) -> &E {
        &self.elem
    }

    /// The boundary data.
    pub fn boundary(&self) -> &Boundary {
        &self.bnd
    }

    /// The number of unknowns nx·ny.
    pub fn n(&self) -> usize {
        self.geo.nx * self.geo.ny
    }

    /// The standard MINPACK-2 start.
    pub fn start(&self) -> Array1<f64> {
        let g = &self.geo;
        Array1::from_shape_fn(self.n(), |k| {
            let (i, j) = (k % g.nx + 1, k / g.nx + 1);
            self.elem.start(g, &self.bnd, i, j)
        })
    }

    fn nblocks(&self) -> usize {
        self.geo.ny.div_ceil(self.block_rows)
    }

    /// Padded row s (0..=ny+1) of x.
    #[inline]
    fn xrow<'a>(&'a self, x: &'a [f64], s: usize) -> Row<'a> {
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
    fn drow<'a>(&'a self, v: &'a [f64], s: usize) -> Row<'a> {
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
    fn sweep<F, N>(
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

    fn ghost_len(&self) -> usize {
        (self.nblocks() + 1) * self.geo.nx
    }

    fn value_grad_slices(&self, x: &[f64], g: &mut [f64]) -> f64 {
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

    /// Padded value of x at (i, j).
    #[inline]
    fn xat(&self, x: &[f64], i: usize, j: usize) -> f64 {
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

    /// The Hessian row of node (i, j) by slot: offsets −nx, −nx+1, −1, 0,
    /// +1, +nx−1, +nx (absent neighbours are left at 0).
    fn row_slots(&self, x: &[f64], i: usize, j: usize) -> [f64; 7] {
        let (rx, ry) = (1.0 / self.geo.hx, 1.0 / self.geo.hy);
        let mut slots = [0.0; 7];
        // (cell ci, cj, upper): the six triangles containing (i, j).
        let tris = [
            (i, j, false),
            (i - 1, j, false),
            (i, j - 1, false),
            (i - 1, j - 1, true),
            (i, j - 1, true),
            (i - 1, j, true),
        ];
        for &(ci, cj, upper) in &tris {
            // Vertices (coordinates) with gradient coefficients (α, β).
            let verts: [(usize, usize, f64, f64); 3] = if upper {
                [
                    (ci + 1, cj + 1, rx, ry),
                    (ci, cj + 1, -rx, 0.0),
                    (ci + 1, cj, 0.0, -ry),
                ]
            } else {
                [
                    (ci, cj, -rx, -ry),
                    (ci + 1, cj, rx, 0.0),
                    (ci, cj + 1, 0.0, ry),
                ]
            };
            let mut a = 0.0;
            let mut b = 0.0;
            for &(vi, vj, al, be) in &verts {
                let xv = self.xat(x, vi, vj);
                a += al * xv;
                b += be * xv;
            }
            let col = if upper { ci + 1 } else { ci };
            let (haa, hab, hbb) = self.elem.tri_hess(upper, col, a, b);
            let &(_, _, an, bn) = verts
                .iter()
                .find(|v| v.0 == i && v.1 == j)
                .expect("node is a vertex");
            for &(vi, vj, aw, bw) in &verts {
                let k = an * aw * haa + (an * bw + bn * aw) * hab + bn * bw * hbb;
                let slot = match (vi as isize - i as isize, vj as isize - j as isize) {
                    (0, -1) => 0,
                    (1, -1) => 1,
                    (-1, 0) => 2,
                    (0, 0) => 3,
                    (1, 0) => 4,
                    (-1, 1) => 5,
                    _ => 6, // (0, 1)
                };
                slots[slot] += k;
            }
        }
        slots[3] += self.elem.node_hess(i, j, x[(j - 1) * self.geo.nx + i - 1]);
        slots
    }

    /// Which slots of node (i, j) are in the pattern.
    #[inline]
    fn slot_present(&self, i: usize, j: usize) -> [bool; 7] {
        let (nx, ny) = (self.geo.nx, self.geo.ny);
        [
            j > 1,
            E::COUPLED && j > 1 && i < nx,
            i > 1,
            true,
            i < nx,
            E::COUPLED && j < ny && i > 1,
            j < ny,
        ]
    }

    fn build_pattern(&self) -> (Vec<usize>, Vec<usize>) {
        let (nx, ny) = (self.geo.nx, self.geo.ny);
        let n = self.n();
        let mut indptr = Vec::with_capacity(n + 1);
        let mut indices = Vec::with_capacity(if E::COUPLED { 7 } else { 5 } * n);
        indptr.push(0);
        for j in 1..=ny {
            for i in 1..=nx {
                let k = (j - 1) * nx + i - 1;
                let offs = [
                    k.wrapping_sub(nx),
                    k.wrapping_sub(nx).wrapping_add(1),
                    k.wrapping_sub(1),
                    k,
                    k + 1,
                    k + nx - 1,
                    k + nx,
                ];
                for (o, p) in offs.iter().zip(self.slot_present(i, j)) {
                    if p {
                        indices.push(*o);
                    }
                }
                indptr.push(indices.len());
            }
        }
        (indptr, indices)
    }

    fn pattern_ref(&self) -> &(Vec<usize>, Vec<usize>) {
        self.pattern.get_or_init(|| self.build_pattern())
    }

    /// Fills the assembled Hessian values at x (pattern order), in parallel
    /// over grid rows.
    fn fill(&self, x: &[f64], values: &mut [f64]) {
        let (nx, ny) = (self.geo.nx, self.geo.ny);
        let (indptr, _) = self.pattern_ref();
        let mut rows: Vec<&mut [f64]> = Vec::with_capacity(ny);
        let mut rest = values;
        for j in 0..ny {
            let len = indptr[(j + 1) * nx] - indptr[j * nx];
            let (a, b) = rest.split_at_mut(len);
            rows.push(a);
            rest = b;
        }
        let fill_row = |j: usize, vals: &mut [f64]| {
            let mut q = 0;
            for i in 1..=nx {
                let s = self.row_slots(x, i, j + 1);
                for (v, p) in s.iter().zip(self.slot_present(i, j + 1)) {
                    if p {
                        vals[q] = *v;
                        q += 1;
                    }
                }
            }
        };
        if self.par == Par::Rayon && self.n() >= 2 * MIN_BLOCK {
            rows.into_par_iter()
                .enumerate()
                .for_each(|(j, r)| fill_row(j, r));
        } else {
            for (j, r) in rows.into_iter().enumerate() {
                fill_row(j, r);
            }
        }
    }

    /// The entries (h_aa, h_ab, h_bb) of every element Hessian at x, strip
    /// by strip, cell by cell, lower then upper triangle.
    fn element_hessians(&self, x: &[f64]) -> Vec<f64> {
        let (nx, ny) = (self.geo.nx, self.geo.ny);
        let (rx, ry) = (1.0 / self.geo.hx, 1.0 / self.geo.hy);
        let mut coef = vec![0.0; coef_base(nx, ny + 1)];
        let strip = |s: usize, c: &mut [f64]| {
            let (lo, hi) = (self.xrow(x, s), self.xrow(x, s + 1));
            let (mut x00, mut x01) = (lo.first, hi.first);
            for (i, c) in c.chunks_exact_mut(6).enumerate() {
                let (x10, x11) = if i < nx {
                    (lo.mid[i], hi.mid[i])
                } else {
                    (lo.last, hi.last)
                };
                let (a, b, d) = self
                    .elem
                    .tri_hess(false, i, (x10 - x00) * rx, (x01 - x00) * ry);
                c[..3].copy_from_slice(&[a, b, d]);
                let (a, b, d) = self
                    .elem
                    .tri_hess(true, i + 1, (x11 - x01) * rx, (x11 - x10) * ry);
                c[3..].copy_from_slice(&[a, b, d]);
                (x00, x01) = (x10, x11);
            }
        };
        let len = 6 * (nx + 1);
        if self.par == Par::Rayon && self.n() >= 2 * MIN_BLOCK {
            coef.par_chunks_mut(len)
                .enumerate()
                .for_each(|(s, c)| strip(s, c));
        } else {
            coef.chunks_mut(len)
                .enumerate()
                .for_each(|(s, c)| strip(s, c));
        }
        coef
    }

    /// The assembled Hessian at x as an sprs CSR matrix.
    pub fn hessian_matrix(&self, x: ArrayView1<'_, f64>) -> sprs::CsMat<f64> {
        let xs = x.as_standard_layout();
        let (indptr, indices) = self.pattern_ref().clone();
        let mut values = vec![0.0; indices.len()];
        self.fill(xs.as_slice().expect("standard layout"), &mut values);
        sprs::CsMat::new((self.n(), self.n()), indptr, indices, values)
    }
}

/// The matrix-free Hessian of a [`Minpack2`] problem at a point, prepared
/// once per point: a copy of x, the three entries of every element Hessian
/// when they depend on x (MSA, ODC: 6 doubles per unknown, computed in
/// parallel over strips), the node curvature (SSC) and the ghost rows.
///
/// A product then streams v, the element Hessians and y (64 bytes per
/// unknown for MSA/ODC, 16 for EPT/PJB, 24 for SSC with its node
/// curvature); it does not read x and allocates nothing.
pub struct Minpack2Hessian<'a, E> {
    owner: &'a Minpack2<E>,
    x: Vec<f64>,
    coef: Vec<f64>,
    node_diag: Vec<f64>,
    ghosts: Mutex<Vec<f64>>,
}

/// Index of the first coefficient of the triangles of strip s.
#[inline(always)]
fn coef_base(nx: usize, s: usize) -> usize {
    6 * s * (nx + 1)
}

impl<E: Element> Minpack2Hessian<'_, E> {
    fn apply_slices(&self, v: &[f64], y: &mut [f64]) {
        let p = self.owner;
        let e = &p.elem;
        let nx = p.geo.nx;
        let coef = &self.coef[..];
        let stored = |s: usize, upper: bool, col: usize, _a: f64, _b: f64, da: f64, db: f64| {
            // col = i for the lower triangle of cell i, i + 1 for the upper.
            let q = coef_base(nx, s) + 6 * col - if upper { 3 } else { 0 };
            let (haa, hab, hbb) = (coef[q], coef[q + 1], coef[q + 2]);
            (0.0, haa * da + hab * db, hab * da + hbb * db)
        };
        let constant = |_s: usize, upper: bool, col: usize, _a: f64, _b: f64, da: f64, db: f64| {
            let (haa, hab, hbb) = e.tri_hess(upper, col, 0.0, 0.0);
            (0.0, haa * da + hab * db, hab * da + hbb * db)
        };
        let mut ghosts = self.ghosts.lock().unwrap_or_else(|e| e.into_inner());
        let nd = &self.node_diag;
        let curv = |k: usize, _i: usize, _j: usize, o: &mut f64| {
            *o += nd[k] * v[k];
            0.0
        };
        let none = |_k: usize, _i: usize, _j: usize, _o: &mut f64| 0.0;
        match (E::CONST_HESS, E::HAS_NODE_HESS) {
            (true, true) => p.sweep(None, Some(v), y, &mut ghosts, &constant, &curv),
            (true, false) => p.sweep(None, Some(v), y, &mut ghosts, &constant, &none),
            (false, true) => p.sweep(None, Some(v), y, &mut ghosts, &stored, &curv),
            (false, false) => p.sweep(None, Some(v), y, &mut ghosts, &stored, &none),
        };
    }
}

impl<E: Element> LinearOperator for Minpack2Hessian<'_, E> {
    fn dim(&self) -> usize {
        self.x.len()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
        match (v.as_slice(), out.as_slice_mut()) {
            (Some(v), Some(y)) => self.apply_slices(v, y),
            _ => {
                let vv: Vec<f64> = v.iter().copied().collect();
                let mut y = vec![0.0; self.x.len()];
                self.apply_slices(&vv, &mut y);
                out.assign(&ArrayView1::from(&y[..]));
            }
        }
    }
    fn diagonal(&self, mut out: ArrayViewMut1<'_, f64>) -> bool {
        let p = self.owner;
        let nx = p.geo.nx;
        for (k, o) in out.iter_mut().enumerate() {
            *o = p.row_slots(&self.x, k % nx + 1, k / nx + 1)[3];
        }
        true
    }
}

impl<E: Element> Objective for Minpack2<E> {
    type Hessian<'a>
        = Minpack2Hessian<'a, E>
    where
        Self: 'a;

    fn dim(&self) -> usize {
        self.n()
    }

    fn value_grad(&self, x: ArrayView1<'_, f64>, mut grad: ArrayViewMut1<'_, f64>) -> f64 {
        let xs = x.as_standard_layout();
        let xs = xs.as_slice().expect("standard layout");
        match grad.as_slice_mut() {
            Some(g) => self.value_grad_slices(xs, g),
            None => {
                let mut g = vec![0.0; self.n()];
                let f = self.value_grad_slices(xs, &mut g);
                grad.assign(&ArrayView1::from(&g[..]));
                f
            }
        }
    }

    fn hessian(&self, x: ArrayView1<'_, f64>) -> Minpack2Hessian<'_, E> {
        let x: Vec<f64> = x.iter().copied().collect();
        let nx = self.geo.nx;
        let node_diag = if E::HAS_NODE_HESS {
            x.iter()
                .enumerate()
                .map(|(k, &xk)| self.elem.node_hess(k % nx + 1, k / nx + 1, xk))
                .collect()
        } else {
            Vec::new()
        };
        let coef = if E::CONST_HESS {
            Vec::new()
        } else {
            self.element_hessians(&x)
        };
        Minpack2Hessian {
            owner: self,
            x,
            coef,
            node_diag,
            ghosts: Mutex::new(vec![0.0; self.ghost_len()]),
        }
    }

    fn preconditioner<'a>(
        &'a self,
        _x: ArrayView1<'_, f64>,
        hessian: &Minpack2Hessian<'a, E>,
    ) -> Option<Box<dyn Preconditioner + 'a>> {
        if !self.ic0 {
            return None;
        }
        let (indptr, indices) = self.pattern_ref();
        let mut values = vec![0.0; indices.len()];
        self.fill(&hessian.x, &mut values);
        Ic0::from_csr(self.n(), indptr, indices, &values, Ic0Config::default())
            .ok()
            .map(|m| Box::new(m) as Box<dyn Preconditioner>)
            .or_else(|| crate::linalg::precond::jacobi_fallback(hessian, self.n()))
    }
}

impl<E: Element> SparseHessian for Minpack2<E> {
    fn dim(&self) -> usize {
        self.n()
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64 {
        Objective::value_grad(self, x, grad)
    }
    fn pattern(&self) -> (Vec<usize>, Vec<usize>, Storage) {
        let (p, i) = self.pattern_ref().clone();
        (p, i, Storage::Full)
    }
    fn fill_values(&self, x: ArrayView1<'_, f64>, values: &mut [f64]) {
        let xs = x.as_standard_layout();
        self.fill(xs.as_slice().expect("standard layout"), values);
    }
}
