//! Finite sums over data shards, evaluated in parallel and deterministically.
//!
//! Many large objectives are sums over data,
//!
//! ```text
//! f(w) = (λ/2)‖w‖² + Σ_s f_s(w),
//! ```
//!
//! where each shard `s` holds a block of the data (rows of a design matrix,
//! a set of observations). A user implements only the per-shard pieces as a
//! [`Shard`]; [`ShardedSum`] turns a list of shards into an [`Objective`]
//! whose value, gradient, Hessian-vector products and Hessian diagonal are
//! computed **shard by shard in parallel with rayon**.
//!
//! # Determinism
//! Every shard writes its contribution into its **own accumulator** (an
//! n-vector allocated once, at construction), and the accumulators are then
//! added in shard order, component by component:
//! `out_j = ((λ w_j + a_0j) + a_1j) + …`. Which thread ran which shard never
//! enters the arithmetic, so results are **bit-for-bit identical for any
//! number of threads** (and for [`Par::Seq`]). The reduction itself runs in
//! parallel over blocks of components. This is the "per-thread accumulators
//! plus a reduction" scheme of LIBLINEAR's multi-core version (Lee, Chiang &
//! Lin 2015, "Fast matrix-vector multiplications for large-scale logistic
//! regression on shared-memory systems"), made deterministic by tying the
//! accumulators to shards rather than threads. The shard layout is chosen
//! from the data only (see
//! [`crate::problems::sparse_logistic::default_shard_count`]).
//!
//! # Costs and allocation
//! * `value_grad` and every product read each shard's data once; a shard may
//!   leave per-point data in its [`Shard::Cache`] during `value_grad` (the
//!   logistic margins), which [`Shard::prepare`] reuses when the Hessian is
//!   prepared at the same point — as LIBLINEAR keeps `w`ᵀ`x_i` from its
//!   function evaluation (Lin, Weng & Keerthi 2008, §3).
//! * No allocation per shard per call: accumulators, caches and scratch
//!   vectors are allocated in [`ShardedSum::new`]; the per-point
//!   [`Shard::Prepared`] data is allocated once per Hessian preparation, i.e.
//!   once per accepted point.
//! * The accumulators cost `shards × n` doubles of memory and each product
//!   adds `shards × n` additions for the reduction; choose the shard count
//!   accordingly (a few dozen shards for n in the tens of thousands).
//!
//! # Errors and non-finite values
//! [`ShardedSum::new`] rejects an empty list ([`Error::EmptyProblem`]), a
//! shard with no data ([`Error::EmptyShard`]) and shards of different
//! dimensions ([`Error::ShardDimension`]). Non-finite contributions are not
//! errors: NaN and ±∞ propagate into f, the gradient or the product, and the
//! solvers handle them with their documented statuses — a non-finite f(x0)
//! is [`Error::NonFiniteStart`], a non-finite trial value is rejected (and
//! repeated ones end the solve as [`crate::Status::NonFiniteObjective`]), a
//! non-finite product stops CG with [`crate::KrylovExit::NonFinite`] (repeated:
//! [`crate::Status::NonFiniteHessian`]).
//!
//! # Example
//! ```
//! use ndarray::Array1;
//! use steihaug::shard::{Shard, ShardedSum};
//! use steihaug::TrustRegion;
//!
//! /// Least squares on a block of scalar observations: Σ_i ½(w_0 − t_i)².
//! struct Block(Vec<f64>);
//! impl Shard for Block {
//!     type Cache = ();
//!     type Prepared = ();
//!     fn dim(&self) -> usize { 1 }
//!     fn len(&self) -> usize { self.0.len() }
//!     fn new_cache(&self) {}
//!     fn value_grad(&self, w: &[f64], _: &mut (), grad: &mut [f64]) -> f64 {
//!         let mut f = 0.0;
//!         for &t in &self.0 { f += 0.5 * (w[0] - t).powi(2); grad[0] += w[0] - t; }
//!         f
//!     }
//!     fn prepare(&self, _: &[f64], _: &(), _: bool) {}
//!     fn hvp(&self, _: &(), v: &[f64], out: &mut [f64]) { out[0] += self.0.len() as f64 * v[0]; }
//! }
//! let sum = ShardedSum::new(vec![Block(vec![1.0, 2.0]), Block(vec![3.0, 6.0])])?;
//! let report = TrustRegion::default().solve(&sum, Array1::zeros(1).view())?;
//! assert!((report.x[0] - 3.0).abs() < 1e-10); // the mean
//! # Ok::<(), steihaug::Error>(())
//! ```

