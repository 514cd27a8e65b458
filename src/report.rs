//! What a solve returns: the point, the reason it stopped, counts, timing and
//! a per-iteration history.

use std::time::Duration;

use ndarray::Array1;

use crate::status::{CgExit, Status};

/// Evaluation counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Counts {
    /// Calls of `value_grad` (each gives f and ∇f).
    pub evals: u64,
    /// Hessian-vector products (including those used to assemble a dense
    /// Hessian).
    pub hvps: u64,
    /// Hessian preparations (`Objective::hessian` calls).
    pub hessians: u64,
    /// CG iterations over all inner solves.
    pub cg_iterations: u64,
}

/// One outer iteration, accepted or not.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IterationRecord {
    /// Iteration number, from 1.
    pub iter: usize,
    /// f at the current point after this iteration.
    pub f: f64,
    /// ‖∇f‖ at the current point after this iteration.
    pub grad_norm: f64,
    /// Trust radius used for the step (NaN for line-search solvers).
    pub radius: f64,
    /// Trust radius after the update (NaN for line-search solvers).
    pub next_radius: f64,
    /// Ratio ρ of actual to predicted reduction (NaN where not computed;
    /// −∞ for a non-finite trial value).
    pub ratio: f64,
    /// Line-search step length α (NaN for the trust-region solver).
    pub alpha: f64,
    /// Multiple τ of the identity added to H (dense Newton; NaN otherwise).
    pub shift: f64,
    /// Whether the step was accepted.
    pub accepted: bool,
    /// CG iterations of this inner solve.
    pub cg_iterations: usize,
    /// Why CG stopped (`None` for dense Newton).
    pub cg_exit: Option<CgExit>,
    /// Euclidean norm of the step taken or tried.
    pub step_norm: f64,
    /// Cumulative Hessian-vector products.
    pub hvps: u64,
    /// Seconds since the solve started.
    pub elapsed_s: f64,
}

/// The result of a solve.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Report {
    /// Which solver produced the report (`"trust_region"`, `"line_search"`,
    /// `"dense_newton"`).
    pub solver: &'static str,
    /// Why the solve stopped.
    pub status: Status,
    /// The final point (the best accepted point).
    pub x: Array1<f64>,
    /// f(x).
    pub f: f64,
    /// ‖∇f(x)‖.
    pub grad_norm: f64,
    /// ‖∇f(x0)‖.
    pub grad_norm0: f64,
    /// Outer iterations performed (accepted or not).
    pub iterations: usize,
    /// Evaluation counters.
    pub counts: Counts,
    /// Wall-clock time of the solve.
    pub elapsed: Duration,
    /// One record per outer iteration.
    pub history: Vec<IterationRecord>,
}

impl Report {
    /// The dimension n.
    pub fn n(&self) -> usize {
        self.x.len()
    }

    /// A one-line summary.
    pub fn summary(&self) -> String {
        format!(
            "{}: {} after {} iterations: f = {:.12e}, |g| = {:.3e}, evals = {}, hvps = {}, cg = {}, {:.3} s",
            self.solver,
            self.status,
            self.iterations,
            self.f,
            self.grad_norm,
            self.counts.evals,
            self.counts.hvps,
            self.counts.cg_iterations,
            self.elapsed.as_secs_f64()
        )
    }
}

/// The table header matching [`IterationRecord::table_row`].
pub fn table_header() -> String {
    format!(
        "{:>5} {:>22} {:>10} {:>10} {:>10} {:>5} {:>18} {:>10} {:>9}",
        "iter", "f", "|g|", "radius", "ratio", "cg", "cg exit", "|step|", "time s"
    )
}

impl IterationRecord {
    /// One formatted line for a progress table.
    pub fn table_row(&self) -> String {
        format!(
            "{:>5} {:>22.14e} {:>10.3e} {:>10.3e} {:>10.3e} {:>5} {:>18} {:>10.3e} {:>9.3}{}",
            self.iter,
            self.f,
            self.grad_norm,
            self.radius,
            if self.ratio.is_nan() {
                self.alpha
            } else {
                self.ratio
            },
            self.cg_iterations,
            self.cg_exit.map(|e| e.as_str()).unwrap_or("-"),
            self.step_norm,
            self.elapsed_s,
            if self.accepted { "" } else { "  rejected" }
        )
    }
}
