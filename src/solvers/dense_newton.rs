//! Dense Newton: the baseline for small problems and for comparison with the
//! matrix-free solvers.
//!
//! Each iteration forms the dense Hessian H (the objective's own, or
//! assembled from n Hessian-vector products `H e_j`), checks that it is
//! symmetric, and solves `(H + τI) p = −g` by Cholesky (faer). τ = 0 when H
//! is positive definite; otherwise τ starts at `−min h_ii + β` (or β) and
//! doubles until the factorization succeeds — "Cholesky with added multiple
//! of the identity", Nocedal & Wright (2006), Algorithm 3.3, with
//! β = 10⁻³·max(1, max|h_ii|) so that the shift scales with H.
//! The step is damped by the backtracking Armijo search of
//! [`crate::LineSearchNewtonCg`].
//!
//! [`DenseStep::Pure`] takes the textbook step `x ← x − H⁻¹g` with α = 1,
//! no shift and no line search (LU when H is indefinite), to show Newton's
//! method as it is: fast near a minimizer, attracted by saddles, divergent
//! elsewhere.
//!
//! [`DenseStep::TrustRegion`] (SciPy's `trust-exact`) is a trust-region
//! method whose subproblem `min gᵀp + ½pᵀHp, ‖p‖ ≤ Δ` is solved exactly on
//! the dense H by [`crate::linalg::trs::solve_trs`] (Moré & Sorensen 1983;
//! Nocedal & Wright 2006, §4.3, Algorithm 4.3). The outer loop is that of
//! [`crate::TrustRegion`] (N&W Algorithm 4.1): ρ by
//! [`crate::solvers::ratio::reduction_ratio`], acceptance by
//! [`crate::solvers::ratio::acceptable`], Δ by
//! [`crate::solvers::radius::update`] (Nocedal-Wright rule and Δ₀ = 1 by
//! default, as SciPy), and the same statuses (a collapsed radius is
//! [`Status::RadiusCollapsed`]). Because the exact step follows negative
//! curvature, the iteration leaves saddle points that attract Newton's
//! method, as long as the gradient there is not zero: at a point where
//! the gradient test holds the solve ends before any step (the test is
//! shared by every solver). The Hessian is kept after a rejected step, since
//! x has not changed. Each record has `radius`, `next_radius`, `ratio`,
//! `accepted`, and the multiplier λ of `(H + λI)p = −g` as `shift`.

use faer::linalg::solvers::Solve;
use faer::{Mat, Side};
use ndarray::{Array1, Array2, ArrayView1};

use crate::error::{Error, Result};
use crate::linalg::operator::LinearOperator;
use crate::linalg::trs::solve_trs;
use crate::linalg::vecops::{all_finite, norm};
use crate::problem::objective::Objective;
use crate::report::method::Method;
use crate::report::observe::{no_callback, Callback};
use crate::report::status::Status;
use crate::report::{IterationRecord, Report};
use crate::solvers::armijo::{armijo, Search};
use crate::solvers::config::{DenseNewtonConfig, DenseStep};
use crate::solvers::radius::{self, Trial};
use crate::solvers::ratio::{acceptable, reduction_ratio};
use crate::solvers::state::{FailureCounters, Run};

/// The dense Newton solver.
///
/// ```
/// use steihaug::{problems::Rosenbrock, DenseNewton};
/// let report = DenseNewton::default().solve(&Rosenbrock, ndarray::array![3.0, -2.0].view()).unwrap();
/// assert!(report.status.is_converged());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DenseNewton {
    /// The options.
    pub config: DenseNewtonConfig,
}

/// The regularized Cholesky solve of one iteration.
struct Shifted {
    shift: f64,
}

impl DenseNewton {
    /// A solver with the given options.
    pub fn new(config: DenseNewtonConfig) -> Self {
        Self { config }
    }

    /// The textbook variant: α = 1, no safeguards.
    pub fn pure() -> Self {
        let mut s = Self::default();
        s.config.step = DenseStep::Pure;
        s
    }

