//! The trust-radius rules: the initial radius, the update after a trial
//! step, the shrink after a failed one, and the collapse test.
//!
//! Each rule is a pure function of what the trial showed ([`Trial`]), so
//! that it can be tested branch by branch and shared by every solver with a
//! trust region (today [`crate::TrustRegion`]; later the bound-constrained
//! solver). The rules keep one invariant (`reference/pitfalls.md` §1-2): a
//! rejected step always leaves Δ < ‖p‖, so the next subproblem differs from
//! the one that produced the rejected step.

/// How the radius changes after a trial step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum RadiusRule {
    /// Nocedal & Wright (2006), Algorithm 4.1 ([`nocedal_wright`]). The
    /// default.
    #[default]
    NocedalWright,
    /// Lin & Moré (1999) / TRON (Lin, Weng & Keerthi 2008): interpolation of
    /// f along the step ([`tron`]).
    Tron,
    /// PETSc/TAO's "reduction" update of `ntr.c` / `bnk.c` ([`tao`]): grows
    /// relative to ‖p‖ whenever ρ ≥ ½, on or off the boundary.
    Tao,
    /// TAO's update with the very-good factor 4 replaced by 2
    /// ([`tao_double`]; GALAHAD TR2A's growth max(Δ, 2‖s‖)): a rejection
    /// after a growth costs one of every three trials instead of one of
    /// every two (the FLETCHCR cycle of `docs/radius-study.md`).
    TaoDouble,
    /// [`RadiusRule::TaoDouble`], except that a poor but accepted step
    /// (η₀ < ρ < ¼) that ended inside the region halves Δ, not ‖p‖
    /// ([`tao_double_interior`]): a short Newton step that the model
    /// predicted poorly does not cut the region to its own length.
    TaoDoubleInterior,
}

/// What happens to a rejected trust-region step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum RejectedStep {
    /// Discard it and shrink Δ by the radius rule. The default.
    #[default]
    Shrink,
    /// Nocedal & Yuan (1998): backtrack along the rejected step p (a descent
    /// direction, gᵀp < 0) with α = ½, ¼, … (at most
    /// [`BACKTRACK_MAX_HALVINGS`] halvings) until the Armijo condition
    /// f(x + αp) ≤ f(x) + [`BACKTRACK_C1`]·α·gᵀp holds
    /// ([`backtrack_accepts`]); accept x + αp and set Δ = α‖p‖
    /// ([`radius_after_backtrack`]). When no α passes, the step is rejected
    /// as with [`RejectedStep::Shrink`]. Costs f evaluations, no products.
    Backtrack,
    /// As [`RejectedStep::Backtrack`], but Δ is kept after a step accepted
    /// by backtracking, on or off the boundary ([`radius_after_backtrack`]
    /// with `keep`): the region bounds the next step, the Armijo search
    /// decides how much of it is taken, as in a line search.
    BacktrackKeep,
}

/// Armijo constant of [`RejectedStep::Backtrack`] (the line search's c₁).
pub const BACKTRACK_C1: f64 = 1e-4;
/// Most halvings of α in [`RejectedStep::Backtrack`] (α ≥ 2⁻¹⁰).
pub const BACKTRACK_MAX_HALVINGS: usize = 10;

/// The Armijo test of [`RejectedStep::Backtrack`] at step length α along a
/// direction with gᵀp = `grad_dot_step` < 0: f_α finite and
/// f_α ≤ f + c₁·α·gᵀp.
pub fn backtrack_accepts(f: f64, f_alpha: f64, alpha: f64, grad_dot_step: f64) -> bool {
    f_alpha.is_finite() && f_alpha <= f + BACKTRACK_C1 * alpha * grad_dot_step
}

