//! Parallelism as a value, and deterministic parallel reductions.
//!
//! Sums are taken over fixed-size chunks in parallel and the chunk sums are
//! added in chunk order, so a result is bit-for-bit the same for any number
//! of threads (the chunking depends only on the length).
//!
//! Two granularities:
//! * [`chunked_sum`] and the problems' kernels use chunks of [`CHUNK`]
//!   elements;
//! * the solvers' own vector passes (the CG updates and dot products, the
//!   trial point, norms) use blocks of [`BLOCK`] elements, small enough that
//!   the blocks of all vectors a fused pass touches stay in cache between
//!   its element-wise update and its reductions. They run through
//!   [`Partials`]: one partial sum per block, stored in a buffer allocated
//!   once per solve, added in block order. Rayon is used only from
//!   [`PAR_MIN_LEN`] elements on; below, the same blocks are visited in
//!   order on the calling thread, so the result is the same either way.

use ndarray::{ArrayView1, ArrayViewMut1, Axis};
use rayon::prelude::*;

/// How a kernel may run.
///
/// With [`Par::Rayon`], each parallel pass of a solve hands its blocks to
/// rayon's pool. Called from a thread outside the pool (a program's main
/// thread), every pass then wakes the pool and waits on it; called from
/// inside (`rayon::scope(|_| solver.solve(..))` or `pool.install(..)`), it
/// runs on a worker and the other workers steal from it. The results are
/// the same; the CLI's `solve` does the latter, which made TRON solves at
/// 500×500 12–14 % faster and the trust region on SSC 1000×1000 27 %
/// (`docs/bounds.md`, session 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
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

/// Block length (elements) of the solvers' fused vector passes. The
/// partition of an n-vector into blocks depends only on n.
pub const BLOCK: usize = 2048;

/// Vectors shorter than this are processed on the calling thread: below it,
/// handing blocks to rayon did not pay on two cores (`docs/benchmarks-core.md`,
/// "Where the parallel passes pay": 2¹⁶ slowed a solve at n = 10⁵, 2¹⁷
/// made a 500×500 grid's solve 1.3–1.7× faster).
pub const PAR_MIN_LEN: usize = 1 << 17;

/// Blocks per rayon task: the blocks are halved recursively (`rayon::join`)
/// until a run has at most this many (≤ 16384 elements).
const GRAIN_BLOCKS: usize = 8;

/// Number of [`BLOCK`]-element blocks of an n-vector.
pub fn num_blocks(n: usize) -> usize {
    n.div_ceil(BLOCK)
}

/// Equal-length vector views that a blocked pass splits together: a view,
/// or a tuple of up to five views (mutable or not).
pub trait Lanes: Send + Sized {
    /// Length of the (first) view.
    fn len(&self) -> usize;
    /// Whether the views are empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Splits every view at `mid`.
    fn split_at(self, mid: usize) -> (Self, Self);
}

impl Lanes for ArrayView1<'_, f64> {
    fn len(&self) -> usize {
        ArrayView1::len(self)
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        ArrayView1::split_at(self, Axis(0), mid)
    }
}

impl Lanes for ArrayViewMut1<'_, f64> {
    fn len(&self) -> usize {
        ArrayViewMut1::len(self)
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        ArrayViewMut1::split_at(self, Axis(0), mid)
    }
}

macro_rules! lanes_tuple {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Lanes),+> Lanes for ($($t,)+) {
            fn len(&self) -> usize {
                self.0.len()
            }
            fn split_at(self, mid: usize) -> (Self, Self) {
                $(let $t = self.$i.split_at(mid);)+
                (($($t.0,)+), ($($t.1,)+))
            }
        }
    };
}

#[allow(non_snake_case)]
mod tuples {
    use super::Lanes;
    lanes_tuple!(A 0, B 1);
    lanes_tuple!(A 0, B 1, C 2);
    lanes_tuple!(A 0, B 1, C 2, D 3);
    lanes_tuple!(A 0, B 1, C 2, D 3, E 4);
}

/// Calls `f` on consecutive blocks of `v`, writing block b's result to
/// `out[b]`, on the calling thread.
fn blocks_seq<V: Lanes, S, F: Fn(V) -> S>(v: V, out: &mut [S], f: &F) {
    let mut rest = Some(v);
    for o in out.iter_mut() {
        let cur = rest.take().expect("one block per output slot");
        if cur.len() > BLOCK {
            let (head, tail) = cur.split_at(BLOCK);
            *o = f(head);
            rest = Some(tail);
        } else {
            *o = f(cur);
        }
    }
}

