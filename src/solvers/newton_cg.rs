//! What the two Newton-CG solvers share: the work vectors, the Hessian and
//! preconditioner at the current point, the inner solve's parameters and
//! its counts, and the statuses an inner solve can end a solve with.

use ndarray::Array1;

use crate::error::{check_dim, Result};
use crate::krylov::energy::window_settled;
use crate::krylov::gltr::{gltr_trial, resolve_trial, GltrInfo, GltrParams, GltrRecord};
use crate::krylov::steihaug::steihaug_trial_energy;
use crate::krylov::KrylovExit;
use crate::krylov::{KrylovInfo, KrylovWorkspace, SteihaugParams, Truncation};
use crate::linalg::operator::{check_square, LinearOperator};
use crate::linalg::precond::{Jacobi, Preconditioner};
use crate::linalg::sparse::{Amg, AmgConfig, AmgReuse};
use crate::problem::objective::Objective;
use crate::report::status::Status;
use crate::solvers::config::{KrylovConfig, Preconditioning};
use crate::solvers::state::Run;

/// Work vectors of a Newton-CG solve, allocated once per solve: the Krylov
/// workspace, the step, the trial point and its gradient, and the Jacobi
/// diagonal when that preconditioner is used.
pub(crate) struct NewtonCgWork {
    pub ws: KrylovWorkspace,
    pub p: Array1<f64>,
    pub x_trial: Array1<f64>,
    pub g_trial: Array1<f64>,
    diag: Option<Array1<f64>>,
    jacobi: Option<Jacobi>,
    /// The inner iteration cap of this solve.
    pub cap: usize,
    /// GLTR's record of the last pass 1 (made on the first GLTR step), kept
    /// while the Hessian is, for re-solves after a rejected step.
    pub gltr: Option<GltrRecord>,
    /// The negative-curvature direction of [`crate::SecondOrder::Escape`]
    /// (allocated only with that option).
    pub escape: Option<Array1<f64>>,
    /// Its curvature uᵀHu while an escape from the current point is pending.
    pub escape_curvature: Option<f64>,
    /// The multigrid hierarchy and its fallback (with [`Preconditioning::Amg`]).
    amg: Option<AmgSlot>,
}

/// What [`Preconditioning::Amg`] keeps across Newton steps: the assembled
/// values (allocated at the first preparation), the hierarchy, and the
/// Jacobi fallback of a point where the hierarchy could not be built.
#[derive(Default)]
pub(crate) struct AmgSlot {
    amg: Option<Amg>,
    /// Whether `amg` is the preconditioner at the current point.
    active: bool,
    fallback: Option<Jacobi>,
    diag: Option<Array1<f64>>,
}

impl AmgSlot {
    /// The preconditioner at the current point.
    pub(crate) fn current(&self) -> Option<&dyn Preconditioner> {
        if self.active {
            self.amg.as_ref().map(|m| m as &dyn Preconditioner)
        } else {
            self.fallback.as_ref().map(|j| j as &dyn Preconditioner)
        }
    }

    /// Builds or refreshes the hierarchy for the Hessian `h`; on failure,
    /// the IC(0) rule: Jacobi from h's diagonal (none without one).
    pub(crate) fn prepare<H: LinearOperator + ?Sized>(
        &mut self,
        h: &H,
        n: usize,
        cfg: AmgConfig,
    ) -> Result<()> {
        self.active = false;
        let built = match h.assembled_pattern() {
            Some((indptr, indices)) => match (self.amg.as_mut(), cfg.reuse) {
                // Same pattern: new values written straight into the hierarchy.
                (Some(m), AmgReuse::Aggregation) if m.nnz() == indices.len() => {
                    m.refresh_in_place(|v| h.assembled_values(v)).is_ok()
                }
                _ => {
                    // Drop the old hierarchy before the new one is built.
                    self.amg = None;
                    let mut values = vec![0.0; indices.len()];
                    h.assembled_values(&mut values)
                        && match Amg::from_values(n, indptr, indices, values, cfg) {
                            Ok(m) => {
                                self.amg = Some(m);
                                true
                            }
                            Err(_) => false,
                        }
                }
            },
            None => false,
        };
        if built {
            self.active = true;
            return Ok(());
        }
        // A failed refresh leaves the hierarchy unusable: rebuild next time.
        self.amg = None;
        let d = self.diag.get_or_insert_with(|| Array1::zeros(n));
        if h.diagonal(d.view_mut()) {
            match self.fallback.as_mut() {
                Some(j) => j.update(d.view())?,
                None => self.fallback = Some(Jacobi::new(d.view())?),
            }
        } else {
            self.fallback = None;
        }
        Ok(())
    }
}

