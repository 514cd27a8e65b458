//! One proptest configuration for every property test, so that a rerun
//! draws the same cases whatever the environment says.

use proptest::test_runner::{Config, RngAlgorithm, RngSeed};

/// The seed of every property test (it was the seed of the first ones).
pub const SEED: u64 = 0x005e_ed0f_57e1_4a06;

/// `cases` cases drawn by ChaCha from [`SEED`], and no failure-persistence
/// files (a stored regression would add cases). Everything that decides
/// which cases run is set here, so `PROPTEST_CASES`, `PROPTEST_RNG_SEED`,
/// `PROPTEST_RNG_ALGORITHM` and `PROPTEST_MAX_DEFAULT_SIZE_RANGE` change
/// nothing.
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
