//! Trust-region Newton with truncated CG steps (Steihaug-Toint).
//!
//! Each outer iteration (Nocedal & Wright 2006, Algorithm 4.1):
//! 1. prepare the Hessian at x (only after an accepted step;
//!    `reference/pitfalls.md` §6) and the preconditioner;
//! 2. compute a step p by [`crate::subproblem::steihaug()`] with forcing term
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

use crate::config::{positive, CgConfig, Preconditioning, Termination};
use crate::error::{check_dim, Error, Result};
use crate::objective::Objective;
use crate::observe::{no_callback, Callback};
use crate::operator::LinearOperator;
use crate::precond::{Jacobi, Preconditioner};
use crate::report::{IterationRecord, Report};
use crate::run::Run;
use crate::status::{CgExit, Status};
use crate::subproblem::{steihaug, CgWorkspace, SteihaugParams, Truncation};
use crate::vecops::{add_into, all_finite, norm};

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
    /// The inner CG loop.
    pub cg: CgConfig,
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
            cg: CgConfig::default(),
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
        self.cg.validate()?;
        match self.initial_radius {
            InitialRadius::Constant(r) => positive("initial_radius", r)?,
            InitialRadius::GradientNorm(f) => positive("initial_radius", f)?,
        }
        positive("max_radius", self.max_radius)?;
        crate::config::nonneg("min_radius", self.min_radius)?;
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