    /// The trust-region variant with the exact subproblem (SciPy's
    /// `trust-exact`; [`DenseStep::TrustRegion`]).
    ///
    /// ```
    /// use steihaug::{problems::Rosenbrock, DenseNewton};
    /// let report = DenseNewton::trust_exact()
    ///     .solve(&Rosenbrock, ndarray::array![-1.2, 1.0].view())
    ///     .unwrap();
    /// assert!(report.status.is_converged());
    /// ```
    pub fn trust_exact() -> Self {
        Self::new(DenseNewtonConfig::trust_exact())
    }

    /// Minimizes `obj` from `x0`.
    pub fn solve<O: Objective + ?Sized>(&self, obj: &O, x0: ArrayView1<'_, f64>) -> Result<Report> {
        self.solve_with(obj, x0, &mut no_callback)
    }

    /// Minimizes `obj` from `x0`, calling `callback` after every iteration.
    pub fn solve_with<O: Objective + ?Sized>(
        &self,
        obj: &O,
        x0: ArrayView1<'_, f64>,
        callback: &mut Callback<'_>,
    ) -> Result<Report> {
        let cfg = &self.config;
        cfg.validate()?;
        let mut run = Run::start(obj, x0, &cfg.termination)?;
        let status = if cfg.step == DenseStep::TrustRegion {
            // `validate` admits only the strategies that need no step.
            run.radius = cfg
                .initial_radius
                .radius(run.grad_norm, cfg.max_radius)
                .unwrap_or(1.0);
            self.iterate_trust_region(obj, &mut run, callback)?
        } else {
            self.iterate(obj, &mut run, callback)?
        };
        Ok(run.finish(Method::DenseNewton, status))
    }

    fn iterate<O: Objective + ?Sized>(
        &self,
        obj: &O,
        run: &mut Run<'_>,
        callback: &mut Callback<'_>,
    ) -> Result<Status> {
        let cfg = &self.config;
        let n = run.n();
        crate::memory::check("dense Newton's n x n matrices", dense_bytes(n))?;
        let mut hmat = Array2::<f64>::zeros((n, n));
        let mut p = Array1::<f64>::zeros(n);
        let mut x_trial = Array1::<f64>::zeros(n);
        let mut g_trial = Array1::<f64>::zeros(n);
        loop {
            if let Some(s) = run.point_status().or_else(|| run.budget_exhausted()) {
                return Ok(s);
            }
            match self.hessian_into(obj, run, &mut hmat)? {
                HessianFill::Ready => {}
                HessianFill::OverBudget => return Ok(Status::MaxHvps),
                HessianFill::NonFinite => return Ok(Status::NonFiniteHessian),
                HessianFill::TimeLimit => return Ok(Status::TimeLimit),
            }
            run.iter += 1;
            // `TrustRegion` runs `iterate_trust_region` and never gets here.
            let solved = match cfg.step {
                DenseStep::Damped | DenseStep::TrustRegion => {
                    shifted_cholesky_solve(&hmat, run.g.view(), &mut p)
                }
                DenseStep::Pure => pure_solve(&hmat, run.g.view(), &mut p),
            };
            let Some(Shifted { shift }) = solved else {
                // Record the iteration (no step) so that the history has one
                // record per iteration.
                let record = run.blank_record();
                let _user = run.record(record, callback);
                return Ok(Status::SingularHessian);
            };
            let step_norm = norm(p.view());
            let gp = run.g.dot(&p);
            // The Newton decrement: for p = −H⁻¹g, −m(p) = −½gᵀp = ½gᵀH⁻¹g,
            // an estimate of f − f* when H is positive definite (no shift).
            #[allow(clippy::float_cmp)]
            let gap = (shift == 0.0 && gp < 0.0).then_some(-0.5 * gp);
            let (accepted, alpha, status) = match cfg.step {
                DenseStep::Pure => {
                    if !run.eval_allowed() {
                        return Ok(Status::MaxEvaluations);
                    }
                    ndarray::Zip::from(&mut x_trial)
                        .and(&run.x)
                        .and(&p)
                        .for_each(|t, &x, &p| *t = x + p);
                    let ft = obj.value_grad(x_trial.view(), g_trial.view_mut());
                    run.counts.evals += 1;
                    if !(ft.is_finite() && all_finite(g_trial.view())) {
                        (false, 1.0, Some(Status::NonFiniteObjective))
                    } else {
                        let df = run.f - ft;
                        let grad_norm = norm(g_trial.view());
                        run.accept(&mut x_trial, &mut g_trial, ft, grad_norm);
                        (true, 1.0, run.after_accepted(df, step_norm, gap))
                    }
                }
                DenseStep::Damped | DenseStep::TrustRegion => {
                    match armijo(
                        obj,
                        run,
                        p.view(),
                        gp,
                        &cfg.line_search,
                        &mut x_trial,
                        &mut g_trial,
                    ) {
                        Search::Accepted { alpha, df } => {
                            (true, alpha, run.after_accepted(df, alpha * step_norm, gap))
                        }
                        Search::Failed(s) => (false, f64::NAN, Some(s)),
                    }
                }
            };
            let record = IterationRecord {
                alpha,
                shift,
                accepted,
                step_norm: if accepted {
                    alpha * step_norm
                } else {
                    step_norm
                },
                ..run.blank_record()
            };
            // The iteration's own status first (convergence over a stop
            // requested on the same iteration).
            let user = run.record(record, callback);
            if let Some(s) = status.or(user) {
                return Ok(s);
            }
        }
    }

