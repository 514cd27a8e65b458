//! Trust-region Newton with truncated CG steps (Steihaug-Toint).
//!
//! Each outer iteration (Nocedal & Wright 2006, Algorithm 4.1):
//! 1. prepare the Hessian at x (only after an accepted step;
//!    `reference/pitfalls.md` §6) and the preconditioner;
//! 2. compute a step p by [`crate::krylov::steihaug()`] with forcing term
//!    η_k, inside `‖p‖_M ≤ Δ`;
//! 3. evaluate f and ∇f at x + p and form ρ = ared / pred, where pred comes
//!    from the CG quantities (no extra product). When |ared| and |pred| are
//!    both below `ε^(2/3)·max(1,|f|)` the ratio is round-off noise and is set
//!    to 1 (the PETSc/TAO rule; `reference/pitfalls.md` §4). A non-finite
//!    trial value counts as ρ = −∞ (§1);
//! 4. accept if ρ > η_accept, and update Δ by the chosen [`crate::RadiusRule`].
//!    Every shrink is relative to `min(Δ, ‖p‖_M)` (§2), so a rejected step
//!    always changes the next subproblem: the solver never re-solves the
//!    same subproblem.
//!
//! Failure handling follows `reference/failure-modes.md`: after
//! `max_consecutive_failures` consecutive non-finite trials, non-finite CG
//! runs or non-positive predictions the solve stops with a typed status, and
//! a radius below `max(radius_min, ε·max(1,‖x‖))` ends it as
//! [`Status::RadiusCollapsed`] (a stall, not success).

use ndarray::ArrayView1;

use crate::error::Result;
use crate::krylov::KrylovExit;
use crate::krylov::{KrylovInfo, Truncation};
use crate::problem::objective::Objective;
use crate::report::method::Method;
use crate::report::observe::{no_callback, Callback};
use crate::report::status::Status;
use crate::report::{IterationRecord, Report};
use crate::solvers::checkpoint::{Checkpoint, Checkpointing};
use crate::solvers::config::{Subproblem, TrustRegionConfig};
use crate::solvers::newton_cg::{self, AtPoint, NewtonCgWork};
use crate::solvers::radius::{self, InitialRadius, RejectedStep, Trial};
use crate::solvers::radius_start::interpolation_start;
use crate::solvers::ratio::{acceptable, reduction_ratio};
use crate::solvers::saddle::{self, SecondOrder};
use crate::solvers::state::{FailureCounters, Run};

/// The trust-region Newton-CG solver.
///
/// ```
/// use ndarray::Array1;
/// use steihaug::{problems::ExtendedRosenbrock, TrustRegion};
/// let problem = ExtendedRosenbrock::new(1000).unwrap();
/// let report = TrustRegion::default().solve(&problem, problem.start().view()).unwrap();
/// assert!(report.status.is_converged());
/// assert!(report.x.iter().all(|&v| (v - 1.0).abs() < 1e-6));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TrustRegion {
    /// The options.
    pub config: TrustRegionConfig,
}

impl TrustRegion {
    /// A solver with the given options.
    pub fn new(config: TrustRegionConfig) -> Self {
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
        self.start_and_run(obj, x0, callback, None)
    }

    /// As [`TrustRegion::solve_with`], and saves a
    /// [`Checkpoint`] into
    /// `checkpointing.sink` after every `checkpointing.every`-th iteration
    /// that does not end the solve. [`TrustRegion::resume`] continues from
    /// one to the same end as the uninterrupted solve.
    pub fn solve_with_checkpoints<O: Objective + ?Sized>(
        &self,
        obj: &O,
        x0: ArrayView1<'_, f64>,
        checkpointing: Checkpointing<'_>,
        callback: &mut Callback<'_>,
    ) -> Result<Report> {
        self.start_and_run(obj, x0, callback, Some(checkpointing))
    }

