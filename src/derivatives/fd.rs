//! Finite-difference Hessian-vector products and dense Hessians.
//!
//! # Hessian-vector products from the gradient
//! Nocedal & Wright (2006), §8.1, eq. (8.11): for a twice continuously
//! differentiable f,
//!
//! * forward: `∇²f(x)v ≈ (∇f(x + hv) − ∇f(x)) / h`, one gradient per product
//!   (plus ∇f(x), computed once per point);
//! * central: `∇²f(x)v ≈ (∇f(x + hv) − ∇f(x − hv)) / (2h)`, two gradients
//!   per product.
//!
//! Every component of x moves (the perturbation is the whole vector hv; compare
//! the component-0 bug of `reference/pitfalls.md` §16). The step is scaled by
//! ‖x‖ and ‖v‖ (§15), so that the perturbation ‖hv‖ is a fixed fraction of
//! 1 + ‖x‖ whatever the scale of v:
//!
//! * forward: `h = √ε·(1 + ‖x‖)/‖v‖` ([`forward_step`]);
//! * central: `h = ∛ε·(1 + ‖x‖)/‖v‖` ([`central_step`]),
//!
//! with ε the machine epsilon.
//!
//! # Error bound
//! Let `ε_g` bound the absolute error of a computed gradient (about
//! `ε·‖∇f‖` for a careful implementation), `L₃` the norm of the third
//! derivative and `L₄` that of the fourth on the segment [x − hv, x + hv].
//! Taylor's theorem with remainder gives
//!
//! * forward: `‖fd − ∇²f v‖ ≤ (h/2)·L₃‖v‖² + 2ε_g/h`;
//! * central: `‖fd − ∇²f v‖ ≤ (h²/6)·L₄‖v‖³ + ε_g/h`.
//!
//! On a well-scaled problem (`L₃·(1 + ‖x‖) ≈ ‖∇²f‖`, `L₄·(1 + ‖x‖)² ≈
//! ‖∇²f‖` and `ε_g ≈ ε·(1 + ‖x‖)·‖∇²f‖`) the steps above balance the two
//! terms up to a constant, and the error relative to `‖∇²f‖‖v‖` is
//! O(√ε) ≈ 1.5·10⁻⁸ for forward and O(ε^{2/3}) ≈ 4·10⁻¹¹ for central
//! differences. Near a point where ∇f is
//! computed with cancellation, ε_g is larger and so is the error; the
//! [`crate::derivatives::check_derivatives`] report shows it.
//!
//! # Dense Hessians (small n)
//! [`fd_dense_hessian`] takes central differences of the gradient along each
//! coordinate (2n gradients) and symmetrizes; [`fd_dense_hessian_from_values`]
//! uses only f, with the four-point formula
//! `H_ij ≈ [f(x+h_i e_i+h_j e_j) − f(x+h_i e_i−h_j e_j) − f(x−h_i e_i+h_j e_j)
//! − … + f(x−h_i e_i−h_j e_j)]/(4h_ih_j)` and `h_i = ε^{1/4}(1 + |x_i|)`
//! (N&W §8.1; relative error O(√ε)).

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use ndarray::{Array1, ArrayView1, ArrayViewMut1, ArrayViewMut2, Zip};

use crate::error::{check_dim, Result};
use crate::linalg::operator::LinearOperator;
use crate::linalg::vecops::norm;
use crate::problem::objective::Objective;

/// Which difference formula a finite-difference product uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum FdScheme {
    /// `(∇f(x+hv) − ∇f(x))/h`: one gradient per product, error O(√ε).
    Forward,
    /// `(∇f(x+hv) − ∇f(x−hv))/(2h)`: two gradients per product, error
    /// O(ε^{2/3}). The default.
    #[default]
    Central,
}

/// The forward-difference step `√ε·(1 + ‖x‖)/‖v‖` (`reference/pitfalls.md`
/// §15). Infinite when ‖v‖ = 0.
pub fn forward_step(x_norm: f64, v_norm: f64) -> f64 {
    f64::EPSILON.sqrt() * (1.0 + x_norm) / v_norm
}

