//! What the bound-constrained solver ([`crate::Tron`]) adds to a report:
//! the active set and the products by phase, per iteration and at the end.

use crate::problem::bounds::ActiveCounts;

/// One TRON iteration's bound information (in
/// [`crate::IterationRecord::bounds`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BoundsRecord {
    /// Free, active and binding counts at the current point after the
    /// iteration.
    pub active: ActiveCounts,
    /// Faces visited by the Newton phase (CG solves).
    pub faces: usize,
    /// Products of the projected Cauchy search.
    pub cauchy_hvps: u64,
    /// Products of the CG solves on the faces.
    pub cg_hvps: u64,
    /// Products of the projected searches (and of Hs updates).
    pub search_hvps: u64,
    /// Products of the release rounds ([`crate::TronConfig::release_rounds`]:
    /// the full H·s and the Cauchy trials on the model).
    pub release_hvps: u64,
    /// Release rounds taken.
    pub release_rounds: usize,
    /// Projected-gradient steps on f taken before the Cauchy step
    /// ([`crate::TronConfig::gp_steps`]).
    #[cfg_attr(feature = "serde", serde(default))]
    pub gp_steps: usize,
    /// Objective evaluations of those steps' searches.
    #[cfg_attr(feature = "serde", serde(default))]
    pub gp_evals: u64,
    /// The accepted Cauchy step length α_C.
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub cauchy_alpha: f64,
}

/// The bound-constrained summary of a solve (in [`crate::Report::bounds`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BoundsSummary {
    /// Components of the caller's x0 outside the box, projected before the
    /// first evaluation.
    pub projected_start: usize,
    /// The active set at the final point.
    pub active: ActiveCounts,
    /// ‖P∇f(x)‖₂ at the final point (the stationarity measure of the
    /// stopping test; `Report::grad_norm` holds the same value for TRON).
    #[cfg_attr(feature = "serde", serde(with = "crate::io::serde_float"))]
    pub projected_grad_norm: f64,
    /// The first iteration after which the active set (the set of active
    /// indices, tracked by a count and a checksum) no longer changed; 0 if
    /// it never changed from x0.
    pub active_set_settled_at: usize,
}
