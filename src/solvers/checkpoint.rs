//! Checkpoints of a trust-region solve: save the state every K iterations,
//! resume from it later, and end where the uninterrupted solve would have.
//!
//! A [`Checkpoint`] holds the [`State`] the trust-region loop carries from
//! one iteration to the next — the point x, f(x), ∇f(x), ‖∇f(x)‖, ‖∇f(x0)‖
//! (the base of the relative gradient test), the iteration and accepted-step
//! numbers, the radius Δ, the consecutive-failure counters, the evaluation
//! counts and the history so far — plus the elapsed time, the [`Method`]
//! and the options it was written with. The
//! Hessian is not saved: it is prepared again at x on resume, which gives the
//! same operator for a deterministic objective, so the resumed solve takes
//! the same steps (only `counts.hessians` may be one higher).
//!
//! ```
//! use steihaug::solvers::checkpoint::{Checkpoint, Checkpointing};
//! use steihaug::{report::observe::no_callback, problems::ExtendedRosenbrock, TrustRegion};
//!
//! let problem = ExtendedRosenbrock::new(100)?;
//! let solver = TrustRegion::default();
//! let mut saved: Vec<Checkpoint> = Vec::new();
//! let mut sink = |c: &Checkpoint| {
//!     saved.push(c.clone());
//!     Ok(())
//! };
//! let full = solver.solve_with_checkpoints(
//!     &problem,
//!     problem.start().view(),
//!     Checkpointing { every: 5, sink: &mut sink },
//!     &mut no_callback,
//! )?;
//! // Resume from the first checkpoint (after iteration 5).
//! let resumed = solver.resume(&problem, &saved[0])?;
//! assert_eq!(resumed.x, full.x);
//! assert_eq!(resumed.iterations, full.iterations);
//! # Ok::<(), steihaug::Error>(())
//! ```
//!
//! With the `serde` feature a checkpoint is a JSON document
//! (`Checkpoint::to_json`, `Checkpoint::from_json`, `JsonFile` as a
//! sink). Floats are written in their shortest round-trip form and read back
//! exactly (serde_json's `float_roundtrip`), so x and g survive bit for bit;
//! non-finite values in the history (a ratio of −∞ for a rejected
//! non-finite trial, NaN for fields a solver does not use) are written as
//! the strings `"NaN"`, `"inf"`, `"-inf"`.

use std::time::Duration;

use ndarray::Array1;

use crate::error::{Error, Result};
use crate::report::method::Method;
use crate::solvers::config::{Termination, TrustRegionConfig};
use crate::solvers::state::{Run, State};

/// The value of [`Checkpoint::format`].
pub const CHECKPOINT_FORMAT: &str = "steihaug-checkpoint";
/// The current [`Checkpoint::version`]; a checkpoint of another version is
/// refused with an error that names both versions. Version 1 (steihaug
/// 0.1) kept the state's fields at the top level and had no accepted-step
/// count; version 2 nests them in `state`.
pub const CHECKPOINT_VERSION: u32 = 2;

/// The saved state of a trust-region solve after an iteration.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Checkpoint {
    /// Always [`CHECKPOINT_FORMAT`].
    pub format: String,
    /// [`CHECKPOINT_VERSION`] when written.
    pub version: u32,
    /// The solver that wrote it ([`Method::TrustRegion`]).
    pub solver: Method,
    /// The options of the solve that wrote it.
    pub config: TrustRegionConfig,
    /// The state of the solve.
    pub state: State,
    /// Seconds spent so far (a resumed solve's clock and `max_time` continue
    /// from here).
    pub elapsed_s: f64,
}

impl Checkpoint {
    pub(crate) fn capture(cfg: &TrustRegionConfig, run: &Run<'_>) -> Self {
        Self {
            format: CHECKPOINT_FORMAT.into(),
            version: CHECKPOINT_VERSION,
            solver: Method::TrustRegion,
            config: *cfg,
            state: run.state.clone(),
            elapsed_s: run.elapsed_s(),
        }
    }

    /// The dimension n.
    pub fn n(&self) -> usize {
        self.state.x.len()
    }