/// As [`blocks_seq`], splitting the blocks into runs handed to rayon. Each
/// block's result goes to its own slot, so the split points (chosen by
/// rayon's scheduling) do not affect any value.
fn blocks_rayon<V: Lanes, S: Send, F: Fn(V) -> S + Sync>(v: V, out: &mut [S], f: &F) {
    let nb = out.len();
    if nb <= GRAIN_BLOCKS {
        return blocks_seq(v, out, f);
    }
    let mid = nb / 2;
    let (v1, v2) = v.split_at(mid * BLOCK);
    let (o1, o2) = out.split_at_mut(mid);
    rayon::join(|| blocks_rayon(v1, o1, f), || blocks_rayon(v2, o2, f));
}

fn parallel(par: Par, n: usize) -> bool {
    par == Par::Rayon && n >= PAR_MIN_LEN
}

/// Runs `f` on every [`BLOCK`]-element block of `v` (no reduction), in
/// parallel when `par` is [`Par::Rayon`] and the vectors have at least
/// [`PAR_MIN_LEN`] elements. Allocates nothing.
pub fn for_blocks<V: Lanes, F: Fn(V) + Sync>(par: Par, v: V, f: F) {
    let n = v.len();
    let nb = num_blocks(n);
    // Zero-sized slots: this Vec never allocates.
    let mut slots = vec![(); nb];
    if parallel(par, n) {
        blocks_rayon(v, &mut slots, &f);
    } else {
        blocks_seq(v, &mut slots, &f);
    }
}

/// `Σ_b f(block b)` over the [`BLOCK`]-element blocks of `v`, added along
/// a fixed binary tree: runs of at most 8 blocks are summed
/// in order, and a longer run is split at half its blocks and its two
/// halves' sums added. The tree depends only on the length, so the value is
/// the same for [`Par::Seq`] and [`Par::Rayon`] and for any thread count;
/// with [`Par::Rayon`] the halves run through `rayon::join` from
/// [`PAR_MIN_LEN`] elements on. Allocates nothing (the reduction for
/// passes that have no [`Partials`] at hand).
pub fn tree_sum<V: Lanes, F: Fn(V) -> f64 + Sync>(par: Par, v: V, f: F) -> f64 {
    let join = parallel(par, v.len());
    tree_sum_rec(join, v, &f)
}

fn tree_sum_rec<V: Lanes, F: Fn(V) -> f64 + Sync>(join: bool, v: V, f: &F) -> f64 {
    let nb = num_blocks(v.len());
    if nb <= GRAIN_BLOCKS {
        let mut acc = 0.0;
        let mut rest = Some(v);
        while let Some(cur) = rest.take() {
            if cur.len() > BLOCK {
                let (head, tail) = cur.split_at(BLOCK);
                rest = Some(tail);
                acc += f(head);
            } else {
                acc += f(cur);
            }
        }
        return acc;
    }
    let (v1, v2) = v.split_at((nb / 2) * BLOCK);
    let (a, b) = if join {
        rayon::join(|| tree_sum_rec(true, v1, f), || tree_sum_rec(true, v2, f))
    } else {
        (tree_sum_rec(false, v1, f), tree_sum_rec(false, v2, f))
    };
    a + b
}

/// `aᵀb` by [`tree_sum`]: the same value for every [`Par`] and thread
/// count.
pub fn tree_dot(par: Par, a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    tree_sum(par, (a, b), |(a, b)| a.dot(&b))
}

/// Per-block partial sums of blocked passes: a buffer made once (per solve)
/// for vectors of one length, and the [`Par`] the passes use.
///
/// A reduction `Σ_b f(block b)` stores each block's (up to three) partial
/// sums and adds them in block order, so its value depends only on n and
/// `f`, never on the thread count or on `par`.
#[derive(Debug, Clone)]
pub struct Partials {
    par: Par,
    buf: Vec<[f64; 3]>,
}

impl Partials {
    /// Partials for passes over n-vectors.
    pub fn new(n: usize, par: Par) -> Self {
        Self {
            par,
            buf: vec![[0.0; 3]; if parallel(par, n) { num_blocks(n) } else { 0 }],
        }
    }

    /// How the passes run.
    pub fn par(&self) -> Par {
        self.par
    }

