//! The problem: a smooth f: Rⁿ → R with its gradient and its Hessian as an
//! operator.
//!
//! A solver asks for three things:
//! 1. `value_grad(x, g)`: f(x), with ∇f(x) written into a caller-owned buffer
//!    (one call, because value and gradient usually share work); the buffer
//!    is **not zeroed** — overwrite every entry, never add into it;
//! 2. `hessian(x)`: the Hessian at x as a [`LinearOperator`]. It is prepared
//!    **once per outer iteration**, and only at accepted points
//!    (`reference/pitfalls.md` §6). Put per-point work there, for example the
//!    logistic weights σ(1−σ), so that each product only streams data;
//! 3. optionally, a dense Hessian or a preconditioner.
//!
//! Returning NaN or ±∞ from `value_grad` marks x as outside the domain: the
//! trust-region solver rejects such a trial point and shrinks its radius, the
//! line searches backtrack.

use ndarray::{Array1, ArrayView1, ArrayViewMut1, ArrayViewMut2};

use crate::linalg::operator::LinearOperator;
use crate::linalg::precond::Preconditioner;

/// A twice-differentiable objective with Hessian-vector products.
pub trait Objective {
    /// The Hessian at a point, as an operator. It may borrow the objective.
    type Hessian<'a>: LinearOperator
    where
        Self: 'a;

    /// The dimension n.
    fn dim(&self) -> usize;

    /// Returns f(x) and writes ∇f(x) into `grad` (length n).
    ///
    /// **`grad` is not zeroed**: it holds whatever the solver's buffer held
    /// before (the previous trial's gradient, say). Write every entry
    /// (`grad.assign(..)`, `grad[i] = ..`, or `grad.fill(0.0)` before
    /// accumulating); an implementation that adds into `grad` (`g += ..`)
    /// reports a wrong gradient. [`crate::derivatives::check_derivatives`]
    /// catches it (it calls `value_grad` twice on a dirty buffer).
    fn value_grad(&self, x: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64;

    /// Prepares the Hessian at x. Called once per accepted point.
    fn hessian(&self, x: ArrayView1<'_, f64>) -> Self::Hessian<'_>;

    /// Writes the dense Hessian at x into `out` (n×n) and returns `true`, or
    /// returns `false` if the objective has none; the dense solver then
    /// assembles it from n Hessian-vector products. Default: `false`.
    fn dense_hessian(&self, x: ArrayView1<'_, f64>, out: ArrayViewMut2<'_, f64>) -> bool {
        let _ = (x, out);
        false
    }

    /// A preconditioner for the Hessian at x, used when the solver is
    /// configured with [`crate::Preconditioning::Objective`]. Default: none.
    fn preconditioner<'a>(
        &'a self,
        x: ArrayView1<'_, f64>,
        hessian: &Self::Hessian<'a>,
    ) -> Option<Box<dyn Preconditioner + 'a>> {
        let _ = (x, hessian);
        None
    }
}

/// An objective built from two closures: `value_grad(x, g) -> f` and
/// `hvp(x, v, out)` writing ∇²f(x)·v into `out`.
///
/// The quickest way in; for per-point preparation (computing weights once per
/// iteration) implement [`Objective`] directly.
///
/// ```
/// use ndarray::array;
/// use steihaug::{FnObjective, TrustRegion};
/// // f(x) = Σ (x_i - i)², minimizer x_i = i.
/// let obj = FnObjective::new(
///     3,
///     |x, mut g| {
///         let mut f = 0.0;
///         for i in 0..3 { let d = x[i] - i as f64; f += d * d; g[i] = 2.0 * d; }
///         f
///     },
///     |_x, v, mut out| { for i in 0..3 { out[i] = 2.0 * v[i]; } },
/// );
/// let report = TrustRegion::default().solve(&obj, array![5.0, 5.0, 5.0].view()).unwrap();
/// assert!(report.status.is_converged());
/// assert!((report.x[2] - 2.0).abs() < 1e-8);
/// ```
pub struct FnObjective<F, H> {
    n: usize,
    value_grad: F,
    hvp: H,
}

