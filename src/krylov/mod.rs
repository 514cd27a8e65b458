//! The Krylov layer: approximate minimizers of the quadratic model
//! `m(p) = gᵀp + ½ pᵀHp`, inside a trust region or not, from
//! Hessian-vector products only.
//!
//! * [`steihaug()`]: truncated CG (Steihaug 1983; Toint 1981), stopping at
//!   the boundary, on negative curvature or at the inexact-Newton tolerance;
//! * [`boundary`]: the cancellation-free boundary roots;
//! * [`params`]: [`SteihaugParams`], [`KrylovInfo`], [`KrylovWorkspace`],
//!   shared by every inner solve.
//!
//! Later inner solvers (GLTR's Lanczos trust-region solve, a Cauchy step,
//! GMRES for systems) are functions beside `steihaug` with the same shape:
//! params in, an info out, vectors in a workspace made once per solve.

pub mod boundary;
pub mod exit;
pub mod params;
pub mod steihaug;

pub use exit::KrylovExit;
pub use params::{KrylovInfo, KrylovWorkspace, SteihaugParams, Truncation};
pub use steihaug::steihaug;
