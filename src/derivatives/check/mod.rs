//! A derivative checker: the user's gradient and Hessian-vector products
//! against finite differences, and the symmetry of the products.
//!
//! At a point x, [`check_derivatives`] runs three tests:
//!
//! 1. **Gradient.** For up to [`CheckOptions::max_components`] coordinates j
//!    (all of them when n is small, a seeded sample otherwise), `g_j` against
//!    the central difference `(f(x + h e_j) − f(x − h e_j))/(2h)`,
//!    `h = ∛ε(1 + |x_j|)`; and for [`CheckOptions::directions`] seeded random
//!    unit directions u, `gᵀu` against `(f(x + hu) − f(x − hu))/(2h)`,
//!    `h = ∛ε(1 + ‖x‖)` (Nocedal & Wright 2006, §8.1). The coordinate test
//!    says *which component* is wrong; the direction test sees every
//!    component at once.
//! 2. **Hessian-vector products.** For the same directions, `H u` from the
//!    user's operator against the central difference of the user's gradient
//!    ([`crate::derivatives::fd_hvp`]), compared in norm; the component with
//!    the largest difference is reported. (If the gradient is wrong this test
//!    compares with the derivative of the wrong gradient: fix the gradient
//!    first.)
//! 3. **Symmetry.** For every pair of directions, `uᵀ(Hv)` against
//!    `vᵀ(Hu)`, relative to `(‖Hu‖‖v‖ + ‖Hv‖‖u‖)/2`. A Hessian is
//!    symmetric; a product that is not breaks the CG theory (conjugacy, the
//!    model decrease) silently.
//!
//! # Relative error and noise
//! A finite difference has its own error, and near a stationary point (or
//! where f is computed with cancellation) it can exceed the derivative
//! itself. Each difference is therefore also taken with steps 2h and h/2:
//! truncation error scales like h² and rounding error like 1/h
//! (N&W §8.1), so the three values estimate the order p and the size of
//! the error of fd(h) (a Richardson-type estimate, robust down to p = 1/3 for
//! functions that are not C³); with the rounding level `10ε|f|/h` this gives
//! an error estimate N. Only the
//! part of the disagreement above it counts:
//! `rel = max(0, |a − fd| − N) / max(|a|, |fd|)` (vectors in the Euclidean
//! norm). A correct derivative scores 0 even where the difference is
//! inaccurate, while an error in the user's derivative, which does not move
//! fd, still shows whenever it is larger than the finite-difference error.
//!
//! Near a stationary point the gradient is itself at the level of the
//! finite-difference error, and for functions that are not C³ there (such as
//! `|t|^{7/3}` at t = 0) the error estimate can fall short; the checks are
//! most conclusive at points where ∇f is not small, such as a starting
//! point.
//!
//! # Verdict
//! An error at most [`CheckOptions::pass_tol`] (default 1e-6) is
//! [`Verdict::Correct`]; above [`CheckOptions::fail_tol`] (default 1e-3) it
//! is [`Verdict::Wrong`]; between, [`Verdict::Suspect`] (a small error:
//! check at another point). Because only the disagreement beyond the error
//! estimate counts, finite differences too noisy to decide score as
//! agreement, and components or directions where f is not finite nearby
//! are skipped: a `Correct` verdict is only as strong as the differences
//! it rests on, which is why a point where ∇f is not small is the place to
//! check.
//!
//! This file runs the three tests; the options are in `options`, the
//! verdict and report types in `report`, the finite-difference error
//! estimates in `estimate`.

mod estimate;
mod options;
mod report;

pub use options::{
    CheckOptions, DEFAULT_DIRECTIONS, DEFAULT_FAIL_TOL, DEFAULT_MAX_COMPONENTS, DEFAULT_PASS_TOL,
    DEFAULT_SAMPLE_COMPONENTS,
};
pub use report::{DerivativeReport, GradientCheck, HvpCheck, SymmetryCheck, Verdict};

use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

use crate::derivatives::fd::{central_step, fd_hvp, FdScheme, FdWorkspace};
use crate::error::{check_dim, Error, Result};
use crate::linalg::operator::LinearOperator;
use crate::linalg::rng::SplitMix64;
use crate::linalg::vecops::{all_finite, norm};
use crate::problem::objective::Objective;

use estimate::{excess_ratio, fd_error_estimate, fd_noise, rel_error};

