//! Line-search Newton-CG (truncated Newton).
//!
//! Each iteration (Nocedal & Wright 2006, Algorithm 7.1): CG on `H p = −g`
//! with the same forcing term as the trust-region solver; at negative or zero
//! curvature CG returns its current iterate, or the steepest-descent
//! direction −g (−M⁻¹g when preconditioned) if that happens at the first CG
//! iteration. Then the backtracking Armijo search of
//! `solvers::armijo` from α = 1. When CG gives no usable direction
//! (a zero step from a CG run stopped early, or an ascent direction from an
//! inexact solve) the step is −g. An inner solve that met a non-finite
//! product gives no step (as in the trust region); after
//! `max_consecutive_failures` consecutive ones the solve ends with
//! [`Status::NonFiniteHessian`].

use ndarray::ArrayView1;

use crate::error::Result;
use crate::krylov::KrylovExit;
use crate::krylov::Truncation;
use crate::problem::objective::Objective;
use crate::report::method::Method;
use crate::report::observe::{no_callback, Callback};
use crate::report::status::Status;
use crate::report::{IterationRecord, Report};
use crate::solvers::armijo::{armijo, Search};
use crate::solvers::config::LineSearchConfig;
use crate::solvers::newton_cg::{self, AtPoint, NewtonCgWork};
use crate::solvers::state::Run;

/// Line-search Newton-CG (truncated Newton).
///
/// ```
/// use steihaug::{problems::Rosenbrock, LineSearchNewtonCg};
/// let report = LineSearchNewtonCg::default()
///     .solve(&Rosenbrock, ndarray::array![-1.2, 1.0].view())
///     .unwrap();
/// assert!(report.status.is_converged());
/// assert!((report.x[0] - 1.0).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LineSearchNewtonCg {
    /// The options.
    pub config: LineSearchConfig,
}

impl LineSearchNewtonCg {
    /// A solver with the given options.
    pub fn new(config: LineSearchConfig) -> Self {
        Self { config }
    }

    /// Minimizes `obj` from `x0`.
    pub fn solve<O: Objective + ?Sized>(&self, obj: &O, x0: ArrayView1<'_, f64>) -> Result<Report> {
        self.solve_with(obj, x0, &mut no_callback)
    }

    /// Minimizes `obj` from `x0`, calling `callback` after every iteration.
    pub fn solve_with<O: Objective + ?Sized>(
        &self,
        obj: &O,
        x0: ArrayView1<'_, f64>,
        callback: &mut Callback<'_>,
    ) -> Result<Report> {
        let cfg = &self.config;
        cfg.validate()?;
        let mut run = Run::start(obj, x0, &cfg.termination)?;
        run.set_par(cfg.krylov.par);
        let mut work = NewtonCgWork::new(run.n(), &cfg.krylov, cfg.preconditioning);
        let status = loop {
            if let Some(s) = run.point_status().or_else(|| run.budget_exhausted()) {
                break s;
            }
            if let Some(s) = self.iteration(obj, &mut run, &mut work, callback)? {
                break s;
            }
        };
        Ok(run.finish(Method::LineSearch, status))
    }

    /// One iteration: the Newton-CG direction (−g when CG gives none), the
    /// Armijo search along it, one record. `Ok(Some(status))` when the
    /// solve ends.
    fn iteration<O: Objective + ?Sized>(
        &self,
        obj: &O,
        run: &mut Run<'_>,
        work: &mut NewtonCgWork,
        callback: &mut Callback<'_>,
    ) -> Result<Option<Status>> {
        let cfg = &self.config;
        let mut at = AtPoint::empty();
        newton_cg::prepare(obj, run, cfg.preconditioning, work, &mut at)?;
        let params = newton_cg::inner_params(run, &cfg.krylov, work.cap, Truncation::LineSearch);
        let info =
            newton_cg::inner_solve(run, cfg.preconditioning, &params, true, work, &at, false);
        drop(at);
        run.iter += 1;

        let mut stop = None;
        if info.exit == KrylovExit::NonFinite {
            run.failures.non_finite_cg += 1;
            if run.failures.non_finite_cg >= cfg.max_consecutive_failures {
                stop = Some(Status::NonFiniteHessian);
            }
        } else {
            run.failures.non_finite_cg = 0;
        }
        let mut gp = info.grad_dot_step;
        let mut step_norm = info.step_norm;
        if info.exit == KrylovExit::NonFinite {
            // A non-finite product: no step at all, as in the trust region
            // (the −g fallback could land on the minimizer and report
            // `Converged` for an objective whose Hessian is all NaN). The
            // Hessian is prepared again at the next iteration; after
            // `max_consecutive_failures` such iterations the solve ends
            // with `NonFiniteHessian`.
            let record = IterationRecord {
                krylov_iterations: info.iterations,
                eta: params.eta,
                krylov_exit: Some(info.exit),
                ..run.blank_record()
            };
            let status = stop.or_else(|| newton_cg::budget_status(info.exit, run));
            let user = run.record(record, callback);
            return Ok(status.or(user));
        }
        let steepest = stop.is_none() && (gp >= 0.0 || !gp.is_finite());
        if steepest {
            // No usable Newton-CG direction: use −g.
            stop = newton_cg::budget_status(info.exit, run);
            ndarray::Zip::from(&mut work.p)
                .and(&run.g)
                .for_each(|p, &g| *p = -g);
            gp = -run.grad_norm * run.grad_norm;
            step_norm = run.grad_norm;
        }
        if let Some(status) = stop {
            // The iteration did work (and counted it): record it, without a
            // step, so that the history has one record per iteration.
            let record = IterationRecord {
                krylov_iterations: info.iterations,
                eta: params.eta,
                krylov_exit: Some(info.exit),
                ..run.blank_record()
            };
            let _user = run.record(record, callback);
            return Ok(Some(status));
        }
        let memory = newton_cg::step_memory(run, &cfg.krylov, &info);
        let grad_norm_old = run.grad_norm;
        let newton_step = info.exit == KrylovExit::Converged && !steepest;
        let outcome = armijo(
            obj,
            run,
            work.p.view(),
            gp,
            &cfg.line_search,
            &mut work.x_trial,
            &mut work.g_trial,
        );
        let (accepted, alpha, status) = match outcome {
            Search::Accepted { alpha, df } => {
                run.forcing = memory.or(run.forcing);
                // A converged Newton-CG solve at the old point. After the
                // full step its estimate is of f(x) − f*; after a shorter
                // one, ared = 0 makes it τ + pred, the estimate of
                // f(x_old) − f* ≥ f(x) − f*.
                let ared = if alpha >= 1.0 { df } else { 0.0 };
                let gap = newton_step
                    .then(|| newton_cg::gap_estimate(&info, grad_norm_old, ared))
                    .flatten();
                (true, alpha, run.after_accepted(df, alpha * step_norm, gap))
            }
            Search::Failed(s) => (false, f64::NAN, Some(s)),
        };
        let record = IterationRecord {
            alpha,
            accepted,
            krylov_iterations: info.iterations,
            eta: params.eta,
            krylov_exit: Some(info.exit),
            step_norm: if accepted {
                alpha * step_norm
            } else {
                step_norm
            },
            ..run.blank_record()
        };
        let user = run.record(record, callback);
        Ok(status.or(user))
    }
}