impl NewtonCgWork {
    pub fn new(n: usize, krylov: &KrylovConfig, preconditioning: Preconditioning) -> Self {
        Self {
            ws: KrylovWorkspace::new(n).with_par(krylov.par),
            p: Array1::zeros(n),
            x_trial: Array1::zeros(n),
            g_trial: Array1::zeros(n),
            diag: (preconditioning == Preconditioning::Jacobi).then(|| Array1::zeros(n)),
            jacobi: None,
            cap: krylov.cap(n),
            gltr: None,
            escape: None,
            escape_curvature: None,
            amg: matches!(preconditioning, Preconditioning::Amg(_)).then(AmgSlot::default),
        }
    }

    /// Allocates the escape direction of [`crate::SecondOrder::Escape`].
    pub fn with_escape(mut self) -> Self {
        self.escape = Some(Array1::zeros(self.p.len()));
        self
    }

    #[cfg_attr(not(feature = "argmin"), allow(dead_code))]
    pub fn dim(&self) -> usize {
        self.p.len()
    }
}

/// The Hessian (and the objective's preconditioner) at the current point,
/// kept while the point does not change (`reference/pitfalls.md` §6).
pub(crate) struct AtPoint<'o, H> {
    pub hessian: Option<H>,
    pub objective_precond: Option<Box<dyn Preconditioner + 'o>>,
}

impl<H> AtPoint<'_, H> {
    pub fn empty() -> Self {
        Self {
            hessian: None,
            objective_precond: None,
        }
    }

    /// Forgets the Hessian and preconditioner (after an accepted step).
    pub fn clear(&mut self) {
        self.hessian = None;
        self.objective_precond = None;
    }
}

/// Prepares the Hessian at `run.x` and the chosen preconditioner, unless
/// they are already prepared for this point; counts the preparation.
pub(crate) fn prepare<'o, O: Objective + ?Sized>(
    obj: &'o O,
    run: &mut Run<'_>,
    preconditioning: Preconditioning,
    work: &mut NewtonCgWork,
    at: &mut AtPoint<'o, O::Hessian<'o>>,
) -> Result<()> {
    if at.hessian.is_some() {
        return Ok(());
    }
    let n = run.n();
    // A new Hessian: GLTR's Krylov space belongs to the old one.
    if let Some(rec) = work.gltr.as_mut() {
        rec.invalidate();
    }
    let h = obj.hessian(run.x.view());
    check_square("Hessian operator", n, &h)?;
    run.counts.hessians += 1;
    match preconditioning {
        Preconditioning::None => {}
        Preconditioning::Jacobi => {
            let d = work.diag.as_mut().expect("allocated for Jacobi");
            if h.diagonal(d.view_mut()) {
                match work.jacobi.as_mut() {
                    Some(j) => j.update(d.view())?,
                    None => work.jacobi = Some(Jacobi::new(d.view())?),
                }
            } else {
                work.jacobi = None;
            }
        }
        Preconditioning::Objective => {
            at.objective_precond = obj.preconditioner(run.x.view(), &h);
            if let Some(m) = &at.objective_precond {
                check_dim("preconditioner", n, m.dim())?;
            }
        }
        Preconditioning::Amg(cfg) => {
            let slot = work.amg.as_mut().expect("allocated for AMG");
            slot.prepare(&h, n, cfg)?;
        }
        // MIC(0) is TRON's face factor; here it is IC(0) (its documented
        // meaning outside TRON).
        Preconditioning::Ic0 | Preconditioning::Mic0 { .. } => {
            at.objective_precond = operator_ic0(&h, n)
        }
    }
    at.hessian = Some(h);
    Ok(())
}