/// Δ after a step accepted by backtracking: for a step p that ended on the
/// boundary, the length α‖p‖ of the step taken (Nocedal & Yuan 1998); for
/// an interior step (CG converged inside the region) Δ is kept, so that the
/// next step is again a Newton step, backtracked if need be, as in the line
/// search (our choice, measured on ODC in `docs/radius-study.md`). At most
/// `max_radius`. With `keep` ([`RejectedStep::BacktrackKeep`]) Δ is kept
/// in both cases.
pub fn radius_after_backtrack(
    alpha: f64,
    step_norm: f64,
    radius: f64,
    on_boundary: bool,
    keep: bool,
    max_radius: f64,
) -> f64 {
    let r = if on_boundary && !keep {
        alpha * step_norm
    } else {
        radius
    };
    r.min(max_radius)
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
    /// TAO's "direction" start: the first inner solve runs without a region
    /// (an unconstrained truncated-Newton step d₀) and Δ₀ = ‖d₀‖_M, clipped
    /// to [[`FIRST_STEP_MIN`], [`FIRST_STEP_MAX`]] ([`first_step_radius`]).
    /// The problem's own length scale, at no extra cost: d₀ is also the
    /// first trial step. Measured on MSA in `docs/radius-study.md`.
    FirstStep,
    /// TAO's "interpolation" start ([`interpolation_tau`]): up to
    /// [`INTERPOLATION_TRIALS`] trial steps −(Δ/‖g₀‖)g₀ from Δ = `trust0`,
    /// each rescaling Δ by how well the quadratic model predicted f; costs
    /// that many f evaluations and one Hessian-vector product.
    Interpolation {
        /// The first trial radius (TAO: 100).
        trust0: f64,
    },
}

impl Default for InitialRadius {
    fn default() -> Self {
        InitialRadius::Constant(1.0)
    }
}

impl InitialRadius {
    /// Δ₀ for a start with gradient norm `grad_norm`, at most `max_radius`,
    /// for the strategies that need nothing else: `None` for
    /// [`InitialRadius::FirstStep`] and [`InitialRadius::Interpolation`],
    /// which the solver computes from the first step or from trial points.
    pub fn radius(self, grad_norm: f64, max_radius: f64) -> Option<f64> {
        match self {
            InitialRadius::Constant(r) => Some(r.min(max_radius)),
            InitialRadius::GradientNorm(factor) => Some((factor * grad_norm).min(max_radius)),
            InitialRadius::FirstStep | InitialRadius::Interpolation { .. } => None,
        }
    }
}

/// Smallest Δ₀ the first-step start gives (TAO clips ‖d₀‖ to [1e-10, 1e10]).
pub const FIRST_STEP_MIN: f64 = 1e-10;
/// Largest Δ₀ the first-step start gives.
pub const FIRST_STEP_MAX: f64 = 1e10;
/// The fallback Δ₀ when the first unconstrained step is zero (TAO: trust0).
pub const FIRST_STEP_FALLBACK: f64 = 1.0;

/// Δ₀ of the first-step start: ‖d₀‖_M clipped to [`FIRST_STEP_MIN`],
/// [`FIRST_STEP_MAX`] and `max_radius`; [`FIRST_STEP_FALLBACK`] when d₀ = 0
/// or its norm is not finite (TAO `bnk.c`, `BNK_INIT_DIRECTION`).
pub fn first_step_radius(step_norm: f64, max_radius: f64) -> f64 {
    let r = if step_norm > 0.0 && step_norm.is_finite() {
        step_norm.clamp(FIRST_STEP_MIN, FIRST_STEP_MAX)
    } else {
        FIRST_STEP_FALLBACK
    };
    r.min(max_radius)
}

/// Trial steps of the interpolation start (TAO `i_max = 5`).
pub const INTERPOLATION_TRIALS: usize = 5;
/// θ of the interpolation start's candidate factors (TAO 0.25).
pub const INTERPOLATION_THETA: f64 = 0.25;

