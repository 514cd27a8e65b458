//! The agreement between the model and the function: the reduction ratio
//! ρ = ared / pred with its round-off rule, and the acceptance test.

/// The level below which a change of f is round-off noise:
/// ε^(2/3)·max(1, |f|) (PETSc/TAO; `reference/pitfalls.md` §4). Shared by
/// the trust-region ratio and the Armijo search's approximate-Wolfe test.
pub fn round_off_level(f: f64) -> f64 {
    f64::EPSILON.powf(2.0 / 3.0) * f.abs().max(1.0)
}

/// ρ = (f − f_trial) / pred for a step with predicted reduction `pred > 0`
/// (Nocedal & Wright 2006, eq. 4.4):
/// * a non-finite trial point (value or gradient) gives ρ = −∞, so the
///   step is rejected and the radius shrinks (`reference/pitfalls.md` §1);
/// * when |ared| and |pred| are both below [`round_off_level`] the ratio is
///   noise and is set to 1 (the PETSc/TAO rule, §4).
pub fn reduction_ratio(f: f64, f_trial: f64, trial_finite: bool, pred: f64) -> f64 {
    if !trial_finite {
        return f64::NEG_INFINITY;
    }
    let ared = f - f_trial;
    let noise = round_off_level(f);
    if ared.abs() <= noise && pred.abs() <= noise {
        1.0
    } else {
        ared / pred
    }
}

/// A trial step is accepted when ρ > η (Lin & Moré 1999 use η = 10⁻⁴; any
/// η in [0, ¼) keeps N&W Theorem 4.5). ρ = −∞ or NaN is never accepted.
pub fn acceptable(rho: f64, eta_accept: f64) -> bool {
    rho > eta_accept
}

#[cfg(test)]
// The rules are pure arithmetic: their tests compare exact values.
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;

    #[test]
    fn ratio_is_ared_over_pred() {
        assert_eq!(reduction_ratio(10.0, 9.0, true, 2.0), 0.5);
        assert_eq!(reduction_ratio(10.0, 11.0, true, 2.0), -0.5);
    }

    #[test]
    fn non_finite_trial_is_minus_infinity() {
        assert_eq!(
            reduction_ratio(10.0, f64::NAN, false, 2.0),
            f64::NEG_INFINITY
        );
        // A finite value with a non-finite gradient is also a failed trial.
        assert_eq!(reduction_ratio(10.0, 9.0, false, 2.0), f64::NEG_INFINITY);
    }

    #[test]
    fn round_off_rule_needs_both_changes_below_the_noise() {
        let f = 1e3;
        let noise = round_off_level(f);
        assert!(noise > 1e-8 && noise < 1e-6);
        // Both tiny: noise, ρ = 1 even though ared/pred = −1.
        assert_eq!(reduction_ratio(f, f + 0.5 * noise, true, 0.5 * noise), 1.0);
        // pred above the noise: the true ratio.
        let f_trial = f + 0.5 * noise;
        let r = reduction_ratio(f, f_trial, true, 4.0 * noise);
        assert_eq!(r, (f - f_trial) / (4.0 * noise));
        assert!((r + 0.125).abs() < 1e-6);
        // |f| < 1 uses the absolute level ε^(2/3).
        assert_eq!(round_off_level(1e-3), f64::EPSILON.powf(2.0 / 3.0));
    }

    #[test]
    fn acceptance_is_strict_and_rejects_nan() {
        assert!(acceptable(0.5, 1e-4));
        assert!(!acceptable(1e-4, 1e-4));
        assert!(!acceptable(f64::NEG_INFINITY, 0.0));
        assert!(!acceptable(f64::NAN, 0.0));
    }
}
