//! The five MINPACK-2 element functions (Averick, Carter, Moré & Xue 1992).

use super::{Boundary, Element, Geometry};

/// `min(min(i, nx−i+1)·hx, min(j, ny−j+1)·hy)`: the distance of padded node
/// (i, j) to the boundary, used by the EPT, SSC and ODC starts.
pub(crate) fn dist(g: &Geometry, i: usize, j: usize) -> f64 {
    let di = i.min(g.nx + 1 - i) as f64 * g.hx;
    let dj = j.min(g.ny + 1 - j) as f64 * g.hy;
    di.min(dj)
}

/// The weighted Dirichlet energy of one triangle, `½t(a² + b²)` in the
/// slopes (a, b): value and gradient (EPT and SSC with t = area, PJB with
/// its per-column weight).
#[inline(always)]
fn dirichlet(t: f64, a: f64, b: f64) -> (f64, f64, f64) {
    (0.5 * t * (a * a + b * b), t * a, t * b)
}

/// The Hessian of [`dirichlet`] in (a, b): `(t, 0, t)`.
#[inline(always)]
fn dirichlet_hess(t: f64) -> (f64, f64, f64) {
    (t, 0.0, t)
}

/// MSA — minimal surface with Enneper boundary data (`dmsabc`, `dmsafg`,
/// `dmsahs`): `φ(a, b) = sqrt(1 + a² + b²)` on `[−½, ½]²`. Convex, smooth;
/// the Hessian is a 7-point stencil.
///
/// The boundary data are Enneper's surface by default; [`MsaBoundary`]
/// selects MINPACK-2 `dminxb`'s parabola for the plate-obstacle problems.
#[derive(Debug, Clone, Copy, Default)]
pub struct Msa {
    /// Which boundary data (default [`MsaBoundary::Enneper`]).
    pub boundary: MsaBoundary,
    area: f64,
}

/// The boundary data of the minimal-surface problems.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MsaBoundary {
    /// Enneper's surface on [−½, ½]² (`dmsabc`; TAO `minsurf`, `plate2`).
    #[default]
    Enneper,
    /// MINPACK-2 `dminxb` (DMSO): 1 − (2i/(nx+1) − 1)², i = 0..nx+1, on the
    /// bottom and top edges, 0 on the left and right.
    Parabola,
}

impl Msa {
    /// MSA with the boundary data `boundary`.
    pub fn with_boundary(boundary: MsaBoundary) -> Self {
        Self {
            boundary,
            area: 0.0,
        }
    }
}

/// The Enneper surface height at the boundary point (xt, yt): solves
/// `u + uv² − u³/3 = xt`, `−v − u²v + v³/3 = yt` by at most 5 Newton steps
/// from (xt, −yt) with tolerance 1e-10 (as `dmsabc`), and returns u² − v².
pub(crate) fn enneper(xt: f64, yt: f64) -> f64 {
    let (mut u, mut v) = (xt, -yt);
    for _ in 0..5 {
        let f1 = u + u * v * v - u * u * u / 3.0 - xt;
        let f2 = -v - u * u * v + v * v * v / 3.0 - yt;
        if f1.hypot(f2) <= 1e-10 {
            break;
        }
        let (j11, j12) = (1.0 + v * v - u * u, 2.0 * u * v);
        let (j21, j22) = (-2.0 * u * v, -1.0 - u * u + v * v);
        let det = j11 * j22 - j12 * j21;
        u -= (f1 * j22 - f2 * j12) / det;
        v -= (j11 * f2 - j21 * f1) / det;
    }
    u * u - v * v
}

