//! What a solve returns: the point, the reason it stopped, counts, timing and
//! a per-iteration history.

pub mod bounds;
pub mod method;
pub mod observe;
#[cfg(feature = "plot")]
pub mod plot;
pub mod status;

use std::time::Duration;

use ndarray::Array1;

use crate::krylov::KrylovExit;
use crate::report::status::Status;

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
    /// Inner Krylov iterations (CG steps; later Lanczos or GMRES steps) over all inner solves. JSON name `cg_iterations`.
    #[cfg_attr(feature = "serde", serde(rename = "cg_iterations"))]
    pub krylov_iterations: u64,
    /// Products of the second-order check ([`crate::SecondOrder`]), included
    /// in `hvps`: for the matrix-free solvers
    /// `hvps = krylov_iterations + second_order_hvps`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub second_order_hvps: u64,
    /// Products of GLTR's second pass (step recovery), included in `hvps`
    /// (0 with Steihaug's CG). Missing in JSON means 0.
    #[cfg_attr(feature = "serde", serde(default))]
    pub pass2_hvps: u64,
}

/// One outer iteration, accepted or not.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IterationRecord {
    /// Iteration number, from 1.
    pub iter: usize,
    /// f at the current point after this iteration.
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub f: f64,
    /// ‖∇f‖ at the current point after this iteration.
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub grad_norm: f64,
    /// Trust radius used for the step (NaN for line-search solvers).
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub radius: f64,
    /// Trust radius after the update (NaN for line-search solvers).
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub next_radius: f64,
    /// Ratio ρ of actual to predicted reduction (NaN where not computed;
    /// −∞ for a non-finite trial value).
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub ratio: f64,
    /// Line-search step length α (NaN for the trust-region solver, except
    /// for a step accepted by backtracking, [`crate::RejectedStep`]).
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub alpha: f64,
    /// Multiple τ of the identity added to H (dense Newton; NaN otherwise).
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub shift: f64,
    /// Whether the step was accepted.
    pub accepted: bool,
    /// Inner Krylov iterations of this iteration's subproblem solve. JSON name `cg_iterations`.
    #[cfg_attr(feature = "serde", serde(rename = "cg_iterations"))]
    pub krylov_iterations: usize,
    /// The forcing term η of this iteration's inner solve (NaN for dense
    /// Newton and for an escape step without one).
    #[cfg_attr(
        feature = "serde",
        serde(default = "nan", with = "crate::io::serde_float")
    )]
    pub eta: f64,
    /// Why CG stopped (`None` for dense Newton).
    #[cfg_attr(feature = "serde", serde(rename = "cg_exit"))]
    pub krylov_exit: Option<KrylovExit>,
    /// Euclidean norm of the step taken or tried.
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub step_norm: f64,
    /// Cumulative Hessian-vector products.
    pub hvps: u64,
    /// The subproblem's leftmost Ritz value θ_min (GLTR; `None` otherwise),
    /// an upper bound on the smallest eigenvalue of M⁻¹H at this point.
    /// Missing in JSON means `None`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub leftmost: Option<f64>,
    /// Seconds since the solve started.
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub elapsed_s: f64,
    /// Active-set counts and products by phase (the bound-constrained
    /// solver; `None` otherwise). Missing in JSON means `None`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub bounds: Option<bounds::BoundsRecord>,
}

#[cfg(feature = "serde")]
fn nan() -> f64 {
    f64::NAN
}

/// The result of a solve.
///
/// With the `serde` feature it serializes and deserializes (JSON via
/// `Report::to_json` / `Report::from_json`); the history keeps NaN and
/// ±∞ as the strings `"NaN"`, `"inf"`, `"-inf"`.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Report {
    /// Which solver produced the report (JSON: `"trust_region"`,
    /// `"line_search"`, `"dense_newton"`).
    pub solver: method::Method,
    /// Why the solve stopped.
    pub status: Status,
    /// The final point (the best accepted point).
    pub x: Array1<f64>,
    /// f(x).
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub f: f64,
    /// ‖∇f(x)‖.
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub grad_norm: f64,
    /// ‖∇f(x0)‖.
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub grad_norm0: f64,
    /// Outer iterations performed (accepted or not).
    pub iterations: usize,
    /// Evaluation counters.
    pub counts: Counts,
    /// Wall-clock time of the solve.
    pub elapsed: Duration,
    /// One record per outer iteration.
    pub history: Vec<IterationRecord>,
    /// The Newton-decrement estimate of f − f* from the last accepted step
    /// when it was a full interior Newton step (see
    /// [`crate::Termination::gap_tol`]); `None` otherwise.
    #[cfg_attr(feature = "serde", serde(default))]
    pub gap_estimate: Option<f64>,
    /// Negative curvature uᵀHu/‖u‖² < 0 certified at the final point, when
    /// the solver saw any: an inner solve there that stopped on negative
    /// curvature, or the second-order check ([`crate::SecondOrder`]). The
    /// final point is then not a minimizer. `None` when none was seen (not
    /// a proof of positive definiteness unless the check ran).
    #[cfg_attr(feature = "serde", serde(default))]
    pub negative_curvature: Option<f64>,
    /// The bound-constrained summary (projected start, final active set,
    /// ‖P∇f‖); `None` for the unconstrained solvers. Missing in JSON means
    /// `None`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub bounds: Option<bounds::BoundsSummary>,
}

#[cfg(feature = "serde")]
impl Report {
    /// The report as one JSON object.
    pub fn to_json(&self) -> crate::Result<String> {
        serde_json::to_string(self).map_err(|e| crate::Error::InvalidInput(e.to_string()))
    }

    /// Parses a report written by [`Report::to_json`].
    pub fn from_json(s: &str) -> crate::Result<Self> {
        serde_json::from_str(s)
            .map_err(|e| crate::Error::InvalidInput(format!("not a report: {e}")))
    }
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
            self.counts.krylov_iterations,
            self.elapsed.as_secs_f64()
        )
    }
}

/// The table header matching [`IterationRecord::table_row`].
pub fn table_header() -> String {
    format!(
        "{:>5} {:>22} {:>10} {:>10} {:>10} {:>5} {:>18} {:>10} {:>9}",
        "iter", "f", "|g|", "radius", "ratio|α", "cg", "cg exit", "|step|", "time s"
    )
}

impl IterationRecord {
    /// The ratio ρ for the trust-region solver; the step length α for the
    /// line-search and dense solvers (which have no ρ). The `ratio|α`
    /// column of the tables.
    pub fn ratio_or_alpha(&self) -> f64 {
        if self.ratio.is_nan() {
            self.alpha
        } else {
            self.ratio
        }
    }

    /// One formatted line for a progress table.
    pub fn table_row(&self) -> String {
        format!(
            "{:>5} {:>22.14e} {:>10.3e} {:>10.3e} {:>10.3e} {:>5} {:>18} {:>10.3e} {:>9.3}{}",
            self.iter,
            self.f,
            self.grad_norm,
            self.radius,
            self.ratio_or_alpha(),
            self.krylov_iterations,
            self.krylov_exit.map(|e| e.as_str()).unwrap_or("-"),
            self.step_norm,
            self.elapsed_s,
            if self.accepted { "" } else { "  rejected" }
        )
    }
}
