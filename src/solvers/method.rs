//! One entry point for every solver: [`Method`] names a solver, [`Options`]
//! holds one solver's configuration, and [`minimize`] runs it — the shape of
//! SciPy's `minimize(fun, x0, method=..., options=...)`.
//!
//! ```
//! use steihaug::{minimize, problems::ExtendedRosenbrock, Method, Options};
//! let problem = ExtendedRosenbrock::new(1000)?;
//! for method in Method::ALL {
//!     let options = Options::new(method).gtol_rel(1e-10).max_iter(500);
//!     let report = minimize(&problem, problem.start().view(), &options)?;
//!     assert_eq!(report.solver, method);
//!     assert!(report.status.is_converged(), "{method}: {}", report.status);
//!     assert!(report.x.iter().all(|&v| (v - 1.0).abs() < 1e-6));
//! }
//! # Ok::<(), steihaug::Error>(())
//! ```

use std::time::Duration;

use ndarray::ArrayView1;

use crate::error::{Error, Result};
use crate::problem::bounds::Bounds;
use crate::problem::objective::Objective;
use crate::report::observe::{no_callback, Callback};
use crate::report::Report;
use crate::solvers::config::{
    DenseNewtonConfig, LineSearchConfig, Preconditioning, Termination, TronConfig,
    TrustRegionConfig,
};
use crate::solvers::dense_newton::DenseNewton;
use crate::solvers::line_search::LineSearchNewtonCg;
use crate::solvers::tron::Tron;
use crate::solvers::trust_region::TrustRegion;

pub use crate::report::method::Method;

/// The options of one solver: which [`Method`] and its configuration.
///
/// [`Options::new`] gives a method's defaults; the builder methods set the
/// stopping rules every solver shares (and the preconditioner of the
/// Newton-CG solvers); the variants give the full configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "method", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Options {
    /// [`Method::TrustRegion`] with its options.
    TrustRegion(TrustRegionConfig),
    /// [`Method::LineSearch`] with its options.
    LineSearch(LineSearchConfig),
    /// [`Method::DenseNewton`] with its options.
    DenseNewton(DenseNewtonConfig),
    /// [`Method::Tron`] with its options (bounds go to
    /// [`minimize_bounded`]; [`minimize`] runs it without bounds).
    Tron(TronConfig),
}

impl Default for Options {
    /// The trust region with its defaults.
    fn default() -> Self {
        Options::new(Method::TrustRegion)
    }
}

impl From<TrustRegionConfig> for Options {
    fn from(c: TrustRegionConfig) -> Self {
        Options::TrustRegion(c)
    }
}

impl From<LineSearchConfig> for Options {
    fn from(c: LineSearchConfig) -> Self {
        Options::LineSearch(c)
    }
}

impl From<DenseNewtonConfig> for Options {
    fn from(c: DenseNewtonConfig) -> Self {
        Options::DenseNewton(c)
    }
}

impl From<TronConfig> for Options {
    fn from(c: TronConfig) -> Self {
        Options::Tron(c)
    }
}

impl Options {
    /// The defaults of `method`.
    pub fn new(method: Method) -> Self {
        match method {
            Method::TrustRegion => Options::TrustRegion(TrustRegionConfig::default()),
            Method::LineSearch => Options::LineSearch(LineSearchConfig::default()),
            Method::DenseNewton => Options::DenseNewton(DenseNewtonConfig::default()),
            Method::Tron => Options::Tron(TronConfig::default()),
        }
    }

    /// The method these options run.
    pub fn method(&self) -> Method {
        match self {
            Options::TrustRegion(_) => Method::TrustRegion,
            Options::LineSearch(_) => Method::LineSearch,
            Options::DenseNewton(_) => Method::DenseNewton,
            Options::Tron(_) => Method::Tron,
        }
    }

    /// The stopping rules and budgets.
    pub fn termination(&self) -> &Termination {
        match self {
            Options::TrustRegion(c) => &c.termination,
            Options::LineSearch(c) => &c.termination,
            Options::DenseNewton(c) => &c.termination,
            Options::Tron(c) => &c.termination,
        }
    }

    /// The stopping rules and budgets, to change in place.
    pub fn termination_mut(&mut self) -> &mut Termination {
        match self {
            Options::TrustRegion(c) => &mut c.termination,
            Options::LineSearch(c) => &mut c.termination,
            Options::DenseNewton(c) => &mut c.termination,
            Options::Tron(c) => &mut c.termination,
        }
    }

