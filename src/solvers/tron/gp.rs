//! Projected-gradient steps on f before the Newton phase (PETSc/TAO
//! `tron`'s gradient projections, `-tao_tron_maxgpits`; Moré & Toraldo,
//! "On the solution of large quadratic programming problems with bound
//! constraints", SIAM J. Optim. 1(1), 1991, for the alternation of
//! gradient-projection and Newton phases).
//!
//! Up to K steps x ← P(x − t∇f(x)), each with t from a backtracking search
//! on f itself (not on the model): the first trial at the step length the
//! last phase ended with, doubled when that trial passed at once; then
//! t ← t/2 until the Armijo condition f(P(x − tg)) ≤ f(x) + [`GP_ARMIJO`]·gᵀs
//! holds (s = P(x − tg) − x). The phase stops after a step whose decrease is
//! at most [`GP_FTOL`] times the largest decrease of the phase (TAO's
//! `pg_ftol` test), when no trial passes within [`GP_MAX_BACKTRACKS`]
//! halvings, or when the projected gradient is 0. An active bound is left
//! only where −∇f points into the box by more than 10⁻³‖∇f‖∞, the rule of
//! the release rounds ([`super::releasable`]): at degenerate bounds
//! (∇f_i ≈ 0, as on DMSO_C's flat plate) a step on rounding noise would
//! only blur the active set.
//!
//! Why: on DMSO_C and DMSA_B the trust-region steps stay short because the
//! quadratic model is poor near the nodes where the surface leaves the
//! obstacle (ρ scatters from −0.7 to 1 at Euclidean steps of 0.05); steps
//! on f itself reduce those local, high-frequency errors without products
//! and without a model (`docs/bounds.md`).

use ndarray::Array1;

use super::dot;
use super::projection::{add_step_exact, projected_step};
use super::release::releasable;
use crate::problem::bounds::Bounds;
use crate::problem::objective::Objective;
use crate::solvers::state::Run;

/// Sufficient-decrease constant of the search on f (the usual Armijo 1e-4;
/// TAO's Moré–Thuente search uses the same `ftol`).
pub const GP_ARMIJO: f64 = 1e-4;
/// The phase stops after a step that decreased f by at most this fraction
/// of the phase's largest decrease (TAO `tron`'s `pg_ftol`).
pub const GP_FTOL: f64 = 1e-3;
/// Halvings of t before a step is given up.
pub const GP_MAX_BACKTRACKS: usize = 40;

/// What a gradient-projection phase did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpPhase {
    /// Steps taken (each moved x and decreased f).
    pub steps: usize,
    /// Objective evaluations (value and gradient), one per trial.
    pub evals: u64,
    /// f before the phase minus f after it.
    pub decrease: f64,
    /// The step length of the last step taken (the next phase's start),
    /// or the start unchanged if none was taken.
    pub t: f64,
}