/// IC(0) of the operator's assembled matrix ([`Preconditioning::Ic0`]);
/// Jacobi where it has none or IC(0) fails.
fn operator_ic0<'a, H: LinearOperator + ?Sized>(
    h: &H,
    n: usize,
) -> Option<Box<dyn Preconditioner + 'a>> {
    if let Some((indptr, indices)) = h.assembled_pattern() {
        let mut values = vec![0.0; indices.len()];
        if h.assembled_values(&mut values) {
            if let Ok(m) = crate::linalg::sparse::Ic0::from_csr(
                n,
                indptr,
                indices,
                &values,
                crate::linalg::sparse::Ic0Config::default(),
            ) {
                return Some(Box::new(m));
            }
        }
    }
    crate::linalg::precond::jacobi_fallback(h, n)
}

/// The inner solve's parameters at the current point: the forcing term
/// η(‖g‖), the iteration cap cut to the remaining product budget, the
/// curvature threshold and the deadline.
pub(crate) fn inner_params(
    run: &Run<'_>,
    krylov: &KrylovConfig,
    cap: usize,
    truncation: Truncation,
) -> SteihaugParams {
    SteihaugParams {
        truncation,
        eta: forcing_eta(run, krylov),
        max_iter: cap.min(usize::try_from(run.hvps_left()).unwrap_or(usize::MAX)),
        curvature_eps: krylov.curvature_eps,
        deadline: run.deadline,
    }
}

/// The forcing term η_k at the current point: the rule of `krylov.forcing`
/// with the memory of the last accepted step, so that the retries of a
/// rejected step get the same η.
///
/// Once the gradient test holds, η is [`GAP_FORCING`]: the inner solves
/// from then on serve the gap test ([`gap_estimate`]), and stop at that
/// residual or, usually much earlier on ill-conditioned Hessians, at the
/// energy tolerance of [`gap_energy_tol`]. A looser rule
/// (Eisenstat-Walker's can reach 0.9) would end short solves before
/// either; a tighter one (`sqrt` gives √‖g‖, ~1e-4 there) made each
/// certifying solve 1.3–2.8× dearer on DIXMAANE–L at n = 1000.
pub(crate) fn forcing_eta(run: &Run<'_>, krylov: &KrylovConfig) -> f64 {
    if run.gradient_converged() && run.term.gap_tol > 0.0 {
        GAP_FORCING
    } else {
        krylov.forcing.eta(run.grad_norm, run.forcing.as_ref())
    }
}

/// The residual reduction ‖g + Hp‖ ≤ GAP_FORCING·‖g‖ that a short inner
/// solve (fewer than [`ENERGY_MIN_STEPS`](crate::krylov::energy::ENERGY_MIN_STEPS) CG steps) needs before its
/// prediction counts as a Newton-decrement estimate: the estimate falls
/// short of λ²/2 by ½‖r‖²_{H⁻¹}, which a solve stopped after one CG step with
/// a loose tolerance leaves large (on DIXMAANL with Eisenstat-Walker forcing
/// it stopped 5e-7 above f* without this). It is also the forcing of the
/// certifying solves ([`forcing_eta`]).
pub const GAP_FORCING: f64 = 0.01;

/// The share of the gap tolerance `gap_tol·max(1, |f|)` at which a
/// certifying solve stops on its energy-error estimate
/// ([`gap_energy_tol`]): the rest is left for the model error |pred − ared|
/// that [`gap_estimate`] adds.
pub const GAP_ENERGY_SHARE: f64 = 0.1;