/// The central-difference step `∛ε·(1 + ‖x‖)/‖v‖`. Infinite when ‖v‖ = 0.
pub fn central_step(x_norm: f64, v_norm: f64) -> f64 {
    f64::EPSILON.cbrt() * (1.0 + x_norm) / v_norm
}

/// Scratch vectors for [`fd_hvp`]: a perturbed point and two gradients.
/// Allocated once (per point, in [`FdObjective`]); the products allocate
/// nothing.
#[derive(Debug, Clone)]
pub struct FdWorkspace {
    x: Array1<f64>,
    g_plus: Array1<f64>,
    g_minus: Array1<f64>,
}

impl FdWorkspace {
    /// Scratch space for dimension n.
    pub fn new(n: usize) -> Self {
        Self {
            x: Array1::zeros(n),
            g_plus: Array1::zeros(n),
            g_minus: Array1::zeros(n),
        }
    }
}

/// Writes a finite-difference approximation of `∇²f(x)·v` into `out` and
/// returns the number of gradient evaluations it made.
///
/// `g_x` is ∇f(x), used by the forward scheme (computed here when `None`).
/// `v = 0` gives `out = 0` without evaluations; a non-finite v gives NaN.
/// If the lengths of `x`, `v`, `out`, `g_x` and the workspace differ, `out`
/// is filled with NaN and no evaluation is made (the adapters check the
/// lengths once, with a typed error; here a NaN product is what the solvers
/// already handle).
pub fn fd_hvp<F>(
    value_grad: &F,
    x: ArrayView1<'_, f64>,
    g_x: Option<ArrayView1<'_, f64>>,
    v: ArrayView1<'_, f64>,
    scheme: FdScheme,
    ws: &mut FdWorkspace,
    mut out: ArrayViewMut1<'_, f64>,
) -> u64
where
    F: Fn(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>) -> f64 + ?Sized,
{
    let n = x.len();
    if v.len() != n || out.len() != n || ws.x.len() != n || g_x.is_some_and(|g| g.len() != n) {
        out.fill(f64::NAN);
        return 0;
    }
    let v_norm = norm(v);
    if v_norm == 0.0 {
        out.fill(0.0);
        return 0;
    }
    if !v_norm.is_finite() {
        out.fill(f64::NAN);
        return 0;
    }
    let x_norm = norm(x);
    let mut evals = 0;
    match scheme {
        FdScheme::Forward => {
            let h = forward_step(x_norm, v_norm);
            Zip::from(&mut ws.x)
                .and(&x)
                .and(&v)
                .for_each(|t, &x, &v| *t = x + h * v);
            value_grad(ws.x.view(), ws.g_plus.view_mut());
            evals += 1;
            match g_x {
                Some(g) => ws.g_minus.assign(&g),
                None => {
                    value_grad(x, ws.g_minus.view_mut());
                    evals += 1;
                }
            }
            let inv = 1.0 / h;
            Zip::from(&mut out)
                .and(&ws.g_plus)
                .and(&ws.g_minus)
                .for_each(|o, &p, &m| *o = (p - m) * inv);
        }
        FdScheme::Central => {
            let h = central_step(x_norm, v_norm);
            Zip::from(&mut ws.x)
                .and(&x)
                .and(&v)
                .for_each(|t, &x, &v| *t = x + h * v);
            value_grad(ws.x.view(), ws.g_plus.view_mut());
            Zip::from(&mut ws.x)
                .and(&x)
                .and(&v)
                .for_each(|t, &x, &v| *t = x - h * v);
            value_grad(ws.x.view(), ws.g_minus.view_mut());
            evals += 2;
            let inv = 0.5 / h;
            Zip::from(&mut out)
                .and(&ws.g_plus)
                .and(&ws.g_minus)
                .for_each(|o, &p, &m| *o = (p - m) * inv);
        }
    }
    evals
}

