//! The solver layer: the outer iterations and the rules they are made of.
//!
//! * [`method`]: [`Method`] names a solver, [`Options`] holds its
//!   configuration, [`minimize`] runs it;
//! * [`config`]: options with named, documented defaults and `validate()`;
//! * [`state`]: the [`State`] of a solve and the bookkeeping every solver
//!   shares (budgets, the gradient test, history, callback, report);
//! * the rules, each a pure function tested branch by branch:
//!   [`ratio`] (ρ with its round-off rule, acceptance), [`radius`]
//!   (initial radius, Nocedal-Wright, TRON and TAO updates, shrink,
//!   collapse), [`forcing`] (Eisenstat-Walker forcing terms), [`saddle`]
//!   (the Lanczos check for negative curvature at a stationary point),
//!   `armijo` (backtracking with the approximate-Wolfe round-off test);
//! * the solvers: [`trust_region`], [`line_search`] (the two share
//!   `newton_cg`: work vectors, Hessian and preconditioner at a point,
//!   inner-solve parameters and counts), [`dense_newton`], [`tron`] (bound constraints l ≤ x ≤ u);
//! * [`checkpoint`]: a saved [`State`] of a trust-region solve.

pub(crate) mod armijo;
pub mod checkpoint;
pub mod config;
pub mod dense_newton;
pub mod forcing;
pub mod line_search;
pub mod method;
pub(crate) mod newton_cg;
pub mod radius;
pub(crate) mod radius_start;
pub mod ratio;
pub mod saddle;
pub mod state;
pub mod tron;
pub mod trust_region;

pub use method::{
    minimize, minimize_bounded, minimize_bounded_with, minimize_with, Method, Options,
};
pub use state::{FailureCounters, State};