    /// Continues a solve from a checkpoint with this solver's options (use
    /// `TrustRegion::new(checkpoint.config)` for the options it was written
    /// with). With the same options and a deterministic objective it ends at
    /// the same point, after the same iterations and with the same status as
    /// the solve that wrote it; only `counts.hessians` may be one higher
    /// (the Hessian at the checkpoint's point is prepared again).
    ///
    /// A checkpoint that does not fit `obj` (dimension, non-finite values,
    /// another solver or format version, or f and ∇f at its x that differ
    /// from `obj`'s — checked with one uncounted evaluation) is an
    /// [`crate::Error::Checkpoint`].
    pub fn resume<O: Objective + ?Sized>(
        &self,
        obj: &O,
        checkpoint: &Checkpoint,
    ) -> Result<Report> {
        self.resume_with(obj, checkpoint, None, &mut no_callback)
    }

    /// As [`TrustRegion::resume`], with a callback and optionally further
    /// checkpoints.
    pub fn resume_with<O: Objective + ?Sized>(
        &self,
        obj: &O,
        checkpoint: &Checkpoint,
        checkpointing: Option<Checkpointing<'_>>,
        callback: &mut Callback<'_>,
    ) -> Result<Report> {
        let cfg = &self.config;
        cfg.validate()?;
        checkpoint.validate(obj.dim())?;
        checkpoint.verify(obj)?;
        let mut run = checkpoint.restore(&cfg.termination);
        let status = self.run_loop(obj, &mut run, callback, checkpointing, false)?;
        Ok(run.finish(Method::TrustRegion, status))
    }

    fn start_and_run<O: Objective + ?Sized>(
        &self,
        obj: &O,
        x0: ArrayView1<'_, f64>,
        callback: &mut Callback<'_>,
        checkpointing: Option<Checkpointing<'_>>,
    ) -> Result<Report> {
        let cfg = &self.config;
        cfg.validate()?;
        let mut run = Run::start(obj, x0, &cfg.termination)?;
        let status = match run.point_status() {
            // A first-order start: the loop runs the second-order check.
            Some(s) if s != Status::Converged || cfg.second_order == SecondOrder::Off => s,
            _ => {
                run.radius = self.initial_radius(run.grad_norm);
                self.run_loop(obj, &mut run, callback, checkpointing, true)?
            }
        };
        Ok(run.finish(Method::TrustRegion, status))
    }

    /// Δ₀ for a start with gradient norm `grad_norm`; ∞ for the strategies
    /// that take it from the first step ([`InitialRadius::FirstStep`]: the
    /// first inner solve runs without a region) or from trial points
    /// ([`InitialRadius::Interpolation`], computed when the loop starts).
    pub(crate) fn initial_radius(&self, grad_norm: f64) -> f64 {
        self.config
            .initial_radius
            .radius(grad_norm, self.config.max_radius)
            .unwrap_or(f64::INFINITY)
    }