    /// The preconditioner (`None` for dense Newton, which has none).
    pub fn preconditioning(&self) -> Option<Preconditioning> {
        match self {
            Options::TrustRegion(c) => Some(c.preconditioning),
            Options::LineSearch(c) => Some(c.preconditioning),
            Options::DenseNewton(_) => None,
            Options::Tron(c) => Some(c.preconditioning),
        }
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        match self {
            Options::TrustRegion(c) => c.validate(),
            Options::LineSearch(c) => c.validate(),
            Options::DenseNewton(c) => c.validate(),
            Options::Tron(c) => c.validate(),
        }
    }

    fn with_termination(mut self, set: impl FnOnce(&mut Termination)) -> Self {
        set(self.termination_mut());
        self
    }

    /// Sets the absolute gradient tolerance.
    pub fn gtol_abs(self, gtol_abs: f64) -> Self {
        self.with_termination(|t| t.gtol_abs = gtol_abs)
    }

    /// Sets the gradient tolerance relative to ‖g₀‖.
    pub fn gtol_rel(self, gtol_rel: f64) -> Self {
        self.with_termination(|t| t.gtol_rel = gtol_rel)
    }

    /// Sets the outer iteration cap.
    pub fn max_iter(self, max_iter: usize) -> Self {
        self.with_termination(|t| t.max_iter = max_iter)
    }

    /// Sets the Hessian-vector-product budget.
    pub fn max_hvps(self, max_hvps: u64) -> Self {
        self.with_termination(|t| t.max_hvps = Some(max_hvps))
    }

    /// Sets the evaluation budget.
    pub fn max_evals(self, max_evals: u64) -> Self {
        self.with_termination(|t| t.max_evals = Some(max_evals))
    }

    /// Sets the wall-clock limit.
    pub fn max_time(self, max_time: Duration) -> Self {
        self.with_termination(|t| t.max_time = Some(max_time))
    }

    /// Stops with [`crate::Status::TargetReached`] once f ≤ `target_f` at an
    /// accepted point.
    pub fn target_f(self, target_f: f64) -> Self {
        self.with_termination(|t| t.target_f = Some(target_f))
    }

    /// Sets the preconditioner of a Newton-CG method. Dense Newton has no
    /// preconditioner: asking it for one other than
    /// [`Preconditioning::None`] is an [`Error::InvalidOption`] here, not a
    /// silently ignored setting.
    pub fn precond(self, preconditioning: Preconditioning) -> Result<Self> {
        Ok(match self {
            Options::TrustRegion(c) => Options::TrustRegion(c.precond(preconditioning)),
            Options::LineSearch(c) => Options::LineSearch(c.precond(preconditioning)),
            Options::Tron(c) => Options::Tron(c.precond(preconditioning)),
            Options::DenseNewton(_) if preconditioning != Preconditioning::None => {
                return Err(Error::InvalidOption {
                    name: "precond",
                    reason: "dense Newton factorizes H and takes no preconditioner".into(),
                })
            }
            dense @ Options::DenseNewton(_) => dense,
        })
    }
}

/// Minimizes `obj` from `x0` with the method and options of `options`.
///
/// The same as calling the method's solver (`TrustRegion::new(config)
/// .solve(obj, x0)`, …); errors and statuses are those of the solver.
pub fn minimize<O: Objective + ?Sized>(
    obj: &O,
    x0: ArrayView1<'_, f64>,
    options: &Options,
) -> Result<Report> {
    minimize_with(obj, x0, options, &mut no_callback)
}

/// As [`minimize`], calling `callback` after every iteration with the
/// record and the current point ([`crate::Iterate`]).
pub fn minimize_with<O: Objective + ?Sized>(
    obj: &O,
    x0: ArrayView1<'_, f64>,
    options: &Options,
    callback: &mut Callback<'_>,
) -> Result<Report> {
    match *options {
        Options::TrustRegion(c) => TrustRegion::new(c).solve_with(obj, x0, callback),
        Options::LineSearch(c) => LineSearchNewtonCg::new(c).solve_with(obj, x0, callback),
        Options::DenseNewton(c) => DenseNewton::new(c).solve_with(obj, x0, callback),
        Options::Tron(c) => {
            let bounds = Bounds::unbounded(obj.dim())?;
            Tron::new(c).solve_with(obj, x0, &bounds, callback)
        }
    }
}