/// One trial of TAO's interpolation start along w = −(Δ/‖g‖)g: the factor τ
/// by which Δ is multiplied, from ared = f(x) − f(x + w) and
/// pred = −gᵀw − ½wᵀHw (computed from the actual trial step;
/// `reference/radius-and-forcing.md` §1 notes that TAO BNK mis-scales the
/// curvature term). With κ = ared/pred (1 when both are round-off),
/// τ₁ = θ‖g‖Δ / (θ‖g‖Δ + (1−θ)pred − ared) and
/// τ₂ = θ‖g‖Δ / (θ‖g‖Δ − (1+θ)pred + ared):
///
/// | agreement | τ |
/// |---|---|
/// | \|κ−1\| ≤ 0.35 | 2 if τ_max < 1, else min(τ_max, 5) |
/// | \|κ−1\| ≤ 0.5 | clamp(τ_max, 0.5, 2) |
/// | otherwise | 0.5 if τ_min > 1; 1/16 if τ_max < 1/16 or (τ_min < 1/16 and τ_max ≥ 1); else the τᵢ in [1/16, 1), else τ_max |
///
/// A non-finite trial value gives τ = 1/16. Returns `(τ, κ)`.
pub fn interpolation_tau(grad_norm: f64, radius: f64, ared: f64, pred: f64) -> (f64, f64) {
    const SMALL: f64 = 0.0625;
    if !(ared.is_finite() && pred.is_finite()) {
        return (SMALL, f64::NEG_INFINITY);
    }
    let tiny = f64::EPSILON;
    let kappa = if ared.abs() <= tiny && pred.abs() <= tiny {
        1.0
    } else if pred == 0.0 {
        f64::NEG_INFINITY
    } else {
        ared / pred
    };
    let th = INTERPOLATION_THETA;
    let tg = th * grad_norm * radius;
    let tau1 = tg / (tg + (1.0 - th) * pred - ared);
    let tau2 = tg / (tg - (1.0 + th) * pred + ared);
    let (tmin, tmax) = (tau1.min(tau2), tau1.max(tau2));
    let tau = if (kappa - 1.0).abs() <= 0.35 {
        if tmax < 1.0 {
            2.0
        } else {
            tmax.min(5.0)
        }
    } else if (kappa - 1.0).abs() <= 0.5 {
        tmax.clamp(0.5, 2.0)
    } else if tmin > 1.0 {
        0.5
    } else if tmax < SMALL || (tmin < SMALL && tmax >= 1.0) {
        SMALL
    } else if (SMALL..1.0).contains(&tau1) {
        tau1
    } else if (SMALL..1.0).contains(&tau2) {
        tau2
    } else {
        tmax
    };
    // τ₁ or τ₂ can be NaN (0/0) when ‖g‖Δ and the reductions vanish.
    (
        if tau.is_finite() && tau > 0.0 {
            tau
        } else {
            SMALL
        },
        kappa,
    )
}

/// Whether an interpolation trial showed good agreement: |κ − 1| ≤ 0.25
/// (TAO records the largest such Δ as a candidate for Δ₀).
pub fn interpolation_agrees(kappa: f64) -> bool {
    (kappa - 1.0).abs() <= 0.25
}

/// Shrink factor of the Nocedal-Wright rule and of every failed trial.
pub const SHRINK: f64 = 0.25;
/// Nocedal-Wright: ρ below this shrinks Δ.
pub const NW_SHRINK_BELOW: f64 = 0.25;
/// Nocedal-Wright: ρ above this, with the step on the boundary, doubles Δ.
pub const NW_GROW_ABOVE: f64 = 0.75;
/// TRON's factors σ₁ < σ₂ < 1 < σ₃ (Lin & Moré 1999, §2).
pub const TRON_SIGMA: (f64, f64, f64) = (0.25, 0.5, 4.0);
/// TRON's thresholds η₁ < η₂ on ρ; η₀ is the acceptance threshold
/// `eta_accept` (Lin & Moré 1999 use η₀ = 10⁻⁴).
pub const TRON_ETA: (f64, f64) = (0.25, 0.75);

/// What a radius rule sees of one trial step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trial {
    /// The radius Δ the step was computed in.
    pub radius: f64,
    /// ‖p‖ in the trust-region norm (the M-norm when preconditioned).
    pub step_norm: f64,
    /// The ratio ρ = ared/pred ([`crate::solvers::ratio::reduction_ratio`]);
    /// −∞ for a non-finite trial point.
    pub rho: f64,
    /// Whether the step ended on the boundary (CG's explicit flag,
    /// `reference/pitfalls.md` §3).
    pub on_boundary: bool,
    /// f at the current point.
    pub f: f64,
    /// f at the trial point.
    pub f_trial: f64,
    /// gᵀp.
    pub grad_dot_step: f64,
    /// No step has been accepted yet in this solve (TRON's first-step rule).
    pub before_first_accepted: bool,
}

/// The failure shrink Δ ← ¼·min(Δ, ‖p‖) (‖p‖ = 0: ¼Δ), relative to the step
/// so that it never grows Δ (`reference/pitfalls.md` §2).
pub fn shrink(radius: f64, step_norm: f64) -> f64 {
    let base = if step_norm > 0.0 {
        radius.min(step_norm)
    } else {
        radius
    };
    SHRINK * base
}

/// Nocedal & Wright (2006), Algorithm 4.1: ρ < ¼ ⇒ Δ ← ¼·min(Δ, ‖p‖);
/// ρ > ¾ with the step on the boundary ⇒ Δ ← 2Δ; otherwise Δ is kept.
pub fn nocedal_wright(t: &Trial) -> f64 {
    if t.rho < NW_SHRINK_BELOW {
        shrink(t.radius, t.step_norm)
    } else if t.rho > NW_GROW_ABOVE && t.on_boundary {
        2.0 * t.radius
    } else {
        t.radius
    }
}