use std::sync::{Mutex, MutexGuard};

use ndarray::{Array1, ArrayView1, ArrayViewMut1};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::Par;
use crate::linalg::precond::{Jacobi, Preconditioner};
use crate::problem::objective::Objective;

#[cfg(feature = "mpi")]
pub mod mpi;

/// One shard of a finite sum: its contribution to f, ∇f and ∇²f·v.
///
/// All methods **add** into their output slices (which the caller zeroes),
/// have `w.len() == v.len() == out.len() == self.dim()`, and must not
/// allocate except in [`new_cache`](Shard::new_cache) and
/// [`prepare`](Shard::prepare). A shard computes its contribution
/// sequentially; [`ShardedSum`] runs shards in parallel.
pub trait Shard: Send + Sync {
    /// Mutable scratch a shard keeps between calls (for example the margins
    /// `y_i xᵢᵀw` of the last `value_grad`). Made once by
    /// [`new_cache`](Shard::new_cache). Use `()` if none.
    type Cache: Send + Sync;
    /// Per-point data for Hessian products (for example the logistic weights
    /// D at w), made by [`prepare`](Shard::prepare) once per accepted point.
    type Prepared: Send + Sync;

    /// The dimension n of w.
    fn dim(&self) -> usize;

    /// The number of data items in the shard; a shard with none is rejected.
    fn len(&self) -> usize;

    /// Whether the shard holds no data.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Allocates the shard's cache (called once, at construction).
    fn new_cache(&self) -> Self::Cache;

    /// Returns `f_s(w)` and adds `∇f_s(w)` into `grad`.
    fn value_grad(&self, w: &[f64], cache: &mut Self::Cache, grad: &mut [f64]) -> f64;

    /// Prepares Hessian products at w. `cache_at_w` is `true` when the last
    /// [`value_grad`](Shard::value_grad) call was made at exactly this w (bit
    /// for bit), so data it left in `cache` may be reused.
    fn prepare(&self, w: &[f64], cache: &Self::Cache, cache_at_w: bool) -> Self::Prepared;

    /// Adds `∇²f_s(w) v` into `out`, with w the point of `prepared`.
    fn hvp(&self, prepared: &Self::Prepared, v: &[f64], out: &mut [f64]);

    /// Adds the diagonal of `∇²f_s(w)` into `out` and returns `true`, or
    /// returns `false` if it is not available. Default: `false`.
    fn diagonal(&self, prepared: &Self::Prepared, out: &mut [f64]) -> bool {
        let _ = (prepared, out);
        false
    }
}

/// A vector of `len` zeros, or a typed error when the allocator refuses it
/// (for example a LIBSVM file whose largest index is near 2³²), instead of
/// the abort of `vec![0.0; len]`.
fn try_zeros(len: usize, what: &str) -> Result<Vec<f64>> {
    crate::memory::try_zeros(len, what)
}

/// Block length (components) of the parallel ordered reduction.
const REDUCE_BLOCK: usize = 4096;

/// Buffers allocated once per [`ShardedSum`].
struct Workspace<C> {
    /// `shards × n` accumulators, shard s at `s*n..(s+1)*n`.
    acc: Vec<f64>,
    /// Per-shard values of the last `value_grad`.
    vals: Vec<f64>,
    /// Per-shard caches.
    caches: Vec<C>,
    /// The point of the last `value_grad`.
    last_w: Vec<f64>,
    /// Whether `last_w` and the caches are from a completed `value_grad`.
    last_valid: bool,
    /// A contiguous copy of a strided input vector.
    vbuf: Vec<f64>,
}

/// `f(w) = (λ/2)‖w‖² + Σ_s f_s(w)` over [`Shard`]s, as an [`Objective`].
///
/// See the [module documentation](self) for the parallel scheme and its
/// determinism. With [`with_diagonal_preconditioner`](Self::with_diagonal_preconditioner)
/// the objective offers LIBLINEAR's preconditioner
/// `M = (1 − α) I + α diag(∇²f)` through [`Objective::preconditioner`]
/// (used with [`crate::Preconditioning::Objective`]).
pub struct ShardedSum<S: Shard> {
    shards: Vec<S>,
    n: usize,
    l2: f64,
    par: Par,
    precond_weight: Option<f64>,
    ws: Mutex<Workspace<S::Cache>>,
}