/// The energy tolerance of the inner solve at the current point: once the
/// gradient test holds (and the gap test is on), the solve serves the gap
/// test and may stop as soon as its delayed estimate of the model gap
/// ([`crate::krylov::energy`]) is [`GAP_ENERGY_SHARE`]·gap_tol·max(1, |f|),
/// instead of reducing the residual to [`GAP_FORCING`]·‖g‖: on the
/// ill-conditioned DIXMAAN Hessians the model gap is far below the bound
/// thousands of CG steps before the residual is (`docs/radius-study.md`,
/// "Gap test cost, issue 12 item 4"). 0 (off) before that.
pub(crate) fn gap_energy_tol(run: &Run<'_>) -> f64 {
    if run.gradient_converged() && run.term.gap_tol > 0.0 {
        GAP_ENERGY_SHARE * run.term.gap_tol * run.f.abs().max(1.0)
    } else {
        0.0
    }
}

/// The estimate of f(x + αp) − f* after a step p from x that was accepted
/// with α = 1 (`pred` its predicted and `ared` its actual reduction), from
/// its inner solve: `None` when the solve gives none, else
///
/// ```text
/// τ + |pred − ared|,
/// ```
///
/// with τ = `info.energy_tail`, the Hestenes-Stiefel / Strakoš-Tichý
/// delayed estimate of the model gap ½‖s* − s_c‖²_H of an interior CG
/// iterate s_c (`crate::krylov::energy`). Near a minimizer f(x) − f* ≈
/// λ²/2 (Boyd & Vandenberghe §9.5), and λ²/2 − pred ≤ ½‖s* − s_K‖²_H ≤
/// ½‖s* − s_c‖²_H for the step (the last interior iterate s_K, or a point
/// beyond it on the path to the boundary, or GLTR's better point), so
/// f(x + p) − f* ≈ λ²/2 − ared ≤ τ + (pred − ared); |pred − ared| also
/// stands for the third-order terms the quadratic model leaves out.
///
/// The estimate is used when its window has levelled off
/// ([`window_settled`]: at least [`ENERGY_MIN_STEPS`](crate::krylov::energy::ENERGY_MIN_STEPS) interior steps, the
/// tail at most a tenth of pred_K), or, for a shorter solve, when the
/// solve converged inside the region with the residual reduced to
/// [`GAP_FORCING`]·‖g‖ (τ is then the whole pred, the earlier rule's
/// estimate of f(x) − f*). It is `None` after negative curvature (the
/// model has no minimizer to measure a gap from) or a non-finite or
/// indefinite-preconditioner exit.
pub(crate) fn gap_estimate(info: &KrylovInfo, grad_norm: f64, ared: f64) -> Option<f64> {
    let usable = !matches!(
        info.exit,
        KrylovExit::NegativeCurvature
            | KrylovExit::NonFinite
            | KrylovExit::IndefinitePreconditioner
    ) && info.energy_tail.is_finite()
        && info.energy_tail >= 0.0
        && ared.is_finite();
    let short_but_tight = info.exit == KrylovExit::Converged
        && !info.on_boundary
        && info.residual_norm <= GAP_FORCING * grad_norm;
    let settled = window_settled(info.energy_tail, info.energy_total, info.energy_steps);
    (usable && (settled || short_but_tight)).then(|| info.energy_tail + (info.pred - ared).abs())
}

/// What the Eisenstat-Walker forcing terms keep of a step about to be
/// accepted: η it was computed with, ‖g‖ where it was computed and its
/// linear residual. Call at the step's start point, and store it only when
/// the step is accepted (`reference/radius-and-forcing.md` §4). `None` for
/// the forcing terms that do not use it.
pub(crate) fn step_memory(
    run: &Run<'_>,
    krylov: &KrylovConfig,
    info: &KrylovInfo,
) -> Option<crate::solvers::forcing::ForcingMemory> {
    krylov
        .forcing
        .is_adaptive()
        .then(|| crate::solvers::forcing::ForcingMemory {
            eta: forcing_eta(run, krylov),
            grad_norm: run.grad_norm,
            residual_norm: info.residual_norm,
        })
}