    /// Checks that the checkpoint is complete and fits a problem of
    /// dimension `n`; every failure is an [`Error::Checkpoint`].
    pub fn validate(&self, n: usize) -> Result<()> {
        let bad = |reason: String| Err(Error::Checkpoint(reason));
        if self.format != CHECKPOINT_FORMAT {
            return bad(format!(
                "format is `{}`, expected `{CHECKPOINT_FORMAT}`",
                self.format
            ));
        }
        if self.version != CHECKPOINT_VERSION {
            return bad(format!(
                "version {} is not supported (expected {CHECKPOINT_VERSION})",
                self.version
            ));
        }
        if !self.solver.has_checkpoints() {
            return bad(format!(
                "written by solver `{}`, only `trust_region` can resume",
                self.solver
            ));
        }
        let st = &self.state;
        if st.x.len() != n {
            return bad(format!(
                "x has dimension {}, the problem has {n}",
                st.x.len()
            ));
        }
        if st.g.len() != n {
            return bad(format!(
                "g has dimension {}, the problem has {n}",
                st.g.len()
            ));
        }
        if !st.x.iter().chain(&st.g).all(|v| v.is_finite()) {
            return bad("x or g has a non-finite entry".into());
        }
        if !st.f.is_finite() {
            return bad(format!("f = {} is not finite", st.f));
        }
        for (name, v) in [
            ("grad_norm", st.grad_norm),
            ("grad_norm0", st.grad_norm0),
            ("elapsed_s", self.elapsed_s),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return bad(format!("{name} = {v} must be finite and non-negative"));
            }
        }
        if Duration::try_from_secs_f64(self.elapsed_s).is_err() {
            return bad(format!("elapsed_s = {} is too large", self.elapsed_s));
        }
        // Counters far beyond any real solve would overflow when the resumed
        // run adds to them.
        const COUNT_MAX: u64 = 1 << 53;
        for (name, v) in [
            ("counts.evals", st.counts.evals),
            ("counts.hvps", st.counts.hvps),
            ("counts.cg_iterations", st.counts.krylov_iterations),
            ("counts.hessians", st.counts.hessians),
            ("iter", st.iter as u64),
        ] {
            if v > COUNT_MAX {
                return bad(format!("{name} = {v} exceeds 2^53"));
            }
        }
        // A checkpoint is written only after an iteration that did not end
        // the solve, so its own point never passes the convergence test
        // (gradient and gap tests) of the options it was written with (no
        // checkpoint is written while a saddle escape is pending). A `grad_norm0` that makes it pass
        // (a forged or corrupted one, say 1e300, which would turn any point
        // into `Converged`) is refused. A smaller forgery cannot be told
        // from the checkpoint alone: [`Checkpoint::verify_start`] checks
        // `grad_norm0` against ∇f(x0) where x0 is known (the command line's
        // `--resume` calls it).
        let t = &self.config.termination;
        let gradient_test = st.grad_norm <= t.gtol_abs.max(t.gtol_rel * st.grad_norm0);
        let gap_test = st.accepted_steps == 0
            || st.grad_norm <= t.gtol_abs
            || crate::solvers::state::gap_converged(st.gap_estimate, st.f, t.gap_tol);
        if gradient_test && gap_test {
            return bad(format!(
                "grad_norm0 = {:e} makes the stored point (|g| = {:e}) pass the convergence \
                 test it was written with; checkpoints are written only by solves that \
                 have not ended, so grad_norm0 is corrupt",
                st.grad_norm0, st.grad_norm
            ));
        }
        if !(st.radius.is_finite() && st.radius > 0.0) {
            return bad(format!(
                "radius = {} must be finite and positive",
                st.radius
            ));
        }
        if st.history.len() > st.iter {
            return bad(format!(
                "{} history records for {} iterations",
                st.history.len(),
                st.iter
            ));
        }
        self.config
            .validate()
            .map_err(|e| Error::Checkpoint(format!("invalid options: {e}")))
    }

    /// Evaluates `obj` once at the checkpoint's x and compares with the
    /// stored f and gradient, so that a checkpoint resumed with another
    /// objective (or another size of the same one) is an error instead of
    /// a report that mixes the two. The comparison allows for objectives
    /// that are not bit-for-bit reproducible: |Δf| ≤ 1e-10·max(1, |f|) and
    /// ‖Δg‖ ≤ 1e-8·max(1, ‖g‖) (norms rescaled when the sum of squares
    /// would overflow). This evaluation is not added to the
    /// counts (the resumed run then counts exactly as an uninterrupted
    /// one); the stored f and g are the ones the run continues from.
    /// [`crate::TrustRegion::resume`] calls it; call it yourself to check
    /// a checkpoint before starting anything else. Call
    /// [`Checkpoint::validate`] first (it checks the dimension).
    pub fn verify<O: crate::Objective + ?Sized>(&self, obj: &O) -> Result<()> {
        let x = self.state.x.clone();
        let mut g = Array1::zeros(x.len());
        let f = obj.value_grad(x.view(), g.view_mut());
        let df = (f - self.state.f).abs();
        let diff: Array1<f64> = g.iter().zip(&self.state.g).map(|(a, b)| a - b).collect();
        let dg = crate::linalg::vecops::norm(diff.view());
        let gn = crate::linalg::vecops::norm(self.state.g.view());
        let f_ok = df <= 1e-10 * self.state.f.abs().max(1.0);
        let g_ok = dg <= 1e-8 * gn.max(1.0);
        // The stored ‖g‖ is the one the gradient test uses: it must be the
        // norm of the stored g (summation order aside).
        let stored = self.state.grad_norm;
        if (stored - gn).abs() > 1e-10 * gn.max(f64::MIN_POSITIVE) {
            return Err(Error::Checkpoint(format!(
                "grad_norm = {stored:e} is not the norm of the stored gradient ({gn:e})"
            )));
        }
        if f_ok && g_ok {
            Ok(())
        } else {
            Err(Error::Checkpoint(format!(
                "the objective does not match the checkpoint at its x \
                 (f = {f:e} there, {:e} stored; gradient difference {:.3e}): \
                 it was written for another problem or size",
                self.state.f, dg
            )))
        }
    }

    /// Recomputes ‖∇f(x0)‖ at the start point `x0` of the solve that wrote
    /// the checkpoint and refuses the checkpoint when its `grad_norm0` (the
    /// base of the relative gradient test) differs by more than
    /// 1e-8·max(1, ‖∇f(x0)‖): a stored `grad_norm0` is not trusted where x0
    /// is known. One uncounted evaluation. The command line's `--resume`
    /// calls it with the problem's start point.
    pub fn verify_start<O: crate::Objective + ?Sized>(
        &self,
        obj: &O,
        x0: ndarray::ArrayView1<'_, f64>,
    ) -> Result<()> {
        crate::error::check_dim("x0", obj.dim(), x0.len())?;
        let mut g = Array1::zeros(x0.len());
        obj.value_grad(x0, g.view_mut());
        let g0 = crate::linalg::vecops::norm(g.view());
        let stored = self.state.grad_norm0;
        if !g0.is_finite() || (stored - g0).abs() > 1e-8 * g0.max(1.0) {
            return Err(Error::Checkpoint(format!(
                "grad_norm0 = {stored:e} is not the gradient norm at the start point \
                 ({g0:e}): the checkpoint was written from another start or is corrupt"
            )));
        }
        Ok(())
    }

    /// The solve state (call [`Checkpoint::validate`] first).
    pub(crate) fn restore<'t>(&self, term: &'t Termination) -> Run<'t> {
        let elapsed = Duration::try_from_secs_f64(self.elapsed_s).unwrap_or(Duration::ZERO);
        Run::restore(self.state.clone(), term, elapsed)
    }
}

