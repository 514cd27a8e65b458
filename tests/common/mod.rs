//! Helpers shared by the test binaries: objective wrappers that count,
//! corrupt or record what a solver asks for, a problem with a chosen
//! Hessian operator, and the proptest configuration every property test
//! uses. Each binary includes this module with
//! `#[path = "../common/mod.rs"] mod common;`.

// Each test binary uses a different subset of the helpers.
#![allow(dead_code, unused_imports)]

mod counted;
mod faulty;
mod proptest_config;
mod recording;
mod with_hessian;

pub use counted::Counted;
pub use faulty::Faulty;
pub use proptest_config::{check_cases, proptest_config};
pub use recording::Recording;
pub use with_hessian::WithHessian;