impl Element for Msa {
    const COUPLED: bool = true;
    fn name(&self) -> &'static str {
        "msa"
    }
    fn setup(&mut self, g: &Geometry) -> Boundary {
        self.area = 0.5 * g.hx * g.hy;
        if self.boundary == MsaBoundary::Parabola {
            let edge: Vec<f64> = (0..g.nx + 2)
                .map(|i| {
                    let t = 2.0 * i as f64 / (g.nx + 1) as f64 - 1.0;
                    1.0 - t * t
                })
                .collect();
            return Boundary {
                bottom: edge.clone(),
                top: edge,
                left: vec![0.0; g.ny + 2],
                right: vec![0.0; g.ny + 2],
            };
        }
        let bx = |i: usize| -0.5 + i as f64 * g.hx;
        let by = |j: usize| -0.5 + j as f64 * g.hy;
        Boundary {
            bottom: (0..g.nx + 2).map(|i| enneper(bx(i), -0.5)).collect(),
            top: (0..g.nx + 2).map(|i| enneper(bx(i), 0.5)).collect(),
            left: (0..g.ny + 2).map(|j| enneper(-0.5, by(j))).collect(),
            right: (0..g.ny + 2).map(|j| enneper(0.5, by(j))).collect(),
        }
    }
    #[inline(always)]
    fn tri(&self, _upper: bool, _col: usize, a: f64, b: f64) -> (f64, f64, f64) {
        let phi = (1.0 + a * a + b * b).sqrt();
        let s = self.area / phi;
        (self.area * phi, s * a, s * b)
    }
    #[inline(always)]
    fn tri_hess(&self, _upper: bool, _col: usize, a: f64, b: f64) -> (f64, f64, f64) {
        // area·(I/φ − (a,b)(a,b)ᵀ/φ³)
        let q = 1.0 + a * a + b * b;
        let s = self.area / (q * q.sqrt());
        (s * (1.0 + b * b), -s * a * b, s * (1.0 + a * a))
    }
    fn start(&self, g: &Geometry, bnd: &Boundary, i: usize, j: usize) -> f64 {
        let alpha = j as f64 * g.hy;
        let beta = i as f64 * g.hx;
        0.5 * ((alpha * bnd.top[i] + (1.0 - alpha) * bnd.bottom[i])
            + (beta * bnd.right[j] + (1.0 - beta) * bnd.left[j]))
    }
}

/// EPT — elastic-plastic torsion without bounds (`deptfg`, TAO
/// `eptorsion1`): `½∫|∇v|² − c∫v`, c = 5 by default. A convex quadratic
/// with the constant 5-point Laplacian as Hessian.
#[derive(Debug, Clone, Copy)]
pub struct Ept {
    /// The torque parameter c (default 5).
    pub c: f64,
    area: f64,
    hxhy: f64,
}

impl Default for Ept {
    fn default() -> Self {
        Self::new(5.0)
    }
}

impl Ept {
    /// EPT with parameter c.
    pub fn new(c: f64) -> Self {
        Self {
            c,
            area: 0.0,
            hxhy: 0.0,
        }
    }
}

impl Element for Ept {
    const COUPLED: bool = false;
    const CONST_HESS: bool = true;
    fn name(&self) -> &'static str {
        "ept"
    }
    fn setup(&mut self, g: &Geometry) -> Boundary {
        self.hxhy = g.hx * g.hy;
        self.area = 0.5 * self.hxhy;
        Boundary::zero(g)
    }
    #[inline(always)]
    fn tri(&self, _upper: bool, _col: usize, a: f64, b: f64) -> (f64, f64, f64) {
        dirichlet(self.area, a, b)
    }
    #[inline(always)]
    fn tri_hess(&self, _upper: bool, _col: usize, _a: f64, _b: f64) -> (f64, f64, f64) {
        dirichlet_hess(self.area)
    }
    #[inline(always)]
    fn node(&self, _i: usize, _j: usize, x: f64) -> (f64, f64) {
        let w = self.c * self.hxhy;
        (-w * x, -w)
    }
    fn start(&self, g: &Geometry, _bnd: &Boundary, i: usize, j: usize) -> f64 {
        dist(g, i, j)
    }
}

/// SSC — steady-state combustion (`dsscfg`, `dsschs`):
/// `∫ ½|∇v|² − λ e^v`, λ = 5 by default, exponential by the trapezoid rule
/// on each triangle (boundary vertices contribute the constant e⁰).
#[derive(Debug, Clone, Copy)]
pub struct Ssc {
    /// The Frank-Kamenetskii parameter λ (default 5, below the fold ≈ 6.8).
    pub lambda: f64,
    area: f64,
    hxhy: f64,
    constant: f64,
}

impl Default for Ssc {
    fn default() -> Self {
        Self::new(5.0)
    }
}

impl Ssc {
    /// SSC with parameter λ.
    pub fn new(lambda: f64) -> Self {
        Self {
            lambda,
            area: 0.0,
            hxhy: 0.0,
            constant: 0.0,
        }
    }
}

