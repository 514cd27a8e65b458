//! TRON: a matrix-free projected trust-region Newton method for
//! min f(x) subject to l ≤ x ≤ u (Lin & Moré, "Newton's method for large
//! bound-constrained optimization problems", SIAM J. Optim. 9(4), 1999;
//! MINPACK-2 `dtron`, `dcauchy`, `dspcg`, `dprsrch`, `dgpstep`,
//! `dbreakpt`; `reference/bounds.md` §1).
//!
//! One outer iteration at x with g = ∇f(x), H = ∇²f(x), radius Δ and the
//! quadratic model q(s) = gᵀs + ½sᵀHs:
//! 0. **Steps on f** ([`gp`], not in MINPACK-2; PETSc/TAO `tron`'s
//!    gradient projections): at a new point, up to
//!    [`crate::TronConfig`] `gp_steps` projected-gradient steps with a
//!    backtracking search on f itself.
//! 1. **Projected Cauchy step** ([`cauchy_step`]): s(α) = P(x − αg) − x with
//!    α accepted when ‖s(α)‖ ≤ μ₁Δ and q(s(α)) ≤ μ₀·gᵀs(α)
//!    ([`cauchy_acceptable`]); α starts from the last iteration's value,
//!    shrinks by 10 until a trial passes or grows by 10 while trials pass
//!    and α stays below the largest breakpoint. One product per trial.
//! 2. **Newton steps over faces**: from x_C = x + s_C, on the free set F of
//!    the current point, Steihaug CG ([`crate::krylov::steihaug()`]) on the
//!    masked operator D·H·D ([`crate::linalg::masked`]) with right-hand side
//!    (g + Hs)_F, radius Δ and tolerance `cg_tol·‖g_F‖`, followed by a
//!    projected search along the CG step ([`projected_search`]); repeated on
//!    the new face while the search added bounds and CG neither hit the
//!    region's boundary nor negative curvature. Only the face part of Hs is
//!    kept up to date (the free sets shrink, so that is all later faces and
//!    the model value need), and the model value q(s) is accumulated face by
//!    face.
//!
//!    **Release rounds** (not in MINPACK-2; [`crate::TronConfig`]
//!    `release_rounds`): `dspcg` only adds bounds, so an iteration frees
//!    only the variables whose gradient at x points into the box — on EPT
//!    that is one ring of nodes per iteration and the iteration count grows
//!    with the grid side. When the face steps end on a solved face, the full
//!    model gradient r = g + Hs (one product) is checked for active bounds
//!    it would release ([`releasable`]); if there are any, a projected
//!    Cauchy step on the model from that point along −r ([`cauchy_step`]
//!    with g replaced by r) frees them and the face steps continue, while
//!    each round decreases the model by more than 1% of the total
//!    ([`release_round_worth`]) — Moré & Toraldo's GPCG alternation
//!    (SIAM J. Optim. 1, 1991) inside the trust region.
//! 3. **Ratio and radius**: ρ = (f(x) − f(x + s))/(−q(s))
//!    ([`crate::solvers::ratio`]) and the radius update of
//!    [`crate::TronConfig`] `radius_rule` (default TAO's reduction update
//!    [`crate::solvers::radius::tao`]; Lin & Moré's is
//!    [`crate::solvers::radius::tron`]) on the step taken; a non-finite
//!    trial point gives ρ = −∞ and shrinks Δ. With [`crate::TronConfig`]
//!    `rejected_step` set to backtrack, a rejected step is first searched
//!    on f along the segment to the trial point ([`backtrack`]).
//! 4. **Stopping**: ‖P∇f(x)‖₂ ≤ max(gtol_abs, gtol_rel·‖∇f(x₀)‖₂)
//!    ([`crate::TronConfig`]).
//!
//! Constants: μ₀ = 0.01, μ₁ = 1 ([`MU0`], [`MU1`]); factors 10 and ½ of the
//! Cauchy and projected searches; η and σ of the radius rule in
//! [`crate::solvers::radius`].

