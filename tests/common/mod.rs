//! Helpers shared by the test binaries. Each binary includes this module
//! with `#[path = "../common/mod.rs"] mod common;`.

// Each test binary uses a different subset of the helpers.
#![allow(dead_code)]

mod with_hessian;

pub use with_hessian::WithHessian;