    /// The trust-region iterations ([`DenseStep::TrustRegion`]): per
    /// iteration the exact subproblem at radius Δ, the trial point, ρ, the
    /// radius update and acceptance (N&W Algorithm 4.1), and one record.
    fn iterate_trust_region<O: Objective + ?Sized>(
        &self,
        obj: &O,
        run: &mut Run<'_>,
        callback: &mut Callback<'_>,
    ) -> Result<Status> {
        let cfg = &self.config;
        let n = run.n();
        let mut hmat = Array2::<f64>::zeros((n, n));
        let mut x_trial = Array1::<f64>::zeros(n);
        let mut g_trial = Array1::<f64>::zeros(n);
        // Whether `hmat` holds the Hessian at the current x (it does after
        // a rejected step).
        let mut hessian_current = false;
        if let Some(s) = run.point_status() {
            return Ok(s);
        }
        loop {
            if let Some(s) = run.budget_exhausted() {
                return Ok(s);
            }
            if !hessian_current {
                match self.hessian_into(obj, run, &mut hmat)? {
                    HessianFill::Ready => hessian_current = true,
                    HessianFill::OverBudget => return Ok(Status::MaxHvps),
                    HessianFill::NonFinite => return Ok(Status::NonFiniteHessian),
                    HessianFill::TimeLimit => return Ok(Status::TimeLimit),
                }
            }
            run.iter += 1;
            let delta = run.radius;
            let sol = match solve_trs(hmat.view(), run.g.view(), delta, &cfg.trs) {
                Ok(sol) => sol,
                Err(Error::Factorization(_)) => {
                    let record = IterationRecord {
                        radius: delta,
                        ..run.blank_record()
                    };
                    if let Some(s) = run.record(record, callback) {
                        return Ok(s);
                    }
                    return Ok(Status::SingularHessian);
                }
                Err(e) => return Err(e),
            };
            let step_norm = norm(sol.s.view());
            let pred = -sol.model;
            let mut record = IterationRecord {
                radius: delta,
                shift: sol.lambda,
                step_norm,
                ..run.blank_record()
            };
            if step_norm == 0.0 || !(pred > 0.0 && pred.is_finite()) {
                // Nothing to try (g ≈ 0 with H positive semidefinite, or a
                // model lost to round-off): shrink, count, go on.
                run.failures.model += 1;
                run.radius = radius::shrink(delta, step_norm);
                record.next_radius = run.radius;
                let limit = cfg.max_consecutive_failures;
                let status = (run.failures.model >= limit).then_some(Status::ModelFailure);
                if let Some(s) = run
                    .record(record, callback)
                    .or(status)
                    .or_else(|| self.collapsed(run))
                {
                    return Ok(s);
                }
                continue;
            }
            if !run.eval_allowed() {
                return Ok(Status::MaxEvaluations);
            }
            ndarray::Zip::from(&mut x_trial)
                .and(&run.x)
                .and(&sol.s)
                .for_each(|t, &x, &p| *t = x + p);
            let f_trial = obj.value_grad(x_trial.view(), g_trial.view_mut());
            run.counts.evals += 1;
            let (grad_norm_trial, g_finite) = run.norm_finite(g_trial.view());
            let finite = f_trial.is_finite() && g_finite;
            let rho = reduction_ratio(run.f, f_trial, finite, pred);
            let trial = Trial {
                radius: delta,
                step_norm,
                rho,
                on_boundary: sol.on_boundary,
                f: run.f,
                f_trial,
                grad_dot_step: run.g.dot(&sol.s),
                before_first_accepted: run.accepted_steps == 0,
            };
            run.radius = radius::update(cfg.radius_rule, &trial, cfg.eta_accept, cfg.max_radius);
            let accepted = acceptable(rho, cfg.eta_accept);
            let status = if accepted {
                let ared = run.f - f_trial;
                run.accept(&mut x_trial, &mut g_trial, f_trial, grad_norm_trial);
                run.failures = FailureCounters::default();
                hessian_current = false;
                // An interior solution with λ = 0 is the Newton step: its
                // prediction is the decrement ½gᵀH⁻¹g.
                #[allow(clippy::float_cmp)]
                let gap = (!sol.on_boundary && sol.lambda == 0.0).then_some(pred);
                run.after_accepted(ared, step_norm, gap)
            } else {
                run.failures.non_finite_trial += usize::from(!finite);
                (run.failures.non_finite_trial >= cfg.max_consecutive_failures)
                    .then_some(Status::NonFiniteObjective)
            };
            record = IterationRecord {
                ratio: rho,
                next_radius: run.radius,
                accepted,
                f: run.f,
                grad_norm: run.grad_norm,
                elapsed_s: run.elapsed_s(),
                ..record
            };
            if let Some(s) = run
                .record(record, callback)
                .or(status)
                .or_else(|| (!accepted).then(|| self.collapsed(run)).flatten())
            {
                return Ok(s);
            }
        }
    }

