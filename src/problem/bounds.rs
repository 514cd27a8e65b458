//! Bound constraints l ≤ x ≤ u (±∞ allowed), checked once.
//!
//! The vocabulary of the bound-constrained solver ([`crate::Tron`]; Lin &
//! Moré 1999, and the MINPACK-2 driver of `dtron`), per variable i:
//! * **free**: l_i < x_i < u_i (strict);
//! * **active**: x_i = l_i or x_i = u_i (`#active = n − #free`);
//! * **binding**: active with the multiplier sign of a KKT point,
//!   x_i = l_i and g_i ≥ 0, or x_i = u_i and g_i ≤ 0, or l_i = u_i.
//!
//! The projection P(y) = min(max(y, l), u) sets a clipped component to the
//! bound itself, so `x_i == l_i` in the counts is meaningful
//! (`reference/bounds.md` §3 rule 12). The projected gradient (MINPACK-2
//! `dgpnrm2`) is g_i at a free variable, min(g_i, 0) at a lower bound,
//! max(g_i, 0) at an upper bound and 0 when l_i = u_i: it vanishes exactly
//! at a first-order (KKT) point of min f on the box.

use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

use crate::error::{check_dim, Error, Result};

/// The box l ≤ x ≤ u, with l_i ∈ [−∞, ∞), u_i ∈ (−∞, ∞], l_i ≤ u_i and no NaN.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    lower: Array1<f64>,
    upper: Array1<f64>,
}

/// How many variables are free, active and binding at a point
/// (module documentation), with the fixed variables (l_i = u_i) among the
/// active ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ActiveCounts {
    /// l_i < x_i < u_i.
    pub free: usize,
    /// x_i at a bound (n − free).
    pub active: usize,
    /// Active with the KKT multiplier sign, or fixed.
    pub binding: usize,
    /// Active at the lower bound (fixed variables included).
    pub at_lower: usize,
    /// Active at the upper bound (fixed variables not included).
    pub at_upper: usize,
}

impl Bounds {
    /// The box [lower, upper].
    ///
    /// Errors: lengths differ or are 0 ([`Error::DimensionMismatch`],
    /// [`Error::EmptyProblem`]); a NaN, a lower bound of +∞ or an upper
    /// bound of −∞, or l_i > u_i ([`Error::InvalidInput`], naming the first
    /// offending index).
    pub fn new(lower: Array1<f64>, upper: Array1<f64>) -> Result<Self> {
        if lower.is_empty() {
            return Err(Error::EmptyProblem);
        }
        check_dim("upper bounds", lower.len(), upper.len())?;
        for (i, (&l, &u)) in lower.iter().zip(upper.iter()).enumerate() {
            if l.is_nan() || u.is_nan() {
                return Err(Error::InvalidInput(format!("bound {i} is NaN")));
            }
            if l == f64::INFINITY || u == f64::NEG_INFINITY {
                return Err(Error::InvalidInput(format!(
                    "bound {i}: lower {l} / upper {u} leaves no feasible value"
                )));
            }
            if l > u {
                return Err(Error::InvalidInput(format!(
                    "bound {i}: lower {l} > upper {u}"
                )));
            }
        }
        Ok(Self { lower, upper })
    }

    /// No bounds: l = −∞, u = +∞ (n ≥ 1).
    pub fn unbounded(n: usize) -> Result<Self> {
        Self::new(
            Array1::from_elem(n, f64::NEG_INFINITY),
            Array1::from_elem(n, f64::INFINITY),
        )
    }

    /// The same bounds [l, u] on each of n variables.
    pub fn uniform(n: usize, l: f64, u: f64) -> Result<Self> {
        Self::new(Array1::from_elem(n, l), Array1::from_elem(n, u))
    }

    /// The dimension n.
    pub fn dim(&self) -> usize {
        self.lower.len()
    }