/// TRON's interpolated step length: the minimizer α* of the quadratic that
/// matches f(x), gᵀp and f(x + p) along p, at least σ₁; σ₃ when that
/// quadratic is not convex (Lin & Moré 1999, §2).
pub fn tron_alpha(t: &Trial) -> f64 {
    let (sigma1, _, sigma3) = TRON_SIGMA;
    let curvature = t.f_trial - t.f - t.grad_dot_step;
    if curvature <= 0.0 {
        sigma3
    } else {
        sigma1.max(-0.5 * (t.grad_dot_step / curvature))
    }
}

/// The Lin & Moré (1999) rule as in TRON and LIBLINEAR, with s = ‖p‖, α the
/// interpolated length ([`tron_alpha`]) and η₀ = `eta_accept`:
///
/// | ρ | Δ |
/// |---|---|
/// | ≤ η₀ (rejected) | min(clamp(α, σ₁, σ₂)·s, σ₂Δ) |
/// | < η₁ | max(σ₁Δ, min(αs, σ₂Δ)) |
/// | < η₂ | max(σ₁Δ, min(αs, σ₃Δ)) |
/// | ≥ η₂ | max(Δ, min(αs, σ₃Δ)) |
///
/// Until the first step is accepted, Δ is first cut to min(Δ, s) (TRON's
/// first-iteration rule; LIBLINEAR counts only accepted iterations). On a
/// rejected step α is also capped at σ₂ — TRON takes max(α, σ₁) there, which
/// can leave Δ ≥ s when α ≥ 1 — so that Δ < s after every rejection.
pub fn tron(t: &Trial, eta_accept: f64) -> f64 {
    let (sigma1, sigma2, sigma3) = TRON_SIGMA;
    let (eta1, eta2) = TRON_ETA;
    let s = t.step_norm;
    let radius = if t.before_first_accepted {
        t.radius.min(s)
    } else {
        t.radius
    };
    let alpha = tron_alpha(t);
    if t.rho <= eta_accept {
        (alpha.clamp(sigma1, sigma2) * s).min(sigma2 * radius)
    } else if t.rho < eta1 {
        (sigma1 * radius).max((alpha * s).min(sigma2 * radius))
    } else if t.rho < eta2 {
        (sigma1 * radius).max((alpha * s).min(sigma3 * radius))
    } else {
        radius.max((alpha * s).min(sigma3 * radius))
    }
}

/// TAO's κ thresholds of the reduction update: reject below η₀ =
/// `eta_accept`, then 0.25, 0.5, 0.9 (`ntr.c`: eta1..eta4).
pub const TAO_ETA: (f64, f64, f64) = (0.25, 0.5, 0.9);
/// TAO's factors α₁ (reject), α₂ (poor), α₄ (good), α₅ (very good).
pub const TAO_ALPHA: (f64, f64, f64, f64) = (0.25, 0.5, 2.0, 4.0);

/// PETSc/TAO's "reduction" update (`ntr.c`, `bnk.c`), with m = min(Δ, ‖p‖)
/// and η₀ = `eta_accept` (TAO 1e-4):
///
/// | ρ | Δ | step |
/// |---|---|---|
/// | ≤ η₀ | ¼·m | rejected |
/// | < ¼ | ½·m | accepted |
/// | < ½ | Δ | accepted |
/// | < 0.9 | max(2‖p‖, Δ) | accepted |
/// | ≥ 0.9 | max(4‖p‖, Δ) | accepted |
///
/// It grows relative to the step, on or off the boundary, and holds Δ for
/// ¼ ≤ ρ < ½: `reference/radius-and-forcing.md` §3 shows how this escapes
/// the trap that the Nocedal-Wright rule falls into on MSA.
pub fn tao(t: &Trial, eta_accept: f64) -> f64 {
    let (eta1, eta2, eta3) = TAO_ETA;
    let (a1, a2, a4, a5) = TAO_ALPHA;
    let s = t.step_norm;
    let m = if s > 0.0 { t.radius.min(s) } else { t.radius };
    if t.rho <= eta_accept {
        a1 * m
    } else if t.rho < eta1 {
        a2 * m
    } else if t.rho < eta2 {
        t.radius
    } else if t.rho < eta3 {
        (a4 * s).max(t.radius)
    } else {
        (a5 * s).max(t.radius)
    }
}

