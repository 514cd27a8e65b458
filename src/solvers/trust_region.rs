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
//! 4. accept if ρ > η_accept, and update Δ by the chosen [`RadiusRule`].
//!    Every shrink is relative to `min(Δ, ‖p‖_M)` (§2), so a rejected step
//!    always changes the next subproblem: the solver never re-solves the
//!    same subproblem.
//!
//! Failure handling follows `reference/failure-modes.md`: after
//! `max_consecutive_failures` consecutive non-finite trials, non-finite CG
//! runs or non-positive predictions the solve stops with a typed status, and
//! a radius below `max(radius_min, ε·max(1,‖x‖))` ends it as
//! [`Status::RadiusCollapsed`] (a stall, not success).

use ndarray::{Array1, ArrayView1};

use crate::error::{check_dim, Error, Result};
use crate::krylov::steihaug::steihaug_trial;
use crate::krylov::{KrylovWorkspace, SteihaugParams, Truncation};
use crate::linalg::operator::LinearOperator;
use crate::linalg::precond::{Jacobi, Preconditioner};
use crate::linalg::vecops::norm;
use crate::problem::objective::Objective;
use crate::report::observe::{no_callback, Callback};
use crate::report::status::{KrylovExit, Status};
use crate::report::{IterationRecord, Report};
use crate::solvers::checkpoint::{Checkpoint, Checkpointing};
use crate::solvers::config::{positive, KrylovConfig, Preconditioning, Termination};
use crate::solvers::state::Run;

/// How the radius changes after a trial step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum RadiusRule {
    /// Nocedal & Wright (2006), Algorithm 4.1: ρ < ¼ ⇒ Δ ← ¼·min(Δ, ‖p‖);
    /// ρ > ¾ on the boundary ⇒ Δ ← min(2Δ, Δ_max). The default.
    #[default]
    NocedalWright,
    /// Lin & Moré (1999) / TRON (Lin, Weng & Keerthi 2008): quadratic
    /// interpolation of f along p gives α* = max(σ₁, −gᵀp / (2(f(x+p) − f −
    /// gᵀp))), with σ = (0.25, 0.5, 4) and thresholds η = (1e-4, 0.25, 0.75);
    /// on the first iteration Δ ← min(Δ, ‖p‖).
    Tron,
}

/// The initial trust radius Δ₀.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum InitialRadius {
    /// A fixed Δ₀ > 0.
    Constant(f64),
    /// Δ₀ = factor·‖g₀‖ (TRON uses factor 1).
    GradientNorm(f64),
}

impl Default for InitialRadius {
    fn default() -> Self {
        InitialRadius::Constant(1.0)
    }
}

/// Default acceptance threshold η on ρ (Lin & Moré 1999 use 1e-4; N&W
/// Algorithm 4.1 allows any η in [0, ¼)).
pub const DEFAULT_ETA_ACCEPT: f64 = 1e-4;
/// Default consecutive-failure limit (Ceres uses 5 for invalid steps).
pub const DEFAULT_MAX_CONSECUTIVE_FAILURES: usize = 5;
/// Default maximum radius.
pub const DEFAULT_MAX_RADIUS: f64 = 1e10;

/// Options of [`TrustRegion`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TrustRegionConfig {
    /// Stopping rules and budgets.
    pub termination: Termination,
    /// The inner Krylov (truncated CG) loop. JSON name `cg`.
    #[cfg_attr(feature = "serde", serde(rename = "cg"))]
    pub krylov: KrylovConfig,
    /// Preconditioner (default none).
    pub preconditioning: Preconditioning,
    /// Radius update rule (default [`RadiusRule::NocedalWright`]).
    pub radius_rule: RadiusRule,
    /// Initial radius (default [`InitialRadius::Constant`]`(1.0)`, as SciPy).
    pub initial_radius: InitialRadius,
    /// Upper bound on Δ (default [`DEFAULT_MAX_RADIUS`]).
    pub max_radius: f64,
    /// Lower bound on Δ before [`Status::RadiusCollapsed`] (default 0, so the
    /// floor is `ε·max(1,‖x‖)`).
    pub min_radius: f64,
    /// Accept the step when ρ > eta_accept (default [`DEFAULT_ETA_ACCEPT`]).
    pub eta_accept: f64,
    /// Consecutive failed trials of one kind before stopping (default
    /// [`DEFAULT_MAX_CONSECUTIVE_FAILURES`]).
    pub max_consecutive_failures: usize,
}