    /// The lower bounds.
    pub fn lower(&self) -> ArrayView1<'_, f64> {
        self.lower.view()
    }

    /// The upper bounds.
    pub fn upper(&self) -> ArrayView1<'_, f64> {
        self.upper.view()
    }

    /// Whether every bound is infinite.
    pub fn is_unbounded(&self) -> bool {
        self.lower.iter().all(|l| *l == f64::NEG_INFINITY)
            && self.upper.iter().all(|u| *u == f64::INFINITY)
    }

    /// x ← P(x); returns how many components moved. Lengths must match
    /// (checked: [`Error::DimensionMismatch`]).
    #[allow(clippy::float_cmp)] // a projected component is set to the bound exactly
    pub fn project(&self, mut x: ArrayViewMut1<'_, f64>) -> Result<usize> {
        check_dim("x", self.dim(), x.len())?;
        let mut moved = 0;
        Zip::from(&mut x)
            .and(&self.lower)
            .and(&self.upper)
            .for_each(|x, &l, &u| {
                let p = project_scalar(*x, l, u);
                // NaN is left to the caller's finiteness check.
                if p != *x && !x.is_nan() {
                    moved += 1;
                }
                *x = p;
            });
        Ok(moved)
    }

    /// Whether l ≤ x ≤ u holds componentwise (NaN is not feasible).
    pub fn contains(&self, x: ArrayView1<'_, f64>) -> bool {
        x.len() == self.dim()
            && Zip::from(&x)
                .and(&self.lower)
                .and(&self.upper)
                .all(|&x, &l, &u| x >= l && x <= u)
    }

    /// Free, active and binding counts at x with gradient g.
    pub fn counts(&self, x: ArrayView1<'_, f64>, g: ArrayView1<'_, f64>) -> ActiveCounts {
        let mut c = ActiveCounts::default();
        Zip::from(&x)
            .and(&g)
            .and(&self.lower)
            .and(&self.upper)
            .for_each(|&x, &g, &l, &u| match classify(x, g, l, u) {
                Var::Free => c.free += 1,
                Var::Lower { binding } => {
                    c.at_lower += 1;
                    c.binding += usize::from(binding);
                }
                Var::Upper { binding } => {
                    c.at_upper += 1;
                    c.binding += usize::from(binding);
                }
            });
        c.active = x.len() - c.free;
        c
    }

    /// The projected gradient (module documentation) written into `out`.
    pub fn projected_gradient(
        &self,
        x: ArrayView1<'_, f64>,
        g: ArrayView1<'_, f64>,
        mut out: ArrayViewMut1<'_, f64>,
    ) {
        Zip::from(&mut out)
            .and(&x)
            .and(&g)
            .and(&self.lower)
            .and(&self.upper)
            .for_each(|o, &x, &g, &l, &u| *o = projected_gradient_entry(x, g, l, u));
    }

    /// ‖P∇f(x)‖₂, the projected-gradient norm (no allocation; sequential,
    /// so the same for any thread count).
    pub fn projected_gradient_norm(&self, x: ArrayView1<'_, f64>, g: ArrayView1<'_, f64>) -> f64 {
        let mut s = 0.0;
        Zip::from(&x)
            .and(&g)
            .and(&self.lower)
            .and(&self.upper)
            .for_each(|&x, &g, &l, &u| {
                let p = projected_gradient_entry(x, g, l, u);
                s += p * p;
            });
        s.sqrt()
    }

    /// The free-variable mask at x: 1 where l_i < x_i < u_i, 0 elsewhere;
    /// returns the number of free variables.
    pub fn free_mask(&self, x: ArrayView1<'_, f64>, mut mask: ArrayViewMut1<'_, f64>) -> usize {
        let mut free = 0;
        Zip::from(&mut mask)
            .and(&x)
            .and(&self.lower)
            .and(&self.upper)
            .for_each(|m, &x, &l, &u| {
                let f = x > l && x < u;
                free += usize::from(f);
                *m = if f { 1.0 } else { 0.0 };
            });
        free
    }
}

/// min(max(y, l), u).
#[inline]
pub fn project_scalar(y: f64, l: f64, u: f64) -> f64 {
    if y < l {
        l
    } else if y > u {
        u
    } else {
        y
    }
}

/// How one variable stands at a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Var {
    Free,
    Lower { binding: bool },
    Upper { binding: bool },
}

