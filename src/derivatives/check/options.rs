//! The options of the derivative checker: how many directions and
//! components, the seed, and the two tolerances that turn a relative error
//! into a [`Verdict`].

use crate::error::{Error, Result};

use super::Verdict;

/// Default number of random directions.
pub const DEFAULT_DIRECTIONS: usize = 6;
/// Default largest n at which every gradient component is checked one by
/// one (a single wrong component is then always found).
pub const DEFAULT_MAX_COMPONENTS: usize = 1000;
/// Default number of components sampled when n is larger.
pub const DEFAULT_SAMPLE_COMPONENTS: usize = 100;
/// Default largest relative error of a correct derivative.
pub const DEFAULT_PASS_TOL: f64 = 1e-6;
/// Default relative error above which a derivative is wrong.
pub const DEFAULT_FAIL_TOL: f64 = 1e-3;

/// Options of [`check_derivatives`](super::check_derivatives).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CheckOptions {
    /// Random unit directions for the directional gradient test, the
    /// product test and the symmetry test (default [`DEFAULT_DIRECTIONS`];
    /// at least 2 for the symmetry test).
    pub directions: usize,
    /// Gradient components are checked one by one, all of them, when n is
    /// at most this (default [`DEFAULT_MAX_COMPONENTS`]). Each costs six
    /// evaluations.
    pub max_components: usize,
    /// Above `max_components`, a seeded sample of this many components
    /// (default [`DEFAULT_SAMPLE_COMPONENTS`]). A single wrong component is
    /// then found by the sample with probability `sample/n` only; the
    /// direction test sees every component, but diluted by about `1/√n`.
    pub sample_components: usize,
    /// Seed of the directions and the component sample.
    pub seed: u64,
    /// Largest relative error of a correct derivative (default
    /// [`DEFAULT_PASS_TOL`]).
    pub pass_tol: f64,
    /// Relative error above which a derivative is wrong (default
    /// [`DEFAULT_FAIL_TOL`]).
    pub fail_tol: f64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            directions: DEFAULT_DIRECTIONS,
            max_components: DEFAULT_MAX_COMPONENTS,
            sample_components: DEFAULT_SAMPLE_COMPONENTS,
            seed: 0x5EED_CAFE,
            pass_tol: DEFAULT_PASS_TOL,
            fail_tol: DEFAULT_FAIL_TOL,
        }
    }
}

impl CheckOptions {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        crate::solvers::config::positive("check.pass_tol", self.pass_tol)?;
        crate::solvers::config::positive("check.fail_tol", self.fail_tol)?;
        if self.fail_tol < self.pass_tol {
            return Err(Error::InvalidOption {
                name: "check.fail_tol",
                reason: "must be at least pass_tol".into(),
            });
        }
        if self.directions == 0 {
            return Err(Error::InvalidOption {
                name: "check.directions",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }

    pub(super) fn verdict(&self, rel: f64) -> Verdict {
        if rel <= self.pass_tol {
            Verdict::Correct
        } else if rel <= self.fail_tol {
            Verdict::Suspect
        } else {
            // Also NaN (a non-finite derivative).
            Verdict::Wrong
        }
    }
}
