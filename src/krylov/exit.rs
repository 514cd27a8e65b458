//! Why an inner Krylov solve stopped.

/// Why an inner Krylov solve (today truncated CG) stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum KrylovExit {
    /// `‖r‖ ≤ η‖g‖`: the inexact-Newton tolerance was met (also when g = 0).
    Converged,
    /// `dᵀHd ≤ ε‖d‖²`: negative or zero curvature along the search direction.
    NegativeCurvature,
    /// The next iterate would leave the trust region; the step was cut at the
    /// boundary.
    Boundary,
    /// The CG iteration cap (or the remaining HVP budget) was reached.
    MaxIterations,
    /// The wall-clock deadline passed inside the loop.
    TimeLimit,
    /// A Hessian-vector product or a CG scalar was NaN or infinite; the last
    /// finite iterate was returned.
    NonFinite,
    /// The preconditioner gave `rᵀM⁻¹r ≤ 0`; the last iterate was returned.
    IndefinitePreconditioner,
    /// GLTR's Lanczos phase reached its iteration cap
    /// ([`crate::krylov::GltrParams::max_lanczos`]), or a re-solve at a
    /// smaller radius failed the stopping test (the Lanczos iteration is not
    /// continued); the step is the exact minimizer over the Krylov space
    /// built.
    LanczosLimit,
}

impl KrylovExit {
    /// A short `snake_case` name.
    pub fn as_str(self) -> &'static str {
        match self {
            KrylovExit::Converged => "converged",
            KrylovExit::NegativeCurvature => "negative_curvature",
            KrylovExit::Boundary => "boundary",
            KrylovExit::MaxIterations => "max_iterations",
            KrylovExit::TimeLimit => "time_limit",
            KrylovExit::NonFinite => "non_finite",
            KrylovExit::IndefinitePreconditioner => "indefinite_preconditioner",
            KrylovExit::LanczosLimit => "lanczos_limit",
        }
    }
}

impl std::fmt::Display for KrylovExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
