//! The problems and what they are built from: one binary for the CUTEst-style
//! and MINPACK-2 collections, logistic regression on sharded sparse data,
//! sparse operators and IC(0), the LIBSVM reader and writer, and
//! finite-difference and AD derivatives.

#[path = "../common/mod.rs"]
mod common;

mod cutest;
mod derivatives;
mod libsvm;
mod logistic;
mod minpack2;
mod sparse;