#[allow(clippy::float_cmp)] // l = u marks a fixed variable exactly
fn classify(x: f64, g: f64, l: f64, u: f64) -> Var {
    if l == u {
        Var::Lower { binding: true }
    } else if x <= l {
        Var::Lower { binding: g >= 0.0 }
    } else if x >= u {
        Var::Upper { binding: g <= 0.0 }
    } else {
        Var::Free
    }
}

/// One entry of the projected gradient (MINPACK-2 `dgpnrm2`).
#[inline]
#[allow(clippy::float_cmp)] // l = u marks a fixed variable exactly
pub fn projected_gradient_entry(x: f64, g: f64, l: f64, u: f64) -> f64 {
    if l == u {
        0.0
    } else if x <= l {
        g.min(0.0)
    } else if x >= u {
        g.max(0.0)
    } else {
        g
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn bad_bounds_are_typed_errors() {
        let e = Bounds::new(array![0.0, 1.0], array![1.0]).unwrap_err();
        assert!(matches!(e, Error::DimensionMismatch { .. }), "{e}");
        let e = Bounds::new(array![0.0, f64::NAN], array![1.0, 1.0]).unwrap_err();
        assert!(
            matches!(e, Error::InvalidInput(ref s) if s.contains("bound 1")),
            "{e}"
        );
        let e = Bounds::new(array![0.0, 2.0], array![1.0, 1.0]).unwrap_err();
        assert!(
            matches!(e, Error::InvalidInput(ref s) if s.contains("2 > upper 1")),
            "{e}"
        );
        let e = Bounds::new(array![f64::INFINITY], array![f64::INFINITY]).unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{e}");
        assert_eq!(
            Bounds::new(Array1::zeros(0), Array1::zeros(0)).unwrap_err(),
            Error::EmptyProblem
        );
        // l = u is allowed (a fixed variable).
        assert!(Bounds::new(array![1.0], array![1.0]).is_ok());
    }

    #[test]
    fn projection_sets_components_to_the_bound_and_counts_moves() {
        let b = Bounds::new(array![0.0, -1.0, f64::NEG_INFINITY], array![1.0, 2.0, 0.5]).unwrap();
        let mut x = array![-3.0, 0.5, 7.0];
        assert_eq!(b.project(x.view_mut()).unwrap(), 2);
        assert_eq!(x, array![0.0, 0.5, 0.5]);
        assert!(b.contains(x.view()));
        assert!(b.project(Array1::zeros(2).view_mut()).is_err());
    }

    #[test]
    fn counts_and_projected_gradient_follow_the_definitions() {
        // free, at lower (binding), at lower (not binding), at upper
        // (binding), at upper (not), fixed.
        let b = Bounds::new(
            array![0.0, 0.0, 0.0, 0.0, 0.0, 3.0],
            array![1.0, 1.0, 1.0, 1.0, 1.0, 3.0],
        )
        .unwrap();
        let x = array![0.5, 0.0, 0.0, 1.0, 1.0, 3.0];
        let g = array![2.0, 1.0, -1.0, -4.0, 4.0, 9.0];
        let c = b.counts(x.view(), g.view());
        assert_eq!(
            c,
            ActiveCounts {
                free: 1,
                active: 5,
                binding: 3,
                at_lower: 3,
                at_upper: 2
            }
        );
        let mut pg = Array1::zeros(6);
        b.projected_gradient(x.view(), g.view(), pg.view_mut());
        assert_eq!(pg, array![2.0, 0.0, -1.0, 0.0, 4.0, 0.0]);
        assert_eq!(
            b.projected_gradient_norm(x.view(), g.view()),
            (4.0f64 + 1.0 + 16.0).sqrt()
        );
        let mut m = Array1::zeros(6);
        assert_eq!(b.free_mask(x.view(), m.view_mut()), 1);
        assert_eq!(m, array![1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn infinite_bounds_leave_the_gradient_alone() {
        let b = Bounds::unbounded(3).unwrap();
        assert!(b.is_unbounded());
        let x = array![1e300, -1e300, 0.0];
        let g = array![1.0, -2.0, 3.0];
        let mut pg = Array1::zeros(3);
        b.projected_gradient(x.view(), g.view(), pg.view_mut());
        assert_eq!(pg, g);
        assert_eq!(b.counts(x.view(), g.view()).free, 3);
    }
}