/// Minimizes `obj` on the box `bounds` from `x0` (projected onto it) with
/// the method of `options`: [`Method::Tron`] takes the bounds; the
/// unconstrained methods accept only bounds that are all infinite
/// ([`Error::InvalidOption`] otherwise).
///
/// ```
/// use ndarray::Array1;
/// use steihaug::{minimize_bounded, problems::ExtendedRosenbrock, Bounds, Method, Options};
/// // Extended Rosenbrock with x_odd ≤ ½: f* = n/8 (`reference/bounds.md` §4).
/// let n = 100;
/// let p = ExtendedRosenbrock::new(n)?;
/// let upper = Array1::from_shape_fn(n, |i| if i % 2 == 0 { 0.5 } else { f64::INFINITY });
/// let bounds = Bounds::new(Array1::from_elem(n, f64::NEG_INFINITY), upper)?;
/// let r = minimize_bounded(&p, p.start().view(), &bounds, &Options::new(Method::Tron))?;
/// assert!(r.status.is_converged());
/// assert!((r.f - n as f64 / 8.0).abs() < 1e-9);
/// assert_eq!(r.bounds.unwrap().active.binding, n / 2);
/// # Ok::<(), steihaug::Error>(())
/// ```
pub fn minimize_bounded<O: Objective + ?Sized>(
    obj: &O,
    x0: ArrayView1<'_, f64>,
    bounds: &Bounds,
    options: &Options,
) -> Result<Report> {
    minimize_bounded_with(obj, x0, bounds, options, &mut no_callback)
}

/// As [`minimize_bounded`], with a callback after every iteration.
pub fn minimize_bounded_with<O: Objective + ?Sized>(
    obj: &O,
    x0: ArrayView1<'_, f64>,
    bounds: &Bounds,
    options: &Options,
    callback: &mut Callback<'_>,
) -> Result<Report> {
    match *options {
        Options::Tron(c) => Tron::new(c).solve_with(obj, x0, bounds, callback),
        _ if bounds.is_unbounded() => minimize_with(obj, x0, options, callback),
        _ => Err(Error::InvalidOption {
            name: "method",
            reason: format!("{} takes no bounds; use tron", options.method()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in Method::ALL {
            assert_eq!(m.as_str().parse::<Method>().unwrap(), m);
            assert_eq!(Options::new(m).method(), m);
        }
        assert_eq!("tr".parse::<Method>().unwrap(), Method::TrustRegion);
        assert_eq!("Line-Search".parse::<Method>().unwrap(), Method::LineSearch);
        assert_eq!("dense".parse::<Method>().unwrap(), Method::DenseNewton);
        assert!("bfgs".parse::<Method>().is_err());
    }

    #[test]
    fn builders_set_the_shared_termination() {
        for m in Method::ALL {
            let o = Options::new(m)
                .gtol_abs(1e-3)
                .gtol_rel(1e-4)
                .max_iter(7)
                .max_hvps(8)
                .max_evals(9)
                .max_time(Duration::from_secs(10))
                .target_f(-1.0);
            let t = o.termination();
            assert_eq!((t.gtol_abs, t.gtol_rel, t.max_iter), (1e-3, 1e-4, 7), "{m}");
            assert_eq!((t.max_hvps, t.max_evals), (Some(8), Some(9)));
            assert_eq!(t.max_time, Some(Duration::from_secs(10)));
            assert_eq!(t.target_f, Some(-1.0));
        }
    }

    /// Every method honours `target_f`: it stops at the first accepted
    /// point with f ≤ target, before convergence.
    #[test]
    fn every_method_stops_at_the_target() {
        let x0 = ndarray::array![-1.2, 1.0];
        for m in Method::ALL {
            let full = minimize(&crate::problems::Rosenbrock, x0.view(), &Options::new(m)).unwrap();
            let r = minimize(
                &crate::problems::Rosenbrock,
                x0.view(),
                &Options::new(m).target_f(1.0),
            )
            .unwrap();
            assert_eq!(r.status, crate::Status::TargetReached, "{m}");
            assert!(r.f <= 1.0, "{m}: f = {}", r.f);
            assert!(r.iterations < full.iterations, "{m}");
            // The iteration before the last was still above the target.
            let before = &r.history[r.history.len() - 2];
            assert!(before.f > 1.0, "{m}: {before:?}");
        }
    }

    #[test]
    fn dense_newton_refuses_a_preconditioner() {
        let dense = Options::new(Method::DenseNewton);
        assert!(dense.precond(Preconditioning::Jacobi).is_err());
        assert!(dense.precond(Preconditioning::None).is_ok());
        let tr = Options::new(Method::TrustRegion)
            .precond(Preconditioning::Jacobi)
            .unwrap();
        assert_eq!(tr.preconditioning(), Some(Preconditioning::Jacobi));
    }
}