#[cfg(feature = "serde")]
use serde::Deserialize as _;

#[cfg(feature = "serde")]
impl Checkpoint {
    /// The checkpoint as a JSON document.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Checkpoint(e.to_string()))
    }

    /// Parses a JSON checkpoint; a malformed document is an
    /// [`Error::Checkpoint`]. Call [`Checkpoint::validate`] (or resume, which
    /// does) to check that it fits a problem.
    pub fn from_json(s: &str) -> Result<Self> {
        // The format and version first, so that a checkpoint of another
        // version is refused as such and not misread or reported as a
        // missing field.
        let value: serde_json::Value = serde_json::from_str(s)
            .map_err(|e| Error::Checkpoint(format!("not a checkpoint: {e}")))?;
        Self::from_value(value)
    }

    /// Reads a JSON checkpoint file of at most [`CHECKPOINT_MAX_BYTES`]
    /// bytes. The document is parsed as it streams in, so a file that is
    /// not JSON (`/dev/zero`) fails at its first byte; a longer one is an
    /// [`Error::Checkpoint`].
    pub fn read(path: impl AsRef<std::path::Path>) -> Result<Self> {
        use std::io::Read;
        let path = path.as_ref();
        let cannot = |e: &dyn std::fmt::Display| {
            Error::Checkpoint(format!("cannot read {}: {e}", path.display()))
        };
        let f = std::fs::File::open(path).map_err(|e| cannot(&e))?;
        let mut limited = std::io::BufReader::new(f).take(CHECKPOINT_MAX_BYTES + 1);
        let value: serde_json::Value = serde_json::from_reader(&mut limited).map_err(|e| {
            if e.is_io() {
                cannot(&e)
            } else {
                Error::Checkpoint(format!("{}: not a checkpoint: {e}", path.display()))
            }
        })?;
        if limited.limit() == 0 {
            return Err(Error::Checkpoint(format!(
                "{}: longer than {CHECKPOINT_MAX_BYTES} bytes",
                path.display()
            )));
        }
        Self::from_value(value)
            .map_err(|e| Error::Checkpoint(format!("{}: {}", path.display(), strip(&e))))
    }

    /// Parses a checkpoint from a JSON value (the format and version
    /// first, as [`Checkpoint::from_json`]).
    fn from_value(value: serde_json::Value) -> Result<Self> {
        #[derive(serde::Deserialize)]
        struct Header {
            format: Option<String>,
            version: Option<u32>,
        }
        let not = |e: serde_json::Error| Error::Checkpoint(format!("not a checkpoint: {e}"));
        let header = Header::deserialize(&value).map_err(not)?;
        check_header(header.format.as_deref(), header.version)?;
        serde_json::from_value(value).map_err(not)
    }

    /// Writes the checkpoint as JSON to `path`, atomically
    /// ([`crate::io::atomic`]): a temporary file next to it (a fresh name,
    /// never an existing `FILE.tmp`), fsync, rename; a failed write leaves
    /// the previous checkpoint intact and no temporary file behind.
    pub fn write(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        let path = path.as_ref();
        let json = self.to_json()?;
        crate::io::atomic::write_bytes(path, json.as_bytes())
            .map_err(|e| Error::Checkpoint(strip(&e)))
    }
}