impl Default for TrustRegionConfig {
    fn default() -> Self {
        Self {
            termination: Termination::default(),
            krylov: KrylovConfig::default(),
            preconditioning: Preconditioning::None,
            radius_rule: RadiusRule::NocedalWright,
            initial_radius: InitialRadius::default(),
            max_radius: DEFAULT_MAX_RADIUS,
            min_radius: 0.0,
            eta_accept: DEFAULT_ETA_ACCEPT,
            max_consecutive_failures: DEFAULT_MAX_CONSECUTIVE_FAILURES,
        }
    }
}

impl TrustRegionConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        self.termination.validate()?;
        self.krylov.validate()?;
        match self.initial_radius {
            InitialRadius::Constant(r) => positive("initial_radius", r)?,
            InitialRadius::GradientNorm(f) => positive("initial_radius", f)?,
        }
        positive("max_radius", self.max_radius)?;
        crate::solvers::config::nonneg("min_radius", self.min_radius)?;
        if self.min_radius >= self.max_radius {
            return Err(Error::InvalidOption {
                name: "min_radius",
                reason: "must be below max_radius".into(),
            });
        }
        if !(0.0..0.25).contains(&self.eta_accept) {
            return Err(Error::InvalidOption {
                name: "eta_accept",
                reason: format!("must lie in [0, 0.25), got {}", self.eta_accept),
            });
        }
        if self.max_consecutive_failures == 0 {
            return Err(Error::InvalidOption {
                name: "max_consecutive_failures",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

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

/// Consecutive-failure counters of the trust-region loop (part of a
/// [`crate::solvers::checkpoint::Checkpoint`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FailureCounters {
    /// Consecutive trial points with a non-finite value or gradient.
    pub non_finite_trial: usize,
    /// Consecutive inner solves that met a non-finite product.
    pub non_finite_cg: usize,
    /// Consecutive steps with a non-positive or non-finite prediction.
    pub model: usize,
}

/// What the loop carries from one iteration to the next besides the point,
/// value, gradient and counts of [`Run`]: the radius and the failure
/// counters. With `Run`, this is the whole state of a solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TrProgress {
    pub radius: f64,
    pub fails: FailureCounters,
}

/// Work vectors of the loop, allocated once per solve.
pub(crate) struct TrWork {
    ws: KrylovWorkspace,
    p: Array1<f64>,
    x_trial: Array1<f64>,
    g_trial: Array1<f64>,
    diag: Option<Array1<f64>>,
    jacobi: Option<Jacobi>,
    cg_cap: usize,
}

impl TrWork {
    pub(crate) fn new(n: usize, cfg: &TrustRegionConfig) -> Self {
        Self {
            ws: KrylovWorkspace::new(n).with_par(cfg.krylov.par),
            p: Array1::zeros(n),
            x_trial: Array1::zeros(n),
            g_trial: Array1::zeros(n),
            diag: match cfg.preconditioning {
                Preconditioning::Jacobi => Some(Array1::zeros(n)),
                _ => None,
            },
            jacobi: None,
            cg_cap: cfg.krylov.cap(n),
        }
    }

    #[cfg_attr(not(feature = "argmin"), allow(dead_code))]
    pub(crate) fn dim(&self) -> usize {
        self.p.len()
    }
}

/// The Hessian (and the objective's preconditioner) at the current point,
/// kept while the point does not change (`reference/pitfalls.md` §6).
pub(crate) struct TrCache<'o, H> {
    pub hessian: Option<H>,
    pub objective_precond: Option<Box<dyn Preconditioner + 'o>>,
}

impl<H> TrCache<'_, H> {
    pub(crate) fn empty() -> Self {
        Self {
            hessian: None,
            objective_precond: None,
        }
    }
}

impl TrustRegion {
    /// A solver with the given options.
    pub fn new(config: TrustRegionConfig) -> Self {
        Self { config }
    }