struct Failures {
    non_finite_trial: usize,
    non_finite_cg: usize,
    model: usize,
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
        let cfg = &self.config;
        cfg.validate()?;
        let mut run = Run::start(obj, x0, &cfg.termination)?;
        let n = run.n();
        let status = self.iterate(obj, &mut run, callback)?;
        debug_assert_eq!(run.x.len(), n);
        Ok(run.finish("trust_region", status))
    }

    fn iterate<O: Objective + ?Sized>(
        &self,
        obj: &O,
        run: &mut Run<'_>,
        callback: &mut Callback<'_>,
    ) -> Result<Status> {
        let cfg = &self.config;
        let n = run.n();
        if run.gradient_converged() {
            return Ok(Status::Converged);
        }
        let mut radius = match cfg.initial_radius {
            InitialRadius::Constant(r) => r,
            InitialRadius::GradientNorm(f) => f * run.gnorm,
        }
        .min(cfg.max_radius);

        // All work vectors, once per solve.
        let mut ws = CgWorkspace::new(n);
        let mut p = Array1::<f64>::zeros(n);
        let mut x_trial = Array1::<f64>::zeros(n);
        let mut g_trial = Array1::<f64>::zeros(n);
        let mut diag = match cfg.preconditioning {
            Preconditioning::Jacobi => Some(Array1::<f64>::zeros(n)),
            _ => None,
        };
        let mut jacobi: Option<Jacobi> = None;

        let mut hessian: Option<O::Hessian<'_>> = None;
        let mut objective_precond: Option<Box<dyn Preconditioner + '_>> = None;
        let mut fails = Failures {
            non_finite_trial: 0,
            non_finite_cg: 0,
            model: 0,
        };
        let cg_cap = cfg.cg.cap(n);

        loop {
            if let Some(s) = run.budget_exhausted() {
                return Ok(s);
            }
            // 1. Hessian and preconditioner at x, only when x changed.
            if hessian.is_none() {
                let h = obj.hessian(run.x.view());
                check_dim("Hessian operator", n, h.dim())?;
                run.counts.hessians += 1;
                match cfg.preconditioning {
                    Preconditioning::None => {}
                    Preconditioning::Jacobi => {
                        let d = diag.as_mut().expect("allocated for Jacobi");
                        if h.diagonal(d.view_mut()) {
                            match jacobi.as_mut() {
                                Some(j) => j.update(d.view())?,
                                None => jacobi = Some(Jacobi::new(d.view())?),
                            }
                        } else {
                            jacobi = None;
                        }
                    }
                    Preconditioning::Objective => {
                        objective_precond = obj.preconditioner(run.x.view(), &h);
                        if let Some(m) = &objective_precond {
                            check_dim("preconditioner", n, m.dim())?;
                        }
                    }
                }
                hessian = Some(h);
            }
            let h = hessian.as_ref().expect("prepared above");
            let precond: Option<&dyn Preconditioner> = match cfg.preconditioning {
                Preconditioning::None => None,
                Preconditioning::Jacobi => jacobi.as_ref().map(|j| j as &dyn Preconditioner),
                Preconditioning::Objective => objective_precond.as_deref(),
            };

            // 2. The step.
            let params = SteihaugParams {
                truncation: Truncation::TrustRegion { radius },
                eta: cfg.cg.forcing.eta(run.gnorm),
                max_iter: cg_cap.min(usize::try_from(run.hvps_left()).unwrap_or(usize::MAX)),
                curvature_eps: cfg.cg.curvature_eps,
                deadline: run.deadline,
            };
            let info = steihaug(h, precond, run.g.view(), &params, &mut ws, p.view_mut());
            run.counts.hvps += info.iterations as u64;
            run.counts.cg_iterations += info.iterations as u64;
            run.iter += 1;
            let step_norm = norm(p.view());
            let step_m = info.step_norm_m;
            let radius_used = radius;

            let mut record = IterationRecord {
                iter: run.iter,
                f: run.f,
                grad_norm: run.gnorm,
                radius: radius_used,
                next_radius: radius,
                ratio: f64::NAN,
                alpha: f64::NAN,
                shift: f64::NAN,
                accepted: false,
                cg_iterations: info.iterations,
                cg_exit: Some(info.exit),
                step_norm,
                hvps: run.counts.hvps,
                elapsed_s: 0.0,
            };

            // A CG run cut short with nothing to try.
            if step_norm == 0.0 || info.pred <= 0.0 || !info.pred.is_finite() {
                let status = match info.exit {
                    CgExit::TimeLimit => Some(Status::TimeLimit),
                    CgExit::MaxIterations if run.hvps_left() == 0 => Some(Status::MaxHvps),
                    CgExit::IndefinitePreconditioner if step_norm == 0.0 => {
                        Some(Status::PreconditionerFailure)
                    }
                    CgExit::NonFinite => {
                        fails.non_finite_cg += 1;
                        (fails.non_finite_cg >= cfg.max_consecutive_failures)
                            .then_some(Status::NonFiniteHessian)
                    }
                    _ => {
                        fails.model += 1;
                        (fails.model >= cfg.max_consecutive_failures)
                            .then_some(Status::ModelFailure)
                    }
                };
                let base = if step_m > 0.0 {
                    radius.min(step_m)
                } else {
                    radius
                };
                radius = 0.25 * base;
                record.next_radius = radius;
                record.elapsed_s = run.elapsed_s();
                if let Some(s) = run.record(record, callback) {
                    return Ok(s);
                }
                if let Some(s) = status {
                    return Ok(s);
                }
                if radius_collapsed(radius, cfg.min_radius, run.x.view()) {
                    return Ok(Status::RadiusCollapsed);
                }
                continue;
            }

            // 3. Trial point.
            if !run.eval_allowed() {
                return Ok(Status::MaxEvaluations);
            }
            add_into(run.x.view(), p.view(), x_trial.view_mut());
            let f_trial = obj.value_grad(x_trial.view(), g_trial.view_mut());
            run.counts.evals += 1;
            let finite = f_trial.is_finite() && all_finite(g_trial.view());
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
            let gp = run.g.dot(&p);
            radius = self.update_radius(radius, rho, step_m, info.on_boundary, run, f_trial, gp);
            record.next_radius = radius;

            let accepted = finite && rho > cfg.eta_accept;
            if !finite {
                fails.non_finite_trial += 1;
            }
            let mut status = None;
            if accepted {
                fails = Failures {
                    non_finite_trial: 0,
                    non_finite_cg: 0,
                    model: 0,
                };
                std::mem::swap(&mut run.x, &mut x_trial);
                std::mem::swap(&mut run.g, &mut g_trial);
                run.f = f_trial;
                run.gnorm = norm(run.g.view());
                hessian = None;
                objective_precond = None;
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
                return Ok(s);
            }
            if let Some(s) = status {
                return Ok(s);
            }
            if !accepted && radius_collapsed(radius, cfg.min_radius, run.x.view()) {
                return Ok(Status::RadiusCollapsed);
            }
        }
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
