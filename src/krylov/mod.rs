//! Subproblem solvers: approximate minimizers of the quadratic model
//! `m(p) = gᵀp + ½ pᵀHp`, inside a trust region or not.

pub mod steihaug;

pub use steihaug::{steihaug, KrylovInfo, KrylovWorkspace, SteihaugParams, Truncation};