impl Element for Ssc {
    const COUPLED: bool = false;
    const CONST_HESS: bool = true;
    const HAS_NODE_HESS: bool = true;
    fn name(&self) -> &'static str {
        "ssc"
    }
    fn setup(&mut self, g: &Geometry) -> Boundary {
        self.hxhy = g.hx * g.hy;
        self.area = 0.5 * self.hxhy;
        // 2(nx+1)(ny+1) triangles have 6(nx+1)(ny+1) vertex slots, 6·nx·ny of
        // them interior: 6(nx+ny+1) boundary slots, each −(λ/3)·area·e⁰.
        self.constant = -2.0 * self.lambda * self.area * (g.nx + g.ny + 1) as f64;
        Boundary::zero(g)
    }
    #[inline(always)]
    fn tri(&self, _upper: bool, _col: usize, a: f64, b: f64) -> (f64, f64, f64) {
        dirichlet(self.area, a, b)
    }
    #[inline(always)]
    fn tri_hess(&self, _upper: bool, _col: usize, _a: f64, _b: f64) -> (f64, f64, f64) {
        dirichlet_hess(self.area)
    }
    #[inline(always)]
    fn node(&self, _i: usize, _j: usize, x: f64) -> (f64, f64) {
        // Each interior node lies in 6 triangles: −(λ/3)·area·6·e^x.
        let e = -self.lambda * self.hxhy * x.exp();
        (e, e)
    }
    #[inline(always)]
    fn node_hess(&self, _i: usize, _j: usize, x: f64) -> f64 {
        -self.lambda * self.hxhy * x.exp()
    }
    fn constant(&self) -> f64 {
        self.constant
    }
    fn start(&self, g: &Geometry, _bnd: &Boundary, i: usize, j: usize) -> f64 {
        self.lambda / (self.lambda + 1.0) * dist(g, i, j).sqrt()
    }
}

/// ODC — optimal design with composite materials (`dodcfg`, `dodcps`,
/// `dodchs`): `area·Σ_T ψ(a² + b²) + hx·hy·Σ x`, with ψ piecewise in
/// `s = sqrt(t)` (λ = 0.008, μ₁ = 1, μ₂ = 2). ψ is C¹ but not C²: the
/// Hessian jumps across `s = t₁` and `s = t₂` and has negative curvature in
/// the middle branch.
#[derive(Debug, Clone, Copy)]
pub struct Odc {
    /// λ (default 0.008).
    pub lambda: f64,
    /// μ₁ (default 1).
    pub mu1: f64,
    /// μ₂ (default 2).
    pub mu2: f64,
    t1: f64,
    t2: f64,
    area: f64,
    hxhy: f64,
}

impl Default for Odc {
    fn default() -> Self {
        Self::new(0.008, 1.0, 2.0)
    }
}

impl Odc {
    /// ODC with parameters λ, μ₁ < μ₂.
    pub fn new(lambda: f64, mu1: f64, mu2: f64) -> Self {
        Self {
            lambda,
            mu1,
            mu2,
            t1: (2.0 * lambda * mu1 / mu2).sqrt(),
            t2: (2.0 * lambda * mu2 / mu1).sqrt(),
            area: 0.0,
            hxhy: 0.0,
        }
    }

    /// (ψ, ψ′, ψ″) at t = a² + b² (derivatives with respect to t).
    #[inline(always)]
    fn psi(&self, t: f64) -> (f64, f64, f64) {
        let s = t.sqrt();
        if s <= self.t1 {
            (0.5 * self.mu2 * t, 0.5 * self.mu2, 0.0)
        } else if s < self.t2 {
            (
                self.mu2 * self.t1 * s - self.lambda * self.mu1,
                0.5 * self.mu2 * self.t1 / s,
                -0.25 * self.mu2 * self.t1 / (s * t),
            )
        } else {
            (
                0.5 * self.mu1 * t + self.lambda * (self.mu2 - self.mu1),
                0.5 * self.mu1,
                0.0,
            )
        }
    }
}

