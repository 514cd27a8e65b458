//! The solvers: one binary for the tests of trust region, line search and
//! dense Newton, from the Steihaug step to checkpoints.
//!
//! - `amg`: the multigrid preconditioner on whole solves.
//! - `conformance`: the status suite every solver runs through (budgets,
//!   callbacks, typed errors, injected and natural non-finite values,
//!   counts).
//! - `robustness`: a saddle, rescaled problems, an indefinite
//!   preconditioner.
//! - `seed_problems`: the seed problems against their known answers.
//! - `properties`: random problems against a dense oracle and the
//!   mathematics of the Steihaug-Toint step.
//! - `determinism`: the same bits for any number of threads.
//! - `checkpoint`, `serde_report`: resumed solves and JSON round trips.
//! - `hardening`: statuses that never flatter (NaN Hessians, callback
//!   precedence, `Unbounded`, forged checkpoints, arbitrary bytes).

#[path = "../common/mod.rs"]
mod common;

mod amg;
mod checkpoint;
mod conformance;
mod determinism;
mod gltr;
mod hardening;
mod properties;
mod robustness;
mod seed_problems;
#[cfg(feature = "serde")]
mod serde_report;
mod strategies;
mod tron;
