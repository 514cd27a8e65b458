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

impl InitialRadius {
    /// Δ₀ for a start with gradient norm `grad_norm`, at most `max_radius`.
    pub fn radius(self, grad_norm: f64, max_radius: f64) -> f64 {
        match self {
            InitialRadius::Constant(r) => r,
            InitialRadius::GradientNorm(factor) => factor * grad_norm,
        }
        .min(max_radius)
    }
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
        assert_eq!(InitialRadius::Constant(3.0).radius(100.0, 1e10), 3.0);
        assert_eq!(InitialRadius::GradientNorm(0.5).radius(8.0, 1e10), 4.0);
        assert_eq!(InitialRadius::GradientNorm(1.0).radius(8.0, 2.0), 2.0);
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
        let rules = [RadiusRule::NocedalWright, RadiusRule::Tron];
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