/// An [`Objective`] from `value_grad` alone: Hessian-vector products are
/// finite differences of the gradient ([`fd_hvp`]), and the dense Hessian
/// (for [`crate::DenseNewton`]) is [`fd_dense_hessian`].
///
/// Each product costs one (forward) or two (central) gradient evaluations;
/// the forward scheme also evaluates ∇f once per point when the Hessian is
/// prepared. [`FdObjective::gradient_evals`] counts all of them (the solver's
/// own `evals` count does not include them).
///
/// ```
/// use ndarray::array;
/// use steihaug::derivatives::FdObjective;
/// use steihaug::TrustRegion;
/// // Rosenbrock with a hand-written gradient and no Hessian.
/// let obj = FdObjective::new(2, |x, mut g| {
///     let r = x[1] - x[0] * x[0];
///     g[0] = -2.0 * (1.0 - x[0]) - 400.0 * x[0] * r;
///     g[1] = 200.0 * r;
///     (1.0 - x[0]).powi(2) + 100.0 * r * r
/// });
/// let report = TrustRegion::default().solve(&obj, array![-1.2, 1.0].view()).unwrap();
/// assert!(report.status.is_converged());
/// assert!((report.x[0] - 1.0).abs() < 1e-6);
/// ```
pub struct FdObjective<F> {
    n: usize,
    value_grad: F,
    scheme: FdScheme,
    gradient_evals: AtomicU64,
}

impl<F> FdObjective<F>
where
    F: Fn(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>) -> f64,
{
    /// An objective of dimension n from `value_grad(x, g) -> f`, with central
    /// differences.
    pub fn new(n: usize, value_grad: F) -> Self {
        Self {
            n,
            value_grad,
            scheme: FdScheme::Central,
            gradient_evals: AtomicU64::new(0),
        }
    }

    /// Uses the given difference scheme.
    pub fn with_scheme(mut self, scheme: FdScheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// The difference scheme.
    pub fn scheme(&self) -> FdScheme {
        self.scheme
    }

    /// Gradient evaluations made for finite differences so far.
    pub fn gradient_evals(&self) -> u64 {
        self.gradient_evals.load(Ordering::Relaxed)
    }
}

/// The finite-difference Hessian of an [`FdObjective`] at a point: holds x,
/// ∇f(x) (forward scheme) and the scratch vectors of [`fd_hvp`].
pub struct FdHessian<'a, F> {
    obj: &'a FdObjective<F>,
    x: Array1<f64>,
    g_x: Option<Array1<f64>>,
    ws: RefCell<FdWorkspace>,
}

impl<F> LinearOperator for FdHessian<'_, F>
where
    F: Fn(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>) -> f64,
{
    fn dim(&self) -> usize {
        self.x.len()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        let mut ws = self.ws.borrow_mut();
        let evals = fd_hvp(
            &self.obj.value_grad,
            self.x.view(),
            self.g_x.as_ref().map(|g| g.view()),
            v,
            self.obj.scheme,
            &mut ws,
            out,
        );
        self.obj.gradient_evals.fetch_add(evals, Ordering::Relaxed);
    }
}

