//! # steihaug — matrix-free second-order optimization
//!
//! This page is a short tutorial: the problem the crate solves, the method,
//! a problem of your own from start to answer, and how to watch, save and
//! plot a run. The API reference follows below it.
//!
//! ## 1. The problem
//! Minimize a smooth f: Rⁿ → R when n is far too large for a dense Hessian
//! (n = 10⁶ gives 10¹² entries). Newton's method needs only few iterations,
//! but each asks for a solution of H p = −g. For many large problems —
//! sparse couplings, sums over data, automatic differentiation — the
//! **Hessian-vector product** H v costs about as much as a gradient, while
//! H itself is out of reach. That product, with f and ∇f, is all this crate
//! asks for.
//!
//! ## 2. The method
//! At x_k the quadratic model is `m_k(p) = f_k + g_kᵀp + ½pᵀH_kp`. The
//! trust-region method approximately minimizes it over `‖p‖ ≤ Δ_k`, tries
//! x_k + p, and compares the actual reduction with the predicted one,
//! `ρ = (f(x_k) − f(x_k + p)) / (m_k(0) − m_k(p))`, to accept the step and
//! resize Δ (Nocedal & Wright 2006, ch. 4 and 7). The step comes from a
//! truncated conjugate-gradient loop (Steihaug 1983; Toint 1981) that stops
//! at the trust-region boundary, on negative curvature, or at the
//! inexact-Newton tolerance ‖r‖ ≤ min(0.5, √‖g‖)·‖g‖; it needs only
//! products H_k v, so memory stays a few n-vectors. A line-search
//! Newton-CG and a dense Newton baseline share the same interface.
//!
//! ## 3. Your objective
//! An [`Objective`] gives f and ∇f in one call and prepares the Hessian at
//! a point as a [`LinearOperator`] — once per iteration, so work that
//! depends only on x is done there and not in every product. The example
//! smooths a signal t with a robust loss:
//! f(x) = Σᵢ log cosh(xᵢ − tᵢ) + (λ/2) Σᵢ (xᵢ₊₁ − xᵢ)², whose Hessian is
//! diag(w) + λL with wᵢ = 1 − tanh²(xᵢ − tᵢ) and L the path Laplacian.
//! (For a quick start without a type, [`FnObjective`] takes two closures;
//! [`derivatives`] builds products from gradients by finite differences or
//! forward-mode AD, and checks hand-written ones.)
//!
//! ```
//! use ndarray::{Array1, ArrayView1, ArrayViewMut1};
//! use steihaug::{LinearOperator, Objective};
//!
//! /// f(x) = Σ log cosh(x_i − t_i) + (λ/2) Σ (x_{i+1} − x_i)².
//! pub struct Smoothing {
//!     pub t: Array1<f64>,
//!     pub lambda: f64,
//! }
//!
//! /// ∇²f(x) = diag(w) + λ L.
//! pub struct SmoothingHessian {
//!     w: Array1<f64>,
//!     lambda: f64,
//! }
//!
//! impl LinearOperator for SmoothingHessian {
//!     fn dim(&self) -> usize {
//!         self.w.len()
//!     }
//!     fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
//!         let n = v.len();
//!         for i in 0..n {
//!             let mut lv = 0.0;
//!             if i > 0 { lv += v[i] - v[i - 1]; }
//!             if i + 1 < n { lv += v[i] - v[i + 1]; }
//!             out[i] = self.w[i] * v[i] + self.lambda * lv;
//!         }
//!     }
//!     // Optional: lets `Preconditioning::Jacobi` work.
//!     fn diagonal(&self, mut out: ArrayViewMut1<'_, f64>) -> bool {
//!         let n = self.w.len();
//!         for i in 0..n {
//!             let degree = f64::from(u8::from(i > 0) + u8::from(i + 1 < n));
//!             out[i] = self.w[i] + self.lambda * degree;
//!         }
//!         true
//!     }
//! }
//!
//! /// log cosh r without overflow.
//! fn log_cosh(r: f64) -> f64 {
//!     r.abs() + (-2.0 * r.abs()).exp().ln_1p() - std::f64::consts::LN_2
//! }
//!
//! impl Objective for Smoothing {
//!     type Hessian<'a> = SmoothingHessian where Self: 'a;
//!     fn dim(&self) -> usize {
//!         self.t.len()
//!     }
//!     fn value_grad(&self, x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>) -> f64 {
//!         let n = x.len();
//!         let mut f = 0.0;
//!         for i in 0..n {
//!             let r = x[i] - self.t[i];
//!             f += log_cosh(r);
//!             g[i] = r.tanh();
//!         }
//!         for i in 0..n - 1 {
//!             let d = x[i + 1] - x[i];
//!             f += 0.5 * self.lambda * d * d;
//!             g[i] -= self.lambda * d;
//!             g[i + 1] += self.lambda * d;
//!         }
//!         f
//!     }
//!     fn hessian(&self, x: ArrayView1<'_, f64>) -> SmoothingHessian {
//!         // The per-point work, once per iteration.
//!         let w = x
//!             .iter()
//!             .zip(&self.t)
//!             .map(|(xi, ti)| 1.0 - (xi - ti).tanh().powi(2))
//!             .collect();
//!         SmoothingHessian { w, lambda: self.lambda }
//!     }
//! }
//! # fn main() {}
//! ```
//!
//! ## 4. Check, solve, read the report
//! [`derivatives::check_derivatives`] compares the gradient and products
//! with finite differences before you trust them. [`TrustRegion::solve`]
//! returns a [`Report`]: the point, a [`Status`] that says why the solve
//! ended (a budget or a failure is a status, never a panic; bad input is an
//! [`Error`]), the counts of evaluations and Hessian-vector products, and
//! one [`IterationRecord`] per iteration.
//!
//! ```
//! # mod tutorial {
//! # use ndarray::{Array1, ArrayView1, ArrayViewMut1};
//! # use steihaug::{LinearOperator, Objective};
//! #
//! # /// f(x) = Σ log cosh(x_i − t_i) + (λ/2) Σ (x_{i+1} − x_i)².
//! # pub struct Smoothing {
//! #     pub t: Array1<f64>,
//! #     pub lambda: f64,
//! # }
//! #
//! # /// ∇²f(x) = diag(w) + λ L.
//! # pub struct SmoothingHessian {
//! #     w: Array1<f64>,
//! #     lambda: f64,
//! # }
//! #
//! # impl LinearOperator for SmoothingHessian {
//! #     fn dim(&self) -> usize {
//! #         self.w.len()
//! #     }
//! #     fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
//! #         let n = v.len();
//! #         for i in 0..n {
//! #             let mut lv = 0.0;
//! #             if i > 0 { lv += v[i] - v[i - 1]; }
//! #             if i + 1 < n { lv += v[i] - v[i + 1]; }
//! #             out[i] = self.w[i] * v[i] + self.lambda * lv;
//! #         }
//! #     }
//! #     // Optional: lets `Preconditioning::Jacobi` work.
//! #     fn diagonal(&self, mut out: ArrayViewMut1<'_, f64>) -> bool {
//! #         let n = self.w.len();
//! #         for i in 0..n {
//! #             let degree = f64::from(u8::from(i > 0) + u8::from(i + 1 < n));
//! #             out[i] = self.w[i] + self.lambda * degree;
//! #         }
//! #         true
//! #     }
//! # }
//! #
//! # /// log cosh r without overflow.
//! # fn log_cosh(r: f64) -> f64 {
//! #     r.abs() + (-2.0 * r.abs()).exp().ln_1p() - std::f64::consts::LN_2
//! # }
//! #
//! # impl Objective for Smoothing {
//! #     type Hessian<'a> = SmoothingHessian where Self: 'a;
//! #     fn dim(&self) -> usize {
//! #         self.t.len()
//! #     }
//! #     fn value_grad(&self, x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>) -> f64 {
//! #         let n = x.len();
//! #         let mut f = 0.0;
//! #         for i in 0..n {
//! #             let r = x[i] - self.t[i];
//! #             f += log_cosh(r);
//! #             g[i] = r.tanh();
//! #         }
//! #         for i in 0..n - 1 {
//! #             let d = x[i + 1] - x[i];
//! #             f += 0.5 * self.lambda * d * d;
//! #             g[i] -= self.lambda * d;
//! #             g[i + 1] += self.lambda * d;
//! #         }
//! #         f
//! #     }
//! #     fn hessian(&self, x: ArrayView1<'_, f64>) -> SmoothingHessian {
//! #         // The per-point work, once per iteration.
//! #         let w = x
//! #             .iter()
//! #             .zip(&self.t)
//! #             .map(|(xi, ti)| 1.0 - (xi - ti).tanh().powi(2))
//! #             .collect();
//! #         SmoothingHessian { w, lambda: self.lambda }
//! #     }
//! # }
//! # }
//! # use tutorial::Smoothing;
//! use ndarray::Array1;
//! use steihaug::derivatives::{check_derivatives, CheckOptions, Verdict};
//! use steihaug::{Status, TrustRegion};
//!
//! let n = 5_000;
//! // A sine with an outlier every 97 samples.
//! let clean = |i: usize| (i as f64 / 200.0).sin();
//! let t = Array1::from_shape_fn(n, |i| clean(i) + if i % 97 == 48 { 5.0 } else { 0.0 });
//! let problem = Smoothing { t, lambda: 10.0 };
//! let x0 = Array1::zeros(n);
//!
//! // The derivative code does not depend on n: check it on a small instance,
//! // where finite differences are not drowned by the round-off of a long sum.
//! let small = Smoothing { t: problem.t.slice(ndarray::s![..200]).to_owned(), lambda: 10.0 };
//! let check = check_derivatives(&small, Array1::zeros(200).view(), &CheckOptions::default())?;
//! assert_eq!(check.verdict, Verdict::Correct, "{check}");
//!
//! let report = TrustRegion::default().solve(&problem, x0.view())?;
//! assert_eq!(report.status, Status::Converged);
//! assert!(report.grad_norm <= 1e-8 * report.grad_norm0);
//! println!("{}", report.summary());
//! // The robust loss caps the pull of each outlier (5 away from the sine)
//! // at |tanh| ≤ 1: the estimate stays within 0.25 of the sine everywhere.
//! let worst = (0..n).map(|i| (report.x[i] - clean(i)).abs()).fold(0.0, f64::max);
//! assert!(worst < 0.25, "worst deviation {worst}");
//! # Ok::<(), steihaug::Error>(())
//! ```
//!
//! ## 5. Watch, stop, save, plot
//! `solve_with` calls an observer after every iteration with an
//! [`Iterate`]: the iteration's [`IterationRecord`] (it derefs to it) and
//! borrowed views of the current x and ∇f (`it.x`, `it.g`). It can print,
//! record the path, log, or stop the solve (status [`Status::StoppedByUser`]). [`Observers`]
//! combines several, and [`StopFlag`] stops a solve from another thread
//! (the CLI's Ctrl-C handler).
//!
//! ```
//! # mod tutorial {
//! # use ndarray::{Array1, ArrayView1, ArrayViewMut1};
//! # use steihaug::{LinearOperator, Objective};
//! #
//! # /// f(x) = Σ log cosh(x_i − t_i) + (λ/2) Σ (x_{i+1} − x_i)².
//! # pub struct Smoothing {
//! #     pub t: Array1<f64>,
//! #     pub lambda: f64,
//! # }
//! #
//! # /// ∇²f(x) = diag(w) + λ L.
//! # pub struct SmoothingHessian {
//! #     w: Array1<f64>,
//! #     lambda: f64,
//! # }
//! #
//! # impl LinearOperator for SmoothingHessian {
//! #     fn dim(&self) -> usize {
//! #         self.w.len()
//! #     }
//! #     fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
//! #         let n = v.len();
//! #         for i in 0..n {
//! #             let mut lv = 0.0;
//! #             if i > 0 { lv += v[i] - v[i - 1]; }
//! #             if i + 1 < n { lv += v[i] - v[i + 1]; }
//! #             out[i] = self.w[i] * v[i] + self.lambda * lv;
//! #         }
//! #     }
//! #     // Optional: lets `Preconditioning::Jacobi` work.
//! #     fn diagonal(&self, mut out: ArrayViewMut1<'_, f64>) -> bool {
//! #         let n = self.w.len();
//! #         for i in 0..n {
//! #             let degree = f64::from(u8::from(i > 0) + u8::from(i + 1 < n));
//! #             out[i] = self.w[i] + self.lambda * degree;
//! #         }
//! #         true
//! #     }
//! # }
//! #
//! # /// log cosh r without overflow.
//! # fn log_cosh(r: f64) -> f64 {
//! #     r.abs() + (-2.0 * r.abs()).exp().ln_1p() - std::f64::consts::LN_2
//! # }
//! #
//! # impl Objective for Smoothing {
//! #     type Hessian<'a> = SmoothingHessian where Self: 'a;
//! #     fn dim(&self) -> usize {
//! #         self.t.len()
//! #     }
//! #     fn value_grad(&self, x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>) -> f64 {
//! #         let n = x.len();
//! #         let mut f = 0.0;
//! #         for i in 0..n {
//! #             let r = x[i] - self.t[i];
//! #             f += log_cosh(r);
//! #             g[i] = r.tanh();
//! #         }
//! #         for i in 0..n - 1 {
//! #             let d = x[i + 1] - x[i];
//! #             f += 0.5 * self.lambda * d * d;
//! #             g[i] -= self.lambda * d;
//! #             g[i + 1] += self.lambda * d;
//! #         }
//! #         f
//! #     }
//! #     fn hessian(&self, x: ArrayView1<'_, f64>) -> SmoothingHessian {
//! #         // The per-point work, once per iteration.
//! #         let w = x
//! #             .iter()
//! #             .zip(&self.t)
//! #             .map(|(xi, ti)| 1.0 - (xi - ti).tanh().powi(2))
//! #             .collect();
//! #         SmoothingHessian { w, lambda: self.lambda }
//! #     }
//! # }
//! # }
//! # use tutorial::Smoothing;
//! use std::ops::ControlFlow;
//! use ndarray::Array1;
//! use steihaug::{Iterate, Observers, Status, StopFlag, TrustRegion};
//!
//! let n = 5_000;
//! let t = Array1::from_shape_fn(n, |i| (i as f64 / 200.0).sin());
//! let problem = Smoothing { t, lambda: 10.0 };
//! let stop = StopFlag::new();
//! let stopper = stop.clone();
//! let mut observers = Observers::new()
//!     .with(|r: &Iterate| {
//!         println!("{}", r.table_row());
//!         ControlFlow::Continue(())
//!     })
//!     // Stands for a Ctrl-C handler: ask for a stop during iteration 2.
//!     .with(move |r: &Iterate| {
//!         if r.iter == 2 { stopper.request_stop(); }
//!         ControlFlow::Continue(())
//!     })
//!     .with(stop);
//! let report = TrustRegion::default()
//!     .solve_with(&problem, Array1::zeros(n).view(), &mut observers.callback())?;
//! assert_eq!(report.status, Status::StoppedByUser);
//! assert_eq!(report.iterations, 2);
//! # Ok::<(), steihaug::Error>(())
//! ```
//!
//! With the `serde` feature the report, its history and every solver
//! configuration serialize ([`Report::to_json`](report::Report),
//! `Report::from_json`); [`TrustRegion::solve_with_checkpoints`] writes a
//! [`Checkpoint`] every K iterations and [`TrustRegion::resume`] continues
//! from one to the same end, bit for bit, as the uninterrupted solve (see
//! [`solvers::checkpoint`]). With `plot`, `plot::convergence_svg` draws ‖g‖ and
//! f − f_best against iterations and against Hessian-vector products
//! (`docs/img/rosenbrock-convergence.svg` in the repository, shown in
//! `docs/ecosystem.md`). With `argmin`, `interop::argmin` runs this solver
//! inside argmin's `Executor` and hands argmin problems to ours; with
//! `tracing`, `TracingObserver` logs each iteration. The sections below
//! and `docs/ecosystem.md` give the details.
//!
//! # Reference
//!
//! ## Layers
//! One folder per layer (`docs/architecture.md` draws them):
//! * [`linalg`]: [`LinearOperator`] (`apply(v, out)`), [`Preconditioner`],
//!   parallelism as a value ([`Par`]), `sprs` sparse matrices and IC(0);
//! * [`problem`]: [`Objective`]: value and gradient in one call, and
//!   `hessian(x)` — the Hessian at x as a [`LinearOperator`], prepared once
//!   per iteration;
//! * [`krylov`]: [`krylov::steihaug()`], the truncated CG inner loop;
//! * [`solvers`]: [`TrustRegion`], [`LineSearchNewtonCg`], [`DenseNewton`],
//!   named by [`Method`] and run through [`minimize`] with [`Options`]; the
//!   rules they share as functions ([`solvers::ratio`], [`solvers::radius`]);
//! * [`report`]: [`Report`]: point, [`Status`], counts, history; observers;
//! * [`shard`]: finite sums `Σ_s f_s(w)` over data shards, evaluated in
//!   parallel and bit-for-bit reproducibly for any thread count;
//!   [`problems::sparse_logistic`] is LIBLINEAR's L2 logistic regression on
//!   it, [`io`] reads LIBSVM files and [`problems::datagen`] makes rcv1-shaped
//!   synthetic data.
//!
//! ## Watching, saving and plotting a run
//! * **Observers.** `solve_with` takes a callback that sees every
//!   [`Iterate`] (record, x, g) and may stop the solve
//!   ([`Status::StoppedByUser`]). [`Observers`] runs several together — a
//!   table printer, a [`StopFlag`] set from a Ctrl-C handler, the
//!   `TracingObserver` (feature `tracing`: one event per iteration with f,
//!   ‖g‖, Δ, ρ, CG iterations and CG exit) — see [`report::observe`].
//! * **Checkpoints.** [`TrustRegion::solve_with_checkpoints`] saves a
//!   [`Checkpoint`] (x, g, f, Δ, failure counters, counts, history, options)
//!   every K iterations; [`TrustRegion::resume`] continues from one and ends
//!   exactly where the uninterrupted solve ends — see [`solvers::checkpoint`].
//! * **Reports that last.** With `serde`, [`Report`] (with its history) and
//!   every configuration serialize and deserialize
//!   ([`Report::to_json`](report::Report), `Report::from_json`).
//! * **Plots.** With `plot`, `plot::convergence_svg` draws ‖g‖ and
//!   f − f_best against iterations and against Hessian-vector products
//!   (an example is `docs/img/rosenbrock-convergence.svg` in the
//!   repository, shown in `docs/ecosystem.md`).
//! * **argmin.** With `argmin`, `interop::argmin::ArgminTrustRegion` runs
//!   this crate's trust region as an argmin `Solver` inside argmin's
//!   `Executor` (its observers, checkpointing, termination), and
//!   `interop::argmin::FromArgmin` turns an argmin problem into an
//!   [`Objective`]. argmin-math's `Vec<f64>` backend is used because its
//!   ndarray backend is built on ndarray 0.16 and this crate on 0.17.
//!
//! ## Cargo features
//! | feature | default | what it adds |
//! |---|---|---|
//! | `ad` | yes | forward-mode AD Hessian-vector products (`derivatives::AdObjective`, num-dual) |
//! | `serde` | no | `Serialize`/`Deserialize` for reports, histories, configs and checkpoints; JSON helpers (serde_json) |
//! | `plot` | no | `plot`: SVG convergence plots (plotters, SVG backend only, no system libraries); the CLI's `--plot` |
//! | `tracing` | no | `TracingObserver`: one `tracing` event per iteration |
//! | `argmin` | no | `interop::argmin`: argmin 0.11 `Solver` and problem adapters (argmin-math 0.5, `vec` backend) |
//!
//! The library itself needs none of them: `default-features = false` gives
//! the solvers with ndarray, faer, rayon, sprs and thiserror only. The
//! `steihaug` command line is a package of its own (`steihaug-cli`, in the
//! repository's `cli/`), so its dependencies (clap, indicatif, ctrlc) never
//! reach a library user.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::float_cmp)]

