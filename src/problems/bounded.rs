//! Bound-constrained test problems: an objective with its box and start,
//! and the bounded problems by name (`reference/bounds.md` §4–5).
//!
//! The grid problems reuse the unbounded MINPACK-2 objectives
//! ([`crate::problems::minpack2`]) and add the box; `--hessian assembled`
//! wraps the same objective in [`Assembled`].

use ndarray::Array1;

use crate::error::{check_dim, Error, Result};
use crate::linalg::sparse::Assembled;
use crate::problem::bounds::Bounds;
use crate::problem::objective::{DynObjective, Objective};
use crate::problems::minpack2::{self, Element, Minpack2};
use crate::problems::registry::{HessianMode, Size};
use crate::problems::ExtendedRosenbrock;

/// An objective with its box and its (projected) standard start.
pub struct BoundedProblem<O> {
    objective: O,
    bounds: Bounds,
    start: Array1<f64>,
}

impl<O: Objective> BoundedProblem<O> {
    /// `objective` on `bounds` from `start`, which is projected onto the
    /// box. Errors: dimensions differ.
    pub fn new(objective: O, bounds: Bounds, mut start: Array1<f64>) -> Result<Self> {
        check_dim("bounds", objective.dim(), bounds.dim())?;
        check_dim("start", objective.dim(), start.len())?;
        bounds.project(start.view_mut())?;
        Ok(Self {
            objective,
            bounds,
            start,
        })
    }
}

impl<O> BoundedProblem<O> {
    /// The objective.
    pub fn objective(&self) -> &O {
        &self.objective
    }
    /// The box.
    pub fn bounds(&self) -> &Bounds {
        &self.bounds
    }
    /// The standard start, projected.
    pub fn start(&self) -> &Array1<f64> {
        &self.start
    }
    /// The parts (objective, bounds, start).
    pub fn into_parts(self) -> (O, Bounds, Array1<f64>) {
        (self.objective, self.bounds, self.start)
    }
}

/// Extended Rosenbrock (CUTEst SROSENBR) with x_{2i−1} ≤ ½ (1-based odd
/// components): f* = n/8 at x_odd = ½, x_even = ¼, with n/2 binding bounds.
pub fn srosenbr_bound(n: usize) -> Result<BoundedProblem<ExtendedRosenbrock>> {
    let p = ExtendedRosenbrock::new(n)?;
    let upper = Array1::from_shape_fn(n, |i| if i % 2 == 0 { 0.5 } else { f64::INFINITY });
    let bounds = Bounds::new(Array1::from_elem(n, f64::NEG_INFINITY), upper)?;
    let start = p.start();
    BoundedProblem::new(p, bounds, start)
}

/// Name, default grid side and description of a bounded problem.
#[derive(Debug, Clone, Copy)]
pub struct BoundedInfo {
    /// The command-line name.
    pub name: &'static str,
    /// Default n (srosenbr-bound) or grid side.
    pub default_n: usize,
    /// One line for listings.
    pub description: &'static str,
}

/// The bounded problems.
pub const BOUNDED_PROBLEMS: &[BoundedInfo] = &[
    BoundedInfo {
        name: "ept-bound",
        default_n: 100,
        description: "MINPACK-2 DEPT: torsion, c = 5, |v| <= distance to the boundary",
    },
    BoundedInfo {
        name: "pjb-bound",
        default_n: 100,
        description: "MINPACK-2 DPJB: journal bearing, ecc 0.1, b = 10, 0 <= v <= 100",
    },
    BoundedInfo {
        name: "dmso-b",
        default_n: 100,
        description: "MINPACK-2 DMSO_B: minimal surface over a plate obstacle, xlc = 0.5",
    },
    BoundedInfo {
        name: "dmso-c",
        default_n: 100,
        description: "MINPACK-2 DMSO_C: minimal surface over a plate obstacle, xlc = 1",
    },
    BoundedInfo {
        name: "plate",
        default_n: 100,
        description:
            "TAO plate2: Enneper minimal surface over a plate, bheight 0.1, plate mx/2 x my/2",
    },
    BoundedInfo {
        name: "dmsa-a",
        default_n: 100,
        description: "MINPACK-2 DMSA_A: minimal surface over a pyramid, h = 0 (no bound active)",
    },
    BoundedInfo {
        name: "dmsa-b",
        default_n: 100,
        description: "MINPACK-2 DMSA_B: minimal surface over a pyramid, h = 2, xu = 4",
    },
    BoundedInfo {
        name: "dssc-c",
        default_n: 100,
        description: "MINPACK-2 DSSC_C: combustion, lambda = 5, 0 <= v <= 0.1",
    },
    BoundedInfo {
        name: "srosenbr-bound",
        default_n: 1000,
        description: "extended Rosenbrock with x_odd <= 0.5, f* = n/8",
    },
];