    /// [`Status::RadiusCollapsed`] when Δ is below the collapse floor
    /// ([`radius::collapsed`]).
    fn collapsed(&self, run: &mut Run<'_>) -> Option<Status> {
        let x_norm = run.x_norm();
        radius::collapsed(run.radius, self.config.min_radius, x_norm)
            .then_some(Status::RadiusCollapsed)
    }

    /// Fills `hmat` with the symmetric Hessian at `run.x`. Does nothing
    /// and returns [`HessianFill::OverBudget`] when it would have to be
    /// assembled from n products and fewer than n remain in the `max_hvps`
    /// budget; [`HessianFill::NonFinite`] (the solve ends with
    /// [`Status::NonFiniteHessian`] and its report) when an entry is NaN or
    /// infinite. A non-symmetric Hessian is an error: it is the user's bug.
    fn hessian_into<O: Objective + ?Sized>(
        &self,
        obj: &O,
        run: &mut Run<'_>,
        hmat: &mut Array2<f64>,
    ) -> Result<HessianFill> {
        let n = run.n();
        if !obj.dense_hessian(run.x.view(), hmat.view_mut()) {
            if run.hvps_left() < n as u64 {
                return Ok(HessianFill::OverBudget);
            }
            let h = obj.hessian(run.x.view());
            crate::linalg::operator::check_square("Hessian operator", n, &h)?;
            let mut e = Array1::<f64>::zeros(n);
            for j in 0..n {
                // n products can take long: the time limit holds between them.
                if run.time_up() {
                    run.counts.hvps += j as u64;
                    return Ok(HessianFill::TimeLimit);
                }
                e[j] = 1.0;
                h.apply(e.view(), hmat.column_mut(j));
                e[j] = 0.0;
            }
            run.counts.hvps += n as u64;
        }
        let scale = hmat.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let mut asym = 0.0f64;
        for i in 0..n {
            for j in 0..i {
                asym = asym.max((hmat[[i, j]] - hmat[[j, i]]).abs());
            }
        }
        if !hmat.iter().all(|v| v.is_finite()) {
            return Ok(HessianFill::NonFinite);
        }
        if asym > self.config.symmetry_tol * scale {
            return Err(Error::InvalidInput(format!(
                "the Hessian is not symmetric: max |H - H^T| = {asym:.3e} (scale {scale:.3e})"
            )));
        }
        for i in 0..n {
            for j in 0..i {
                let s = 0.5 * (hmat[[i, j]] + hmat[[j, i]]);
                hmat[[i, j]] = s;
                hmat[[j, i]] = s;
            }
        }
        run.counts.hessians += 1;
        Ok(HessianFill::Ready)
    }
}

