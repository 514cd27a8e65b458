//! Derivatives for users who do not write Hessian-vector products, and a
//! checker for those who do.
//!
//! Hand-written Hessian-vector products are the most common source of silent
//! failure in a matrix-free solver. This module offers three ways around
//! them and one way to test them:
//!
//! * [`FdObjective`] ([`fd`]): an [`crate::Objective`] built from
//!   `value_grad` alone; each product `∇²f(x)·v` is a finite difference of
//!   the gradient along v (forward or central, Nocedal & Wright 2006, §8.1),
//!   with the step scaled by ‖x‖ and ‖v‖ (`reference/pitfalls.md` §15) and
//!   every component perturbed (§16);
//! * [`AdObjective`] ([`ad`], cargo feature `ad`, on by default): the user
//!   writes the gradient once, generic over a dual-number scalar
//!   ([`num_dual`]); a product is the directional derivative of the gradient,
//!   exact to rounding, for the cost of about two gradients;
//! * [`fd_dense_hessian`] and [`fd_dense_hessian_from_values`]: the whole
//!   Hessian by differences, for small n;
//! * [`check_derivatives`] ([`check`]): compares a user's gradient and
//!   products with finite differences along seeded random directions, tests
//!   the symmetry `uᵀ(Hv) = vᵀ(Hu)`, and gives a verdict with the worst
//!   relative error and where it occurred.

#[cfg(feature = "ad")]
pub mod ad;
pub mod check;
pub mod fd;

#[cfg(feature = "ad")]
pub use ad::{AdGradient, AdHessian, AdObjective, Scalar};
pub use check::{
    check_derivatives, CheckOptions, DerivativeReport, GradientCheck, HvpCheck, SymmetryCheck,
    Verdict,
};
pub use fd::{
    central_step, fd_dense_hessian, fd_dense_hessian_from_values, fd_hvp, forward_step, FdHessian,
    FdObjective, FdScheme, FdWorkspace,
};

use std::borrow::Cow;

use ndarray::{ArrayView1, ArrayViewMut1};

/// Runs `f` on `x` and `out` as slices. Views from the solvers are always
/// contiguous; a strided view is copied (the only allocating path).
pub(crate) fn with_slices<R>(
    x: ArrayView1<'_, f64>,
    mut out: ArrayViewMut1<'_, f64>,
    f: impl FnOnce(&[f64], &mut [f64]) -> R,
) -> R {
    let xs: Cow<'_, [f64]> = match x.as_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(x.to_vec()),
    };
    match out.as_slice_mut() {
        Some(os) => f(&xs, os),
        None => {
            let mut tmp = vec![0.0; out.len()];
            let r = f(&xs, &mut tmp);
            out.assign(&ArrayView1::from(&tmp[..]));
            r
        }
    }
}