/// Whether `value_grad` overwrites its gradient buffer (the
/// [`Objective`] contract: the buffer is not zeroed): it is called twice on
/// a buffer filled with `3(1 + |g_j|)`, and the result must be the gradient
/// `g` computed into zeros, to within 1e-8·max(1, ‖g‖) in norm (room for
/// objectives that are not bit-for-bit reproducible). An objective that
/// accumulates (`g += …`) leaves at least `3 + 2|g_j|` too much in every
/// component and one that skips components leaves them dirty, so both
/// fail by far more than the tolerance. The value must agree too.
fn overwrites_gradient<O: Objective + ?Sized>(
    obj: &O,
    x: ArrayView1<'_, f64>,
    f0: f64,
    g: &Array1<f64>,
    evals: &mut u64,
) -> bool {
    let mut dirty = g.mapv(|v| 3.0 * (1.0 + v.abs()));
    let f1 = obj.value_grad(x, dirty.view_mut());
    let f2 = obj.value_grad(x, dirty.view_mut());
    *evals += 2;
    let diff: Array1<f64> = Zip::from(&dirty).and(g).map_collect(|a, b| a - b);
    let tol = 1e-8 * norm(g.view()).max(1.0);
    let f_tol = 1e-10 * f0.abs().max(1.0);
    norm(diff.view()) <= tol && (f1 - f0).abs() <= f_tol && (f2 - f0).abs() <= f_tol
}

fn value_at<O: Objective + ?Sized>(
    obj: &O,
    x: &Array1<f64>,
    scratch: &mut Array1<f64>,
    evals: &mut u64,
) -> f64 {
    *evals += 1;
    obj.value_grad(x.view(), scratch.view_mut())
}

