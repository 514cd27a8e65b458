//! TAO's interpolation start for the trust radius: a few trial steps along
//! −g₀, each rescaling Δ by how well the quadratic model predicted f
//! (PETSc/TAO `ntr.c`, `NTR_INIT_INTERPOLATION`; the factor rule is
//! [`crate::solvers::radius::interpolation_tau`]).
//!
//! The trials lie on one line, w(Δ) = −(Δ/‖g‖)g, so one Hessian-vector
//! product gives every model value: wᵀHw = (Δ/‖g‖)²·gᵀHg
//! (`reference/radius-and-forcing.md` §1; TAO recomputes H·g in each
//! trial). pred is computed from the actual trial step. A trial point with
//! a lower f than x₀ becomes the new start, as in TAO.

use crate::error::Result;
use crate::linalg::operator::LinearOperator;
use crate::problem::objective::Objective;
use crate::solvers::newton_cg::NewtonCgWork;
use crate::solvers::radius::{
    interpolation_agrees, interpolation_tau, FIRST_STEP_MAX, FIRST_STEP_MIN, INTERPOLATION_TRIALS,
};
use crate::solvers::state::Run;

/// Runs the interpolation trials from `run.x` with the prepared Hessian `h`
/// and returns Δ₀: the larger of the last Δ and the largest Δ that showed
/// good agreement, clipped to [1e-10, min(1e10, `max_radius`)]. Costs one
/// product and up to [`INTERPOLATION_TRIALS`] evaluations (fewer when the
/// evaluation budget ends first), plus one evaluation when a trial point
/// becomes the new start. Returns `Ok(true)` in the second field when x
/// moved (the caller must forget the Hessian at the old point).
pub(crate) fn interpolation_start<O: Objective + ?Sized, H: LinearOperator>(
    obj: &O,
    h: &H,
    run: &mut Run<'_>,
    work: &mut NewtonCgWork,
    trust0: f64,
    max_radius: f64,
) -> Result<(f64, bool)> {
    let gn = run.grad_norm;
    // H·g into the workspace's product buffer.
    h.apply(run.g.view(), work.ws.hd.view_mut());
    run.counts.hvps += 1;
    let ghg = run.g.dot(&work.ws.hd);
    let mut radius = trust0;
    let mut best_good = 0.0f64;
    let mut best: Option<(f64, f64)> = None; // (Δ, f) of the best trial
    for _ in 0..INTERPOLATION_TRIALS {
        if !run.eval_allowed() {
            break;
        }
        let t = radius / gn;
        trial_point(run, work, t);
        let f_t = obj.value_grad(work.x_trial.view(), work.g_trial.view_mut());
        run.counts.evals += 1;
        let ared = run.f - f_t;
        let pred = t * gn * gn - 0.5 * t * t * ghg;
        if f_t.is_finite() && f_t < best.map_or(run.f, |b| b.1) {
            best = Some((radius, f_t));
        }
        let (tau, kappa) = interpolation_tau(gn, radius, ared, pred);
        if interpolation_agrees(kappa) {
            best_good = best_good.max(radius);
        }
        radius *= tau;
    }
    let r0 = radius
        .max(best_good)
        .clamp(FIRST_STEP_MIN, FIRST_STEP_MAX)
        .min(max_radius);
    let mut moved = false;
    if let Some((delta, _)) = best {
        if run.eval_allowed() {
            trial_point(run, work, delta / gn);
            let f_t = obj.value_grad(work.x_trial.view(), work.g_trial.view_mut());
            run.counts.evals += 1;
            let (gnorm_t, finite) = run.norm_finite(work.g_trial.view());
            if f_t.is_finite() && finite && f_t < run.f {
                std::mem::swap(&mut run.state.x, &mut work.x_trial);
                std::mem::swap(&mut run.state.g, &mut work.g_trial);
                run.state.f = f_t;
                run.state.grad_norm = gnorm_t;
                moved = true;
            }
        }
    }
    Ok((r0, moved))
}

/// `x_trial ← x − t·g`.
fn trial_point(run: &Run<'_>, work: &mut NewtonCgWork, t: f64) {
    ndarray::Zip::from(&mut work.x_trial)
        .and(&run.x)
        .and(&run.g)
        .for_each(|o, &x, &g| *o = x - t * g);
}