/// Runs the inner solve on the prepared Hessian, writing the step into
/// `work.p` (and the trial point x + p into `work.x_trial` when `trial`),
/// and counts its products.
pub(crate) fn inner_solve<'o, H: LinearOperator>(
    run: &mut Run<'_>,
    preconditioning: Preconditioning,
    params: &SteihaugParams,
    use_precond: bool,
    work: &mut NewtonCgWork,
    at: &AtPoint<'o, H>,
    trial: bool,
) -> KrylovInfo {
    let h = at.hessian.as_ref().expect("prepared");
    let precond: Option<&dyn Preconditioner> = match (use_precond, preconditioning) {
        (false, _) | (_, Preconditioning::None) => None,
        (_, Preconditioning::Jacobi) => work.jacobi.as_ref().map(|j| j as &dyn Preconditioner),
        (_, Preconditioning::Objective | Preconditioning::Ic0 | Preconditioning::Mic0 { .. }) => {
            at.objective_precond.as_deref()
        }
        (_, Preconditioning::Amg(_)) => work.amg.as_ref().and_then(AmgSlot::current),
    };
    let x_trial = trial.then(|| (run.x.view(), work.x_trial.view_mut()));
    let info = steihaug_trial_energy(
        h,
        precond,
        run.g.view(),
        params,
        gap_energy_tol(run),
        &mut work.ws,
        work.p.view_mut(),
        x_trial,
    );
    run.counts.hvps += info.iterations as u64;
    run.counts.krylov_iterations += info.iterations as u64;
    info
}

/// GLTR on the prepared Hessian at `params.radius`, writing the step into
/// `work.p` and the trial point into `work.x_trial`: a re-solve of the kept
/// tridiagonal (0 pass-1 products) when the Hessian, g and M are those of
/// the last pass 1 (after a rejected step), else a fresh solve. Counts
/// every product (pass 1 and pass 2) in `run.counts.hvps`, pass 1 in
/// `krylov_iterations` and pass 2 in `pass2_hvps`. The product budget
/// covers both passes.
pub(crate) fn gltr_solve<'o, H: LinearOperator>(
    run: &mut Run<'_>,
    preconditioning: Preconditioning,
    params: &SteihaugParams,
    max_lanczos: usize,
    work: &mut NewtonCgWork,
    at: &AtPoint<'o, H>,
) -> GltrInfo {
    let h = at.hessian.as_ref().expect("prepared");
    let precond = chosen_precond(preconditioning, work.jacobi.as_ref(), work.amg.as_ref(), at);
    let radius = match params.truncation {
        Truncation::TrustRegion { radius } => radius,
        Truncation::LineSearch => f64::INFINITY,
    };
    let gp = GltrParams {
        radius,
        eta: params.eta,
        max_iter: params.max_iter,
        max_lanczos,
        max_products: usize::try_from(run.hvps_left()).unwrap_or(usize::MAX),
        curvature_eps: params.curvature_eps,
        deadline: params.deadline,
        energy_tol: gap_energy_tol(run),
    };
    let cap = work.cap;
    let rec = work
        .gltr
        .get_or_insert_with(|| GltrRecord::with_capacity(cap));
    let x_trial = Some((run.x.view(), work.x_trial.view_mut()));
    let resolved = if rec.valid() {
        resolve_trial(
            h,
            precond,
            run.g.view(),
            &gp,
            &mut work.ws,
            rec,
            work.p.view_mut(),
            x_trial,
        )
    } else {
        None
    };
    let info = match resolved {
        Some(info) => info,
        None => {
            let x_trial = Some((run.x.view(), work.x_trial.view_mut()));
            gltr_trial(
                h,
                precond,
                run.g.view(),
                &gp,
                &mut work.ws,
                rec,
                work.p.view_mut(),
                x_trial,
            )
        }
    };
    run.counts.hvps += (info.iterations + info.pass2_iterations) as u64;
    run.counts.krylov_iterations += info.iterations as u64;
    run.counts.pass2_hvps += info.pass2_iterations as u64;
    info
}