    /// Sets the relative gradient tolerance.
    pub fn with_gtol(mut self, gtol_rel: f64) -> Self {
        self.config.termination.gtol_rel = gtol_rel;
        self
    }

    /// Sets the outer iteration cap.
    pub fn with_max_iter(mut self, max_iter: usize) -> Self {
        self.config.termination.max_iter = max_iter;
        self
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
    /// [`Error::Checkpoint`].
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
        let (mut run, mut progress) = checkpoint.restore(&cfg.termination);
        let status = self.run_loop(obj, &mut run, &mut progress, callback, checkpointing)?;
        Ok(run.finish("trust_region", status))
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
        let n = run.n();
        let status = if run.gradient_converged() {
            Status::Converged
        } else {
            let mut progress = TrProgress {
                radius: self.initial_radius(run.gnorm),
                fails: FailureCounters::default(),
            };
            self.run_loop(obj, &mut run, &mut progress, callback, checkpointing)?
        };
        debug_assert_eq!(run.x.len(), n);
        Ok(run.finish("trust_region", status))
    }

    /// Δ₀ for a start with gradient norm `gnorm`.
    pub(crate) fn initial_radius(&self, gnorm: f64) -> f64 {
        let cfg = &self.config;
        match cfg.initial_radius {
            InitialRadius::Constant(r) => r,
            InitialRadius::GradientNorm(f) => f * gnorm,
        }
        .min(cfg.max_radius)
    }

    /// Iterates until a status, saving checkpoints on the way.
    fn run_loop<O: Objective + ?Sized>(
        &self,
        obj: &O,
        run: &mut Run<'_>,
        progress: &mut TrProgress,
        callback: &mut Callback<'_>,
        mut checkpointing: Option<Checkpointing<'_>>,
    ) -> Result<Status> {
        let mut work = TrWork::new(run.n(), &self.config);
        let mut cache = TrCache::empty();
        loop {
            if let Some(s) = self.iteration(obj, run, progress, &mut work, &mut cache, callback)? {
                return Ok(s);
            }
            if let Some(c) = checkpointing.as_mut() {
                if c.every > 0 && run.iter.is_multiple_of(c.every) {
                    c.sink
                        .save(&Checkpoint::capture(&self.config, run, progress))?;
                }
            }
        }
    }

