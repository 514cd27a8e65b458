//! The solver layer: the outer iterations and the rules they are made of.
//!
//! * [`config`]: options with named, documented defaults and `validate()`;
//! * `state`: the state of a solve (point, value, gradient, radius,
//!   counters) and the bookkeeping every solver shares;
//! * [`trust_region`], [`line_search`], [`dense_newton`]: the three solvers;
//! * [`checkpoint`]: the saved state of a trust-region solve.

pub mod checkpoint;
pub mod config;
pub mod dense_newton;
pub mod line_search;
pub(crate) mod state;
pub mod trust_region;
