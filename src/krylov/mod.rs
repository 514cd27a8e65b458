//! The Krylov layer: approximate minimizers of the quadratic model
//! `m(p) = gᵀp + ½ pᵀHp`, inside a trust region or not, from
//! Hessian-vector products only.
//!
//! * [`steihaug()`]: truncated CG (Steihaug 1983; Toint 1981), stopping at
//!   the boundary, on negative curvature or at the inexact-Newton tolerance;
//! * [`boundary`]: the cancellation-free boundary roots;
//! * [`energy`]: the delayed estimate of CG's energy-norm error, which the
//!   solvers' gap test reads;
//! * [`params`]: [`SteihaugParams`], [`KrylovInfo`], [`KrylovWorkspace`],
//!   shared by every inner solve.
//!
//! * [`gltr()`]: GLTR, the Lanczos trust-region solve (Gould, Lucidi, Roma
//!   & Toint 1999), continuing past the boundary, with two-pass step
//!   recovery and a re-solve at a smaller radius ([`gltr_resolve`]);
//! * [`tridiag`]: its k×k tridiagonal trust-region problem (Moré-Sorensen).
//!
//! Later inner solvers (a Cauchy step, GMRES for systems) are functions beside `steihaug` with the same shape:
//! params in, an info out, vectors in a workspace made once per solve.

pub mod boundary;
pub mod energy;
pub mod exit;
pub mod gltr;
pub mod params;
pub mod steihaug;
pub mod tridiag;

pub use exit::KrylovExit;
pub use gltr::{gltr, gltr_resolve, GltrInfo, GltrParams, GltrWorkspace, DEFAULT_MAX_LANCZOS};
pub use params::{KrylovInfo, KrylovWorkspace, SteihaugParams, Truncation};
pub use steihaug::steihaug;