/// The preconditioner of the inner solve.
fn chosen_precond<'a, H>(
    preconditioning: Preconditioning,
    jacobi: Option<&'a Jacobi>,
    amg: Option<&'a AmgSlot>,
    at: &'a AtPoint<'_, H>,
) -> Option<&'a dyn Preconditioner> {
    match preconditioning {
        Preconditioning::None => None,
        Preconditioning::Jacobi => jacobi.map(|j| j as &dyn Preconditioner),
        Preconditioning::Objective | Preconditioning::Ic0 | Preconditioning::Mic0 { .. } => {
            at.objective_precond.as_deref()
        }
        Preconditioning::Amg(_) => amg.and_then(AmgSlot::current),
    }
}

/// A budget that an inner solve ran into: its deadline ([`Status::TimeLimit`])
/// or the last allowed product ([`Status::MaxHvps`]).
pub(crate) fn budget_status(exit: KrylovExit, run: &Run<'_>) -> Option<Status> {
    match exit {
        KrylovExit::TimeLimit => Some(Status::TimeLimit),
        KrylovExit::MaxIterations if run.hvps_left() == 0 => Some(Status::MaxHvps),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::krylov::energy::ENERGY_MIN_STEPS;
    use ndarray::{ArrayView1, ArrayViewMut1};

    /// A tridiagonal matrix tridiag(−1, d, −1) with an assembled pattern.
    struct Tri {
        indptr: Vec<usize>,
        indices: Vec<usize>,
        values: Vec<f64>,
        assembled: bool,
    }

    impl Tri {
        fn new(n: usize, d: f64, assembled: bool) -> Self {
            let (mut indptr, mut indices, mut values) = (vec![0], Vec::new(), Vec::new());
            for i in 0..n {
                for j in i.saturating_sub(1)..(i + 2).min(n) {
                    indices.push(j);
                    values.push(if i == j { d } else { -1.0 });
                }
                indptr.push(indices.len());
            }
            Self {
                indptr,
                indices,
                values,
                assembled,
            }
        }
    }

    impl LinearOperator for Tri {
        fn dim(&self) -> usize {
            self.indptr.len() - 1
        }
        fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
            for i in 0..self.dim() {
                out[i] = (self.indptr[i]..self.indptr[i + 1])
                    .map(|q| self.values[q] * v[self.indices[q]])
                    .sum();
            }
        }
        fn diagonal(&self, mut out: ArrayViewMut1<'_, f64>) -> bool {
            out.fill(self.values[0]);
            true
        }
        fn assembled_pattern(&self) -> Option<(&[usize], &[usize])> {
            self.assembled
                .then_some((&self.indptr[..], &self.indices[..]))
        }
        fn assembled_values(&self, values: &mut [f64]) -> bool {
            values.copy_from_slice(&self.values);
            self.assembled
        }
    }

    fn applied(slot: &AmgSlot, n: usize) -> Vec<f64> {
        let mut z = Array1::zeros(n);
        slot.current()
            .expect("a preconditioner")
            .apply(Array1::ones(n).view(), z.view_mut());
        z.to_vec()
    }

    #[test]
    fn amg_slot_builds_refreshes_and_falls_back_like_ic0() {
        let n = 50;
        let cfg = AmgConfig::default();
        let mut slot = AmgSlot::default();
        // SPD: the hierarchy is used (one directly factored level: exact).
        let spd = Tri::new(n, 2.5, true);
        slot.prepare(&spd, n, cfg).unwrap();
        assert!(slot.active && slot.amg.is_some());
        let z = applied(&slot, n);
        let mut az = Array1::zeros(n);
        spd.apply(ArrayView1::from(&z[..]), az.view_mut());
        assert!(az.iter().all(|v| (v - 1.0).abs() < 1e-12));
        // Indefinite (positive diagonal 1.5 < the largest off-diagonal sum 2):
        // the coarsest factorization fails; Jacobi 1/1.5 takes over.
        slot.prepare(&Tri::new(n, 1.5, true), n, cfg).unwrap();
        assert!(!slot.active && slot.amg.is_none());
        assert!(applied(&slot, n)
            .iter()
            .all(|v| (v - 1.0 / 1.5).abs() < 1e-15));
        // Negative diagonal: the same rule (Jacobi's safeguard takes |d|).
        slot.prepare(&Tri::new(n, -3.0, true), n, cfg).unwrap();
        assert!(!slot.active);
        // Back to SPD: rebuilt and used again.
        slot.prepare(&spd, n, cfg).unwrap();
        assert!(slot.active);
        assert_eq!(applied(&slot, n), z);
        // No assembled matrix: Jacobi.
        slot.prepare(&Tri::new(n, 2.5, false), n, cfg).unwrap();
        assert!(!slot.active);
        assert!(applied(&slot, n).iter().all(|v| (v - 0.4).abs() < 1e-15));
    }

    fn info(
        exit: KrylovExit,
        tail: f64,
        steps: usize,
        residual: f64,
        boundary: bool,
    ) -> KrylovInfo {
        KrylovInfo {
            exit,
            iterations: steps + 1,
            on_boundary: boundary,
            pred: 1e-6,
            step_norm_m: 1.0,
            step_norm: 1.0,
            grad_dot_step: -2e-6,
            leftmost: None,
            residual_norm: residual,
            curvature: f64::NAN,
            energy_tail: tail,
            energy_steps: steps,
            energy_total: 1e-6,
        }
    }

    /// The rule of [`gap_estimate`]: τ + |pred − ared| from a trusted
    /// window whatever the exit (boundary, cap), the earlier residual rule
    /// for short solves, nothing after negative curvature or breakdowns.
    #[test]
    #[allow(clippy::float_cmp)]
    fn gap_estimate_is_the_energy_tail_plus_the_model_error_when_it_means_something() {
        let g = 1.0;
        // A long solve stopped on the boundary with a loose residual: τ +
        // |pred − ared| (pred = 1e-6).
        let long = info(KrylovExit::Boundary, 3e-12, ENERGY_MIN_STEPS, 0.5, true);
        let got = gap_estimate(&long, g, 1e-6 - 2e-12).unwrap();
        assert!((got - 5e-12).abs() <= 1e-20, "{got:e}");
        // Model error of either sign counts.
        let got = gap_estimate(&long, g, 1e-6 + 2e-12).unwrap();
        assert!((got - 5e-12).abs() <= 1e-20, "{got:e}");
        let capped = info(KrylovExit::MaxIterations, 3e-12, 100, 0.5, false);
        assert!(gap_estimate(&capped, g, 1e-6).is_some());
        // A window that has not levelled off (tail > pred/10): CG still
        // creeping, the tail says nothing.
        let creeping = info(KrylovExit::MaxIterations, 2e-7, 100, 0.5, false);
        assert_eq!(gap_estimate(&creeping, g, 1e-6), None);
        // A short solve: only when it converged inside to GAP_FORCING·‖g‖,
        // and then τ is the whole pred.
        let steps = ENERGY_MIN_STEPS - 1;
        let short = info(KrylovExit::Converged, 1e-6, steps, GAP_FORCING * g, false);
        assert_eq!(gap_estimate(&short, g, 1e-6), Some(1e-6));
        let loose = info(
            KrylovExit::Converged,
            1e-6,
            steps,
            2.0 * GAP_FORCING * g,
            false,
        );
        assert_eq!(gap_estimate(&loose, g, 1e-6), None);
        let short_boundary = info(KrylovExit::Boundary, 1e-6, steps, 1e-9, true);
        assert_eq!(gap_estimate(&short_boundary, g, 1e-6), None);
        // No estimate after negative curvature, a breakdown, or without a
        // finite tail or reduction.
        for exit in [
            KrylovExit::NegativeCurvature,
            KrylovExit::NonFinite,
            KrylovExit::IndefinitePreconditioner,
        ] {
            assert_eq!(
                gap_estimate(&info(exit, 3e-12, 100, 1e-9, false), g, 1e-6),
                None
            );
        }
        let nan = info(KrylovExit::Converged, f64::NAN, 100, 1e-9, false);
        assert_eq!(gap_estimate(&nan, g, 1e-6), None);
        assert_eq!(gap_estimate(&long, g, f64::NAN), None);
    }
}