/// The very-good growth factor of [`tao_double`].
pub const TAO_DOUBLE_GROW: f64 = 2.0;

/// TAO's reduction update ([`tao`]) with growth max(2‖p‖, Δ) for every
/// ρ ≥ ½ (TAO: 4‖p‖ for ρ ≥ 0.9), as GALAHAD TR2A grows. Rejections and
/// poor steps shrink as in [`tao`].
pub fn tao_double(t: &Trial, eta_accept: f64) -> f64 {
    if t.rho >= TAO_ETA.1 {
        (TAO_DOUBLE_GROW * t.step_norm).max(t.radius)
    } else {
        tao(t, eta_accept)
    }
}

/// [`tao_double`], except that a poor accepted step (η₀ < ρ < ¼) inside the
/// region gives ½Δ instead of ½·min(Δ, ‖p‖).
pub fn tao_double_interior(t: &Trial, eta_accept: f64) -> f64 {
    let poor = t.rho > eta_accept && t.rho < TAO_ETA.0;
    if poor && !t.on_boundary {
        TAO_ALPHA.1 * t.radius
    } else {
        tao_double(t, eta_accept)
    }
}

/// The radius after a trial step: a non-finite trial (ρ = −∞) shrinks by
/// [`shrink`] whatever the rule (`reference/pitfalls.md` §1), otherwise the
/// rule decides; the result is at most `max_radius`.
pub fn update(rule: RadiusRule, t: &Trial, eta_accept: f64, max_radius: f64) -> f64 {
    let next = if t.rho == f64::NEG_INFINITY || t.rho.is_nan() {
        shrink(t.radius, t.step_norm)
    } else {
        match rule {
            RadiusRule::NocedalWright => nocedal_wright(t),
            RadiusRule::Tron => tron(t, eta_accept),
            RadiusRule::Tao => tao(t, eta_accept),
            RadiusRule::TaoDouble => tao_double(t, eta_accept),
            RadiusRule::TaoDoubleInterior => tao_double_interior(t, eta_accept),
        }
    };
    next.min(max_radius)
}

/// The collapse test: Δ < max(min_radius, ε·max(1, ‖x‖)), where no step of
/// that length can change x in floating point. A stall, not success.
pub fn collapsed(radius: f64, min_radius: f64, x_norm: f64) -> bool {
    radius < min_radius.max(f64::EPSILON * x_norm.max(1.0))
}

