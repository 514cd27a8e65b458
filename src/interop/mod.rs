//! Adapters to other optimization crates.
//!
//! * [`argmin`] (feature `argmin`): our trust-region solver inside argmin's
//!   `Executor`, and argmin problems as our [`crate::Objective`].

pub mod argmin;
