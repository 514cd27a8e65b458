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
//! Value and gradient are one element loop (gather (a, b) per triangle,
//! scatter `∇φ` to the three vertices), run **in parallel over
//! blocks of grid rows**: the triangles between padded rows s and s+1 (a
//! "strip") write only to those two rows, so a block of strips owns its
//! rows and writes the row below its first strip into a private ghost row,
//! which is added afterwards in block order. The blocks depend only on the
//! grid, so results are bit-for-bit independent of the thread count.
//!
//! The Hessian preparation ([`Objective::hessian`]) copies x and turns the
//! element Hessians into a stencil, so a product is one pass over the rows
//! with no square roots and no scatter: where the element Hessians depend
//! on x (MSA, ODC) a 7-point node stencil of 4 doubles per unknown (the
//! product streams v, the stencil and y: 48 bytes per unknown, against 136
//! for the 7-point CSR matrix with `usize` indices); for the quadratic
//! elements a 5-point stencil of per-column edge weights (16 bytes per
//! unknown for EPT and PJB, 24 with SSC's node curvature). The element
//! loop's product over stored element Hessians stays as the stencils' test
//! oracle. Products allocate nothing.
//!
//! The same element Hessians assemble the sparse Hessian (a 7-point stencil
//! for MSA and ODC, 5-point for the others) through
//! [`crate::linalg::sparse::SparseHessian`], so `Assembled::new(problem)` gives the
//! assembled-Hessian version of any problem here.
//!
//! # Files
//! `grid` holds the geometry, boundary and padded rows; `problem` the
//! [`Element`] trait and [`Minpack2`] with its constructors; `elements` the
//! five element formulas; `sweep` the element loop; `hessian` the prepared
//! matrix-free Hessian; `stencil` its product as a 5-point stencil for the
//! quadratic elements, `stencil7` as a 7-point node stencil for the
//! others; `assembled` the sparse pattern and values; `objective` the [`Objective`] implementation.
//!
//! [`Objective`]: crate::Objective
//! [`Objective::hessian`]: crate::Objective::hessian

mod assembled;
mod bounded;
mod elements;
mod grid;
mod hessian;
mod objective;
mod problem;
mod stencil;
mod stencil7;
mod stencil_ic0;
mod sweep;

pub use bounded::{dmsa, dmso, dssc, ept_bound, pjb_bound, plate};
pub use elements::{Ept, Msa, MsaBoundary, Odc, Pjb, Ssc};
pub use grid::{Boundary, Geometry};
pub use hessian::Minpack2Hessian;
pub use problem::{Element, Minpack2};