impl<S: Shard> std::fmt::Debug for ShardedSum<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardedSum")
            .field("shards", &self.shards.len())
            .field("n", &self.n)
            .field("l2", &self.l2)
            .field("par", &self.par)
            .field("precond_weight", &self.precond_weight)
            .finish()
    }
}

impl<S: Shard> ShardedSum<S> {
    /// The sum of `shards` with no regularizer, run with [`Par::Rayon`].
    ///
    /// Errors: no shards or dimension 0 ([`Error::EmptyProblem`]), a shard
    /// with no data ([`Error::EmptyShard`]), a shard whose dimension differs
    /// from shard 0's ([`Error::ShardDimension`]), buffers the allocator
    /// refuses ([`Error::InvalidInput`]).
    pub fn new(shards: Vec<S>) -> Result<Self> {
        let first = shards.first().ok_or(Error::EmptyProblem)?;
        let n = first.dim();
        if n == 0 {
            return Err(Error::EmptyProblem);
        }
        for (i, s) in shards.iter().enumerate() {
            if s.dim() != n {
                return Err(Error::ShardDimension {
                    shard: i,
                    expected: n,
                    found: s.dim(),
                });
            }
            if s.is_empty() {
                return Err(Error::EmptyShard { shard: i });
            }
        }
        let count = shards.len();
        let len = count.checked_mul(n).ok_or_else(|| Error::InvalidOption {
            name: "shards",
            reason: format!("{count} accumulators of length {n} overflow usize"),
        })?;
        let ws = Workspace {
            acc: try_zeros(len, "shard accumulators")?,
            vals: vec![0.0; count],
            caches: shards.iter().map(|s| s.new_cache()).collect(),
            last_w: try_zeros(n, "the point")?,
            last_valid: false,
            vbuf: try_zeros(n, "a product's input")?,
        };
        Ok(Self {
            shards,
            n,
            l2: 0.0,
            par: Par::Rayon,
            precond_weight: None,
            ws: Mutex::new(ws),
        })
    }

    /// Adds the regularizer `(λ/2)‖w‖²` (λ ≥ 0, finite).
    pub fn with_l2(mut self, lambda: f64) -> Result<Self> {
        crate::solvers::config::nonneg("l2", lambda)?;
        self.l2 = lambda;
        Ok(self)
    }

