//! Shared pieces of the unit tests.

use proptest::test_runner::{Config, RngAlgorithm, RngSeed};

/// The seed of every property test (as in `tests/common/proptest_config.rs`).
pub(crate) const SEED: u64 = 0x005e_ed0f_57e1_4a06;

/// `cases` cases drawn by ChaCha from [`SEED`], and no failure-persistence
/// files: every run draws the same cases, whatever the environment says.
pub(crate) fn fixed_config(cases: u32) -> Config {
    Config {
        cases,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(SEED),
        failure_persistence: None,
        ..Config::default()
    }
}
