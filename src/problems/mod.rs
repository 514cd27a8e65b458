//! Test problems with closed-form value, gradient and Hessian-vector product.
//!
//! * [`Rosenbrock`]: (1−x)² + 100(y−x²)², minimizer (1, 1);
//! * [`ExtendedRosenbrock`]: the Moré-Garbow-Hillstrom extended Rosenbrock
//!   function (#21; CUTEst SROSENBR), any even n, f* = 0 at x = 1;
//! * [`Quadratic`]: ½xᵀAx + bᵀx with a dense matrix;
//! * [`DenseLogistic`]: logistic regression on a dense design matrix;
//! * [`sparse_logistic`]: LIBLINEAR's L2 logistic regression on sparse rows,
//!   as a sharded sum;
//! * [`cutest`]: the CUTEst-style collection (ARWHEAD, ENGVAL1, SROSENBR,
//!   GENROSE, CHAINWOO, TRIDIA, NONDIA, FLETCHCR, POWELLSG, BROYDN7D,
//!   CRAGGLVY, DIXMAANE–L);
//! * [`bounded`]: the bound-constrained problems (MINPACK-2 DEPT, DPJB, DMSO,
//!   DMSA, DSSC, TAO plate2, SROSENBR with x_odd ≤ ½) for [`crate::Tron`].

pub mod bounded;
pub mod cutest;
pub mod datagen;
mod logistic;
pub mod minpack2;
mod quadratic;
pub mod registry;
mod rosenbrock;
pub mod sparse_logistic;

pub use logistic::{DenseLogistic, DenseLogisticHessian};
pub use quadratic::Quadratic;
pub use rosenbrock::{
    ExtendedRosenbrock, ExtendedRosenbrockHessian, Rosenbrock, RosenbrockHessian,
};
