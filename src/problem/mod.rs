//! The problem layer: what the user supplies.
//!
//! * [`objective`]: [`Objective`] (f and ∇f in one call, the Hessian at a
//!   point as a [`crate::LinearOperator`]), its object-safe twin
//!   [`DynObjective`], and [`FnObjective`] for two closures.
//!
//! * [`bounds`]: [`Bounds`] l ≤ x ≤ u, the projection, the free/active/binding
//!   counts and the projected gradient.
//!
//! Later problem kinds (systems F(x) = 0) live beside them.

pub mod bounds;
pub mod objective;

pub use bounds::{ActiveCounts, Bounds};
pub use objective::{DynObjective, FnObjective, Objective};
