//! The linear-algebra layer: operators, preconditioners, parallel kernels
//! and sparse matrices. Nothing here knows about optimization.
//!
//! * [`operator`]: [`LinearOperator`] (`apply(v, out)` writes A v into
//!   `out`), dense matrices and closures as operators;
//! * [`masked`]: D·A·D and D·M⁻¹·D for a 0/1 mask D (a face of a box);
//! * [`precond`]: [`Preconditioner`] (`apply(r, z)` writes M⁻¹ r), the
//!   identity and Jacobi;
//! * [`par`]: parallelism as a value ([`Par`]) and the deterministic,
//!   blocked vector passes every solver uses;
//! * [`sparse`]: `sprs` CSR matrices as operators, parallel products,
//!   incomplete Cholesky IC(0); later multigrid;
//! * [`rng`]: a seeded SplitMix64, so generated data is the same everywhere;
//! * [`trs`]: the exact trust-region subproblem for a dense symmetric matrix
//!   (Moré & Sorensen 1983), [`trs::solve_trs`].

pub mod masked;
pub mod operator;
pub mod par;
pub mod precond;
pub mod rng;
pub mod sparse;
pub mod trs;
pub(crate) mod vecops;

pub use operator::{assemble_dense, FnOperator, LinearOperator};
pub use par::Par;
pub use precond::{Identity, Jacobi, Preconditioner};
