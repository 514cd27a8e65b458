//! Why a solve stopped. (Why an inner Krylov solve stopped is
//! [`crate::krylov::KrylovExit`].)

/// How an outer solve ended.
///
/// Only [`Status::Converged`] is success. The stall statuses say that the
/// solver could make no further progress, which is not the same as reaching a
/// stationary point (`reference/pitfalls.md` §19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Status {
    /// `‖g‖ ≤ max(gtol_abs, gtol_rel·‖g0‖)`: first-order stationary point.
    Converged,
    /// Stall: an accepted step changed f by at most `ftol·max(1,|f|)`.
    FunctionChangeStalled,
    /// Stall: an accepted step had `‖p‖ ≤ xtol·(1+‖x‖)`.
    StepSizeStalled,
    /// Stall: the trust radius fell below `max(radius_min, ε·max(1,‖x‖))`.
    RadiusCollapsed,
    /// Stall: the backtracking line search found no acceptable step.
    LineSearchFailed,
    /// The iteration budget `max_iter` was used up.
    MaxIterations,
    /// The Hessian-vector-product budget `max_hvps` was used up.
    MaxHvps,
    /// The function-evaluation budget `max_evals` was used up.
    MaxEvaluations,
    /// The wall-clock budget `max_time` was used up.
    TimeLimit,
    /// Too many consecutive trial points had a non-finite value or gradient.
    NonFiniteObjective,
    /// Too many consecutive inner solves met a non-finite Hessian-vector
    /// product.
    NonFiniteHessian,
    /// Too many consecutive steps had a non-positive predicted reduction.
    ModelFailure,
    /// The dense Newton system could not be solved (singular in pure mode, or
    /// the regularization shift overflowed).
    SingularHessian,
    /// The user's callback asked to stop.
    StoppedByUser,
    /// An accepted point reached the user's `target_f` (argmin's
    /// `target_cost`): the goal the user set, not a convergence test.
    TargetReached,
    /// The gradient test holds but the Hessian has certified negative
    /// curvature there ([`crate::Report::negative_curvature`]): a saddle
    /// point, not a minimizer. Given by [`crate::SecondOrder::Check`]; with
    /// [`crate::SecondOrder::Escape`] the solver leaves the saddle instead.
    SaddlePoint,
    /// An accepted point has f below the floor `Termination::f_floor`
    /// (default −1e300, [`crate::solvers::config::DEFAULT_F_FLOOR`]): the
    /// objective is taken to be unbounded below. Not success.
    Unbounded,
}

impl Status {
    /// `true` only for [`Status::Converged`].
    pub fn is_converged(self) -> bool {
        matches!(self, Status::Converged)
    }

    /// A short `snake_case` name, the same as the JSON form.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Converged => "converged",
            Status::FunctionChangeStalled => "function_change_stalled",
            Status::StepSizeStalled => "step_size_stalled",
            Status::RadiusCollapsed => "radius_collapsed",
            Status::LineSearchFailed => "line_search_failed",
            Status::MaxIterations => "max_iterations",
            Status::MaxHvps => "max_hvps",
            Status::MaxEvaluations => "max_evaluations",
            Status::TimeLimit => "time_limit",
            Status::NonFiniteObjective => "non_finite_objective",
            Status::NonFiniteHessian => "non_finite_hessian",
            Status::ModelFailure => "model_failure",
            Status::SingularHessian => "singular_hessian",
            Status::StoppedByUser => "stopped_by_user",
            Status::TargetReached => "target_reached",
            Status::SaddlePoint => "saddle_point",
            Status::Unbounded => "unbounded",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