pub mod backtrack;
mod cauchy;
pub mod face_ic0;
mod faces;
pub mod gp;
mod projection;
mod release;
mod search;

pub use cauchy::{
    cauchy_acceptable, cauchy_step, CauchyStep, CAUCHY_ALPHA_MIN, CAUCHY_FACTOR, MU0, MU1,
};
pub use projection::{add_step_exact, breakpoints, projected_step};
pub use release::{releasable, release_round_worth, RELEASE_MIN_DECREASE, RELEASE_REL_TOL};
pub use search::{projected_search, SearchStep, SEARCH_FACTOR};

use std::cell::RefCell;

use ndarray::{Array1, ArrayView1, Zip};

use crate::error::{check_dim, Error, Result};
use crate::krylov::KrylovWorkspace;
use crate::linalg::operator::{check_square, LinearOperator};
use crate::linalg::par::{tree_dot, Par};
use crate::linalg::precond::{Jacobi, Preconditioner};
use crate::problem::bounds::Bounds;
use crate::problem::objective::Objective;
use crate::report::bounds::{BoundsRecord, BoundsSummary};
use crate::report::method::Method;
use crate::report::observe::{no_callback, Callback};
use crate::report::status::Status;
use crate::report::Report;
use crate::solvers::config::{Preconditioning, TronConfig};
use crate::solvers::newton_cg::AmgSlot;
use crate::solvers::radius::{self, RejectedStep, Trial};
use crate::solvers::ratio::{acceptable, reduction_ratio};
use crate::solvers::state::Run;
use face_ic0::FaceIc0;

/// The bound-constrained trust-region Newton solver.
///
/// ```
/// use ndarray::array;
/// use steihaug::{Bounds, FnObjective, Tron};
/// // min Σ (x_i − 2)² on [0, 1]³: x* = (1, 1, 1), every bound binding.
/// let obj = FnObjective::new(
///     3,
///     |x, mut g| {
///         let mut f = 0.0;
///         for i in 0..3 { let d = x[i] - 2.0; f += d * d; g[i] = 2.0 * d; }
///         f
///     },
///     |_x, v, mut out| { for i in 0..3 { out[i] = 2.0 * v[i]; } },
/// );
/// let bounds = Bounds::uniform(3, 0.0, 1.0)?;
/// let r = Tron::default().solve(&obj, array![0.5, 0.5, 0.5].view(), &bounds)?;
/// assert!(r.status.is_converged());
/// assert_eq!(r.x, array![1.0, 1.0, 1.0]);
/// assert_eq!(r.bounds.unwrap().active.binding, 3);
/// # Ok::<(), steihaug::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Tron {
    config: TronConfig,
}

/// aᵀb over the fixed blocks of [`tree_dot`]: the same value for every
/// [`Par`] and thread count.
fn dot(par: Par, a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    tree_dot(par, a, b)
}

/// ‖a‖ from [`dot`].
fn norm(par: Par, a: ArrayView1<'_, f64>) -> f64 {
    tree_dot(par, a, a).sqrt()
}