#[cfg(test)]
// The rules are pure arithmetic: their tests compare exact values.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::solvers::ratio::acceptable;

    fn trial(radius: f64, step_norm: f64, rho: f64, on_boundary: bool) -> Trial {
        // f_trial consistent with rho for pred = 1: ared = rho.
        let f = 10.0;
        Trial {
            radius,
            step_norm,
            rho,
            on_boundary,
            f,
            f_trial: f - rho,
            grad_dot_step: -1.5,
            before_first_accepted: false,
        }
    }

    #[test]
    fn initial_radius_strategies() {
        assert_eq!(InitialRadius::Constant(3.0).radius(100.0, 1e10), Some(3.0));
        assert_eq!(
            InitialRadius::GradientNorm(0.5).radius(8.0, 1e10),
            Some(4.0)
        );
        assert_eq!(InitialRadius::GradientNorm(1.0).radius(8.0, 2.0), Some(2.0));
        assert_eq!(InitialRadius::FirstStep.radius(8.0, 2.0), None);
        assert_eq!(
            InitialRadius::Interpolation { trust0: 100.0 }.radius(8.0, 2.0),
            None
        );
    }

    #[test]
    fn first_step_radius_clips_and_falls_back() {
        assert_eq!(first_step_radius(19.1, 1e10), 19.1);
        assert_eq!(first_step_radius(1e-30, 1e10), FIRST_STEP_MIN);
        assert_eq!(first_step_radius(1e30, 1e20), FIRST_STEP_MAX);
        assert_eq!(first_step_radius(30.0, 5.0), 5.0);
        assert_eq!(first_step_radius(0.0, 1e10), FIRST_STEP_FALLBACK);
        assert_eq!(first_step_radius(f64::NAN, 1e10), FIRST_STEP_FALLBACK);
    }

    #[test]
    fn tao_branches() {
        // Rejected: ¼·min(Δ, ‖p‖).
        assert_eq!(tao(&trial(1.0, 0.4, 1e-5, false), 1e-4), 0.1);
        assert_eq!(tao(&trial(1.0, 1.0, -3.0, true), 1e-4), 0.25);
        // Poor: ½·min(Δ, ‖p‖).
        assert_eq!(tao(&trial(1.0, 0.4, 0.1, false), 1e-4), 0.2);
        // Fair: keep Δ.
        assert_eq!(tao(&trial(1.0, 0.4, 0.3, false), 1e-4), 1.0);
        // Good: max(2‖p‖, Δ), also for an interior step.
        assert_eq!(tao(&trial(1.0, 0.8, 0.6, false), 1e-4), 1.6);
        assert_eq!(tao(&trial(1.0, 0.3, 0.6, false), 1e-4), 1.0);
        // Very good: max(4‖p‖, Δ).
        assert_eq!(tao(&trial(1.0, 1.0, 0.95, true), 1e-4), 4.0);
        assert_eq!(tao(&trial(1.0, 0.5, 0.95, false), 1e-4), 2.0);
        // η₀ is the acceptance threshold.
        assert_eq!(tao(&trial(1.0, 1.0, 0.1, true), 0.2), 0.25);
    }

    #[test]
    fn tao_double_branches() {
        // ρ ≥ 0.9 grows by 2‖p‖, not 4‖p‖.
        assert_eq!(tao_double(&trial(1.0, 1.0, 0.95, true), 1e-4), 2.0);
        assert_eq!(tao(&trial(1.0, 1.0, 0.95, true), 1e-4), 4.0);
        // ½ ≤ ρ < 0.9: as TAO, max(2‖p‖, Δ).
        assert_eq!(tao_double(&trial(1.0, 0.8, 0.6, false), 1e-4), 1.6);
        assert_eq!(tao_double(&trial(1.0, 0.3, 0.95, false), 1e-4), 1.0);
        // Below ½: TAO's keep, poor and reject branches.
        assert_eq!(tao_double(&trial(1.0, 0.4, 0.3, false), 1e-4), 1.0);
        assert_eq!(tao_double(&trial(1.0, 0.4, 0.1, false), 1e-4), 0.2);
        assert_eq!(tao_double(&trial(1.0, 0.4, 1e-5, false), 1e-4), 0.1);
        // The grow-reject cycle from Δ = ½ with ‖p‖ = Δ: TAO reaches 2 in
        // one good step, tao_double needs two.
        let once = tao_double(&trial(0.5, 0.5, 0.95, true), 1e-4);
        assert_eq!(once, 1.0);
        assert_eq!(tao_double(&trial(once, once, 0.95, true), 1e-4), 2.0);
    }

    #[test]
    fn backtracking_armijo_and_radius() {
        // gᵀp = −2, f = 1: α = ½ needs f_α ≤ 1 − 1e-4.
        assert!(backtrack_accepts(1.0, 0.9, 0.5, -2.0));
        assert!(!backtrack_accepts(1.0, 1.0, 0.5, -2.0));
        assert!(!backtrack_accepts(1.0, 1.0 - 0.5e-4, 0.5, -2.0));
        assert!(backtrack_accepts(1.0, 1.0 - 1e-4, 0.5, -2.0));
        assert!(!backtrack_accepts(1.0, f64::NAN, 0.5, -2.0));
        assert!(!backtrack_accepts(1.0, f64::NEG_INFINITY, 0.5, -2.0));
        // On the boundary: Δ = α‖p‖ (Nocedal & Yuan).
        assert_eq!(
            radius_after_backtrack(0.25, 2.0, 2.0, true, false, 1e10),
            0.5
        );
        assert_eq!(radius_after_backtrack(0.5, 8.0, 8.0, true, false, 3.0), 3.0);
        // Inside: Δ kept.
        assert_eq!(
            radius_after_backtrack(0.25, 2.0, 5.0, false, false, 1e10),
            5.0
        );
        assert_eq!(
            radius_after_backtrack(0.25, 2.0, 5.0, false, false, 4.0),
            4.0
        );
        // keep: Δ kept on the boundary too.
        assert_eq!(
            radius_after_backtrack(0.25, 2.0, 2.0, true, true, 1e10),
            2.0
        );
    }

    #[test]
    fn tao_double_interior_halves_the_radius_after_a_poor_interior_step() {
        // Poor interior step: ½Δ, not ½‖p‖.
        assert_eq!(tao_double_interior(&trial(2.0, 0.1, 0.1, false), 1e-4), 1.0);
        assert_eq!(tao_double(&trial(2.0, 0.1, 0.1, false), 1e-4), 0.05);
        // Poor boundary step, rejection, good steps: as tao_double.
        for t in [
            trial(2.0, 2.0, 0.1, true),
            trial(2.0, 0.1, 1e-5, false),
            trial(2.0, 2.0, -1.0, true),
            trial(2.0, 0.5, 0.3, false),
            trial(2.0, 2.0, 0.95, true),
        ] {
            assert_eq!(tao_double_interior(&t, 1e-4), tao_double(&t, 1e-4), "{t:?}");
        }
    }

    #[test]
    fn interpolation_tau_follows_the_agreement_table() {
        // Perfect agreement, ared = pred: κ = 1; τ₁ = θgΔ/(θgΔ − θ pred)...
        let (g, d) = (1.0, 1.0);
        let (tau, kappa) = interpolation_tau(g, d, 0.5, 0.5);
        assert_eq!(kappa, 1.0);
        // τ₁ = 0.25/(0.25 + 0.375 − 0.5) = 2, τ₂ = 0.25/(0.25 − 0.625 + 0.5) = 2.
        assert_eq!(tau, 2.0f64.min(5.0));
        // Poor agreement with f increasing: shrink into [1/16, 1).
        let (tau, kappa) = interpolation_tau(g, d, -1.0, 0.5);
        assert_eq!(kappa, -2.0);
        assert!((0.0625..1.0).contains(&tau), "{tau}");
        // A non-finite trial.
        assert_eq!(interpolation_tau(g, d, f64::NAN, 0.5).0, 0.0625);
        // Moderate agreement: clamp(τ_max, ½, 2).
        let (tau, kappa) = interpolation_tau(g, d, 0.3, 0.5);
        assert!((kappa - 0.6).abs() < 1e-15);
        assert!((0.5..=2.0).contains(&tau), "{tau}");
        // Both reductions round-off: κ = 1, τ finite.
        let (tau, kappa) = interpolation_tau(0.0, 1.0, 0.0, 0.0);
        assert_eq!(kappa, 1.0);
        assert!(tau.is_finite() && tau > 0.0);
        assert!(interpolation_agrees(1.2) && !interpolation_agrees(1.3));
    }

    #[test]
    fn shrink_is_relative_to_the_shorter_of_radius_and_step() {
        assert_eq!(shrink(1.0, 0.2), 0.05);
        assert_eq!(shrink(0.2, 1.0), 0.05);
        assert_eq!(shrink(1.0, 0.0), 0.25);
    }

    #[test]
    fn nocedal_wright_branches() {
        // ρ < ¼: shrink relative to min(Δ, ‖p‖).
        assert_eq!(nocedal_wright(&trial(1.0, 0.4, 0.1, false)), 0.1);
        // ρ > ¾ on the boundary: double.
        assert_eq!(nocedal_wright(&trial(1.0, 1.0, 0.9, true)), 2.0);
        // ρ > ¾ inside: keep.
        assert_eq!(nocedal_wright(&trial(1.0, 0.3, 0.9, false)), 1.0);
        // ¼ ≤ ρ ≤ ¾: keep.
        assert_eq!(nocedal_wright(&trial(1.0, 1.0, 0.5, true)), 1.0);
    }

    #[test]
    fn tron_branches() {
        let (s1, s2, s3) = TRON_SIGMA;
        // α = −gᵀp / (2(f_trial − f − gᵀp)) with gᵀp = −1.5: for ρ = 0.5,
        // f_trial − f = −0.5, curvature 1.0, α = 0.75.
        let t = trial(1.0, 1.0, 0.5, true);
        assert_eq!(tron_alpha(&t), 0.75);
        assert_eq!(tron(&t, 1e-4), (s1 * 1.0f64).max((0.75f64).min(s3)));
        // ρ ≥ η₂: max(Δ, min(αs, σ₃Δ)); ρ = 1.0: curvature 0.5, α = 1.5.
        let t = trial(1.0, 1.0, 1.0, true);
        assert_eq!(tron_alpha(&t), 1.5);
        assert_eq!(tron(&t, 1e-4), 1.5);
        // η₀ < ρ < η₁: max(σ₁Δ, min(αs, σ₂Δ)); ρ = 0.1: curvature 1.4.
        let t = trial(1.0, 1.0, 0.1, true);
        let a = tron_alpha(&t);
        assert!((a - 1.5 / 2.8).abs() < 1e-15);
        assert_eq!(tron(&t, 1e-4), (s1).max((a).min(s2)));
        // Non-convex interpolation: α = σ₃.
        let mut t = trial(1.0, 1.0, 2.0, true);
        t.f_trial = t.f - 2.0; // curvature −0.5
        assert_eq!(tron_alpha(&t), s3);
        assert_eq!(tron(&t, 1e-4), s3);
    }

    #[test]
    fn tron_first_step_rule_applies_until_the_first_accepted_step() {
        // A rejected first trial with ‖p‖ ≪ Δ₀ (TRON starts at Δ₀ = ‖g₀‖):
        // Δ is first cut to ‖p‖, then shrunk below it.
        let mut t = trial(100.0, 2.0, -1.0, false);
        t.before_first_accepted = true;
        let next = tron(&t, 1e-4);
        assert!(next < 2.0, "{next}");
        // Still no accepted step: the rule applies again on the next trial,
        // although that is the second iteration.
        let mut t2 = trial(next, 0.9 * next, 0.9, true);
        t2.before_first_accepted = true;
        let t2_later = Trial {
            before_first_accepted: false,
            ..t2
        };
        assert!(tron(&t2, 1e-4) <= tron(&t2_later, 1e-4));
        // After an accepted step Δ is no longer cut to ‖p‖ first: an
        // interior step with ρ ≥ η₂ keeps Δ.
        let t3 = trial(10.0, 1.0, 0.9, false);
        assert!(tron(&t3, 1e-4) >= 10.0);
        let t3_first = Trial {
            before_first_accepted: true,
            ..t3
        };
        assert!(tron(&t3_first, 1e-4) < 10.0);
    }

    /// The invariant of the module: every rejected step ends with Δ < ‖p‖,
    /// for every rule, every acceptance threshold, interior and boundary
    /// steps, and any interpolation curvature.
    #[test]
    fn a_rejected_step_always_ends_below_the_step_length() {
        let rules = [
            RadiusRule::NocedalWright,
            RadiusRule::Tron,
            RadiusRule::Tao,
            RadiusRule::TaoDouble,
            RadiusRule::TaoDoubleInterior,
        ];
        let etas = [0.0, 1e-4, 0.01, 0.1, 0.2, 0.249];
        let rhos = [
            f64::NEG_INFINITY,
            -1e6,
            -1.0,
            -1e-3,
            0.0,
            1e-5,
            1e-4,
            0.005,
            0.05,
            0.15,
            0.2,
            0.249,
        ];
        let mut checked = 0;
        for rule in rules {
            for eta in etas {
                for rho in rhos {
                    if acceptable(rho, eta) {
                        continue;
                    }
                    for (radius, s) in [(1.0, 1.0), (1.0, 0.3), (1.0, 0.01), (5.0, 4.9)] {
                        for gp in [-10.0, -1.0, -1e-3] {
                            for f_trial in [9.0, 10.0, 10.5, 1e3, -1e3] {
                                for first in [false, true] {
                                    let t = Trial {
                                        radius,
                                        step_norm: s,
                                        rho,
                                        on_boundary: s == radius,
                                        f: 10.0,
                                        f_trial,
                                        grad_dot_step: gp,
                                        before_first_accepted: first,
                                    };
                                    let next = update(rule, &t, eta, 1e10);
                                    assert!(
                                        next < s && next > 0.0,
                                        "{rule:?}, eta {eta}, {t:?}: Δ = {next}"
                                    );
                                    checked += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn update_caps_at_max_radius_and_shrinks_on_non_finite() {
        let t = trial(1.0, 1.0, 0.9, true);
        assert_eq!(update(RadiusRule::NocedalWright, &t, 1e-4, 1.5), 1.5);
        let bad = trial(1.0, 0.5, f64::NEG_INFINITY, false);
        assert_eq!(update(RadiusRule::Tron, &bad, 1e-4, 1e10), 0.125);
        assert_eq!(update(RadiusRule::NocedalWright, &bad, 1e-4, 1e10), 0.125);
    }

    #[test]
    fn collapse_is_relative_to_x() {
        assert!(collapsed(1e-17, 0.0, 1.0));
        assert!(!collapsed(1e-15, 0.0, 1.0));
        assert!(collapsed(1e-10, 0.0, 1e7));
        assert!(collapsed(1e-3, 1e-2, 1.0));
    }
}