    /// `Σ_b f(block b)`, componentwise, with the block sums added in block
    /// order. Allocates nothing when made for this length.
    pub fn reduce<V: Lanes, F: Fn(V) -> [f64; 3] + Sync>(&mut self, v: V, f: F) -> [f64; 3] {
        let n = v.len();
        if !parallel(self.par, n) {
            // The same blocks in the same order, summed as they come.
            let mut acc = [0.0; 3];
            let mut rest = Some(v);
            while let Some(cur) = rest.take() {
                let s = if cur.len() > BLOCK {
                    let (head, tail) = cur.split_at(BLOCK);
                    rest = Some(tail);
                    f(head)
                } else {
                    f(cur)
                };
                for (a, s) in acc.iter_mut().zip(s) {
                    *a += s;
                }
            }
            return acc;
        }
        let nb = num_blocks(n);
        if self.buf.len() < nb {
            self.buf.resize(nb, [0.0; 3]);
        }
        let out = &mut self.buf[..nb];
        blocks_rayon(v, out, &f);
        let mut acc = [0.0; 3];
        for s in out.iter() {
            for (a, s) in acc.iter_mut().zip(s) {
                *a += s;
            }
        }
        acc
    }

    /// Runs `f` on every block (no reduction); see [`for_blocks`].
    pub fn for_each<V: Lanes, F: Fn(V) + Sync>(&self, v: V, f: F) {
        for_blocks(self.par, v, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    /// `tree_sum` gives one value for Seq, Rayon and 1, 2, 3 threads, and
    /// it is the sum (to rounding) of what it adds.
    #[test]
    fn tree_sum_is_the_same_for_every_par_and_thread_count() {
        for n in [0, 1, 2047, 2048, 2049, 16384, 16385, PAR_MIN_LEN + 12345] {
            let a = Array1::from_shape_fn(n, |i| ((i * 7919) % 1013) as f64 / 1013.0 - 0.49);
            let b = Array1::from_shape_fn(n, |i| ((i * 104_729) % 997) as f64 * 1e-3 + 0.1);
            let want = tree_dot(Par::Seq, a.view(), b.view());
            let naive: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!(
                (want - naive).abs() <= 1e-12 * (1.0 + naive.abs()),
                "n = {n}"
            );
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let got = pool.install(|| tree_dot(Par::Rayon, a.view(), b.view()));
                assert_eq!(got.to_bits(), want.to_bits(), "n = {n}, {threads} threads");
            }
        }
    }

    fn sums(par: Par, threads: usize, v: &Array1<f64>) -> [f64; 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            Partials::new(v.len(), par).reduce(v.view(), |b| [b.dot(&b), b.sum(), b.len() as f64])
        })
    }

    #[test]
    fn blocked_sums_do_not_depend_on_threads_or_par() {
        for n in [
            0,
            1,
            BLOCK - 1,
            BLOCK,
            BLOCK + 1,
            PAR_MIN_LEN + 12345,
            3 * PAR_MIN_LEN,
        ] {
            // Values of mixed magnitudes, so that the summation order matters.
            let v = Array1::from_shape_fn(n, |i| {
                ((i as f64) * 0.618).sin() * 10f64.powi((i % 17) as i32 - 8)
            });
            let reference = sums(Par::Seq, 1, &v);
            assert_eq!(reference[2].to_bits(), (n as f64).to_bits());
            for threads in [1, 2, 3, 4] {
                let s = sums(Par::Rayon, threads, &v);
                for j in 0..3 {
                    assert_eq!(
                        s[j].to_bits(),
                        reference[j].to_bits(),
                        "n = {n}, {threads} threads"
                    );
                }
            }
            // Left-to-right over blocks, as documented.
            let mut dot = 0.0;
            for b in v.axis_chunks_iter(Axis(0), BLOCK) {
                dot += b.dot(&b);
            }
            assert_eq!(dot.to_bits(), reference[0].to_bits());
        }
    }

    #[test]
    fn for_blocks_visits_every_element_once() {
        for n in [0, 5, PAR_MIN_LEN + 7] {
            let mut v = Array1::<f64>::zeros(n);
            let w = Array1::from_shape_fn(n, |i| i as f64);
            for_blocks(Par::Rayon, (v.view_mut(), w.view()), |(mut a, b)| {
                a.zip_mut_with(&b, |a, &b| *a += b + 1.0)
            });
            assert!(v
                .iter()
                .enumerate()
                .all(|(i, &x)| x.to_bits() == (i as f64 + 1.0).to_bits()));
        }
    }
}