    /// Runs on the calling thread ([`Par::Seq`]) or on rayon's current pool
    /// ([`Par::Rayon`], the default). Results are identical either way.
    pub fn with_par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }

    /// Offers `M = (1 − α) I + α diag(∇²f)` as the objective's
    /// preconditioner, with α in [0, 1]. LIBLINEAR (since 2.30, `newton.cpp`)
    /// uses α = 0.01 (Hsia, Chiang & Lin 2018, "Preconditioned conjugate
    /// gradient methods in truncated Newton frameworks for large-scale linear
    /// classification"). Needs every shard to provide
    /// [`Shard::diagonal`]; otherwise no preconditioner is offered.
    pub fn with_diagonal_preconditioner(mut self, alpha: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&alpha) {
            return Err(Error::InvalidOption {
                name: "precond_weight",
                reason: format!("must lie in [0, 1], got {alpha}"),
            });
        }
        self.precond_weight = Some(alpha);
        Ok(self)
    }

    /// The shards.
    pub fn shards(&self) -> &[S] {
        &self.shards
    }

    /// The regularization weight λ.
    pub fn l2(&self) -> f64 {
        self.l2
    }

    fn lock(&self) -> MutexGuard<'_, Workspace<S::Cache>> {
        // A panic inside a user's shard poisons the lock; the buffers are
        // plain numbers that every call overwrites, so continuing is sound.
        self.ws.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f(k, shard_k, accumulator_k)` for every shard, accumulators
    /// zeroed first.
    fn for_each_shard<F>(&self, acc: &mut [f64], f: F)
    where
        F: Fn(usize, &S, &mut [f64]) + Sync + Send,
    {
        let n = self.n;
        match self.par {
            Par::Seq => {
                for (k, (s, a)) in self.shards.iter().zip(acc.chunks_mut(n)).enumerate() {
                    a.fill(0.0);
                    f(k, s, a);
                }
            }
            Par::Rayon => {
                self.shards
                    .par_iter()
                    .zip(acc.par_chunks_mut(n))
                    .enumerate()
                    .with_max_len(1)
                    .for_each(|(k, (s, a))| {
                        a.fill(0.0);
                        f(k, s, a);
                    });
            }
        }
    }

    /// `out_j = base(j) + a_0j + a_1j + …`, added in shard order.
    fn reduce<B>(&self, acc: &[f64], base: B, mut out: ArrayViewMut1<'_, f64>)
    where
        B: Fn(usize) -> f64 + Sync,
    {
        let n = self.n;
        let count = self.shards.len();
        match out.as_slice_mut() {
            Some(o) => {
                self.fold_blocks(acc, o, |start, o| {
                    for (k, oj) in o.iter_mut().enumerate() {
                        *oj = base(start + k);
                    }
                });
            }
            None => {
                // Strided output: the same order of additions, sequentially.
                for j in 0..n {
                    let mut s = base(j);
                    for k in 0..count {
                        s += acc[k * n + j];
                    }
                    out[j] = s;
                }
            }
        }
    }
}

impl<S: Shard> ShardedSum<S> {
    /// `out_j = init(j) + a_0j + a_1j + …` on a contiguous `out` of length
    /// n: `init` sets each block of `out` (given its first component), then
    /// the accumulators are added one shard at a time, in shard order. The
    /// order of the additions of each component does not depend on the
    /// blocking or the thread count. With an `init` that leaves `out` as it
    /// is, this adds the shards onto a running sum (the ordered chain of
    /// [`mpi`]).
    fn fold_blocks<I>(&self, acc: &[f64], out: &mut [f64], init: I)
    where
        I: Fn(usize, &mut [f64]) + Sync,
    {
        let n = self.n;
        let count = self.shards.len();
        let block = |start: usize, o: &mut [f64]| {
            init(start, o);
            for s in 0..count {
                let a = &acc[s * n + start..s * n + start + o.len()];
                for (oj, &aj) in o.iter_mut().zip(a) {
                    *oj += aj;
                }
            }
        };
        match self.par {
            Par::Rayon if n > REDUCE_BLOCK => out
                .par_chunks_mut(REDUCE_BLOCK)
                .enumerate()
                .for_each(|(b, o)| block(b * REDUCE_BLOCK, o)),
            _ => out
                .chunks_mut(REDUCE_BLOCK)
                .enumerate()
                .for_each(|(b, o)| block(b * REDUCE_BLOCK, o)),
        }
    }

    /// Evaluates every shard at x: its value into `ws.vals`, its gradient
    /// into its accumulator; records x as the point of the caches.
    fn eval_shards(&self, ws: &mut Workspace<S::Cache>, x: ArrayView1<'_, f64>) {
        ws.last_valid = false;
        for (l, &xi) in ws.last_w.iter_mut().zip(x.iter()) {
            *l = xi;
        }
        let w = &ws.last_w[..];
        let n = self.n;
        match self.par {
            Par::Seq => {
                for (((s, a), c), v) in self
                    .shards
                    .iter()
                    .zip(ws.acc.chunks_mut(n))
                    .zip(ws.caches.iter_mut())
                    .zip(ws.vals.iter_mut())
                {
                    a.fill(0.0);
                    *v = s.value_grad(w, c, a);
                }
            }
            Par::Rayon => {
                self.shards
                    .par_iter()
                    .zip(ws.acc.par_chunks_mut(n))
                    .zip(ws.caches.par_iter_mut())
                    .zip(ws.vals.par_iter_mut())
                    .with_max_len(1)
                    .for_each(|(((s, a), c), v)| {
                        a.fill(0.0);
                        *v = s.value_grad(w, c, a);
                    });
            }
        }
        ws.last_valid = true;
    }

    /// `(λ/2)‖w‖²` as [`Objective::value_grad`] adds it first (0 for λ = 0).
    fn l2_value(l2: f64, w: &[f64]) -> f64 {
        if l2 > 0.0 {
            0.5 * l2 * w.iter().map(|v| v * v).sum::<f64>()
        } else {
            0.0
        }
    }
}

impl<S: Shard> Objective for ShardedSum<S> {
    type Hessian<'a>
        = ShardedHessian<'a, S>
    where
        Self: 'a;

    fn dim(&self) -> usize {
        self.n
    }

    fn value_grad(&self, x: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64 {
        let mut guard = self.lock();
        let ws = &mut *guard;
        self.eval_shards(ws, x);
        let w = &ws.last_w[..];
        // f = (λ/2)‖w‖² + f_0 + f_1 + …, in this order.
        let mut f = Self::l2_value(self.l2, w);
        for v in &ws.vals {
            f += v;
        }
        let l2 = self.l2;
        self.reduce(&ws.acc, |j| l2 * w[j], grad);
        f
    }

    fn hessian(&self, x: ArrayView1<'_, f64>) -> ShardedHessian<'_, S> {
        let guard = self.lock();
        let xs: std::borrow::Cow<'_, [f64]> = match x.as_slice() {
            Some(s) => s.into(),
            None => x.to_vec().into(),
        };
        let same = guard.last_valid
            && guard
                .last_w
                .iter()
                .zip(xs.iter())
                .all(|(a, b)| a.to_bits() == b.to_bits());
        let caches = &guard.caches;
        let prepared: Vec<S::Prepared> = match self.par {
            Par::Seq => self
                .shards
                .iter()
                .zip(caches.iter())
                .map(|(s, c)| s.prepare(&xs, c, same))
                .collect(),
            Par::Rayon => self
                .shards
                .par_iter()
                .zip(caches.par_iter())
                .with_max_len(1)
                .map(|(s, c)| s.prepare(&xs, c, same))
                .collect(),
        };
        drop(guard);
        ShardedHessian {
            sum: self,
            prepared,
        }
    }

    fn preconditioner<'a>(
        &'a self,
        _x: ArrayView1<'_, f64>,
        hessian: &ShardedHessian<'a, S>,
    ) -> Option<Box<dyn Preconditioner + 'a>> {
        weighted_jacobi(self.precond_weight?, self.n, hessian)
    }
}

/// The diagonal preconditioner `(1 − α)I + α·diag(H)` of a finite sum's
/// Hessian (LIBLINEAR's, α the configured weight), shared by
/// [`ShardedSum`] and the MPI sum; `None` when H has no diagonal or the
/// diagonal is not positive.
pub(crate) fn weighted_jacobi<'a, H: LinearOperator + ?Sized>(
    alpha: f64,
    n: usize,
    hessian: &H,
) -> Option<Box<dyn Preconditioner + 'a>> {
    let mut d = Array1::zeros(n);
    if !hessian.diagonal(d.view_mut()) {
        return None;
    }
    d.mapv_inplace(|h| (1.0 - alpha) + alpha * h);
    Jacobi::new(d.view())
        .ok()
        .map(|j| Box::new(j) as Box<dyn Preconditioner>)
}

/// The Hessian of a [`ShardedSum`] at a point: each shard's prepared data.
/// Products lock the sum's workspace, so one product runs at a time.
pub struct ShardedHessian<'a, S: Shard> {
    sum: &'a ShardedSum<S>,
    prepared: Vec<S::Prepared>,
}

impl<S: Shard> ShardedHessian<'_, S> {
    /// The prepared data of every shard, in shard order.
    pub fn prepared(&self) -> &[S::Prepared] {
        &self.prepared
    }
}

impl<S: Shard> LinearOperator for ShardedHessian<'_, S> {
    fn dim(&self) -> usize {
        self.sum.n
    }

    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        let sum = self.sum;
        let mut guard = sum.lock();
        let ws = &mut *guard;
        let vs: &[f64] = match v.as_slice() {
            Some(s) => s,
            None => {
                for (b, &vi) in ws.vbuf.iter_mut().zip(v.iter()) {
                    *b = vi;
                }
                &ws.vbuf
            }
        };
        let prepared = &self.prepared;
        sum.for_each_shard(&mut ws.acc, |k, s, a| s.hvp(&prepared[k], vs, a));
        let l2 = sum.l2;
        sum.reduce(&ws.acc, |j| l2 * vs[j], out);
    }

    fn diagonal(&self, out: ArrayViewMut1<'_, f64>) -> bool {
        let sum = self.sum;
        let mut guard = sum.lock();
        let ws = &mut *guard;
        let prepared = &self.prepared;
        let ok = std::sync::atomic::AtomicBool::new(true);
        sum.for_each_shard(&mut ws.acc, |k, s, a| {
            if !s.diagonal(&prepared[k], a) {
                ok.store(false, std::sync::atomic::Ordering::Relaxed);
            }
        });
        if !ok.load(std::sync::atomic::Ordering::Relaxed) {
            return false;
        }
        let l2 = sum.l2;
        sum.reduce(&ws.acc, |_| l2, out);
        true
    }
}