/// What [`DenseNewton::hessian_into`] did.
enum HessianFill {
    Ready,
    OverBudget,
    NonFinite,
    TimeLimit,
}

fn to_faer(h: &Array2<f64>, shift: f64) -> Mat<f64> {
    Mat::from_fn(h.nrows(), h.ncols(), |i, j| {
        h[[i, j]] + if i == j { shift } else { 0.0 }
    })
}

fn rhs_of(g: ArrayView1<'_, f64>) -> Mat<f64> {
    Mat::from_fn(g.len(), 1, |i, _| -g[i])
}

fn copy_out(sol: &Mat<f64>, p: &mut Array1<f64>) -> bool {
    for i in 0..p.len() {
        p[i] = sol[(i, 0)];
    }
    all_finite(p.view())
}

/// Solves `(H + τI) p = −g` with the smallest τ of the doubling sequence of
/// N&W Algorithm 3.3 for which Cholesky succeeds.
fn shifted_cholesky_solve(
    h: &Array2<f64>,
    g: ArrayView1<'_, f64>,
    p: &mut Array1<f64>,
) -> Option<Shifted> {
    let n = h.nrows();
    let min_diag = (0..n).map(|i| h[[i, i]]).fold(f64::INFINITY, f64::min);
    let max_diag = (0..n).map(|i| h[[i, i]].abs()).fold(0.0f64, f64::max);
    let beta = 1e-3 * max_diag.max(1.0);
    let mut shift = if min_diag > 0.0 {
        0.0
    } else {
        -min_diag + beta
    };
    for _ in 0..200 {
        if let Ok(llt) = to_faer(h, shift).llt(Side::Lower) {
            let mut rhs = rhs_of(g);
            llt.solve_in_place(&mut rhs);
            if copy_out(&rhs, p) {
                return Some(Shifted { shift });
            }
        }
        shift = (2.0 * shift).max(beta);
        if !shift.is_finite() {
            break;
        }
    }
    None
}

/// Solves `H p = −g` without a shift: Cholesky, or LU with partial pivoting
/// when H is not positive definite.
fn pure_solve(h: &Array2<f64>, g: ArrayView1<'_, f64>, p: &mut Array1<f64>) -> Option<Shifted> {
    let a = to_faer(h, 0.0);
    let mut rhs = rhs_of(g);
    match a.llt(Side::Lower) {
        Ok(llt) => llt.solve_in_place(&mut rhs),
        Err(_) => a.partial_piv_lu().solve_in_place(&mut rhs),
    }
    copy_out(&rhs, p).then_some(Shifted { shift: 0.0 })
}

/// The n × n matrices dense Newton holds at once: the Hessian, the
/// shifted copy handed to faer and faer's Cholesky (or LU) factor.
pub const DENSE_MATRICES: u128 = 3;

/// The bytes of dense Newton's n × n matrices, `DENSE_MATRICES · 8n²`
/// (saturating): 2.4 GB at n = 10 000.
pub fn dense_bytes(n: usize) -> u128 {
    let n = n as u128;
    crate::memory::bytes_of(
        DENSE_MATRICES.saturating_mul(n.saturating_mul(n)),
        crate::memory::F64,
    )
}

