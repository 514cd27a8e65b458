//! The problem layer: what the user supplies.
//!
//! * [`objective`]: [`Objective`] (f and ∇f in one call, the Hessian at a
//!   point as a [`crate::LinearOperator`]), its object-safe twin
//!   [`DynObjective`], and [`FnObjective`] for two closures.
//!
//! Later problem kinds (bounds l ≤ x ≤ u, systems F(x) = 0) live beside it.

pub mod objective;

pub use objective::{DynObjective, FnObjective, Objective};