/// The reference optimum at 50×50 (`reference/bounds.md` §5), or n/8 for
/// srosenbr-bound.
pub fn reference_f_star(name: &str, nx: usize, ny: usize) -> Option<f64> {
    if name == "srosenbr-bound" {
        return Some(nx as f64 / 8.0);
    }
    if (nx, ny) != (50, 50) {
        return None;
    }
    Some(match name {
        "ept-bound" => -0.418_087_632_020_43,
        "pjb-bound" => -0.180_487_995_008_43,
        "dmso-c" => 2.477_256_606_001_9,
        "dmso-b" => 1.964_480_860_954_3,
        "plate" => 1.456_561_344_409_5,
        "dmsa-b" => 2.239_972_605_316_5,
        "dmsa-a" => 1.421_227_495_955_9,
        "dssc-c" => -5.284_956_148_302_2,
        _ => return None,
    })
}

/// A bounded problem built by name.
pub struct BuiltBounded {
    /// The objective.
    pub objective: Box<dyn DynObjective>,
    /// The box.
    pub bounds: Bounds,
    /// The projected standard start.
    pub x0: Array1<f64>,
    /// The reference optimum, where known.
    pub f_star: Option<f64>,
}

fn boxed<E: Element + 'static>(
    p: BoundedProblem<Minpack2<E>>,
    hessian: HessianMode,
) -> Result<(Box<dyn DynObjective>, Bounds, Array1<f64>)> {
    let (obj, bounds, x0) = p.into_parts();
    let objective: Box<dyn DynObjective> = match hessian {
        HessianMode::MatrixFree => Box::new(obj),
        HessianMode::Assembled => Box::new(Assembled::new(obj)?),
    };
    Ok((objective, bounds, x0))
}

/// Whether `name` is a bounded problem.
pub fn is_bounded(name: &str) -> bool {
    BOUNDED_PROBLEMS.iter().any(|p| p.name == name)
}

/// Builds the bounded problem `name` (grid side from `size.nx`/`size.ny`,
/// or `size.n` as the side, default 100; srosenbr-bound takes `size.n`).
///
/// Errors: unknown name, bad size, or an assembled Hessian for
/// srosenbr-bound.
pub fn build_bounded(name: &str, size: Size, hessian: HessianMode) -> Result<BuiltBounded> {
    let info = BOUNDED_PROBLEMS
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| Error::InvalidOption {
            name: "problem",
            reason: format!("unknown bounded problem `{name}`"),
        })?;
    if name == "srosenbr-bound" {
        if hessian == HessianMode::Assembled {
            return Err(Error::InvalidOption {
                name: "hessian",
                reason: "srosenbr-bound has matrix-free products only".into(),
            });
        }
        let n = size.n.unwrap_or(info.default_n);
        let p = srosenbr_bound(n)?;
        let (obj, bounds, x0) = p.into_parts();
        return Ok(BuiltBounded {
            objective: Box::new(obj),
            bounds,
            x0,
            f_star: reference_f_star(name, n, n),
        });
    }
    let side = size.n.unwrap_or(info.default_n);
    let (nx, ny) = (
        size.nx.unwrap_or(side),
        size.ny.unwrap_or(size.nx.unwrap_or(side)),
    );
    let (objective, bounds, x0) = match name {
        "ept-bound" => boxed(minpack2::ept_bound(nx, ny)?, hessian)?,
        "pjb-bound" => boxed(minpack2::pjb_bound(nx, ny)?, hessian)?,
        "dmso-b" => boxed(minpack2::dmso(nx, ny, 0.5)?, hessian)?,
        "dmso-c" => boxed(minpack2::dmso(nx, ny, 1.0)?, hessian)?,
        "plate" => boxed(minpack2::plate(nx, ny)?, hessian)?,
        "dmsa-a" => boxed(minpack2::dmsa(nx, ny, 0.0)?, hessian)?,
        "dmsa-b" => boxed(minpack2::dmsa(nx, ny, 2.0)?, hessian)?,
        "dssc-c" => boxed(minpack2::dssc(nx, ny, 0.1)?, hessian)?,
        _ => unreachable!("listed in BOUNDED_PROBLEMS"),
    };
    Ok(BuiltBounded {
        objective,
        bounds,
        x0,
        f_star: reference_f_star(name, nx, ny),
    })
}