    /// The interpolation start ([`crate::solvers::radius_start`]) when
    /// configured: Δ₀ from trial points along −g₀, possibly from a better
    /// point. `Some(status)` when that point ends the solve.
    fn interpolation_start<'o, O: Objective + ?Sized>(
        &self,
        obj: &'o O,
        run: &mut Run<'_>,
        work: &mut NewtonCgWork,
        at: &mut AtPoint<'o, O::Hessian<'o>>,
    ) -> Result<Option<Status>> {
        let InitialRadius::Interpolation { trust0 } = self.config.initial_radius else {
            return Ok(None);
        };
        newton_cg::prepare(obj, run, self.config.preconditioning, work, at)?;
        let h = at.hessian.as_ref().expect("prepared");
        let (radius, moved) =
            interpolation_start(obj, h, run, work, trust0, self.config.max_radius)?;
        run.radius = radius;
        if moved {
            at.clear();
            return Ok(run.point_status());
        }
        Ok(None)
    }

    /// The work vectors of a solve (with the escape direction when
    /// [`SecondOrder::Escape`] is on).
    pub(crate) fn work(&self, n: usize) -> NewtonCgWork {
        let cfg = &self.config;
        let work = NewtonCgWork::new(n, &cfg.krylov, cfg.preconditioning);
        if cfg.second_order == SecondOrder::Escape {
            work.with_escape()
        } else {
            work
        }
    }

    /// Iterates until a status, saving checkpoints on the way; `fresh` for
    /// a new solve (not a resume), which runs the interpolation start when
    /// configured.
    fn run_loop<O: Objective + ?Sized>(
        &self,
        obj: &O,
        run: &mut Run<'_>,
        callback: &mut Callback<'_>,
        mut checkpointing: Option<Checkpointing<'_>>,
        fresh: bool,
    ) -> Result<Status> {
        let cfg = &self.config;
        let mut work = self.work(run.n());
        let mut at = AtPoint::empty();
        if fresh {
            if let Some(s) = self.interpolation_start(obj, run, &mut work, &mut at)? {
                if s != Status::Converged {
                    return Ok(s);
                }
            }
            if run.point_status() == Some(Status::Converged) {
                if let Some(s) = self.second_order(obj, run, &mut work, &mut at)? {
                    return Ok(s);
                }
            }
        }
        loop {
            if let Some(s) = self.iteration(obj, run, &mut work, &mut at, callback)? {
                // A solve the callback stopped (Ctrl-C on the command line)
                // saves a last checkpoint, so no iteration is lost.
                if let (Status::StoppedByUser, Some(c)) = (s, checkpointing.as_mut()) {
                    if c.every > 0 {
                        c.sink.save(&Checkpoint::capture(cfg, run))?;
                    }
                }
                return Ok(s);
            }
            if let Some(c) = checkpointing.as_mut() {
                // Not while a saddle escape is pending: its direction is not
                // part of the state.
                let escaping = work.escape_curvature.is_some();
                if c.every > 0 && run.iter.is_multiple_of(c.every) && !escaping {
                    c.sink.save(&Checkpoint::capture(cfg, run))?;
                }
            }
        }
    }

    /// One outer iteration (Nocedal & Wright 2006, Algorithm 4.1): the step,
    /// the trial point, ρ, the radius and acceptance, and one
    /// [`IterationRecord`] passed to `callback` and pushed to the history.
    /// `Ok(Some(status))` when the solve ends. Shared by `solve_with`, the
    /// checkpoint resume and the argmin adapter, so all three run the same
    /// rules.
    pub(crate) fn iteration<'o, O: Objective + ?Sized>(
        &self,
        obj: &'o O,
        run: &mut Run<'_>,
        work: &mut NewtonCgWork,
        at: &mut AtPoint<'o, O::Hessian<'o>>,
        callback: &mut Callback<'_>,
    ) -> Result<Option<Status>> {
        let cfg = &self.config;
        run.set_par(cfg.krylov.par);
        if let Some(s) = run.budget_exhausted() {
            return Ok(Some(s));
        }
        // 1. The Hessian and preconditioner at x, once per point.
        newton_cg::prepare(obj, run, cfg.preconditioning, work, at)?;
        // 2. The step, and the trial point x + p from CG's last pass.
        let eta = match work.escape_curvature {
            Some(_) => f64::NAN,
            None => newton_cg::forcing_eta(run, &cfg.krylov),
        };
        let (info, first_exit) = self.step(run, work, at);
        run.iter += 1;
        if info.exit == KrylovExit::NegativeCurvature && info.curvature < 0.0 {
            // Certified at x, which the step has not moved yet.
            let c = run
                .negative_curvature
                .map_or(info.curvature, |c| c.min(info.curvature));
            run.negative_curvature = Some(c);
        }
        let mut record = IterationRecord {
            radius: run.radius,
            krylov_iterations: info.iterations,
            eta,
            // An indefinite preconditioner stays visible in the history even
            // when the Cauchy fallback gave the step.
            krylov_exit: Some(first_exit),
            step_norm: info.step_norm,
            leftmost: info.leftmost,
            ..run.blank_record()
        };
        if info.step_norm == 0.0 || !(info.pred > 0.0 && info.pred.is_finite()) {
            return Ok(self.no_step(run, &info, record, callback));
        }
        // 3. The trial point and ρ.
        if !run.eval_allowed() {
            return Ok(Some(Status::MaxEvaluations));
        }
        let f_trial = obj.value_grad(work.x_trial.view(), work.g_trial.view_mut());
        run.counts.evals += 1;
        let (grad_norm_trial, g_finite) = run.norm_finite(work.g_trial.view());
        let finite = f_trial.is_finite() && g_finite;
        let rho = reduction_ratio(run.f, f_trial, finite, info.pred);
        // 4. The radius, then acceptance.
        let trial = Trial {
            radius: run.radius,
            step_norm: info.step_norm_m,
            rho,
            on_boundary: info.on_boundary,
            f: run.f,
            f_trial,
            grad_dot_step: info.grad_dot_step,
            before_first_accepted: run.accepted_steps == 0,
        };
        let mut accepted = acceptable(rho, cfg.eta_accept);
        // A rejected step may still give a shorter one along it.
        let backtracked = if accepted {
            None
        } else {
            self.backtrack(obj, run, work, &info)
        };
        let (alpha, f_new, grad_norm_new) = match backtracked {
            Some(b) => {
                accepted = true;
                b
            }
            None => (1.0, f_trial, grad_norm_trial),
        };
        run.radius = if backtracked.is_some() {
            radius::radius_after_backtrack(
                alpha,
                info.step_norm_m,
                run.radius,
                info.on_boundary,
                cfg.rejected_step == RejectedStep::BacktrackKeep,
                cfg.max_radius,
            )
        } else {
            radius::update(cfg.radius_rule, &trial, cfg.eta_accept, cfg.max_radius)
        };
        let status = if accepted {
            let ared = run.f - f_new;
            // An escape step (no inner solve) tells EW nothing, nor does a
            // backtracked step (its residual is not that of the solve).
            let memory = (info.iterations > 0 && backtracked.is_none())
                .then(|| newton_cg::step_memory(run, &cfg.krylov, &info))
                .flatten();
            work.escape_curvature = None;
            // The model predicted the full step badly: no gap estimate.
            let gap = backtracked
                .is_none()
                .then(|| newton_cg::gap_estimate(&info, run.grad_norm, ared))
                .flatten();
            run.accept(&mut work.x_trial, &mut work.g_trial, f_new, grad_norm_new);
            run.failures = FailureCounters::default();
            run.forcing = memory.or(run.forcing);
            at.clear();
            match run.after_accepted(ared, alpha * info.step_norm, gap) {
                Some(Status::Converged) => self.second_order(obj, run, work, at)?,
                other => other,
            }
        } else {
            run.failures.non_finite_trial += usize::from(!finite);
            (run.failures.non_finite_trial >= cfg.max_consecutive_failures)
                .then_some(Status::NonFiniteObjective)
        };
        if backtracked.is_some() {
            record.alpha = alpha;
            record.step_norm = alpha * info.step_norm;
        }
        record = IterationRecord {
            ratio: rho,
            next_radius: run.radius,
            accepted,
            // Includes a second-order check made at the new point.
            hvps: run.counts.hvps,
            f: run.f,
            grad_norm: run.grad_norm,
            elapsed_s: run.elapsed_s(),
            ..record
        };
        let user = run.record(record, callback);
        Ok(status
            .or_else(|| (!accepted).then(|| self.collapsed(run)).flatten())
            .or(user))
    }

    /// The inner solve at radius Δ, with the fallback of
    /// `reference/failure-modes.md`: when the preconditioner gives
    /// rᵀM⁻¹r ≤ 0 at the start, one unpreconditioned CG iteration (the
    /// Cauchy step, the radius taken in the Euclidean norm). Returns the
    /// step's info and the first inner solve's exit. With
    /// [`Subproblem::Gltr`] the subproblem is GLTR, which after a rejected
    /// step re-solves the kept tridiagonal at the new radius.
    fn step<H: crate::LinearOperator>(
        &self,
        run: &mut Run<'_>,
        work: &mut NewtonCgWork,
        at: &AtPoint<'_, H>,
    ) -> (KrylovInfo, KrylovExit) {
        let cfg = &self.config;
        let pc = cfg.preconditioning;
        if let Some(c) = work.escape_curvature {
            return (
                self.escape_step(run, work, c),
                KrylovExit::NegativeCurvature,
            );
        }
        if run.radius == f64::INFINITY {
            return self.first_step(run, work, at);
        }
        let truncation = Truncation::TrustRegion { radius: run.radius };
        let params = newton_cg::inner_params(run, &cfg.krylov, work.cap, truncation);
        let info = match cfg.subproblem {
            Subproblem::Steihaug => newton_cg::inner_solve(run, pc, &params, true, work, at, true),
            Subproblem::Gltr { max_lanczos } => {
                newton_cg::gltr_solve(run, pc, &params, max_lanczos, work, at).krylov_info()
            }
        };
        let first_exit = info.exit;
        if info.exit == KrylovExit::IndefinitePreconditioner && info.step_norm == 0.0 {
            let cauchy = crate::krylov::SteihaugParams {
                max_iter: params.max_iter.min(1),
                ..params
            };
            let fallback = newton_cg::inner_solve(run, pc, &cauchy, false, work, at, true);
            return (fallback, first_exit);
        }
        (info, first_exit)
    }

    /// [`RejectedStep::Backtrack`] (Nocedal & Yuan 1998) after a rejected
    /// step p from an inner solve with gᵀp < 0: x + αp for α = ½, ¼, … (at
    /// most [`radius::BACKTRACK_MAX_HALVINGS`]) until
    /// [`radius::backtrack_accepts`] holds with a finite gradient; that
    /// point is left in the trial vectors and `(α, f, ‖g‖)` returned.
    /// `None` (the step stays rejected) with the other option, for an
    /// escape step, or when no α passes or the budget ends. No products.
    fn backtrack<O: Objective + ?Sized>(
        &self,
        obj: &O,
        run: &mut Run<'_>,
        work: &mut NewtonCgWork,
        info: &KrylovInfo,
    ) -> Option<(f64, f64, f64)> {
        let eligible = self.config.rejected_step != RejectedStep::Shrink
            && work.escape_curvature.is_none()
            && info.grad_dot_step < 0.0;
        if !eligible {
            return None;
        }
        let mut alpha = 1.0;
        for _ in 0..radius::BACKTRACK_MAX_HALVINGS {
            if !run.eval_allowed() || run.time_up() {
                return None;
            }
            alpha *= 0.5;
            ndarray::Zip::from(&mut work.x_trial)
                .and(&run.x)
                .and(&work.p)
                .for_each(|o, &x, &p| *o = x + alpha * p);
            let f_alpha = obj.value_grad(work.x_trial.view(), work.g_trial.view_mut());
            run.counts.evals += 1;
            let (grad_norm, g_finite) = run.norm_finite(work.g_trial.view());
            if g_finite && radius::backtrack_accepts(run.f, f_alpha, alpha, info.grad_dot_step) {
                return Some((alpha, f_alpha, grad_norm));
            }
        }
        None
    }

    /// At a point that passes the convergence test, what
    /// [`crate::SecondOrder`] asks for: `Converged` (off, or no negative
    /// curvature found by the check of [`crate::solvers::saddle`]),
    /// [`Status::SaddlePoint`] (check), or no status and an escape step
    /// pending (escape). The check prepares the Hessian at x, which the
    /// next iteration then reuses.
    fn second_order<'o, O: Objective + ?Sized>(
        &self,
        obj: &'o O,
        run: &mut Run<'_>,
        work: &mut NewtonCgWork,
        at: &mut AtPoint<'o, O::Hessian<'o>>,
    ) -> Result<Option<Status>> {
        let mode = self.config.second_order;
        if mode == SecondOrder::Off || run.grad_norm.is_nan() {
            return Ok(Some(Status::Converged));
        }
        if run.hvps_left() < 2 * saddle::LANCZOS_STEPS as u64 {
            // No budget for the check: say what is known.
            return Ok(Some(Status::Converged));
        }
        newton_cg::prepare(obj, run, self.config.preconditioning, work, at)?;
        let h = at.hessian.as_ref().expect("prepared");
        let NewtonCgWork { ws, p, escape, .. } = work;
        let target = match escape.as_mut() {
            Some(u) => u.view_mut(),
            None => p.view_mut(),
        };
        let found = saddle::leftmost(
            h,
            &mut ws.partials,
            &mut ws.r,
            &mut ws.z,
            &mut ws.hd,
            target,
        );
        run.counts.hvps += found.products as u64;
        run.counts.second_order_hvps += found.products as u64;
        let Some(c) = found.curvature.filter(|&c| c < 0.0) else {
            return Ok(Some(Status::Converged));
        };
        run.negative_curvature = Some(c);
        if mode == SecondOrder::Check || work.escape.is_none() {
            return Ok(Some(Status::SaddlePoint));
        }
        work.escape_curvature = Some(c);
        Ok(None)
    }

    /// The escape step from a saddle: p = ±τu along the unit
    /// negative-curvature direction u with τ = Δ (the Euclidean norm, also
    /// with a preconditioner), the sign making gᵀp ≤ 0, and the model's
    /// prediction −(gᵀp + ½τ²·uᵀHu) > 0. Writes x + p into the trial point;
    /// no products.
    fn escape_step(&self, run: &mut Run<'_>, work: &mut NewtonCgWork, c: f64) -> KrylovInfo {
        if !run.radius.is_finite() {
            run.radius = radius::FIRST_STEP_FALLBACK.min(self.config.max_radius);
        }
        let tau = run.radius;
        let u = work
            .escape
            .as_ref()
            .expect("allocated with the escape option");
        let gu = run.g.dot(u);
        let t = if gu > 0.0 { -tau } else { tau };
        ndarray::Zip::from(&mut work.p)
            .and(u)
            .for_each(|p, &u| *p = t * u);
        ndarray::Zip::from(&mut work.x_trial)
            .and(&run.x)
            .and(&work.p)
            .for_each(|o, &x, &p| *o = x + p);
        let gp = t * gu;
        KrylovInfo {
            exit: KrylovExit::NegativeCurvature,
            iterations: 0,
            on_boundary: true,
            pred: -(gp + 0.5 * tau * tau * c),
            step_norm_m: tau,
            step_norm: tau,
            grad_dot_step: gp,
            residual_norm: f64::NAN,
            curvature: c,
            leftmost: None,
            energy_tail: f64::NAN,
            energy_steps: 0,
            energy_total: 0.0,
        }
    }

    /// The first step of [`InitialRadius::FirstStep`] (TAO's "direction"
    /// start): the inner solve runs without a region, as in the line
    /// search (negative curvature at the first CG iteration gives the
    /// steepest-descent step), and Δ₀ = ‖d₀‖_M clipped
    /// ([`radius::first_step_radius`]). The step lies on the boundary of the
    /// region it defines, so a good ρ grows Δ from there.
    fn first_step<H: crate::LinearOperator>(
        &self,
        run: &mut Run<'_>,
        work: &mut NewtonCgWork,
        at: &AtPoint<'_, H>,
    ) -> (KrylovInfo, KrylovExit) {
        let cfg = &self.config;
        let params = newton_cg::inner_params(run, &cfg.krylov, work.cap, Truncation::LineSearch);
        let mut info =
            newton_cg::inner_solve(run, cfg.preconditioning, &params, true, work, at, true);
        let delta0 = radius::first_step_radius(info.step_norm_m, cfg.max_radius);
        // Δ₀ is at least the step unless ‖d₀‖ was clipped: then the trial
        // is judged in the region the step needed.
        run.radius = delta0.max(info.step_norm_m);
        info.on_boundary = info.step_norm_m > 0.0;
        (info, info.exit)
    }

    /// An inner solve that gave nothing to try (a zero step, or a
    /// prediction that is not positive): count the failure by kind, shrink
    /// Δ, record the iteration, and end on a budget, a failure limit or a
    /// collapsed radius.
    fn no_step(
        &self,
        run: &mut Run<'_>,
        info: &KrylovInfo,
        record: IterationRecord,
        callback: &mut Callback<'_>,
    ) -> Option<Status> {
        let limit = self.config.max_consecutive_failures;
        let status = newton_cg::budget_status(info.exit, run).or_else(|| {
            if info.exit == KrylovExit::NonFinite {
                run.failures.non_finite_cg += 1;
                (run.failures.non_finite_cg >= limit).then_some(Status::NonFiniteHessian)
            } else {
                run.failures.model += 1;
                (run.failures.model >= limit).then_some(Status::ModelFailure)
            }
        });
        run.radius = radius::shrink(run.radius, info.step_norm_m);
        let record = IterationRecord {
            next_radius: run.radius,
            elapsed_s: run.elapsed_s(),
            ..record
        };
        let user = run.record(record, callback);
        status.or_else(|| self.collapsed(run)).or(user)
    }

    /// [`Status::RadiusCollapsed`] when Δ is below the collapse floor.
    fn collapsed(&self, run: &mut Run<'_>) -> Option<Status> {
        let x_norm = run.x_norm();
        radius::collapsed(run.radius, self.config.min_radius, x_norm)
            .then_some(Status::RadiusCollapsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::ExtendedRosenbrock;
    use crate::solvers::radius::RadiusRule;

    /// On whole solves: every rejected step leaves Δ below the step's
    /// length, for both rules and acceptance thresholds up to 0.2 (the TRON
    /// rule used a literal η₀ = 1e-4 before, so with η = 0.2 a rejected step
    /// with 1e-4 ≤ ρ ≤ 0.2 could keep Δ ≥ ‖p‖).
    #[test]
    fn rejected_steps_end_below_the_step_in_whole_solves() {
        let problem = ExtendedRosenbrock::new(200).unwrap();
        let mut rejected = 0;
        for rule in [
            RadiusRule::NocedalWright,
            RadiusRule::Tron,
            RadiusRule::TaoDouble,
            RadiusRule::TaoDoubleInterior,
        ] {
            for eta in [0.0, 1e-4, 0.1, 0.2] {
                for init in [
                    InitialRadius::Constant(1.0),
                    InitialRadius::GradientNorm(1.0),
                ] {
                    let cfg = TrustRegionConfig {
                        radius_rule: rule,
                        eta_accept: eta,
                        initial_radius: init,
                        ..TrustRegionConfig::default()
                    };
                    let r = TrustRegion::new(cfg)
                        .solve(&problem, problem.start().view())
                        .unwrap();
                    assert!(
                        r.status.is_converged(),
                        "{rule:?} {eta} {init:?}: {}",
                        r.status
                    );
                    for h in r.history.iter().filter(|h| !h.accepted) {
                        rejected += 1;
                        assert!(
                            h.next_radius < h.step_norm,
                            "{rule:?}, eta {eta}, {init:?}, iteration {}: Δ {} after a rejected step of length {}",
                            h.iter,
                            h.next_radius,
                            h.step_norm
                        );
                    }
                }
            }
        }
        assert!(
            rejected >= 10,
            "only {rejected} rejected steps: the test checks little"
        );
    }
}