/// The README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub mod derivatives;
pub mod error;
#[cfg(feature = "argmin")]
pub mod interop;
pub mod io;
pub mod krylov;
pub mod linalg;
pub mod memory;
pub mod problem;
pub mod problems;
pub mod report;
pub mod shard;
pub mod solvers;
#[cfg(test)]
mod test_support;

pub use error::{Error, Result};
pub use krylov::KrylovExit;
pub use krylov::{
    GltrInfo, GltrParams, GltrWorkspace, KrylovInfo, KrylovWorkspace, SteihaugParams, Truncation,
};
pub use linalg::trs::{solve_trs, TrsParams, TrsSolution};
pub use linalg::{
    assemble_dense, FnOperator, Identity, Jacobi, LinearOperator, Par, Preconditioner,
};
pub use problem::{ActiveCounts, Bounds, DynObjective, FnObjective, Objective};
#[cfg(feature = "tracing")]
pub use report::observe::TracingObserver;
pub use report::observe::{Callback, Iterate, Observer, Observers, StopFlag};
pub use report::status::Status;
pub use report::{Counts, IterationRecord, Report};
pub use shard::{Shard, ShardedSum};
pub use solvers::checkpoint::{Checkpoint, CheckpointSink, Checkpointing};
pub use solvers::config::{
    ArmijoConfig, DenseNewtonConfig, DenseStep, Forcing, KrylovConfig, LineSearchConfig,
    Preconditioning, Subproblem, Termination, TronConfig, TrustRegionConfig,
};
pub use solvers::dense_newton::DenseNewton;
pub use solvers::line_search::LineSearchNewtonCg;
pub use solvers::radius::{InitialRadius, RadiusRule, RejectedStep};
pub use solvers::saddle::SecondOrder;
pub use solvers::tron::Tron;
pub use solvers::trust_region::TrustRegion;
pub use solvers::{
    minimize, minimize_bounded, minimize_bounded_with, minimize_with, FailureCounters, Method,
    Options, State,
};