/// The message of an error without the prefix of its kind.
#[cfg(feature = "serde")]
fn strip(e: &Error) -> String {
    match e {
        Error::Checkpoint(m) | Error::Io(m) => m.clone(),
        other => other.to_string(),
    }
}

/// Refuses a document of another format or version.
#[cfg(feature = "serde")]
fn check_header(format: Option<&str>, version: Option<u32>) -> Result<()> {
    if format != Some(CHECKPOINT_FORMAT) {
        return Err(Error::Checkpoint(format!(
            "not a checkpoint: format is {format:?}, expected `{CHECKPOINT_FORMAT}`"
        )));
    }
    match version {
        Some(CHECKPOINT_VERSION) => Ok(()),
        Some(v) => Err(Error::Checkpoint(format!(
            "checkpoint version {v} is not supported: this build reads version \
             {CHECKPOINT_VERSION} (version 1 was written by steihaug 0.1; \
             restart the solve from its x to continue)"
        ))),
        None => Err(Error::Checkpoint("not a checkpoint: no version".into())),
    }
}

/// The largest checkpoint file [`Checkpoint::read`] accepts: 16 GiB.
pub const CHECKPOINT_MAX_BYTES: u64 = 16 << 30;

/// Where checkpoints go. Implemented by closures
/// `FnMut(&Checkpoint) -> Result<()>` and by `JsonFile` (feature `serde`); an error from
/// `save` ends the solve with that error.
pub trait CheckpointSink {
    /// Stores one checkpoint.
    fn save(&mut self, checkpoint: &Checkpoint) -> Result<()>;
}

impl<F: FnMut(&Checkpoint) -> Result<()>> CheckpointSink for F {
    fn save(&mut self, checkpoint: &Checkpoint) -> Result<()> {
        self(checkpoint)
    }
}

/// A sink that (over)writes one JSON file with the latest checkpoint.
#[cfg(feature = "serde")]
#[derive(Debug, Clone)]
pub struct JsonFile {
    /// The file.
    pub path: std::path::PathBuf,
}

#[cfg(feature = "serde")]
impl JsonFile {
    /// A sink writing to `path`.
    pub fn new(path: impl Into<std::path::PathBuf>) -> Self {
        Self { path: path.into() }
    }
}

#[cfg(feature = "serde")]
impl CheckpointSink for JsonFile {
    fn save(&mut self, checkpoint: &Checkpoint) -> Result<()> {
        checkpoint.write(&self.path)
    }
}

