//! A MINPACK-2 problem: the [`Element`] trait that defines one (per-triangle
//! and per-node terms, domain, boundary, start), and [`Minpack2`], the
//! problem on a grid with its constructors and accessors.

use std::sync::OnceLock;

use ndarray::Array1;

use super::grid::{MIN_BLOCK, TARGET_BLOCKS};
use super::{Boundary, Ept, Geometry, Msa, Odc, Pjb, Ssc};
use crate::error::{Error, Result};
use crate::linalg::par::Par;

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
    pub(super) geo: Geometry,
    pub(super) elem: E,
    pub(super) bnd: Boundary,
    pub(super) zeros: Vec<f64>,
    pub(super) block_rows: usize,
    pub(super) par: Par,
    pub(super) pattern: OnceLock<(Vec<usize>, Vec<usize>)>,
    pub(super) ic0: bool,
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
    ///
    /// [`Objective::preconditioner`]: crate::Objective::preconditioner
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
}
