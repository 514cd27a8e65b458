//! Errors: misuse of the API and problems that make a solve impossible.
//!
//! # Error policy
//! * Programmer errors that the type system cannot catch (a vector of the
//!   wrong length, an invalid option) are reported as [`enum@Error`], never as a
//!   panic inside the library.
//! * Numerical trouble *during* a solve (a non-finite trial value, a model that
//!   fails to predict decrease, a collapsed radius) is **not** an error: the
//!   solve ends with a [`crate::Status`] in its [`crate::Report`], and the report
//!   keeps the best point found so far.
//! * A start point where the objective or its gradient is not finite is an
//!   error, because no iteration can begin there.

use thiserror::Error;

/// Everything that can make a call into `steihaug` fail before or instead of a
/// solve.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// A vector or operator does not have the dimension the problem declares.
    #[error("dimension mismatch for {what}: expected {expected}, found {found}")]
    DimensionMismatch {
        /// Which argument had the wrong size.
        what: &'static str,
        /// The size the problem declares.
        expected: usize,
        /// The size that was passed.
        found: usize,
    },
    /// The problem has no unknowns.
    #[error("the problem has dimension 0")]
    EmptyProblem,
    /// An option is outside its valid range.
    #[error("invalid option `{name}`: {reason}")]
    InvalidOption {
        /// The option's field name.
        name: &'static str,
        /// Why the value is invalid.
        reason: String,
    },
    /// f(x0) or the gradient at x0 is NaN or infinite (or x0 itself is).
    #[error("non-finite start: {what} is not finite at x0")]
    NonFiniteStart {
        /// `"x0"`, `"f(x0)"` or `"gradient at x0"`.
        what: &'static str,
    },
    /// A dense factorization could not be completed.
    #[error("dense factorization failed: {0}")]
    Factorization(String),
    /// Invalid input data (a file, a matrix) handed to the library.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A checkpoint could not be read or written, is malformed, or does not
    /// fit the problem (see [`crate::solvers::checkpoint`]).
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    /// A sharded sum was given a shard with no data items.
    #[error("shard {shard} is empty")]
    EmptyShard {
        /// Index of the shard.
        shard: usize,
    },
    /// A shard's dimension differs from the others'.
    #[error("shard {shard} has dimension {found}, expected {expected}")]
    ShardDimension {
        /// Index of the shard.
        shard: usize,
        /// The dimension of shard 0 (or the declared one).
        expected: usize,
        /// The shard's dimension.
        found: usize,
    },
    /// A malformed line in a text data file (LIBSVM format, model file).
    #[error("line {line}: {reason}")]
    Parse {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("I/O error: {0}")]
    Io(String),
    /// An allocation the estimate of [`crate::memory`] refuses before it is
    /// tried: `bytes` (saturated at `u128::MAX` when the product overflows)
    /// exceed the `limit` ([`crate::memory::limit`]).
    #[error("not enough memory for {what}: needs {} ({bytes} bytes), limit {}", crate::memory::human(*bytes), crate::memory::human(u128::from(*limit)))]
    OutOfMemory {
        /// What would be allocated.
        what: String,
        /// The estimate, in bytes.
        bytes: u128,
        /// The limit, in bytes.
        limit: u64,
    },
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}

/// Shorthand for `Result<T, steihaug::Error>`.
pub type Result<T> = std::result::Result<T, Error>;

pub(crate) fn check_dim(what: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(Error::DimensionMismatch {
            what,
            expected,
            found,
        })
    }
}