impl Element for Odc {
    const COUPLED: bool = true;
    fn name(&self) -> &'static str {
        "odc"
    }
    fn setup(&mut self, g: &Geometry) -> Boundary {
        self.hxhy = g.hx * g.hy;
        self.area = 0.5 * self.hxhy;
        Boundary::zero(g)
    }
    #[inline(always)]
    fn tri(&self, _upper: bool, _col: usize, a: f64, b: f64) -> (f64, f64, f64) {
        let (p, dp, _) = self.psi(a * a + b * b);
        let s = 2.0 * self.area * dp;
        (self.area * p, s * a, s * b)
    }
    #[inline(always)]
    fn tri_hess(&self, _upper: bool, _col: usize, a: f64, b: f64) -> (f64, f64, f64) {
        let (_, dp, ddp) = self.psi(a * a + b * b);
        let (d, c) = (2.0 * self.area * dp, 4.0 * self.area * ddp);
        (d + c * a * a, c * a * b, d + c * b * b)
    }
    #[inline(always)]
    fn node(&self, _i: usize, _j: usize, x: f64) -> (f64, f64) {
        (self.hxhy * x, self.hxhy)
    }
    fn start(&self, g: &Geometry, _bnd: &Boundary, i: usize, j: usize) -> f64 {
        let d = dist(g, i, j);
        -d * d
    }
}

/// PJB — pressure in a journal bearing, without the bound x ≥ 0 (`dpjbfg`,
/// TAO `jbearing2`): `½∫ w_q|∇v|² − ∫ w_l v` on (0, 2π)×(0, 2b), with
/// `w_q = (1 + ε cos ξ)³`, `w_l = ε sin ξ`, ε = 0.1, b = 10. Without the
/// bound this is an SPD quadratic with a weighted 5-point Hessian.
#[derive(Debug, Clone, Default)]
pub struct Pjb {
    /// Eccentricity ε (default 0.1).
    pub ecc: f64,
    /// Half-height b of the domain (default 10).
    pub b: f64,
    t_lower: Vec<f64>,
    t_upper: Vec<f64>,
    hx: f64,
    hxhy: f64,
}

impl Pjb {
    /// PJB with eccentricity ε and half-height b.
    pub fn new(ecc: f64, b: f64) -> Self {
        Self {
            ecc,
            b,
            ..Self::default()
        }
    }

    /// The standard parameters ε = 0.1, b = 10.
    pub fn standard() -> Self {
        Self::new(0.1, 10.0)
    }

    /// The triangle weight of column `col` (upper or lower triangle).
    #[inline(always)]
    fn weight(&self, upper: bool, col: usize) -> f64 {
        if upper {
            self.t_upper[col]
        } else {
            self.t_lower[col]
        }
    }
}

impl Element for Pjb {
    const COUPLED: bool = false;
    const CONST_HESS: bool = true;
    fn name(&self) -> &'static str {
        "pjb"
    }
    fn domain(&self) -> (f64, f64) {
        (2.0 * std::f64::consts::PI, 2.0 * self.b)
    }
    fn setup(&mut self, g: &Geometry) -> Boundary {
        let p = |xi: f64| (1.0 + self.ecc * xi.cos()).powi(3);
        let w = g.hx * g.hy / 6.0;
        self.t_lower = (0..g.nx + 2)
            .map(|i| {
                let xi = i as f64 * g.hx;
                w * (2.0 * p(xi) + p(xi + g.hx))
            })
            .collect();
        self.t_upper = (0..g.nx + 2)
            .map(|i| {
                let xi = i as f64 * g.hx;
                w * (2.0 * p(xi) + p(xi - g.hx))
            })
            .collect();
        self.hx = g.hx;
        self.hxhy = g.hx * g.hy;
        Boundary::zero(g)
    }
    #[inline(always)]
    fn tri(&self, upper: bool, col: usize, a: f64, b: f64) -> (f64, f64, f64) {
        dirichlet(self.weight(upper, col), a, b)
    }
    #[inline(always)]
    fn tri_hess(&self, upper: bool, col: usize, _a: f64, _b: f64) -> (f64, f64, f64) {
        dirichlet_hess(self.weight(upper, col))
    }
    #[inline(always)]
    fn node(&self, i: usize, _j: usize, x: f64) -> (f64, f64) {
        let w = self.ecc * self.hxhy * (i as f64 * self.hx).sin();
        (-w * x, -w)
    }
    fn start(&self, g: &Geometry, _bnd: &Boundary, i: usize, _j: usize) -> f64 {
        (i as f64 * g.hx).sin().max(0.0)
    }
}