/// Runs up to `max_steps` projected-gradient steps on f from the current
/// point of `run` (module documentation), starting the search at `t0`.
/// Moves `run`'s x, g, f and ‖P∇f‖ to the last point reached; counts the
/// evaluations in `run`. `d`, `s`, `x_trial` and `g_trial` are n-vectors
/// of work space. A trial with a non-finite f or gradient counts as failed.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gradient_projection_steps<O: Objective + ?Sized>(
    obj: &O,
    bounds: &Bounds,
    run: &mut Run<'_>,
    max_steps: usize,
    t0: f64,
    d: &mut Array1<f64>,
    s: &mut Array1<f64>,
    x_trial: &mut Array1<f64>,
    g_trial: &mut Array1<f64>,
) -> GpPhase {
    let f_start = run.f;
    let mut out = GpPhase {
        steps: 0,
        evals: 0,
        decrease: 0.0,
        t: t0,
    };
    let mut t_start = if t0 > 0.0 && t0.is_finite() { t0 } else { 1.0 };
    let mut largest = 0.0f64;
    while out.steps < max_steps {
        if run.budget_exhausted().is_some() || run.time_up() {
            break;
        }
        // The direction d = −g, with the degenerate active bounds kept
        // ([`releasable`]), once per step: s = P(x + t·d) − x.
        d.assign(&run.state.g);
        releasable(run.state.x.view(), d.view_mut(), bounds);
        d.mapv_inplace(|v| -v);
        let mut t = t_start;
        let mut taken = None;
        for k in 0..=GP_MAX_BACKTRACKS {
            projected_step(
                run.par(),
                run.state.x.view(),
                t,
                d.view(),
                bounds,
                s.view_mut(),
            );
            let gts = dot(run.par(), run.state.g.view(), s.view());
            if gts.is_nan() || gts >= 0.0 {
                // P∇f = 0 along this path, or t underflowed.
                break;
            }
            add_step_exact(
                run.par(),
                run.state.x.view(),
                s.view(),
                bounds,
                x_trial.view_mut(),
            );
            let f_t = obj.value_grad(x_trial.view(), g_trial.view_mut());
            run.counts.evals += 1;
            out.evals += 1;
            let finite = f_t.is_finite() && g_trial.iter().all(|v| v.is_finite());
            if finite && armijo_holds(run.f, f_t, gts) {
                taken = Some((f_t, k == 0));
                break;
            }
            if run.budget_exhausted().is_some() || run.time_up() {
                break;
            }
            t *= 0.5;
        }
        let Some((f_t, first_trial)) = taken else {
            break;
        };
        let decrease = run.f - f_t;
        std::mem::swap(&mut run.state.x, x_trial);
        std::mem::swap(&mut run.state.g, g_trial);
        run.state.f = f_t;
        run.state.grad_norm = bounds.projected_gradient_norm(run.x.view(), run.g.view());
        out.steps += 1;
        out.t = t;
        t_start = if first_trial { 2.0 * t } else { t };
        largest = largest.max(decrease);
        if gp_phase_done(decrease, largest) {
            break;
        }
    }
    out.decrease = f_start - run.f;
    out
}

/// The Armijo condition of the search on f: f_t ≤ f + [`GP_ARMIJO`]·gᵀs
/// (gᵀs < 0). NaN fails.
pub fn armijo_holds(f: f64, f_t: f64, gts: f64) -> bool {
    f_t <= f + GP_ARMIJO * gts
}

