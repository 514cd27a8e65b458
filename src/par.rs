//! Parallelism as a value, and deterministic parallel reductions.
//!
//! Sums are taken over fixed-size chunks in parallel and the chunk sums are
//! added in chunk order, so a result is bit-for-bit the same for any number
//! of threads (the chunking depends only on the length).

use rayon::prelude::*;

/// How a kernel may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Par {
    /// On the calling thread.
    Seq,
    /// On rayon's current pool (the default). The result does not depend on
    /// the number of threads.
    #[default]
    Rayon,
}

/// Chunk length (elements) of the deterministic reductions: large enough to
/// amortize scheduling, small enough to balance two to dozens of threads.
pub const CHUNK: usize = 1 << 14;

/// `Σ_c f(c)` over index ranges `c` of length [`CHUNK`] covering `0..len`,
/// with the partial sums added in order.
pub fn chunked_sum<F>(par: Par, len: usize, f: F) -> f64
where
    F: Fn(std::ops::Range<usize>) -> f64 + Sync,
{
    let nchunks = len.div_ceil(CHUNK);
    let range = |c: usize| c * CHUNK..((c + 1) * CHUNK).min(len);
    match par {
        Par::Seq => (0..nchunks).map(|c| f(range(c))).sum(),
        Par::Rayon if nchunks <= 1 => (0..nchunks).map(|c| f(range(c))).sum(),
        Par::Rayon => {
            let parts: Vec<f64> = (0..nchunks).into_par_iter().map(|c| f(range(c))).collect();
            parts.iter().sum()
        }
    }
}