impl<F, H> FnObjective<F, H>
where
    F: Fn(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>) -> f64,
    H: Fn(ArrayView1<'_, f64>, ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>),
{
    /// An objective of dimension `n` from its two closures.
    pub fn new(n: usize, value_grad: F, hvp: H) -> Self {
        Self { n, value_grad, hvp }
    }
}

/// The Hessian of an [`FnObjective`] at a point: holds a copy of x.
pub struct FnHessian<'a, H> {
    x: Array1<f64>,
    hvp: &'a H,
}

impl<H> LinearOperator for FnHessian<'_, H>
where
    H: Fn(ArrayView1<'_, f64>, ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>),
{
    fn dim(&self) -> usize {
        self.x.len()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        (self.hvp)(self.x.view(), v, out)
    }
}

impl<F, H> Objective for FnObjective<F, H>
where
    F: Fn(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>) -> f64,
    H: Fn(ArrayView1<'_, f64>, ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>),
{
    type Hessian<'a>
        = FnHessian<'a, H>
    where
        Self: 'a;

    fn dim(&self) -> usize {
        self.n
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64 {
        (self.value_grad)(x, grad)
    }
    fn hessian(&self, x: ArrayView1<'_, f64>) -> FnHessian<'_, H> {
        FnHessian {
            x: x.to_owned(),
            hvp: &self.hvp,
        }
    }
}

/// An object-safe view of an [`Objective`], for collections of problems of
/// different types (the CLI's registry, benchmark tables). Every
/// `Objective` is a `DynObjective`; `Box<dyn DynObjective>` is an
/// `Objective` again, with a boxed Hessian.
pub trait DynObjective: Send + Sync {
    /// The dimension n.
    fn dim(&self) -> usize;
    /// As [`Objective::value_grad`].
    fn value_grad(&self, x: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64;
    /// As [`Objective::hessian`], boxed.
    fn hessian_boxed(&self, x: ArrayView1<'_, f64>) -> Box<dyn LinearOperator + '_>;
    /// As [`Objective::dense_hessian`].
    fn dense_hessian(&self, x: ArrayView1<'_, f64>, out: ArrayViewMut2<'_, f64>) -> bool;
    /// As [`Objective::preconditioner`]; prepares its own Hessian at x.
    fn preconditioner_boxed(&self, x: ArrayView1<'_, f64>) -> Option<Box<dyn Preconditioner + '_>>;
}

impl<O: Objective + Send + Sync> DynObjective for O {
    fn dim(&self) -> usize {
        Objective::dim(self)
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64 {
        Objective::value_grad(self, x, grad)
    }
    fn hessian_boxed(&self, x: ArrayView1<'_, f64>) -> Box<dyn LinearOperator + '_> {
        Box::new(Objective::hessian(self, x))
    }
    fn dense_hessian(&self, x: ArrayView1<'_, f64>, out: ArrayViewMut2<'_, f64>) -> bool {
        Objective::dense_hessian(self, x, out)
    }
    fn preconditioner_boxed(&self, x: ArrayView1<'_, f64>) -> Option<Box<dyn Preconditioner + '_>> {
        let h = Objective::hessian(self, x);
        Objective::preconditioner(self, x, &h)
    }
}

impl Objective for dyn DynObjective + '_ {
    type Hessian<'a>
        = Box<dyn LinearOperator + 'a>
    where
        Self: 'a;

    fn dim(&self) -> usize {
        DynObjective::dim(self)
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64 {
        DynObjective::value_grad(self, x, grad)
    }
    fn hessian(&self, x: ArrayView1<'_, f64>) -> Box<dyn LinearOperator + '_> {
        self.hessian_boxed(x)
    }
    fn dense_hessian(&self, x: ArrayView1<'_, f64>, out: ArrayViewMut2<'_, f64>) -> bool {
        DynObjective::dense_hessian(self, x, out)
    }
    fn preconditioner<'a>(
        &'a self,
        x: ArrayView1<'_, f64>,
        _hessian: &Self::Hessian<'a>,
    ) -> Option<Box<dyn Preconditioner + 'a>> {
        self.preconditioner_boxed(x)
    }
}
