//! Backtracking Armijo line search, shared by line-search Newton-CG and
//! dense Newton.
//!
//! From α = 1, α is multiplied by `backtrack` until the Armijo condition
//! `f(x + αp) ≤ f(x) + c₁ α gᵀp` holds (Nocedal & Wright 2006, Algorithm
//! 3.1); a non-finite trial value counts as a failure of the condition, so
//! the search backtracks out of the region where f is undefined.
//!
//! Near a minimizer the decrease `c₁ α |gᵀp|` falls below the rounding
//! error of f, and comparing f values is noise (`reference/pitfalls.md` §4,
//! the line-search twin of the trust-region round-off rule). When both
//! `|α gᵀp|` and `|f(x + αp) − f(x)|` are below
//! [`crate::solvers::ratio::round_off_level`], a step is also accepted if
//! the directional derivative satisfies `∇f(x + αp)ᵀp ≤ (2c₁ − 1)·gᵀp`,
//! which for a quadratic along p is the Armijo condition itself, written
//! with gradients (Hager & Zhang 2005, "approximate Wolfe" conditions).

use ndarray::{Array1, ArrayView1};

use crate::linalg::vecops::axpy_into;
use crate::problem::objective::Objective;
use crate::report::status::Status;
use crate::solvers::config::ArmijoConfig;
use crate::solvers::ratio::round_off_level;
use crate::solvers::state::Run;

/// Outcome of one backtracking search.
pub(crate) enum Search {
    /// Accepted α; x, g, f, gnorm in `run` are updated.
    Accepted { alpha: f64, df: f64 },
    /// No acceptable α (the run is left at the old point).
    Failed(Status),
}

/// Backtracking from α = 1 along `p` (a descent direction, `gp = gᵀp < 0`).
/// On success swaps the trial point into `run`.
pub(crate) fn armijo<O: Objective + ?Sized>(
    obj: &O,
    run: &mut Run<'_>,
    p: ArrayView1<'_, f64>,
    gp: f64,
    cfg: &ArmijoConfig,
    x_trial: &mut Array1<f64>,
    g_trial: &mut Array1<f64>,
) -> Search {
    let mut alpha = 1.0;
    for k in 0..=cfg.max_backtracks {
        if !run.eval_allowed() {
            return Search::Failed(Status::MaxEvaluations);
        }
        // The time limit also holds between backtracks (up to 61 of them).
        if k > 0 && run.time_up() {
            return Search::Failed(Status::TimeLimit);
        }
        axpy_into(
            run.partials.par(),
            run.x.view(),
            alpha,
            p,
            x_trial.view_mut(),
        );
        let ft = obj.value_grad(x_trial.view(), g_trial.view_mut());
        run.counts.evals += 1;
        let (gnorm_trial, g_finite) = run.norm_finite(g_trial.view());
        let finite = ft.is_finite() && g_finite;
        let armijo_holds = ft <= run.f + cfg.c1 * alpha * gp;
        let noise = round_off_level(run.f);
        let round_off = (alpha * gp).abs() <= noise && (ft - run.f).abs() <= noise;
        if finite && (armijo_holds || (round_off && g_trial.dot(&p) <= (2.0 * cfg.c1 - 1.0) * gp)) {
            let df = run.f - ft;
            run.accept(x_trial, g_trial, ft, gnorm_trial);
            return Search::Accepted { alpha, df };
        }
        alpha *= cfg.backtrack;
    }
    Search::Failed(Status::LineSearchFailed)
}
