//! Exact Hessian-vector products by forward-mode automatic differentiation.
//!
//! The user writes f and its gradient **once**, generic over a scalar type
//! `D: `[`Scalar`]. Evaluated with `D = f64` it is the ordinary
//! `value_grad`. Evaluated with dual numbers `D = Dual64` (`a + bε`, ε² = 0;
//! the [`num_dual`] crate) at `x + εv`, every output carries its directional
//! derivative along v, and the derivative of the gradient along v is the
//! Hessian-vector product:
//!
//! `∇f(x + εv) = ∇f(x) + ε·∇²f(x)v`
//!
//! (Griewank & Walther 2008, *Evaluating Derivatives*, §3.1, forward mode;
//! "forward-over-reverse" when the gradient itself came from reverse mode,
//! here it is hand-written). The product is exact up to rounding and costs
//! a small multiple (about 2–3) of one gradient evaluation, with no step size
//! to choose — unlike [`crate::derivatives::FdObjective`].
//!
//! The dual-number buffers are allocated once per point, when the solver
//! prepares the Hessian; products allocate nothing.
//!
//! ```
//! use steihaug::derivatives::{AdGradient, AdObjective, Scalar};
//! use steihaug::TrustRegion;
//!
//! /// Rosenbrock's function, written once for any scalar.
//! struct Rosen;
//! impl AdGradient for Rosen {
//!     fn dim(&self) -> usize { 2 }
//!     fn value_grad<D: Scalar>(&self, x: &[D], g: &mut [D]) -> D {
//!         let r = x[1] - x[0] * x[0];
//!         let s = D::from(1.0) - x[0];
//!         g[0] = s * (-2.0) - x[0] * r * 400.0;
//!         g[1] = r * 200.0;
//!         s * s + r * r * 100.0
//!     }
//! }
//! let report = TrustRegion::default()
//!     .solve(&AdObjective::new(Rosen), ndarray::array![-1.2, 1.0].view())
//!     .unwrap();
//! assert!(report.status.is_converged());
//! assert!((report.x[1] - 1.0).abs() < 1e-6);
//! ```

use std::cell::RefCell;

use ndarray::{ArrayView1, ArrayViewMut1};
use num_dual::{Dual64, DualNum};

use crate::derivatives::with_slices;
use crate::linalg::operator::LinearOperator;
use crate::problem::objective::Objective;

/// A real scalar or a dual number over f64: what an [`AdGradient`] is
/// written against. Arithmetic with `f64` on the right (`x * 2.0`),
/// `D::from(c)` for constants, and the elementary functions of
/// [`num_dual::DualNum`] (`exp`, `ln`, `powi`, `sin`, `tan`, …) are
/// available. Implemented for `f64` and every `num_dual` type over f64.
pub trait Scalar: DualNum<Primitive = f64> + Copy {}

impl<T: DualNum<Primitive = f64> + Copy> Scalar for T {}

/// A problem whose value and gradient are written once, for any
/// [`Scalar`].
pub trait AdGradient {
    /// The dimension n.
    fn dim(&self) -> usize;

    /// Returns f(x) and writes ∇f(x) into `grad` (length n). `grad` is zeroed
    /// before each call, so the implementation may accumulate into it.
    fn value_grad<D: Scalar>(&self, x: &[D], grad: &mut [D]) -> D;
}

/// An [`Objective`] whose Hessian-vector products are forward-mode
/// derivatives of the user's generic gradient. See the [module
/// docs](crate::derivatives::ad).
#[derive(Debug, Clone)]
pub struct AdObjective<P> {
    problem: P,
}

impl<P: AdGradient> AdObjective<P> {
    /// Wraps a problem.
    pub fn new(problem: P) -> Self {
        Self { problem }
    }

    /// The wrapped problem.
    pub fn problem(&self) -> &P {
        &self.problem
    }
}

struct DualWork {
    x: Vec<Dual64>,
    g: Vec<Dual64>,
}

/// The Hessian of an [`AdObjective`] at a point: x as dual numbers (real
/// parts set once) and a dual gradient buffer.
pub struct AdHessian<'a, P> {
    problem: &'a P,
    work: RefCell<DualWork>,
}

impl<P: AdGradient> LinearOperator for AdHessian<'_, P> {
    fn dim(&self) -> usize {
        self.work.borrow().x.len()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        let mut w = self.work.borrow_mut();
        let DualWork { x, g } = &mut *w;
        with_slices(v, out, |v, out| {
            for (xi, &vi) in x.iter_mut().zip(v) {
                xi.eps = vi;
            }
            g.fill(Dual64::from_re(0.0));
            self.problem.value_grad::<Dual64>(x, g);
            for (o, gi) in out.iter_mut().zip(g.iter()) {
                *o = gi.eps;
            }
        });
    }
}

impl<P: AdGradient> Objective for AdObjective<P> {
    type Hessian<'a>
        = AdHessian<'a, P>
    where
        Self: 'a;

    fn dim(&self) -> usize {
        self.problem.dim()
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64 {
        with_slices(x, grad, |x, g| {
            g.fill(0.0);
            self.problem.value_grad::<f64>(x, g)
        })
    }
    fn hessian(&self, x: ArrayView1<'_, f64>) -> AdHessian<'_, P> {
        let xd: Vec<Dual64> = x.iter().map(|&xi| Dual64::from_re(xi)).collect();
        let g = vec![Dual64::from_re(0.0); x.len()];
        AdHessian {
            problem: &self.problem,
            work: RefCell::new(DualWork { x: xd, g }),
        }
    }
}
