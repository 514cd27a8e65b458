//! # steihaug — matrix-free second-order optimization
//!
//! Minimize a smooth f: Rⁿ → R when n is far too large for a dense Hessian.
//! You supply f, its gradient, and **Hessian-vector products**; the
//! trust-region Newton method takes steps computed by a truncated conjugate-
//! gradient loop (Steihaug 1983; Toint 1981) that stops at the trust-region
//! boundary, on negative curvature, or at an inexact-Newton tolerance.
//!
//! ## The mathematics
//! At x_k the quadratic model is `m_k(p) = f_k + g_kᵀp + ½pᵀH_kp`. The
//! trust-region method approximately minimizes it over `‖p‖ ≤ Δ_k`, tries
//! x_k + p, and compares the actual reduction with the predicted one,
//! `ρ = (f(x_k) − f(x_k + p)) / (m_k(0) − m_k(p))`, to accept the step and
//! resize Δ (Nocedal & Wright 2006, ch. 4 and 7). CG needs only products
//! H_k v, so memory stays a few n-vectors.
//!
//! ## Example
//! ```
//! use ndarray::array;
//! use steihaug::{problems::Rosenbrock, DenseNewton, LineSearchNewtonCg, TrustRegion};
//!
//! let x0 = array![-1.2, 1.0];
//! // Stop at ‖g‖ ≤ 1e-12·‖g0‖ (the default is 1e-8).
//! let tr = TrustRegion::default().with_gtol(1e-12).solve(&Rosenbrock, x0.view())?;
//! assert!(tr.status.is_converged());
//! assert!((tr.x[0] - 1.0).abs() < 1e-8 && (tr.x[1] - 1.0).abs() < 1e-8);
//!
//! // The same problem with the line-search and dense solvers.
//! let ls = LineSearchNewtonCg::default().solve(&Rosenbrock, x0.view())?;
//! let dn = DenseNewton::default().solve(&Rosenbrock, x0.view())?;
//! assert!((ls.x[0] - dn.x[0]).abs() < 1e-6);
//! # Ok::<(), steihaug::Error>(())
//! ```
//!
//! ## Layers
//! * [`Objective`]: value and gradient in one call, and `hessian(x)` — the
//!   Hessian at x as a [`LinearOperator`], prepared once per iteration;
//! * [`LinearOperator`] (`apply(v, out)`) and [`Preconditioner`];
//! * [`subproblem::steihaug()`]: the truncated CG inner loop;
//! * solvers: [`TrustRegion`], [`LineSearchNewtonCg`], [`DenseNewton`];
//! * [`Report`]: point, [`Status`], counts, history;
//! * [`shard`]: finite sums `Σ_s f_s(w)` over data shards, evaluated in
//!   parallel and bit-for-bit reproducibly for any thread count;
//!   [`problems::sparse_logistic`] is LIBLINEAR's L2 logistic regression on
//!   it, [`io`] reads LIBSVM files and [`datagen`] makes rcv1-shaped
//!   synthetic data.
//!
//! ## Cargo features
//! | feature | default | what it adds |
//! |---|---|---|
//! | `cli` | yes | the `steihaug` binary (clap, serde_json) |
//! | `serde` | with `cli` | `Serialize`/`Deserialize` for reports and configs |
//! | `ad` | yes | forward-mode AD Hessian-vector products ([`derivatives::AdObjective`], num-dual) |

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::float_cmp)]

/// The README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub mod config;
pub mod datagen;
pub mod dense;
pub mod derivatives;
pub mod error;
pub mod io;
pub mod line_search;
pub mod objective;
pub mod observe;
pub mod operator;
pub mod par;
pub mod precond;
pub mod problems;
pub mod report;
pub mod rng;
mod run;
pub mod shard;
pub mod status;
pub mod subproblem;
pub mod trust_region;
mod vecops;

pub use config::{CgConfig, Forcing, Preconditioning, Termination};
pub use dense::{DenseNewton, DenseNewtonConfig, DenseStep};
pub use error::{Error, Result};
pub use line_search::{ArmijoConfig, LineSearchConfig, LineSearchNewtonCg};
pub use objective::{DynObjective, FnObjective, Objective};
pub use observe::Callback;
pub use operator::{assemble_dense, FnOperator, LinearOperator};
pub use par::Par;
pub use precond::{Identity, Jacobi, Preconditioner};
pub use report::{Counts, IterationRecord, Report};
pub use shard::{Shard, ShardedSum};
pub use status::{CgExit, Status};
pub use trust_region::{InitialRadius, RadiusRule, TrustRegion, TrustRegionConfig};
