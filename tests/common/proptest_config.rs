//! Property tests that draw the same cases on every run, whatever the
//! environment says.
//!
//! The `proptest!` macro lets `PROPTEST_CASES`, `PROPTEST_RNG_SEED` and the
//! other `PROPTEST_*` variables override its configuration, so the property
//! tests call [`check_cases`] instead: a `TestRunner` made from
//! [`proptest_config`] reads no environment variable for the fields that
//! decide which cases run.

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestCaseResult, TestRunner};

/// The seed of every property test (it was the seed of the first ones).
pub const SEED: u64 = 0x005e_ed0f_57e1_4a06;

/// `cases` cases drawn by ChaCha from [`SEED`], and no failure-persistence
/// files (a stored regression would add cases).
pub fn proptest_config(cases: u32) -> Config {
    Config {
        cases,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(SEED),
        failure_persistence: None,
        max_default_size_range: 100,
        ..Config::default()
    }
}

/// Runs `test` on `cases` values of `strategy` drawn from [`SEED`]; on a
/// failure, panics with the shrunk failing input.
pub fn check_cases<S: Strategy>(
    cases: u32,
    strategy: &S,
    test: impl Fn(S::Value) -> TestCaseResult,
) {
    let mut runner = TestRunner::new(proptest_config(cases));
    if let Err(e) = runner.run(strategy, test) {
        panic!("{e}");
    }
}