/// A checksum of the active set at x (which indices are at which bound),
/// to find the iteration after which it stops changing.
fn active_signature(x: ArrayView1<'_, f64>, b: &Bounds) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, ((&x, &l), &u)) in x.iter().zip(b.lower()).zip(b.upper()).enumerate() {
        let code = if x <= l {
            1u64
        } else if x >= u {
            2
        } else {
            continue;
        };
        h ^= (i as u64).wrapping_mul(4).wrapping_add(code);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Work vectors of a TRON solve, allocated once.
struct Work {
    s: Array1<f64>,
    hs: Array1<f64>,
    a: Array1<f64>,
    b: Array1<f64>,
    w: Array1<f64>,
    hw: Array1<f64>,
    sk: Array1<f64>,
    hsk: Array1<f64>,
    rk: Array1<f64>,
    xk: Array1<f64>,
    mask: Array1<f64>,
    g_trial: Array1<f64>,
    diag: Array1<f64>,
    pscratch: RefCell<Array1<f64>>,
    ws: KrylovWorkspace,
}

impl Work {
    fn new(n: usize, config: &TronConfig) -> Self {
        let z = || Array1::zeros(n);
        Self {
            s: z(),
            hs: z(),
            a: z(),
            b: z(),
            w: z(),
            hw: z(),
            sk: z(),
            hsk: z(),
            rk: z(),
            xk: z(),
            mask: z(),
            g_trial: z(),
            diag: if config.preconditioning == Preconditioning::Jacobi {
                z()
            } else {
                Array1::zeros(0)
            },
            pscratch: RefCell::new(z()),
            ws: KrylovWorkspace::new(n).with_par(config.par),
        }
    }
}

impl Tron {
    /// TRON with `config`.
    pub fn new(config: TronConfig) -> Self {
        Self { config }
    }

    /// The configuration.
    pub fn config(&self) -> &TronConfig {
        &self.config
    }

    /// Minimizes `obj` on `bounds` from `x0` (projected onto the box first;
    /// the report's [`BoundsSummary::projected_start`] counts the moved
    /// components).
    ///
    /// Errors: invalid options; `x0` or `bounds` of the wrong length; x0,
    /// f or ∇f not finite at the projected start.
    pub fn solve<O: Objective + ?Sized>(
        &self,
        obj: &O,
        x0: ArrayView1<'_, f64>,
        bounds: &Bounds,
    ) -> Result<Report> {
        self.solve_with(obj, x0, bounds, &mut no_callback)
    }

    /// As [`Tron::solve`], calling `callback` after every iteration.
    pub fn solve_with<O: Objective + ?Sized>(
        &self,
        obj: &O,
        x0: ArrayView1<'_, f64>,
        bounds: &Bounds,
        callback: &mut Callback<'_>,
    ) -> Result<Report> {
        let c = &self.config;
        c.validate()?;
        let n = obj.dim();
        if n == 0 {
            return Err(Error::EmptyProblem);
        }
        check_dim("bounds", n, bounds.dim())?;
        check_dim("x0", n, x0.len())?;
        let mut xs = x0.to_owned();
        if xs.iter().any(|v| v.is_nan()) {
            return Err(Error::NonFiniteStart { what: "x0" });
        }
        let projected_start = bounds.project(xs.view_mut())?;
        let mut run = Run::start(obj, xs.view(), &c.termination)?;
        run.set_par(c.par);
        drop(xs);
        run.state.grad_norm = bounds.projected_gradient_norm(run.x.view(), run.g.view());
        let gtol = c
            .termination
            .gtol_abs
            .max(c.termination.gtol_rel * run.grad_norm0);
        let max_radius = c.max_radius;
        run.state.radius = c
            .initial_radius
            .radius(run.grad_norm0, max_radius)
            .unwrap_or(1.0);
        if !(run.radius > 0.0 && run.radius.is_finite()) {
            // g(x₀) = 0 with a gradient-norm start: any positive radius.
            run.state.radius = 1.0f64.min(max_radius);
        }
        let mut w = Work::new(n, c);
        let cg_cap = c.cg_max_iter.unwrap_or(n);
        let max_faces = c.max_faces.unwrap_or(n);
        let mut alpha_c = 1.0f64;
        // The step length the next projected-gradient phase starts from.
        let mut gp_t = 1.0f64;
        let mut signature = active_signature(run.x.view(), bounds);
        let mut settled_at = 0usize;

        let mut status = if run.grad_norm <= gtol {
            Some(Status::Converged)
        } else {
            None
        };
        let mut hessian: Option<O::Hessian<'_>> = None;
        let mut objective_precond: Option<Box<dyn Preconditioner + '_>> = None;
        let mut jacobi: Option<Jacobi> = None;
        // Multigrid of the full Hessian, masked to the free variables in CG
        // like every preconditioner here (D·M⁻¹·D); Jacobi where it cannot
        // be built (the rule of `newton_cg`).
        let mut amg = matches!(c.preconditioning, Preconditioning::Amg(_)).then(AmgSlot::default);
        // IC(0) (or MIC(0)) of H(F,F), refactored on every face.
        let face_ic0 = c
            .preconditioning
            .ic0_relax()
            .map(|relax| RefCell::new(FaceIc0::new(relax)));

        while status.is_none() {
            if let Some(s) = run.budget_exhausted() {
                status = Some(s);
                break;
            }
            run.state.iter += 1;
            // 0. Projected-gradient steps on f at a new point.
            let mut gp = gp::GpPhase {
                steps: 0,
                evals: 0,
                decrease: 0.0,
                t: gp_t,
            };
            if hessian.is_none() && c.gp_steps > 0 {
                gp = gp::gradient_projection_steps(
                    obj,
                    bounds,
                    &mut run,
                    c.gp_steps,
                    gp_t,
                    &mut w.a,
                    &mut w.s,
                    &mut w.xk,
                    &mut w.g_trial,
                );
                gp_t = gp.t;
                if gp.steps > 0 {
                    let sig = active_signature(run.x.view(), bounds);
                    if sig != signature {
                        signature = sig;
                        settled_at = run.iter;
                    }
                    if run.grad_norm <= gtol {
                        status = Some(Status::Converged);
                        // x moved (by the steps on f): an accepted
                        // iteration without a trust-region trial.
                        let rec = crate::report::IterationRecord {
                            radius: run.radius,
                            next_radius: run.radius,
                            accepted: true,
                            hvps: run.counts.hvps,
                            bounds: Some(BoundsRecord {
                                active: bounds.counts(run.x.view(), run.g.view()),
                                gp_steps: gp.steps,
                                gp_evals: gp.evals,
                                ..BoundsRecord::default()
                            }),
                            ..run.blank_record()
                        };
                        if let Some(s) = run.record(rec, callback) {
                            status = status.or(Some(s));
                        }
                        break;
                    }
                }
            }
            // H (and M) at x, once per point.
            if hessian.is_none() {
                let h = obj.hessian(run.x.view());
                check_square("Hessian operator", n, &h)?;
                run.counts.hessians += 1;
                match c.preconditioning {
                    Preconditioning::None => {}
                    Preconditioning::Amg(cfg) => {
                        if let Some(slot) = amg.as_mut() {
                            slot.prepare(&h, n, cfg)?;
                        }
                    }
                    Preconditioning::Jacobi => {
                        jacobi = if h.diagonal(w.diag.view_mut()) {
                            Some(Jacobi::new(w.diag.view())?)
                        } else {
                            None
                        };
                    }
                    Preconditioning::Ic0 | Preconditioning::Mic0 { .. } => {
                        if let Some(f) = &face_ic0 {
                            f.borrow_mut().new_point();
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
            let h = hessian.as_ref().expect("prepared");
            let radius = run.radius;
            let hvps_before = run.counts.hvps;

            // 1. Projected Cauchy step.
            let cs = cauchy_step(
                c.par,
                h,
                bounds,
                run.x.view(),
                run.g.view(),
                radius,
                alpha_c,
                &mut w.s,
                &mut w.hs,
                &mut w.a,
                &mut w.b,
            );
            run.counts.hvps += cs.products;
            let cauchy_hvps = cs.products;
            if !cs.found {
                status = Some(if cs.non_finite {
                    Status::NonFiniteHessian
                } else {
                    Status::ModelFailure
                });
                let rec = run.blank_record();
                if let Some(s) = run.record(rec, callback) {
                    status = status.or(Some(s));
                }
                break;
            }
            alpha_c = cs.alpha;
            add_step_exact(c.par, run.x.view(), w.s.view(), bounds, w.xk.view_mut());

            // 2. Newton steps over faces.
            let precond: Option<&dyn Preconditioner> = match c.preconditioning {
                Preconditioning::None => None,
                Preconditioning::Amg(_) => amg.as_ref().and_then(AmgSlot::current),
                Preconditioning::Jacobi => jacobi.as_ref().map(|j| j as &dyn Preconditioner),
                Preconditioning::Objective => objective_precond.as_deref(),
                Preconditioning::Ic0 | Preconditioning::Mic0 { .. } => None,
            };
            let phase = faces::Phase {
                config: c,
                h,
                precond,
                bounds,
                radius,
                cg_cap,
                max_faces,
                face_ic0: face_ic0.as_ref(),
            };
            let np = faces::newton_phase(&phase, &mut run, &mut w, cs);

            // 3. Ratio and radius.
            let pred = -np.q;
            // s = x_k − x (exact on the clipped components).
            Zip::from(&mut w.s)
                .and(&w.xk)
                .and(&run.state.x)
                .for_each(|s, &xk, &x| *s = xk - x);
            let step_norm = norm(c.par, w.s.view());
            let base = BoundsRecord {
                faces: np.faces,
                cauchy_hvps,
                cg_hvps: np.cg_products,
                search_hvps: np.search_products,
                release_hvps: np.release_products,
                release_rounds: np.release_rounds,
                gp_steps: gp.steps,
                gp_evals: gp.evals,
                cauchy_alpha: cs.alpha,
                ..BoundsRecord::default()
            };
            if !(pred > 0.0 && pred.is_finite()) {
                status = Some(if pred.is_finite() {
                    Status::ModelFailure
                } else {
                    Status::NonFiniteHessian
                });
                let rec = crate::report::IterationRecord {
                    radius,
                    next_radius: radius,
                    krylov_iterations: np.cg_iterations as usize,
                    krylov_exit: np.last_exit,
                    step_norm,
                    hvps: run.counts.hvps,
                    bounds: Some(BoundsRecord {
                        active: bounds.counts(run.x.view(), run.g.view()),
                        ..base
                    }),
                    ..run.blank_record()
                };
                if let Some(s) = run.record(rec, callback) {
                    status = status.or(Some(s));
                }
                break;
            }
            let f_trial = obj.value_grad(w.xk.view(), w.g_trial.view_mut());
            run.counts.evals += 1;
            let g_finite = w.g_trial.iter().all(|v| v.is_finite());
            let trial_finite = f_trial.is_finite() && g_finite;
            let rho = reduction_ratio(run.f, f_trial, trial_finite, pred);
            let trial = Trial {
                radius,
                step_norm,
                rho,
                on_boundary: np.on_boundary,
                f: run.f,
                f_trial,
                grad_dot_step: np.gts,
                before_first_accepted: run.accepted_steps == 0,
            };
            let mut next_radius = radius::update(c.radius_rule, &trial, c.eta_accept, max_radius);
            let mut accepted = acceptable(rho, c.eta_accept);
            // A rejected step searched on f (`backtrack`): the point found
            // replaces the trial point, Δ follows the step taken.
            let (mut alpha, mut f_new) = (f64::NAN, f_trial);
            if !accepted && c.rejected_step != RejectedStep::Shrink {
                let found = backtrack::backtrack_rejected(
                    obj,
                    bounds,
                    &mut run,
                    w.s.view(),
                    np.gts,
                    &mut w.sk,
                    &mut w.xk,
                    &mut w.g_trial,
                );
                if let Some(bt) = found {
                    accepted = true;
                    (alpha, f_new) = (bt.alpha, bt.f);
                    next_radius = radius::radius_after_backtrack(
                        bt.alpha,
                        step_norm,
                        radius,
                        np.on_boundary,
                        c.rejected_step == RejectedStep::BacktrackKeep,
                        max_radius,
                    );
                }
            }
            run.state.radius = next_radius;
            let f_before = run.f;
            if accepted {
                let pg = bounds.projected_gradient_norm(w.xk.view(), w.g_trial.view());
                run.accept(&mut w.xk, &mut w.g_trial, f_new, pg);
                run.state.failures.non_finite_trial = 0;
                hessian = None;
                objective_precond = None;
                let sig = active_signature(run.x.view(), bounds);
                if sig != signature {
                    signature = sig;
                    settled_at = run.iter;
                }
                run.state.gap_estimate = None;
                status = if run.grad_norm <= gtol {
                    Some(Status::Converged)
                } else if c.termination.target_f.is_some_and(|t| run.f <= t) {
                    Some(Status::TargetReached)
                } else if run.f < c.termination.f_floor {
                    Some(Status::Unbounded)
                } else {
                    let taken = if alpha.is_nan() { 1.0 } else { alpha };
                    run.stalled(f_new - f_before, taken * step_norm)
                };
            } else {
                if !trial_finite {
                    run.state.failures.non_finite_trial += 1;
                    if run.failures.non_finite_trial >= c.max_consecutive_failures {
                        status = Some(Status::NonFiniteObjective);
                    }
                }
                let xn = run.x_norm();
                if status.is_none() && radius::collapsed(next_radius, c.min_radius, xn) {
                    status = Some(Status::RadiusCollapsed);
                }
            }
            let rec = crate::report::IterationRecord {
                radius,
                next_radius,
                ratio: rho,
                alpha,
                accepted,
                krylov_iterations: np.cg_iterations as usize,
                krylov_exit: np.last_exit,
                step_norm,
                hvps: run.counts.hvps,
                bounds: Some(BoundsRecord {
                    active: bounds.counts(run.x.view(), run.g.view()),
                    ..base
                }),
                ..run.blank_record()
            };
            debug_assert!(run.counts.hvps >= hvps_before);
            if let Some(s) = run.record(rec, callback) {
                status = status.or(Some(s));
            }
        }
        let summary = BoundsSummary {
            projected_start,
            active: bounds.counts(run.x.view(), run.g.view()),
            projected_grad_norm: run.grad_norm,
            active_set_settled_at: settled_at,
        };
        let mut report = run.finish(Method::Tron, status.unwrap_or(Status::MaxIterations));
        report.bounds = Some(summary);
        Ok(report)
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// min ½xᵀTx + c·x₀ (T tridiagonal 2, −1) on [−100, 0]ⁿ from x = 0,
    /// every variable at its upper bound: only ∂f/∂x₀ = c points into the
    /// box, and each variable is released only after its neighbour moved.
    /// The minimizer x_i = −c(n − i)/(n + 1) (0-based) is interior. Without
    /// release rounds TRON frees about one variable per iteration; with
    /// them far fewer iterations are needed, to the same x*.
    #[test]
    fn release_rounds_free_a_chain_in_one_iteration() {
        let n = 30;
        let t = Array2::from_shape_fn((n, n), |(i, j)| {
            if i == j {
                2.0
            } else if i.abs_diff(j) == 1 {
                -1.0
            } else {
                0.0
            }
        });
        let c = 1.0;
        let tt = t.clone();
        let obj = crate::FnObjective::new(
            n,
            move |x, mut g| {
                let tx = tt.dot(&x);
                g.assign(&tx);
                g[0] += c;
                0.5 * x.dot(&tx) + c * x[0]
            },
            {
                let t = t.clone();
                move |_x, v, mut out| out.assign(&t.dot(&v))
            },
        );
        let b = Bounds::uniform(n, -100.0, 0.0).unwrap();
        let x0 = Array1::zeros(n);
        let solve = |rounds: usize| {
            // Without the steps on f, which release bounds too.
            let cfg = TronConfig {
                release_rounds: rounds,
                gp_steps: 0,
                ..TronConfig::default()
            };
            Tron::new(cfg).solve(&obj, x0.view(), &b).unwrap()
        };
        let with = solve(10 * n);
        let without = solve(0);
        assert!(with.status.is_converged() && without.status.is_converged());
        // x* = −c·T⁻¹e_0: x_i = −c(n − i)/(n + 1).
        for (i, &xi) in with.x.iter().enumerate() {
            let exact = -c * (n - i) as f64 / (n + 1) as f64;
            assert!((xi - exact).abs() <= 1e-6, "x[{i}] = {xi}, exact {exact}");
        }
        assert!(
            with.iterations * 3 <= without.iterations,
            "with {} without {}",
            with.iterations,
            without.iterations
        );
    }
}