/// The largest dimension [`check_dim`] lets through: n = 10 000 needs
/// [`DENSE_MATRICES`] n × n matrices, 3 · 8n² bytes = 2.4 GB, and each
/// Cholesky factorization n³/3 ≈ 3.3·10¹¹ flops. [`DenseNewton`] itself
/// takes any n whose matrices fit the memory estimate
/// ([`crate::memory::check`], an [`Error::OutOfMemory`] before anything is
/// allocated); programs that take n from their users (the command line)
/// call [`check_dim`] first.
pub const MAX_DENSE_DIM: usize = 10_000;

/// Refuses a dimension above [`MAX_DENSE_DIM`] with an
/// [`Error::InvalidOption`] (`solver`), before any n × n matrix is
/// allocated.
///
/// ```
/// use steihaug::solvers::dense_newton::{check_dim, MAX_DENSE_DIM};
/// assert!(check_dim(MAX_DENSE_DIM).is_ok());
/// assert!(check_dim(MAX_DENSE_DIM + 1).is_err());
/// ```
pub fn check_dim(n: usize) -> Result<()> {
    if n > MAX_DENSE_DIM {
        return Err(Error::InvalidOption {
            name: "solver",
            reason: format!(
                "dense Newton needs {DENSE_MATRICES} n x n matrices ({}); n = {n} is too large (limit {MAX_DENSE_DIM})",
                crate::memory::human(dense_bytes(n))
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod size_limit_tests {
    use super::*;

    #[test]
    fn the_limit_is_inclusive_and_the_error_names_n_and_the_limit() {
        assert!(check_dim(0).is_ok());
        assert!(check_dim(MAX_DENSE_DIM).is_ok());
        match check_dim(MAX_DENSE_DIM + 1) {
            Err(Error::InvalidOption { name, reason }) => {
                assert_eq!(name, "solver");
                assert!(
                    reason.contains("n = 10001") && reason.contains("limit 10000"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(check_dim(usize::MAX).is_err());
    }
}

#[cfg(test)]
// Radii and exact zeros are compared exactly.
#[allow(clippy::float_cmp)]
mod trust_exact_tests {
    use super::*;
    use crate::problem::FnObjective;
    use crate::problems::cutest::{Arwhead, Broydn7d, Cragglvy, Engval1, Genrose, Nondia, Tridia};
    use crate::problems::Rosenbrock;
    use ndarray::array;

    /// f = x² − y² + y⁴: a saddle at 0, minimizers (0, ±1/√2) with f = −¼.
    fn saddle() -> impl Objective {
        FnObjective::new(
            2,
            |x: ArrayView1<'_, f64>, mut g: ndarray::ArrayViewMut1<'_, f64>| {
                let (a, b) = (x[0], x[1]);
                g[0] = 2.0 * a;
                g[1] = -2.0 * b + 4.0 * b * b * b;
                a * a - b * b + b.powi(4)
            },
            |x: ArrayView1<'_, f64>,
             v: ArrayView1<'_, f64>,
             mut out: ndarray::ArrayViewMut1<'_, f64>| {
                out[0] = 2.0 * v[0];
                out[1] = (-2.0 + 12.0 * x[1] * x[1]) * v[1];
            },
        )
    }

    /// The records of a trust-region run are filled in and consistent.
    fn check_records(report: &Report) {
        assert_eq!(report.history.len(), report.iterations);
        for (k, r) in report.history.iter().enumerate() {
            assert_eq!(r.iter, k + 1);
            assert!(r.radius > 0.0 && r.next_radius > 0.0, "{r:?}");
            assert!(r.step_norm <= r.radius * (1.0 + 1e-9), "{r:?}");
            assert!(r.shift >= 0.0, "{r:?}");
            assert_eq!(
                r.accepted,
                acceptable(r.ratio, DenseNewtonConfig::default().eta_accept)
            );
            if k + 1 < report.history.len() {
                assert_eq!(report.history[k + 1].radius, r.next_radius);
            }
        }
        assert_eq!(report.history[0].radius, 1.0, "Δ₀ = 1 as SciPy");
    }

    #[test]
    fn trust_exact_converges_on_rosenbrock() {
        for x0 in [array![3.0, -2.0], array![-1.2, 1.0]] {
            let report = DenseNewton::trust_exact()
                .solve(&Rosenbrock, x0.view())
                .unwrap();
            assert_eq!(
                report.status,
                Status::Converged,
                "{x0}: {}",
                report.summary()
            );
            assert!((report.x[0] - 1.0).abs() < 1e-6 && (report.x[1] - 1.0).abs() < 1e-6);
            assert!(report.iterations < 60, "{}", report.iterations);
            check_records(&report);
            // Some steps are rejected or on the boundary: the region is
            // active, not a relabelled Newton iteration.
            assert!(report.history.iter().any(|r| r.next_radius != r.radius));
        }
    }

    #[test]
    fn newton_is_attracted_by_the_saddle_and_trust_exact_is_not() {
        let obj = saddle();
        let x0 = array![1.0, 0.01];
        let pure = DenseNewton::pure().solve(&obj, x0.view()).unwrap();
        assert!(pure.status.is_converged(), "{}", pure.summary());
        assert!(
            pure.x[1].abs() < 1e-8 && pure.f.abs() < 1e-12,
            "pure Newton: {}",
            pure.x
        );
        let report = DenseNewton::trust_exact().solve(&obj, x0.view()).unwrap();
        assert_eq!(report.status, Status::Converged, "{}", report.summary());
        assert!(report.x[0].abs() < 1e-8, "{}", report.x);
        assert!(
            (report.x[1].abs() - 0.5f64.sqrt()).abs() < 1e-8,
            "{}",
            report.x
        );
        assert!((report.f + 0.25).abs() < 1e-12, "{}", report.f);
        check_records(&report);
        // The first Hessian is indefinite: the first step has λ > 2.
        assert!(report.history[0].shift > 2.0, "{:?}", report.history[0]);
    }

    /// At the saddle (0, 0) g = 0 and the shared gradient test ends the
    /// solve before any step. At (1, 0), g = (2, 0) ⟂ e_y, the eigenvector
    /// of λ₁ = −2 of H = diag(2, −2), and ‖s(2)‖ = ½ < Δ = 1: the hard case,
    /// λ = 2 and a step of ±√¾ along e_y, off the line y = 0 on which
    /// Newton's method stays.
    #[test]
    fn exactly_at_and_near_the_saddle() {
        let obj = saddle();
        // g = 0 at the saddle: the gradient test ends the solve at once
        // (behaviour shared by every solver; reported, not changed).
        let at = DenseNewton::trust_exact()
            .solve(&obj, array![0.0, 0.0].view())
            .unwrap();
        assert_eq!(at.status, Status::Converged);
        assert_eq!(at.iterations, 0);
        // The subproblem there does leave the saddle along ±e_y.
        let h = array![[2.0, 0.0], [0.0, -2.0]];
        let sol = solve_trs(h.view(), array![0.0, 0.0].view(), 1.0, &Default::default()).unwrap();
        assert!(sol.hard_case && sol.s[0].abs() < 1e-15 && (sol.s[1].abs() - 1.0).abs() < 1e-12);
        assert!((sol.model + 1.0).abs() < 1e-12);
        // From (1, 0) pure Newton goes straight to the saddle.
        let pure = DenseNewton::pure()
            .solve(&obj, array![1.0, 0.0].view())
            .unwrap();
        assert!(pure.x[1] == 0.0 && pure.x[0].abs() < 1e-12, "{}", pure.x);
        let line = DenseNewton::trust_exact()
            .solve(&obj, array![1.0, 0.0].view())
            .unwrap();
        assert_eq!(line.status, Status::Converged, "{}", line.summary());
        // The first step is the hard case: λ = −λ₁ = 2, and y moves off 0.
        let first = &line.history[0];
        assert!(
            (first.shift - 2.0).abs() < 1e-12 && first.accepted,
            "{first:?}"
        );
        assert!((first.f - 0.0625).abs() < 1e-12, "{first:?}");
        assert!((line.x[1].abs() - 0.5f64.sqrt()).abs() < 1e-8, "{}", line.x);
        assert!((line.f + 0.25).abs() < 1e-12);
    }

    #[test]
    fn trust_exact_reaches_the_same_f_as_damped_newton_on_cutest_problems() {
        fn both<O: Objective>(name: &str, obj: &O, x0: Array1<f64>) {
            let dn = DenseNewton::default().solve(obj, x0.view()).unwrap();
            let te = DenseNewton::trust_exact().solve(obj, x0.view()).unwrap();
            assert_eq!(
                dn.status,
                Status::Converged,
                "{name} damped: {}",
                dn.summary()
            );
            assert_eq!(
                te.status,
                Status::Converged,
                "{name} trust-exact: {}",
                te.summary()
            );
            let scale = dn.f.abs().max(1.0);
            assert!(
                (te.f - dn.f).abs() <= 1e-8 * scale,
                "{name}: trust-exact f = {} vs damped {}",
                te.f,
                dn.f
            );
            check_records(&te);
        }
        for n in [10, 50, 100] {
            let p = Arwhead::new(n).unwrap();
            both(&format!("ARWHEAD {n}"), &p, p.start());
            let p = Cragglvy::new(n).unwrap();
            both(&format!("CRAGGLVY {n}"), &p, p.start());
            let p = Engval1::new(n).unwrap();
            both(&format!("ENGVAL1 {n}"), &p, p.start());
            let p = Genrose::new(n).unwrap();
            both(&format!("GENROSE {n}"), &p, p.start());
            let p = Nondia::new(n).unwrap();
            both(&format!("NONDIA {n}"), &p, p.start());
            let p = Tridia::new(n).unwrap();
            both(&format!("TRIDIA {n}"), &p, p.start());
        }
        // POWELLSG is left out: its minimizer is singular (f = 0 with a
        // quartic floor), so both methods stop at the gradient test with f
        // of order 1e-8 that differ by more than 1e-8.
        // BROYDN7D has several local minima: from its start the two methods
        // end in different ones at n = 50 (trust-exact in the lower one);
        // both must still converge to a first-order point.
        for n in [10, 50] {
            let p = Broydn7d::new(n).unwrap();
            for solver in [DenseNewton::default(), DenseNewton::trust_exact()] {
                let r = solver.solve(&p, p.start().view()).unwrap();
                assert_eq!(r.status, Status::Converged, "BROYDN7D {n}: {}", r.summary());
            }
        }
    }

    #[test]
    fn radius_options_are_validated_and_the_other_modes_unchanged() {
        let bad = [
            DenseNewtonConfig {
                max_radius: 0.0,
                ..DenseNewtonConfig::trust_exact()
            },
            DenseNewtonConfig {
                eta_accept: 0.3,
                ..DenseNewtonConfig::trust_exact()
            },
            DenseNewtonConfig {
                min_radius: 2e10,
                ..DenseNewtonConfig::trust_exact()
            },
            DenseNewtonConfig {
                max_consecutive_failures: 0,
                ..DenseNewtonConfig::trust_exact()
            },
        ];
        for c in bad {
            assert!(DenseNewton::new(c)
                .solve(&Rosenbrock, array![0.0, 0.0].view())
                .is_err());
        }
        // Damped mode leaves the radius fields of its records NaN.
        let r = DenseNewton::default()
            .solve(&Rosenbrock, array![-1.2, 1.0].view())
            .unwrap();
        assert!(r
            .history
            .iter()
            .all(|h| h.radius.is_nan() && h.ratio.is_nan()));
        // The shared collapse rule: with min_radius = 0.5 and Δ₀ = 0.6 the
        // first rejected (or shrunk) step ends the solve.
        let c = DenseNewtonConfig {
            min_radius: 0.5,
            initial_radius: crate::InitialRadius::Constant(0.6),
            ..DenseNewtonConfig::trust_exact()
        };
        let r = DenseNewton::new(c)
            .solve(&Rosenbrock, array![-1.2, 1.0].view())
            .unwrap();
        assert_eq!(r.status, Status::RadiusCollapsed, "{}", r.summary());
        assert!(!r.history.last().unwrap().accepted);
    }
}