    /// One outer iteration (steps 1-4 of the module docs): a step, a trial
    /// point, the radius update and acceptance, one [`IterationRecord`]
    /// passed to `callback` and pushed to the history. `Ok(Some(status))`
    /// when the solve ends. Shared by [`TrustRegion::solve_with`], the
    /// checkpoint resume and the argmin adapter, so all three run exactly
    /// the same rules.
    pub(crate) fn iteration<'o, O: Objective + ?Sized>(
        &self,
        obj: &'o O,
        run: &mut Run<'_>,
        progress: &mut TrProgress,
        work: &mut TrWork,
        cache: &mut TrCache<'o, O::Hessian<'o>>,
        callback: &mut Callback<'_>,
    ) -> Result<Option<Status>> {
        let cfg = &self.config;
        let n = run.n();
        let TrProgress { radius, fails } = progress;
        let TrWork {
            ws,
            p,
            x_trial,
            g_trial,
            diag,
            jacobi,
            cg_cap,
        } = work;
        if run.partials.par() != cfg.krylov.par {
            // Once per solve (the partial-sum buffers follow the setting).
            run.set_par(cfg.krylov.par);
        }
        if let Some(s) = run.budget_exhausted() {
            return Ok(Some(s));
        }
        // 1. Hessian and preconditioner at x, only when x changed.
        if cache.hessian.is_none() {
            let h = obj.hessian(run.x.view());
            crate::linalg::operator::check_square("Hessian operator", n, &h)?;
            run.counts.hessians += 1;
            match cfg.preconditioning {
                Preconditioning::None => {}
                Preconditioning::Jacobi => {
                    let d = diag.as_mut().expect("allocated for Jacobi");
                    if h.diagonal(d.view_mut()) {
                        match jacobi.as_mut() {
                            Some(j) => j.update(d.view())?,
                            None => *jacobi = Some(Jacobi::new(d.view())?),
                        }
                    } else {
                        *jacobi = None;
                    }
                }
                Preconditioning::Objective => {
                    cache.objective_precond = obj.preconditioner(run.x.view(), &h);
                    if let Some(m) = &cache.objective_precond {
                        check_dim("preconditioner", n, m.dim())?;
                    }
                }
            }
            cache.hessian = Some(h);
        }
        let h = cache.hessian.as_ref().expect("prepared above");
        let precond: Option<&dyn Preconditioner> = match cfg.preconditioning {
            Preconditioning::None => None,
            Preconditioning::Jacobi => jacobi.as_ref().map(|j| j as &dyn Preconditioner),
            Preconditioning::Objective => cache.objective_precond.as_deref(),
        };

        // 2. The step.
        let params = SteihaugParams {
            truncation: Truncation::TrustRegion { radius: *radius },
            eta: cfg.krylov.forcing.eta(run.gnorm),
            max_iter: (*cg_cap).min(usize::try_from(run.hvps_left()).unwrap_or(usize::MAX)),
            curvature_eps: cfg.krylov.curvature_eps,
            deadline: run.deadline,
        };
        // The step, and the trial point x + p from CG's last pass.
        let trial = Some((run.x.view(), x_trial.view_mut()));
        let mut info = steihaug_trial(h, precond, run.g.view(), &params, ws, p.view_mut(), trial);
        run.counts.hvps += info.iterations as u64;
        run.counts.krylov_iterations += info.iterations as u64;
        let first_exit = info.exit;
        if info.exit == KrylovExit::IndefinitePreconditioner && info.step_norm == 0.0 {
            // rᵀM⁻¹r ≤ 0 at the start: M is not positive definite at this
            // point. Fall back to the unpreconditioned Cauchy step (one CG
            // iteration without M, the same radius taken in the Euclidean
            // norm) instead of giving up (`reference/failure-modes.md`).
            let cauchy = SteihaugParams {
                max_iter: params.max_iter.min(1),
                ..params
            };
            let trial = Some((run.x.view(), x_trial.view_mut()));
            let fallback = steihaug_trial(h, None, run.g.view(), &cauchy, ws, p.view_mut(), trial);
            run.counts.hvps += fallback.iterations as u64;
            run.counts.krylov_iterations += fallback.iterations as u64;
            info = fallback;
        }
        run.iter += 1;
        let step_norm = info.step_norm;
        let step_m = info.step_norm_m;
        let radius_used = *radius;

        // f, ‖g‖, ρ, the next radius and the time are set below, when known.
        let mut record = IterationRecord {
            radius: radius_used,
            next_radius: *radius,
            krylov_iterations: info.iterations,
            // An indefinite preconditioner stays visible in the history
            // even when the Cauchy fallback gave the step.
            krylov_exit: Some(first_exit),
            step_norm,
            ..run.blank_record()
        };

        // A CG run cut short with nothing to try.
        if step_norm == 0.0 || info.pred <= 0.0 || !info.pred.is_finite() {
            let status = match info.exit {
                KrylovExit::TimeLimit => Some(Status::TimeLimit),
                KrylovExit::MaxIterations if run.hvps_left() == 0 => Some(Status::MaxHvps),
                KrylovExit::NonFinite => {
                    fails.non_finite_cg += 1;
                    (fails.non_finite_cg >= cfg.max_consecutive_failures)
                        .then_some(Status::NonFiniteHessian)
                }
                _ => {
                    fails.model += 1;
                    (fails.model >= cfg.max_consecutive_failures).then_some(Status::ModelFailure)
                }
            };
            let base = if step_m > 0.0 {
                radius.min(step_m)
            } else {
                *radius
            };
            *radius = 0.25 * base;
            record.next_radius = *radius;
            record.elapsed_s = run.elapsed_s();
            if let Some(s) = run.record(record, callback) {
                return Ok(Some(s));
            }
            if let Some(s) = status {
                return Ok(Some(s));
            }
            if radius_collapsed(*radius, cfg.min_radius, run.x.view()) {
                return Ok(Some(Status::RadiusCollapsed));
            }
            return Ok(None);
        }

        // 3. Trial point.
        if !run.eval_allowed() {
            return Ok(Some(Status::MaxEvaluations));
        }
        let f_trial = obj.value_grad(x_trial.view(), g_trial.view_mut());
        run.counts.evals += 1;
        let (gnorm_trial, g_finite) = run.norm_finite(g_trial.view());
        let finite = f_trial.is_finite() && g_finite;
        let pred = info.pred;
        let ared = run.f - f_trial;
        let rho = if !finite {
            f64::NEG_INFINITY
        } else {
            let noise = f64::EPSILON.powf(2.0 / 3.0) * run.f.abs().max(1.0);
            if ared.abs() <= noise && pred.abs() <= noise {
                1.0
            } else {
                ared / pred
            }
        };
        record.ratio = rho;

        // 4. Radius update and acceptance.
        let gp = info.grad_dot_step;
        *radius = self.update_radius(*radius, rho, step_m, info.on_boundary, run, f_trial, gp);
        record.next_radius = *radius;

        let accepted = finite && rho > cfg.eta_accept;
        if !finite {
            fails.non_finite_trial += 1;
        }
        let mut status = None;
        if accepted {
            *fails = FailureCounters::default();
            std::mem::swap(&mut run.x, x_trial);
            std::mem::swap(&mut run.g, g_trial);
            run.f = f_trial;
            run.gnorm = gnorm_trial;
            cache.hessian = None;
            cache.objective_precond = None;
            if run.gradient_converged() {
                status = Some(Status::Converged);
            } else {
                status = run.stalled(ared, step_norm);
            }
        } else if fails.non_finite_trial >= cfg.max_consecutive_failures {
            status = Some(Status::NonFiniteObjective);
        }
        record.accepted = accepted;
        record.f = run.f;
        record.grad_norm = run.gnorm;
        record.elapsed_s = run.elapsed_s();
        if let Some(s) = run.record(record, callback) {
            return Ok(Some(s));
        }
        if let Some(s) = status {
            return Ok(Some(s));
        }
        if !accepted && radius_collapsed(*radius, cfg.min_radius, run.x.view()) {
            return Ok(Some(Status::RadiusCollapsed));
        }
        Ok(None)
    }

    #[allow(clippy::too_many_arguments)]
    fn update_radius(
        &self,
        radius: f64,
        rho: f64,
        step_m: f64,
        on_boundary: bool,
        run: &Run<'_>,
        f_trial: f64,
        gp: f64,
    ) -> f64 {
        let cfg = &self.config;
        let s = step_m;
        let new = if !rho.is_finite() && rho < 0.0 {
            0.25 * radius.min(s)
        } else {
            match cfg.radius_rule {
                RadiusRule::NocedalWright => {
                    if rho < 0.25 {
                        0.25 * radius.min(s)
                    } else if rho > 0.75 && on_boundary {
                        2.0 * radius
                    } else {
                        radius
                    }
                }
                RadiusRule::Tron => {
                    let (sigma1, sigma2, sigma3): (f64, f64, f64) = (0.25, 0.5, 4.0);
                    let (eta0, eta1, eta2) = (1e-4, 0.25, 0.75);
                    let radius = if run.iter == 1 { radius.min(s) } else { radius };
                    let denom = f_trial - run.f - gp;
                    let alpha = if denom <= 0.0 {
                        sigma3
                    } else {
                        sigma1.max(-0.5 * (gp / denom))
                    };
                    if rho < eta0 {
                        (alpha.max(sigma1) * s).min(sigma2 * radius)
                    } else if rho < eta1 {
                        (sigma1 * radius).max((alpha * s).min(sigma2 * radius))
                    } else if rho < eta2 {
                        (sigma1 * radius).max((alpha * s).min(sigma3 * radius))
                    } else {
                        radius.max((alpha * s).min(sigma3 * radius))
                    }
                }
            }
        };
        new.min(cfg.max_radius)
    }
}

fn radius_collapsed(radius: f64, min_radius: f64, x: ArrayView1<'_, f64>) -> bool {
    radius < min_radius.max(f64::EPSILON * norm(x).max(1.0))
}
