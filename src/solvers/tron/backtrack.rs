//! A rejected TRON step searched on f ([`crate::RejectedStep::Backtrack`]
//! and [`crate::RejectedStep::BacktrackKeep`]; Nocedal & Yuan, "Combining
//! trust region and line search techniques", 1998, applied on the box).
//!
//! x and the rejected trial point x + s both lie in the box, so the whole
//! segment x + αs, 0 ≤ α ≤ 1, does: no projection is needed, and a
//! component of s that ended on a bound ends on it only at α = 1. With
//! gᵀs < 0 (the model decreased along the path, so the Cauchy part of s is
//! a descent step), α = ½, ¼, … is tried, at most
//! [`crate::solvers::radius::BACKTRACK_MAX_HALVINGS`] times, until the
//! Armijo test [`crate::solvers::radius::backtrack_accepts`] holds with a
//! finite gradient. One evaluation per trial, no products.
//!
//! Why: on the minimal-surface obstacle problems (DMSO_C, DMSA_B) the
//! quadratic model is poor for steps of useful length and ρ scatters around
//! 0 (`docs/bounds.md`, "Steps on f"); a rejected step there is still a
//! good direction, which a search on f keeps instead of shrinking Δ.

use ndarray::{Array1, ArrayView1};

use super::projection::add_step_exact;
use crate::linalg::par::for_blocks;
use crate::problem::bounds::Bounds;
use crate::problem::objective::Objective;
use crate::solvers::radius;
use crate::solvers::state::Run;

/// A point accepted by [`backtrack_rejected`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Backtracked {
    /// The step length α taken along s.
    pub alpha: f64,
    /// f(x + αs).
    pub f: f64,
}

/// Searches the rejected step `s` from `run`'s x (module documentation),
/// with `gts` = gᵀs. On success x + αs is left in `xk` and its gradient in
/// `g_trial`; `sk` is work space. `None` when gᵀs ≥ 0, no α passes, or the
/// evaluation or time budget ends. Counts the evaluations in `run`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn backtrack_rejected<O: Objective + ?Sized>(
    obj: &O,
    bounds: &Bounds,
    run: &mut Run<'_>,
    s: ArrayView1<'_, f64>,
    gts: f64,
    sk: &mut Array1<f64>,
    xk: &mut Array1<f64>,
    g_trial: &mut Array1<f64>,
) -> Option<Backtracked> {
    if gts.is_nan() || gts >= 0.0 {
        return None;
    }
    let par = run.par();
    let mut alpha = 1.0;
    for _ in 0..radius::BACKTRACK_MAX_HALVINGS {
        if !run.eval_allowed() || run.time_up() {
            return None;
        }
        alpha *= 0.5;
        for_blocks(par, (sk.view_mut(), s), |(mut sk, s)| {
            sk.zip_mut_with(&s, |o, &s| *o = alpha * s)
        });
        add_step_exact(par, run.x.view(), sk.view(), bounds, xk.view_mut());
        let f = obj.value_grad(xk.view(), g_trial.view_mut());
        run.counts.evals += 1;
        let finite = g_trial.iter().all(|v| v.is_finite());
        if finite && radius::backtrack_accepts(run.f, f, alpha, gts) {
            return Some(Backtracked { alpha, f });
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // step lengths and points here are exact binary fractions
mod tests {
    use super::*;
    use crate::solvers::config::Termination;
    use ndarray::array;

    /// f = Σ x_i⁴ on [−1, 1]²: from x = (1, 1) the step s = (−2, −2) ends
    /// at (−1, −1), where f is the same (rejected, ρ = 0); half of it lands
    /// on the minimizer and passes the Armijo test.
    #[test]
    fn half_of_a_symmetric_overshoot_is_taken() {
        let obj = crate::FnObjective::new(
            2,
            |x, mut g| {
                g[0] = 4.0 * x[0].powi(3);
                g[1] = 4.0 * x[1].powi(3);
                x[0].powi(4) + x[1].powi(4)
            },
            |x, v, mut out| {
                out[0] = 12.0 * x[0] * x[0] * v[0];
                out[1] = 12.0 * x[1] * x[1] * v[1];
            },
        );
        let b = Bounds::uniform(2, -1.0, 1.0).unwrap();
        let x0 = array![1.0, 1.0];
        let term = Termination::default();
        let mut run = Run::start(&obj, x0.view(), &term).unwrap();
        let s = array![-2.0, -2.0];
        let gts = run.g.dot(&s);
        let (mut sk, mut xk, mut g) = (Array1::zeros(2), Array1::zeros(2), Array1::zeros(2));
        let evals = run.counts.evals;
        let bt = backtrack_rejected(&obj, &b, &mut run, s.view(), gts, &mut sk, &mut xk, &mut g)
            .expect("accepted");
        assert_eq!(bt.alpha, 0.5);
        assert_eq!(bt.f, 0.0);
        assert_eq!(xk, array![0.0, 0.0]);
        assert_eq!(run.counts.evals, evals + 1);
        // An ascent direction is not searched.
        let up = array![0.0, 0.0];
        assert!(
            backtrack_rejected(&obj, &b, &mut run, up.view(), 0.0, &mut sk, &mut xk, &mut g)
                .is_none()
        );
    }

    /// f = x on [0, 1], NaN below x = 0.3: from x = 0.5 the step to the
    /// bound 0 is a descent step; its half lands on NaN, which is refused
    /// (a shorter trial, not a stall), and its quarter passes.
    #[test]
    fn a_non_finite_trial_is_refused_and_a_shorter_one_taken() {
        let obj = crate::FnObjective::new(
            1,
            |x, mut g| {
                if x[0] < 0.3 {
                    g[0] = f64::NAN;
                    f64::NAN
                } else {
                    g[0] = 1.0;
                    x[0]
                }
            },
            |_x, _v, mut out| out[0] = 0.0,
        );
        let b = Bounds::uniform(1, 0.0, 1.0).unwrap();
        let x0 = array![0.5];
        let term = Termination::default();
        let mut run = Run::start(&obj, x0.view(), &term).unwrap();
        let s = array![-0.5];
        let (mut sk, mut xk, mut g) = (Array1::zeros(1), Array1::zeros(1), Array1::zeros(1));
        let evals = run.counts.evals;
        let bt = backtrack_rejected(&obj, &b, &mut run, s.view(), -0.5, &mut sk, &mut xk, &mut g)
            .expect("accepted");
        assert_eq!(bt.alpha, 0.25);
        assert_eq!(xk[0], 0.375);
        assert_eq!(bt.f, 0.375);
        assert_eq!(run.counts.evals, evals + 2);
    }
}
