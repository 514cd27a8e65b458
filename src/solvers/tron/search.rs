//! The projected search along a CG step (MINPACK-2 `dprsrch`).

use ndarray::{Array1, ArrayView1, Zip};

use super::cauchy::MU0;
use super::dot;
use super::projection::{breakpoints, projected_step};
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::Par;
use crate::problem::bounds::Bounds;

/// The projected search halves t.
pub const SEARCH_FACTOR: f64 = 0.5;

/// The outcome of a projected search ([`projected_search`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchStep {
    /// The step length t taken.
    pub t: f64,
    /// Products used.
    pub products: u64,
}

/// The projected search along the CG step w from x_k (MINPACK-2 `dprsrch`):
/// s(t) = P(x_k + t·w) − x_k with t = 1, ½, ¼, … while t exceeds the
/// smallest breakpoint t_min, until q_k(s(t)) ≤ μ₀·r_kᵀs(t), where
/// q_k(s) = r_kᵀs + ½sᵀHs is the model at x_k (r_k = g + Hs so far). If t
/// fell below 1 and below t_min, t = t_min (at least one more bound becomes
/// active). Writes s(t) into `s` and H·s(t) into `hs`; trials at t ≤ t_min,
/// where s = t·w, use `hw` = H·w and cost no product, every other trial
/// one. Returns t and the products.
#[allow(clippy::too_many_arguments)]
pub fn projected_search<H: LinearOperator + ?Sized>(
    par: Par,
    h: &H,
    b: &Bounds,
    xk: ArrayView1<'_, f64>,
    rk: ArrayView1<'_, f64>,
    w: ArrayView1<'_, f64>,
    hw: ArrayView1<'_, f64>,
    s: &mut Array1<f64>,
    hs: &mut Array1<f64>,
) -> SearchStep {
    let (t_min, _) = breakpoints(xk, w, b);
    let mut t = 1.0f64;
    let mut products = 0;
    let mut have_product = false;
    while t > t_min {
        projected_step(par, xk, t, w, b, s.view_mut());
        h.apply(s.view(), hs.view_mut());
        products += 1;
        let gts = dot(par, rk, s.view());
        let q = gts + 0.5 * dot(par, s.view(), hs.view());
        if q <= MU0 * gts {
            have_product = true;
            break;
        }
        t *= SEARCH_FACTOR;
    }
    if !have_product {
        if t < 1.0 && t < t_min {
            t = t_min;
        }
        // t ≤ t_min: s = t·w up to the components whose breakpoint is t
        // (set exactly to the bound), and Hs = t·Hw.
        projected_step(par, xk, t, w, b, s.view_mut());
        Zip::from(&mut *hs).and(&hw).for_each(|h, &hw| *h = t * hw);
    }
    SearchStep { t, products }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    fn spd3() -> Array2<f64> {
        array![[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]]
    }

    /// The projected search on a strictly convex quadratic: t = 1 when the
    /// full step stays feasible (no product, Hs from Hw), t_min when the
    /// box cuts it and the model rises past the bound.
    #[test]
    fn projected_search_rules() {
        let h = spd3();
        let b = Bounds::new(array![-1.0, -1.0, -1.0], array![1.0, 1.0, 1.0]).unwrap();
        let xk = array![0.0, 0.0, 0.0];
        let rk = array![-1.0, 0.5, 0.2];
        let w = array![0.2, -0.1, 0.0];
        let hw = h.dot(&w);
        let (mut s, mut hs) = (Array1::zeros(3), Array1::zeros(3));
        let r = projected_search(
            Par::Seq,
            &h,
            &b,
            xk.view(),
            rk.view(),
            w.view(),
            hw.view(),
            &mut s,
            &mut hs,
        );
        assert_eq!((r.t, r.products), (1.0, 0));
        assert_eq!(s, w);
        // A direction that leaves the box at t = 0.25 on component 0.
        let w = array![4.0, 0.0, 0.0];
        let hw = h.dot(&w);
        let rk = array![-1.0, 0.0, 0.0];
        let r = projected_search(
            Par::Seq,
            &h,
            &b,
            xk.view(),
            rk.view(),
            w.view(),
            hw.view(),
            &mut s,
            &mut hs,
        );
        // q(s(1)) = −1 + ½·4 = 1 > μ₀(−1): halve to 0.5, still above t_min
        // = 0.25 and s(0.5) = s(1) (clipped): fails again; stop at t_min.
        assert_eq!(r.t, 0.25);
        assert_eq!(r.products, 2);
        assert_eq!(s, array![1.0, 0.0, 0.0]);
        assert_eq!(hs, h.dot(&s));
    }
}