/// Compares the gradient and Hessian-vector products of `obj` with finite
/// differences at `x` (see the [module docs](crate::derivatives::check)).
///
/// Errors: an `x` of the wrong length ([`Error::DimensionMismatch`]), a
/// Hessian operator of the wrong dimension, n = 0, invalid options, or a
/// non-finite f(x) or ∇f(x) ([`Error::NonFiniteStart`]).
///
/// ```
/// use ndarray::array;
/// use steihaug::derivatives::{check_derivatives, CheckOptions, Verdict};
/// use steihaug::FnObjective;
/// // f = x0² x1: the gradient has a wrong second component (x0 instead of x0²).
/// let obj = FnObjective::new(
///     2,
///     |x, mut g| { g[0] = 2.0 * x[0] * x[1]; g[1] = x[0]; x[0] * x[0] * x[1] },
///     |x, v, mut out| {
///         out[0] = 2.0 * x[1] * v[0] + 2.0 * x[0] * v[1];
///         out[1] = 2.0 * x[0] * v[0];
///     },
/// );
/// let report = check_derivatives(&obj, array![1.5, -0.5].view(), &CheckOptions::default())?;
/// assert_eq!(report.verdict, Verdict::Wrong);
/// assert_eq!(report.gradient.worst_component, Some(1));
/// # Ok::<(), steihaug::Error>(())
/// ```
pub fn check_derivatives<O: Objective + ?Sized>(
    obj: &O,
    x: ArrayView1<'_, f64>,
    options: &CheckOptions,
) -> Result<DerivativeReport> {
    options.validate()?;
    let n = obj.dim();
    if n == 0 {
        return Err(Error::EmptyProblem);
    }
    check_dim("x", n, x.len())?;
    if !all_finite(x) {
        return Err(Error::NonFiniteStart { what: "x0" });
    }
    let mut evals = 0u64;
    let mut hvps = 0u64;
    let mut g = Array1::<f64>::zeros(n);
    let f0 = obj.value_grad(x, g.view_mut());
    evals += 1;
    if !f0.is_finite() {
        return Err(Error::NonFiniteStart { what: "f(x0)" });
    }
    if !all_finite(g.view()) {
        return Err(Error::NonFiniteStart {
            what: "gradient at x0",
        });
    }
    let eps = f64::EPSILON;
    let mut rng = SplitMix64::new(options.seed);
    let mut xp = x.to_owned();
    let mut scratch = Array1::<f64>::zeros(n);

    // 1a. Gradient components.
    let comps: Vec<usize> = if n <= options.max_components {
        (0..n).collect()
    } else {
        let m = options.sample_components.min(n);
        let mut idx: Vec<usize> = (0..n).collect();
        for k in 0..m {
            let r = k + (rng.next_u64() % (n - k) as u64) as usize;
            idx.swap(k, r);
        }
        idx.truncate(m);
        idx.sort_unstable();
        idx
    };
    // Worst (noise-corrected, raw) relative error; the raw one breaks ties so
    // that the location shown is informative when everything passes.
    let mut comp_worst = (0.0f64, None, (0.0, 0.0));
    let mut comp_raw = 0.0f64;
    let mut inconclusive = 0usize;
    for &j in &comps {
        let xj = x[j];
        let h = f64::EPSILON.cbrt() * (1.0 + xj.abs());
        let mut diff = |h: f64| {
            xp[j] = xj + h;
            let fp = value_at(obj, &xp, &mut scratch, &mut evals);
            xp[j] = xj - h;
            let fm = value_at(obj, &xp, &mut scratch, &mut evals);
            xp[j] = xj;
            let step = (xj + h) - (xj - h);
            ((fp - fm) / step, fp.abs().max(fm.abs()))
        };
        let (d1, fmax) = diff(h);
        let (d2, _) = diff(2.0 * h);
        let (d3, _) = diff(0.5 * h);
        if !(d1.is_finite() && d2.is_finite() && d3.is_finite()) {
            inconclusive += 1;
            continue; // f undefined nearby: this component cannot be checked.
        }
        let noise = fd_noise(d1, d2, d3) + 10.0 * eps * fmax.max(f0.abs()) / h;
        // Both exactly zero (a symmetry) is agreement, not indecision.
        let scale = g[j].abs().max(d1.abs());
        if scale > 0.0 && noise > options.fail_tol * scale {
            inconclusive += 1;
        }
        let r = rel_error(g[j], d1, noise);
        let raw = rel_error(g[j], d1, 0.0);
        if (r, raw) > (comp_worst.0, comp_raw) || comp_worst.1.is_none() {
            comp_worst = (r, Some(j), (g[j], d1));
            comp_raw = raw;
        }
    }

    // Directions: seeded standard normal, unit length.
    let k = options.directions;
    let dirs: Vec<Array1<f64>> = (0..k)
        .map(|_| {
            let mut u = Array1::from_shape_fn(n, |_| rng.normal());
            let s = norm(u.view());
            u /= s;
            u
        })
        .collect();
    let x_norm = norm(x);
    let h_dir = central_step(x_norm, 1.0);

    // 1b. Directional derivatives.
    let mut dir_worst = (0.0f64, None);
    let mut dir_raw = 0.0f64;
    for (kk, u) in dirs.iter().enumerate() {
        let a = g.dot(u);
        let mut diff = |h: f64| {
            Zip::from(&mut xp)
                .and(&x)
                .and(u)
                .for_each(|t, &x, &u| *t = x + h * u);
            let fp = value_at(obj, &xp, &mut scratch, &mut evals);
            Zip::from(&mut xp)
                .and(&x)
                .and(u)
                .for_each(|t, &x, &u| *t = x - h * u);
            let fm = value_at(obj, &xp, &mut scratch, &mut evals);
            ((fp - fm) / (2.0 * h), fp.abs().max(fm.abs()))
        };
        let (d1, fmax) = diff(h_dir);
        let (d2, _) = diff(2.0 * h_dir);
        let (d3, _) = diff(0.5 * h_dir);
        if !(d1.is_finite() && d2.is_finite() && d3.is_finite()) {
            continue;
        }
        let noise = fd_noise(d1, d2, d3) + 10.0 * eps * fmax.max(f0.abs()) / h_dir;
        let r = rel_error(a, d1, noise);
        let raw = rel_error(a, d1, 0.0);
        if (r, raw) > (dir_worst.0, dir_raw) || dir_worst.1.is_none() {
            dir_worst = (r, Some(kk));
            dir_raw = raw;
        }
    }
    xp.assign(&x);

    let grad_rel = comp_worst.0.max(dir_worst.0);
    // When no component could be decided, the direction test (the same
    // function, the same rounding, and an error estimate that then misses
    // part of it) cannot call the gradient wrong either: near a stationary
    // point, f's own rounding (cancellation inside f, not seen in |f|) can
    // be most of a difference. Such a point gives at most `Suspect`.
    let undecidable = !comps.is_empty() && inconclusive == comps.len();
    let mut grad_verdict = options.verdict(grad_rel);
    if undecidable {
        grad_verdict = grad_verdict.min(Verdict::Suspect);
    }
    let overwrites = overwrites_gradient(obj, x, f0, &g, &mut evals);
    if !overwrites {
        grad_verdict = Verdict::Wrong;
    }
    let gradient = GradientCheck {
        overwrites,
        max_rel_error: grad_rel,
        component_rel_error: comp_worst.0,
        worst_component: comp_worst.1,
        component_values: comp_worst.2,
        components_checked: comps.len(),
        components_inconclusive: inconclusive,
        direction_rel_error: dir_worst.0,
        worst_direction: dir_worst.1,
        verdict: grad_verdict,
    };

    // 2. Hessian-vector products against differences of the gradient.
    let hess = obj.hessian(x);
    crate::linalg::operator::check_square("Hessian operator", n, &hess)?;
    let mut hu: Vec<Array1<f64>> = Vec::with_capacity(k);
    let mut ws = FdWorkspace::new(n);
    let mut fd1 = Array1::<f64>::zeros(n);
    let mut fd2 = Array1::<f64>::zeros(n);
    let mut fd3 = Array1::<f64>::zeros(n);
    let grad_fn = |xx: ArrayView1<'_, f64>, gg: ArrayViewMut1<'_, f64>| obj.value_grad(xx, gg);
    let mut hvp_worst = (0.0f64, 0usize, 0usize, (0.0, 0.0));
    let mut hvp_raw = 0.0f64;
    for (kk, u) in dirs.iter().enumerate() {
        let mut hv = Array1::<f64>::zeros(n);
        hess.apply(u.view(), hv.view_mut());
        hvps += 1;
        evals += fd_hvp(
            &grad_fn,
            x,
            None,
            u.view(),
            FdScheme::Central,
            &mut ws,
            fd1.view_mut(),
        );
        // fd_hvp's step is ∛ε(1 + ‖x‖)/‖v‖: a half-length direction gives
        // step 2h, a double-length one h/2 (then rescale).
        let half = u * 0.5;
        evals += fd_hvp(
            &grad_fn,
            x,
            None,
            half.view(),
            FdScheme::Central,
            &mut ws,
            fd2.view_mut(),
        );
        fd2 *= 2.0;
        let double = u * 2.0;
        evals += fd_hvp(
            &grad_fn,
            x,
            None,
            double.view(),
            FdScheme::Central,
            &mut ws,
            fd3.view_mut(),
        );
        fd3 *= 0.5;
        let (r, raw) = if !all_finite(hv.view()) {
            (f64::INFINITY, f64::INFINITY)
        } else if !(all_finite(fd1.view()) && all_finite(fd2.view()) && all_finite(fd3.view())) {
            (0.0, 0.0) // f or ∇f undefined nearby: cannot check in this direction
        } else {
            let dn = norm((&hv - &fd1).view());
            let noise = fd_error_estimate(norm((&fd1 - &fd2).view()), norm((&fd1 - &fd3).view()))
                + 10.0 * eps * norm(g.view()) / h_dir;
            let scale = norm(hv.view()).max(norm(fd1.view()));
            (excess_ratio(dn, noise, scale), excess_ratio(dn, 0.0, scale))
        };
        if (r, raw) > (hvp_worst.0, hvp_raw) || kk == 0 {
            let (mut jmax, mut dmax) = (0usize, -1.0f64);
            for i in 0..n {
                let d = (hv[i] - fd1[i]).abs();
                if d > dmax || d.is_nan() {
                    (jmax, dmax) = (i, d);
                    if d.is_nan() {
                        break;
                    }
                }
            }
            hvp_worst = (r, kk, jmax, (hv[jmax], fd1[jmax]));
            hvp_raw = raw;
        }
        hu.push(hv);
    }
    let hvp = HvpCheck {
        max_rel_error: hvp_worst.0,
        worst_direction: hvp_worst.1,
        worst_component: hvp_worst.2,
        component_values: hvp_worst.3,
        verdict: options.verdict(hvp_worst.0),
    };

    // 3. Symmetry over all pairs of directions.
    let mut sym_worst = (0.0f64, (0usize, usize::from(k > 1)));
    for i in 0..k {
        for j in (i + 1)..k {
            let a = dirs[i].dot(&hu[j]);
            let b = dirs[j].dot(&hu[i]);
            let scale = 0.5 * (norm(hu[i].view()) + norm(hu[j].view()));
            let d = (a - b).abs();
            let r = if !d.is_finite() {
                f64::INFINITY
            } else if d == 0.0 {
                0.0
            } else {
                d / (scale + f64::MIN_POSITIVE)
            };
            if r > sym_worst.0 {
                sym_worst = (r, (i, j));
            }
        }
    }
    let symmetry = SymmetryCheck {
        max_rel_error: sym_worst.0,
        worst_pair: sym_worst.1,
        verdict: options.verdict(sym_worst.0),
    };

    let verdict = gradient.verdict.max(hvp.verdict).max(symmetry.verdict);
    Ok(DerivativeReport {
        n,
        f: f0,
        grad_norm: norm(g.view()),
        gradient,
        hvp,
        symmetry,
        verdict,
        evaluations: evals,
        hvps,
    })
}