/// Whether the phase ends after a step that decreased f by `decrease`,
/// the largest decrease of the phase being `largest`: `decrease` at most
/// [`GP_FTOL`]·`largest` (TAO's test). NaN: yes.
pub fn gp_phase_done(decrease: f64, largest: f64) -> bool {
    decrease.is_nan() || decrease <= GP_FTOL * largest
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::problem::objective::FnObjective;
    use crate::solvers::config::Termination;
    use ndarray::array;

    #[test]
    fn armijo_and_phase_end() {
        assert!(armijo_holds(1.0, 0.5, -1.0));
        assert!(!armijo_holds(1.0, 1.0, -1.0));
        assert!(!armijo_holds(1.0, f64::NAN, -1.0));
        assert!(!gp_phase_done(1.0, 1.0));
        assert!(gp_phase_done(1e-3, 1.0));
        assert!(!gp_phase_done(1.1e-3, 1.0));
        assert!(gp_phase_done(f64::NAN, 1.0));
    }

    /// min ½Σ d_i (x_i − c_i)² on [0, 1]³ with c = (2, 0.5, −1): every step
    /// decreases f and keeps x in the box, and the binding bounds
    /// (x₀ = 1, x₂ = 0) are reached exactly; f after the phase is the f the
    /// report says, and evaluations are counted.
    #[test]
    fn steps_decrease_f_stay_feasible_and_reach_bounds() {
        let d = [1.0, 4.0, 2.0];
        let c = [2.0, 0.5, -1.0];
        let obj = FnObjective::new(
            3,
            move |x, mut g| {
                let mut f = 0.0;
                for i in 0..3 {
                    let r = x[i] - c[i];
                    f += 0.5 * d[i] * r * r;
                    g[i] = d[i] * r;
                }
                f
            },
            move |_x, v, mut out| {
                for i in 0..3 {
                    out[i] = d[i] * v[i];
                }
            },
        );
        let b = Bounds::uniform(3, 0.0, 1.0).unwrap();
        let term = Termination::default();
        let x0 = array![0.2, 0.9, 0.7];
        let mut run = Run::start(&obj, x0.view(), &term).unwrap();
        let f0 = run.f;
        let (mut d, mut s, mut xt, mut gt) = (
            Array1::zeros(3),
            Array1::zeros(3),
            Array1::zeros(3),
            Array1::zeros(3),
        );
        let gp = gradient_projection_steps(
            &obj, &b, &mut run, 20, 1.0, &mut d, &mut s, &mut xt, &mut gt,
        );
        assert!(gp.steps >= 1);
        assert_eq!(run.counts.evals, 1 + gp.evals);
        assert!(run.f < f0);
        assert!((gp.decrease - (f0 - run.f)).abs() <= 1e-15);
        assert!(run.x.iter().all(|&v| (0.0..=1.0).contains(&v)));
        // t = 1 would take x₀ to 2.0 and x₂ to −2.7: both land on their bounds.
        assert_eq!(run.x[0], 1.0);
        assert_eq!(run.x[2], 0.0);
        // The reported projected gradient is that of the final point.
        let pg = b.projected_gradient_norm(run.x.view(), run.g.view());
        assert_eq!(run.grad_norm, pg);
        let mut g = Array1::zeros(3);
        assert_eq!(obj.value_grad(run.x.view(), g.view_mut()), run.f);
        assert_eq!(g, run.g);
    }

    /// At a point where the projected gradient is 0 (every component at
    /// its binding bound) the phase takes no step and evaluates nothing.
    #[test]
    fn no_step_at_a_stationary_point() {
        let obj = FnObjective::new(
            2,
            |x, mut g| {
                g[0] = x[0] - 2.0;
                g[1] = x[1] + 2.0;
                0.5 * ((x[0] - 2.0).powi(2) + (x[1] + 2.0).powi(2))
            },
            |_x, v, mut out| out.assign(&v),
        );
        let b = Bounds::uniform(2, -1.0, 1.0).unwrap();
        let term = Termination::default();
        let x0 = array![1.0, -1.0];
        let mut run = Run::start(&obj, x0.view(), &term).unwrap();
        let (mut d, mut s, mut xt, mut gt) = (
            Array1::zeros(2),
            Array1::zeros(2),
            Array1::zeros(2),
            Array1::zeros(2),
        );
        let gp =
            gradient_projection_steps(&obj, &b, &mut run, 3, 1.0, &mut d, &mut s, &mut xt, &mut gt);
        assert_eq!(gp.steps, 0);
        assert_eq!(gp.evals, 0);
        assert_eq!(run.x, x0);
    }

    /// A NaN beyond x₀ > 0.5 makes the long trials fail; the search halves
    /// t until the trial point is finite and decreases f.
    #[test]
    fn non_finite_trials_halve_the_step() {
        let obj = FnObjective::new(
            1,
            |x, mut g| {
                if x[0] > 0.5 {
                    g[0] = f64::NAN;
                    return f64::NAN;
                }
                g[0] = x[0] - 1.0;
                0.5 * (x[0] - 1.0).powi(2)
            },
            |_x, v, mut out| out.assign(&v),
        );
        let b = Bounds::uniform(1, 0.0, 10.0).unwrap();
        let term = Termination::default();
        let x0 = array![0.0];
        let mut run = Run::start(&obj, x0.view(), &term).unwrap();
        let (mut d, mut s, mut xt, mut gt) = (
            Array1::zeros(1),
            Array1::zeros(1),
            Array1::zeros(1),
            Array1::zeros(1),
        );
        let gp =
            gradient_projection_steps(&obj, &b, &mut run, 1, 4.0, &mut d, &mut s, &mut xt, &mut gt);
        assert_eq!(gp.steps, 1);
        // t = 4, 2, 1 fail (x = 4, 2, 1 > 0.5); t = 0.5 gives x = 0.5.
        assert_eq!(gp.evals, 4);
        assert_eq!(run.x[0], 0.5);
        assert!(run.f.is_finite());
    }
}
