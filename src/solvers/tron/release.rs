//! Release rounds (not in MINPACK-2; module documentation of
//! [`super`], step 2): which active bounds the model gradient releases and
//! whether another round is worth its products.

use ndarray::{ArrayView1, ArrayViewMut1, Zip};

use crate::problem::bounds::Bounds;

/// A release round continues only while the previous round (its projected
/// step and face steps; at first, the Cauchy step and the first faces)
/// decreased the model by more than this fraction of the total decrease so
/// far (Moré–Toraldo's GPCG stops its projected-gradient phase on a similar
/// relative test, with 1/4 against the largest single decrease).
pub const RELEASE_MIN_DECREASE: f64 = 0.01;

/// Whether another release round is worth its products: the last round's
/// model decrease `round_decrease` exceeds [`RELEASE_MIN_DECREASE`] times
/// `total_decrease`, the decrease of the whole step so far. NaN: no.
pub fn release_round_worth(round_decrease: f64, total_decrease: f64) -> bool {
    round_decrease > RELEASE_MIN_DECREASE * total_decrease
}

/// Inward model-gradient components at most this fraction of ‖r‖∞ do not
/// release a bound ([`releasable`]): at degenerate active bounds (g_i = 0,
/// as on the flat part of DMSO_C's plate) r_i is rounding or a small
/// coupling term, and releasing them would only blur the active set.
pub const RELEASE_REL_TOL: f64 = 1e-3;

/// The active bounds at x that the model gradient r = g + Hs releases:
/// x_i = l_i < u_i with r_i < −τ, or x_i = u_i > l_i with r_i > τ (−r
/// points into the box), τ = [`RELEASE_REL_TOL`]·‖r‖∞. Returns their
/// number and sets r_i = 0 at every other active bound, so that a
/// projected step along −r moves only free variables and the released
/// ones (at an active bound with r_i = 0 the step is 0, and rᵀs is
/// unchanged).
pub fn releasable(x: ArrayView1<'_, f64>, mut r: ArrayViewMut1<'_, f64>, b: &Bounds) -> usize {
    let tau = RELEASE_REL_TOL * r.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut n = 0usize;
    Zip::from(&x)
        .and(&mut r)
        .and(b.lower())
        .and(b.upper())
        .for_each(|&x, r, &l, &u| {
            let at_l = x <= l;
            let at_u = x >= u;
            if !(at_l || at_u) {
                return;
            }
            if l < u && ((at_l && *r < -tau) || (at_u && *r > tau)) {
                n += 1;
            } else {
                *r = 0.0;
            }
        });
    n
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use ndarray::array;

    /// `releasable` counts exactly the active bounds where −r points into
    /// the box by more than 1e-3·‖r‖∞; free variables, fixed variables
    /// (l = u) and active bounds with the binding sign do not count.
    #[test]
    fn releasable_counts_inward_model_gradients() {
        let b = Bounds::new(
            array![0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
            array![1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        )
        .unwrap();
        // at l, r < 0: release; at l, r > 0: binding; at u, r > 0:
        // release; at u, r < 0: binding; fixed; free.
        let x = array![0.0, 0.0, 1.0, 1.0, 1.0, 0.5];
        let mut r = array![-1.0, 1.0, 2.0, -2.0, -5.0, 3.0];
        assert_eq!(releasable(x.view(), r.view_mut(), &b), 2);
        // The releasing and free components are kept, the others zeroed.
        assert_eq!(r, array![-1.0, 0.0, 2.0, 0.0, 0.0, 3.0]);
        // r = 0 at a bound releases nothing.
        let mut r0 = array![0.0, 0.0, 0.0, 0.0, 0.0, 3.0];
        assert_eq!(releasable(x.view(), r0.view_mut(), &b), 0);
        // An inward component at most 1e-3·‖r‖∞ does not release, and is
        // zeroed; just above it does.
        let mut r1 = array![-1e-3 * 3.0, 0.0, 0.0, 0.0, 0.0, 3.0];
        assert_eq!(releasable(x.view(), r1.view_mut(), &b), 0);
        assert_eq!(r1[0], 0.0);
        let mut r2 = array![-1.01e-3 * 3.0, 0.0, 0.0, 0.0, 0.0, 3.0];
        assert_eq!(releasable(x.view(), r2.view_mut(), &b), 1);
    }

    /// A release round is taken only after a round that decreased the
    /// model by more than 1% of the total decrease; NaN never passes.
    #[test]
    fn release_round_worth_is_relative() {
        assert!(release_round_worth(0.5, 1.0));
        assert!(release_round_worth(0.011, 1.0));
        assert!(!release_round_worth(0.01, 1.0));
        assert!(!release_round_worth(0.0, 1.0));
        assert!(!release_round_worth(f64::NAN, 1.0));
        assert!(!release_round_worth(0.5, f64::NAN));
    }
}
