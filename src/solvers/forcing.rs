//! Eisenstat-Walker forcing terms: the inner tolerance η_k chosen from how
//! well the last linear model predicted the new gradient.
//!
//! For optimization F = ∇f and J = H, and the inner test is
//! `‖H_k s + g_k‖ ≤ η_k‖g_k‖` (Eisenstat & Walker, "Choosing the forcing
//! terms in an inexact Newton method", SIAM J. Sci. Comput. 17(1), 1996):
//!
//! * choice 1: η_k = |‖g_k‖ − ‖g_{k−1} + H_{k−1}s_{k−1}‖| / ‖g_{k−1}‖, with
//!   the safeguard η_k ← max(η_k, η_{k−1}^φ) when η_{k−1}^φ > 0.1,
//!   φ = (1+√5)/2 ([`choice1`]);
//! * choice 2: η_k = γ(‖g_k‖/‖g_{k−1}‖)^α, with the safeguard
//!   η_k ← max(η_k, γη_{k−1}^α) when γη_{k−1}^α > 0.1 ([`choice2`]);
//!
//! both capped at [`EW_ETA_MAX`], and η₀ = [`EW_ETA0`] at the first
//! iteration. The memory ([`ForcingMemory`]) is updated on **accepted
//! steps only** and the retries of a rejected step reuse η_k
//! (`reference/radius-and-forcing.md` §4: TAO's EW state is overwritten
//! after every inner solve, so a rejected step's retry gets
//! γ(‖g_k‖/‖g_k‖)^α = γ).

/// η₀, the forcing term before any step has been accepted (EW suggest 0.5;
/// PETSc uses 0.3).
pub const EW_ETA0: f64 = 0.5;
/// The cap η_max on every EW forcing term (PETSc `rtol_max` 0.9).
pub const EW_ETA_MAX: f64 = 0.9;
/// The safeguards act only when the previous term, raised to the power,
/// exceeds this (EW 1996, PETSc `threshold`).
pub const EW_SAFEGUARD_THRESHOLD: f64 = 0.1;
/// φ = (1+√5)/2, the exponent of choice 1's safeguard.
pub const GOLDEN: f64 = 1.618_033_988_749_895;
/// Choice 2's default γ (PETSc 1.0).
pub const EW2_GAMMA: f64 = 1.0;
/// Choice 2's default α (PETSc (1+√5)/2).
pub const EW2_ALPHA: f64 = GOLDEN;

/// What the EW forcing terms remember of the last accepted step.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ForcingMemory {
    /// η_{k−1}, the forcing term of the step that was accepted.
    pub eta: f64,
    /// ‖g_{k−1}‖, the gradient norm where that step was computed.
    pub grad_norm: f64,
    /// ‖g_{k−1} + H_{k−1}s_{k−1}‖, that step's final linear residual.
    pub residual_norm: f64,
}

/// Choice 1: η_k = |‖g_k‖ − ‖g_{k−1} + H_{k−1}s_{k−1}‖| / ‖g_{k−1}‖, with its
/// safeguard, capped at [`EW_ETA_MAX`].
pub fn choice1(grad_norm: f64, prev: &ForcingMemory) -> f64 {
    let raw = (grad_norm - prev.residual_norm).abs() / prev.grad_norm;
    let floor = prev.eta.powf(GOLDEN);
    let eta = if floor > EW_SAFEGUARD_THRESHOLD {
        raw.max(floor)
    } else {
        raw
    };
    cap(eta)
}

/// Choice 2: η_k = γ(‖g_k‖/‖g_{k−1}‖)^α, with its safeguard, capped at
/// [`EW_ETA_MAX`].
pub fn choice2(grad_norm: f64, prev: &ForcingMemory, gamma: f64, alpha: f64) -> f64 {
    let raw = gamma * (grad_norm / prev.grad_norm).powf(alpha);
    let floor = gamma * prev.eta.powf(alpha);
    let eta = if floor > EW_SAFEGUARD_THRESHOLD {
        raw.max(floor)
    } else {
        raw
    };
    cap(eta)
}

/// η capped at [`EW_ETA_MAX`]; a NaN (0/0 from a zero previous gradient)
/// becomes the cap, the loosest allowed term.
fn cap(eta: f64) -> f64 {
    if eta.is_nan() {
        EW_ETA_MAX
    } else {
        eta.min(EW_ETA_MAX)
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;

    fn mem(eta: f64, grad_norm: f64, residual_norm: f64) -> ForcingMemory {
        ForcingMemory {
            eta,
            grad_norm,
            residual_norm,
        }
    }

    #[test]
    fn choice1_measures_the_linear_model_error() {
        // ‖g_k‖ = 0.1, last residual 0.04, ‖g_{k−1}‖ = 1: η = 0.06; the
        // safeguard 0.05^φ ≈ 0.008 is below the threshold.
        assert!((choice1(0.1, &mem(0.05, 1.0, 0.04)) - 0.06).abs() < 1e-15);
        // A model that predicted the new gradient exactly: η = 0.
        assert_eq!(choice1(0.04, &mem(0.05, 1.0, 0.04)), 0.0);
        // Safeguard: 0.5^φ ≈ 0.326 > 0.1 lifts η.
        let e = choice1(0.04, &mem(0.5, 1.0, 0.04));
        assert!((e - 0.5f64.powf(GOLDEN)).abs() < 1e-15, "{e}");
        // Cap.
        assert_eq!(choice1(10.0, &mem(0.05, 1.0, 0.0)), EW_ETA_MAX);
    }

    #[test]
    fn choice2_follows_the_gradient_ratio() {
        // ratio 0.1, α = 2, γ = 0.9: 0.009; safeguard 0.9·0.01² tiny.
        let e = choice2(0.1, &mem(0.01, 1.0, 0.0), 0.9, 2.0);
        assert!((e - 0.009).abs() < 1e-15, "{e}");
        // Safeguard: γη^α = 0.9·0.5² = 0.225 > 0.1.
        let e = choice2(0.1, &mem(0.5, 1.0, 0.0), 0.9, 2.0);
        assert!((e - 0.225).abs() < 1e-15, "{e}");
        // The gradient grew: capped.
        assert_eq!(choice2(5.0, &mem(0.01, 1.0, 0.0), 1.0, GOLDEN), EW_ETA_MAX);
        // 0/0 is the cap, not NaN.
        assert_eq!(choice2(0.0, &mem(0.01, 0.0, 0.0), 1.0, GOLDEN), EW_ETA_MAX);
    }
}
