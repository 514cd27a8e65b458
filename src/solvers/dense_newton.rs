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

use faer::linalg::solvers::Solve;
use faer::{Mat, Side};
use ndarray::{Array1, Array2, ArrayView1};

use crate::error::{Error, Result};
use crate::linalg::operator::LinearOperator;
use crate::linalg::vecops::{all_finite, norm};
use crate::problem::objective::Objective;
use crate::report::method::Method;
use crate::report::observe::{no_callback, Callback};
use crate::report::status::Status;
use crate::report::{IterationRecord, Report};
use crate::solvers::armijo::{armijo, Search};
use crate::solvers::config::{DenseNewtonConfig, DenseStep};
use crate::solvers::state::Run;

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
        let status = self.iterate(obj, &mut run, callback)?;
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
            let solved = match cfg.step {
                DenseStep::Damped => shifted_cholesky_solve(&hmat, run.g.view(), &mut p),
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
                        (true, 1.0, run.after_accepted(df, step_norm))
                    }
                }
                DenseStep::Damped => {
                    let gp = run.g.dot(&p);
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
                            (true, alpha, run.after_accepted(df, alpha * step_norm))
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