/// How often, and where, a solve saves checkpoints.
pub struct Checkpointing<'a> {
    /// Save after every `every`-th iteration (0: never).
    pub every: usize,
    /// Where to save.
    pub sink: &'a mut dyn CheckpointSink,
}

impl Checkpoint {
    /// The options for resuming: the ones the checkpoint was written with
    /// (tolerances, radius rule, CG and preconditioner settings, so the
    /// resumed solve takes the same steps), with the budgets of `budgets`
    /// (`max_iter`, `max_hvps`, `max_evals`, `max_time`), which count from
    /// the start of the original solve. `target_f` is a goal, not a budget:
    /// it stays as written. The command line's `--resume` runs with these.
    ///
    /// ```
    /// use steihaug::solvers::checkpoint::{Checkpoint, Checkpointing};
    /// use steihaug::report::observe::no_callback;
    /// use steihaug::{problems::ExtendedRosenbrock, Termination, TrustRegion, TrustRegionConfig};
    ///
    /// let problem = ExtendedRosenbrock::new(100)?;
    /// let mut last = None;
    /// let mut sink = |c: &Checkpoint| { last = Some(c.clone()); Ok(()) };
    /// TrustRegion::new(TrustRegionConfig::default().max_iter(6)).solve_with_checkpoints(
    ///     &problem, problem.start().view(), Checkpointing { every: 5, sink: &mut sink }, &mut no_callback)?;
    /// let checkpoint = last.unwrap();
    /// // Resume with a larger iteration budget.
    /// let config = checkpoint.resume_config(&Termination { max_iter: 100, ..Termination::default() });
    /// let report = TrustRegion::new(config).resume(&problem, &checkpoint)?;
    /// assert!(report.status.is_converged());
    /// # Ok::<(), steihaug::Error>(())
    /// ```
    pub fn resume_config(&self, budgets: &Termination) -> TrustRegionConfig {
        TrustRegionConfig {
            termination: Termination {
                max_iter: budgets.max_iter,
                max_hvps: budgets.max_hvps,
                max_evals: budgets.max_evals,
                max_time: budgets.max_time,
                ..self.config.termination
            },
            ..self.config
        }
    }
}

#[cfg(test)]
mod resume_config_tests {
    use super::*;
    use crate::problems::ExtendedRosenbrock;
    use crate::report::observe::no_callback;
    use crate::solvers::radius::{InitialRadius, RadiusRule};
    use crate::solvers::trust_region::TrustRegion;

    #[test]
    fn keeps_the_written_options_and_takes_the_new_budgets() {
        let written = TrustRegionConfig {
            termination: Termination {
                gtol_rel: 1e-5,
                gtol_abs: 1e-9,
                ftol: 1e-14,
                max_iter: 3,
                max_hvps: Some(10_000),
                target_f: Some(-1.0),
                ..Termination::default()
            },
            radius_rule: RadiusRule::Tron,
            initial_radius: InitialRadius::GradientNorm(1.0),
            eta_accept: 1e-3,
            ..TrustRegionConfig::default()
        };
        let problem = ExtendedRosenbrock::new(10).unwrap();
        let mut saved = Vec::new();
        let mut sink = |c: &Checkpoint| {
            saved.push(c.clone());
            Ok(())
        };
        TrustRegion::new(written)
            .solve_with_checkpoints(
                &problem,
                problem.start().view(),
                Checkpointing {
                    every: 1,
                    sink: &mut sink,
                },
                &mut no_callback,
            )
            .unwrap();
        let checkpoint = &saved[0];
        assert_eq!(checkpoint.config, written);

        let budgets = Termination {
            // Not budgets: these stay as written.
            gtol_rel: 0.5,
            gtol_abs: 0.5,
            ftol: 0.5,
            xtol: 0.5,
            target_f: None,
            // Budgets: these are taken.
            max_iter: 70,
            max_hvps: None,
            max_evals: Some(40),
            max_time: Some(Duration::from_secs(9)),
            ..Termination::default()
        };
        let merged = checkpoint.resume_config(&budgets);
        let expected = TrustRegionConfig {
            termination: Termination {
                max_iter: 70,
                max_hvps: None,
                max_evals: Some(40),
                max_time: Some(Duration::from_secs(9)),
                ..written.termination
            },
            ..written
        };
        assert_eq!(merged, expected);
    }
}
