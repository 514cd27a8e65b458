//! The bound-constrained MINPACK-2 problems (F77 `dminxb`, `dept`, `dpjb`)
//! and TAO's `plate2`, on the unbounded objectives of this module plus a
//! box (`reference/bounds.md` §4). Indices i = 1..nx, j = 1..ny,
//! k = (j−1)·nx + (i−1).

use ndarray::Array1;

use super::elements::{dist, Msa, MsaBoundary};
use super::{Ept, Geometry, Minpack2, Pjb, Ssc};
use crate::error::Result;
use crate::problem::bounds::Bounds;
use crate::problems::bounded::BoundedProblem;

/// A per-node vector from f(i, j) (1-based interior indices).
fn per_node(g: &Geometry, f: impl Fn(usize, usize) -> f64) -> Array1<f64> {
    Array1::from_shape_fn(g.nx * g.ny, |k| f(k % g.nx + 1, k / g.nx + 1))
}

/// DEPT: EPT (c = 5) with −d ≤ v ≤ d, d the distance to the boundary; the
/// start x_s = d lies on the upper bound.
pub fn ept_bound(nx: usize, ny: usize) -> Result<BoundedProblem<Minpack2<Ept>>> {
    let p = Minpack2::ept(nx, ny)?;
    let g = p.geometry();
    let d = per_node(&g, |i, j| dist(&g, i, j));
    let bounds = Bounds::new(-&d, d)?;
    let start = p.start();
    BoundedProblem::new(p, bounds, start)
}

/// DPJB: PJB (ε = 0.1, b = 10) with 0 ≤ v ≤ 100 (MINPACK-2), start
/// max(sin(i·hx), 0).
pub fn pjb_bound(nx: usize, ny: usize) -> Result<BoundedProblem<Minpack2<Pjb>>> {
    let p = Minpack2::pjb(nx, ny)?;
    let bounds = Bounds::uniform(p.n(), 0.0, 100.0)?;
    let start = p.start();
    BoundedProblem::new(p, bounds, start)
}

/// DMSO: the minimal surface with `dminxb`'s parabola boundary over the
/// plate |i·hx − ½| ≤ ¼, |j·hy − ½| ≤ ¼ of height `xlc` (0 elsewhere),
/// upper bound 2; MSA's start, projected. xlc = 0.5: DMSO_B; 1: DMSO_C.
pub fn dmso(nx: usize, ny: usize, xlc: f64) -> Result<BoundedProblem<Minpack2<Msa>>> {
    let p = Minpack2::new(nx, ny, Msa::with_boundary(MsaBoundary::Parabola))?;
    let g = p.geometry();
    let lower = per_node(&g, |i, j| {
        let on_plate =
            (i as f64 * g.hx - 0.5).abs() <= 0.25 && (j as f64 * g.hy - 0.5).abs() <= 0.25;
        if on_plate {
            xlc
        } else {
            0.0
        }
    });
    let bounds = Bounds::new(lower, Array1::from_elem(p.n(), 2.0))?;
    let start = p.start();
    BoundedProblem::new(p, bounds, start)
}

/// TAO `plate2` with its defaults: Enneper MSA, lower bound 0.1 on the
/// plate (mx−bmx)/2 ≤ i' < mx − (mx−bmx)/2 (0-based i' = i − 1, integer
/// division, bmx = mx/2; the same in y), −∞ elsewhere, no upper bound;
/// TAO's start (`MSA_InitialPoint`), projected.
pub fn plate(nx: usize, ny: usize) -> Result<BoundedProblem<Minpack2<Msa>>> {
    let p = Minpack2::msa(nx, ny)?;
    let g = p.geometry();
    let (bmx, bmy) = (nx / 2, ny / 2);
    let (ox, oy) = ((nx - bmx) / 2, (ny - bmy) / 2);
    let lower = per_node(&g, |i, j| {
        let (i0, j0) = (i - 1, j - 1);
        if i0 >= ox && i0 < nx - ox && j0 >= oy && j0 < ny - oy {
            0.1
        } else {
            f64::NEG_INFINITY
        }
    });
    let bounds = Bounds::new(lower, Array1::from_elem(p.n(), f64::INFINITY))?;
    let bnd = p.boundary();
    let (mx, my) = (nx as f64, ny as f64);
    let start = per_node(&g, |i, j| {
        // TAO's 0-based (i', j') = (i − 1, j − 1); B, T, L, R from 0.
        let (i0, j0) = ((i - 1) as f64, (j - 1) as f64);
        0.5 * ((j0 + 1.0) * bnd.bottom[i] / my
            + (my - j0 + 1.0) * bnd.top[i] / (my + 2.0)
            + (i0 + 1.0) * bnd.left[j] / mx
            + (mx - i0 + 1.0) * bnd.right[j] / (mx + 2.0))
    });
    BoundedProblem::new(p, bounds, start)
}

/// DMSA: Enneper MSA over the pyramid h − 10(|i·hx − ½| + |j·hy − ½|),
/// upper bound max(2h, 1); MSA's start, projected. h = 0: DMSA_A; 2: DMSA_B.
pub fn dmsa(nx: usize, ny: usize, h: f64) -> Result<BoundedProblem<Minpack2<Msa>>> {
    let p = Minpack2::msa(nx, ny)?;
    let g = p.geometry();
    let lower = per_node(&g, |i, j| {
        h - 10.0 * ((i as f64 * g.hx - 0.5).abs() + (j as f64 * g.hy - 0.5).abs())
    });
    let bounds = Bounds::new(lower, Array1::from_elem(p.n(), (2.0 * h).max(1.0)))?;
    let start = p.start();
    BoundedProblem::new(p, bounds, start)
}

/// DSSC: SSC (λ = 5) with 0 ≤ v ≤ `upper` (0.5, 0.25, 0.1 for A, B, C);
/// SSC's start, projected.
pub fn dssc(nx: usize, ny: usize, upper: f64) -> Result<BoundedProblem<Minpack2<Ssc>>> {
    let p = Minpack2::ssc(nx, ny)?;
    let bounds = Bounds::uniform(p.n(), 0.0, upper)?;
    let start = p.start();
    BoundedProblem::new(p, bounds, start)
}