impl<F> Objective for FdObjective<F>
where
    F: Fn(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>) -> f64,
{
    type Hessian<'a>
        = FdHessian<'a, F>
    where
        Self: 'a;

    fn dim(&self) -> usize {
        self.n
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64 {
        (self.value_grad)(x, grad)
    }
    fn hessian(&self, x: ArrayView1<'_, f64>) -> FdHessian<'_, F> {
        let g_x = match self.scheme {
            FdScheme::Forward => {
                let mut g = Array1::zeros(x.len());
                (self.value_grad)(x, g.view_mut());
                self.gradient_evals.fetch_add(1, Ordering::Relaxed);
                Some(g)
            }
            FdScheme::Central => None,
        };
        FdHessian {
            obj: self,
            x: x.to_owned(),
            g_x,
            ws: RefCell::new(FdWorkspace::new(x.len())),
        }
    }
    fn dense_hessian(&self, x: ArrayView1<'_, f64>, out: ArrayViewMut2<'_, f64>) -> bool {
        let ok = fd_dense_hessian(&self.value_grad, x, out).is_ok();
        self.gradient_evals
            .fetch_add(2 * x.len() as u64, Ordering::Relaxed);
        ok
    }
}

fn check_square(n: usize, out: &ArrayViewMut2<'_, f64>) -> Result<()> {
    check_dim("Hessian rows", n, out.nrows())?;
    check_dim("Hessian columns", n, out.ncols())
}

/// The dense Hessian at x by central differences of the gradient along each
/// coordinate, `H e_j ≈ (∇f(x + h_j e_j) − ∇f(x − h_j e_j))/(2h_j)` with
/// `h_j = ∛ε·(1 + |x_j|)`, then symmetrized, `(H + Hᵀ)/2`. Costs 2n
/// gradients; for small n. Errors if `out` is not n×n.
pub fn fd_dense_hessian<F>(
    value_grad: &F,
    x: ArrayView1<'_, f64>,
    mut out: ArrayViewMut2<'_, f64>,
) -> Result<()>
where
    F: Fn(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>) -> f64 + ?Sized,
{
    let n = x.len();
    check_square(n, &out)?;
    let mut xp = x.to_owned();
    let mut gp = Array1::zeros(n);
    let mut gm = Array1::zeros(n);
    for j in 0..n {
        let xj = x[j];
        let h0 = f64::EPSILON.cbrt() * (1.0 + xj.abs());
        // Make the step exactly representable: h = (x + h) − x.
        let plus = xj + h0;
        let minus = xj - h0;
        xp[j] = plus;
        value_grad(xp.view(), gp.view_mut());
        xp[j] = minus;
        value_grad(xp.view(), gm.view_mut());
        xp[j] = xj;
        let inv = 1.0 / (plus - minus);
        Zip::from(out.column_mut(j))
            .and(&gp)
            .and(&gm)
            .for_each(|o, &p, &m| *o = (p - m) * inv);
    }
    symmetrize(&mut out);
    Ok(())
}

/// The dense Hessian at x from values of f only (four-point formula, see the
/// module docs), `h_i = ε^{1/4}(1 + |x_i|)`. Costs about 2n² evaluations;
/// relative error O(√ε) on a well-scaled problem. Errors if `out` is not
/// n×n.
pub fn fd_dense_hessian_from_values<F>(
    f: &F,
    x: ArrayView1<'_, f64>,
    mut out: ArrayViewMut2<'_, f64>,
) -> Result<()>
where
    F: Fn(ArrayView1<'_, f64>) -> f64 + ?Sized,
{
    let n = x.len();
    check_square(n, &out)?;
    let mut xp = x.to_owned();
    // Representable steps h_i = (x_i + h) − x_i.
    let h: Vec<f64> = x
        .iter()
        .map(|&xi| {
            let h0 = f64::EPSILON.powf(0.25) * (1.0 + xi.abs());
            (xi + h0) - xi
        })
        .collect();
    let f0 = f(x);
    for i in 0..n {
        let (xi, hi) = (x[i], h[i]);
        xp[i] = xi + hi;
        let fp = f(xp.view());
        xp[i] = xi - hi;
        let fm = f(xp.view());
        xp[i] = xi;
        out[[i, i]] = (fp - 2.0 * f0 + fm) / (hi * hi);
        for j in 0..i {
            let (xj, hj) = (x[j], h[j]);
            let mut corner = |si: f64, sj: f64| {
                xp[i] = xi + si * hi;
                xp[j] = xj + sj * hj;
                let v = f(xp.view());
                xp[i] = xi;
                xp[j] = xj;
                v
            };
            let v = corner(1.0, 1.0) - corner(1.0, -1.0) - corner(-1.0, 1.0) + corner(-1.0, -1.0);
            let hij = v / (4.0 * hi * hj);
            out[[i, j]] = hij;
            out[[j, i]] = hij;
        }
    }
    Ok(())
}

fn symmetrize(a: &mut ArrayViewMut2<'_, f64>) {
    let n = a.nrows();
    for i in 0..n {
        for j in 0..i {
            let s = 0.5 * (a[[i, j]] + a[[j, i]]);
            a[[i, j]] = s;
            a[[j, i]] = s;
        }
    }
}
