//! Finite sums across processes with MPI (feature `mpi`): shards on many
//! ranks, results bit for bit those of one process.
//!
//! [`MpiSum`] is the [`ShardedSum`] of shards spread over the ranks of a
//! communicator: rank r holds a contiguous block of the shards, and the
//! blocks follow one another in rank order (rank 0 holds the first shards).
//! Value, gradient, Hessian preparation, products and the Hessian diagonal
//! are computed on the local shards (with rayon inside the rank, as
//! [`ShardedSum`] does) and combined across ranks. x and the solver state
//! are replicated: every rank runs the same solver on the same numbers, so
//! the solvers are unchanged and every decision made from replicated values
//! (step, ratio, radius, CG exits, convergence) is the same on every rank.
//!
//! # The ordered chain (the reproducible reduction)
//! [`ShardedSum`] forms `out_j = ((λ w_j + a_0j) + a_1j) + …` and
//! `f = ((½λ‖w‖² + f_0) + f_1) + …`, adding the shard accumulators one at a
//! time in shard order. [`MpiSum`] forms the same sums in the same order:
//! 1. every rank evaluates its shards into its own accumulators (in
//!    parallel with the other ranks);
//! 2. rank 0 starts from the base (λw, and ½λ‖w‖² carried as element n),
//!    adds its shards one by one, in order, and sends the running sum to
//!    rank 1;
//! 3. rank r receives the running sum, adds its shards one by one and sends
//!    it on; a rank must not pre-sum its own shards, since
//!    `(b + a₁) + a₂ ≠ b + (a₁ + a₂)` in floating point;
//! 4. the last rank broadcasts the result.
//!
//! The result equals the single-process result for any number of ranks
//! and threads, bit for bit. The cost is P − 1 sequential messages of
//! n + 1 doubles plus one broadcast per evaluation or product (see
//! `docs/distributed.md` for the measured costs and the α-β model). The
//! gather-then-fold alternative is exact too but moves S·n doubles for S
//! shards; `MPI_Allreduce` is cheaper at large P but its summation order
//! is the library's (MPI-2.2 §5.9.1), so [`Reduction::Allreduce`] is
//! offered as the documented non-reproducible option.
//!
//! # Collective decisions
//! A collective blocks until every rank enters it, so every branch that
//! decides whether the next collective happens must go the same way on all
//! ranks (`reference/distributed.md` §5):
//! * values computed from replicated data need no messages;
//! * non-finite values: a NaN or ±∞ in one rank's partial sum propagates
//!   through the chain into every rank's result, so the solver's replicated
//!   checks see it everywhere;
//! * a missing shard diagonal is counted through the chain (element n), so
//!   every rank offers the preconditioner or none does;
//! * errors: [`agree`] turns each rank's `Result` into the same `Result`
//!   on every rank (the error of the lowest failing rank, sent to all);
//! * time limits and stop flags (Ctrl-C) are clock- and signal-driven, so
//!   they differ between ranks: [`CollectiveStop`] combines them once per
//!   outer iteration, in the solver's callback, and every rank stops on the
//!   same iteration. A solve across ranks must therefore not set
//!   [`crate::Termination::max_time`] (a per-rank clock inside CG would end
//!   the ranks' inner loops on different iterations);
//!   [`CollectiveStop::new`] takes the limit instead;
//! * panics: [`initialize`] installs a panic hook that calls `MPI_Abort`,
//!   so a panicking rank ends the whole job with a non-zero status instead
//!   of leaving the others in a collective.
//!
//! # Example
//! `examples/mpi_least_squares.rs` (run with
//! `mpirun -n 2 target/release/examples/mpi_least_squares`).

use std::ops::ControlFlow;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mpi::collective::SystemOperation;
use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use ndarray::{ArrayView1, ArrayViewMut1};

use super::{Shard, ShardedHessian, ShardedSum};
use crate::error::{Error, Result};
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::Par;
use crate::linalg::precond::Preconditioner;
use crate::problem::objective::Objective;
use crate::report::observe::StopFlag;
use crate::report::status::Status;

mod codec;
pub mod libsvm;

/// The `mpi` crate (rsmpi), re-exported so that a user needs no second
/// dependency on it.
pub use mpi as rsmpi;

/// How the partial sums of the ranks are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reduction {
    /// The ordered chain of the [module documentation](self): bit for bit
    /// the single-process [`ShardedSum`] for any number of ranks and
    /// threads.
    #[default]
    Ordered,
    /// Each rank adds its shards onto its own partial sum (rank 0 onto the
    /// base), then one `MPI_Allreduce` with SUM. Its summation order is
    /// chosen by the MPI library from the rank count and message size, so
    /// results differ in the last bits from one rank count to another and
    /// from one process; it is one collective instead of P − 1 sequential
    /// messages and a broadcast.
    Allreduce,
}

/// Initializes MPI for a solve across ranks: `MPI_Init_thread` with
/// `MPI_THREAD_SERIALIZED` (the MPI calls of a solve come from whichever
/// thread runs the solver, one at a time; rayon threads inside a rank never
/// call MPI), and a panic hook that prints the panic and calls `MPI_Abort`,
/// so that a panic on one rank ends every rank instead of leaving them
/// waiting in a collective.
///
/// Errors: MPI already initialized, or the library offers less than
/// serialized threading ([`Error::InvalidInput`]).
pub fn initialize() -> Result<Universe> {
    let (universe, level) = mpi::initialize_with_threading(mpi::Threading::Serialized)
        .ok_or_else(|| Error::InvalidInput("MPI is already initialized".into()))?;
    if level < mpi::Threading::Serialized {
        return Err(Error::InvalidInput(format!(
            "the MPI library offers {level:?} threading; a solve across ranks needs Serialized"
        )));
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        SimpleCommunicator::world().abort(101);
    }));
    Ok(universe)
}

/// The same `Result` on every rank of `comm` (collective).
///
/// Every rank passes its own result; if any is an error, every rank
/// returns the error of the lowest failing rank (sent to all ranks, so
/// the variant and message are the same everywhere), else every rank
/// keeps its own value. Call it before any rank returns early: a rank that
/// returns on an error alone leaves the others waiting in their next
/// collective.
pub fn agree<T>(comm: &SimpleCommunicator, local: Result<T>) -> Result<T> {
    let size = comm.size();
    let mine = if local.is_err() { comm.rank() } else { size };
    let mut first = size;
    comm.all_reduce_into(&mine, &mut first, SystemOperation::min());
    if first == size {
        return local;
    }
    let mut bytes = match &local {
        Err(e) if comm.rank() == first => codec::encode(e),
        _ => Vec::new(),
    };
    let mut len = bytes.len() as u64;
    let root = comm.process_at_rank(first);
    root.broadcast_into(&mut len);
    bytes.resize(len as usize, 0);
    root.broadcast_into(&mut bytes[..]);
    Err(codec::decode(&bytes))
}

/// Whether `flag` holds on any rank (collective; a MAX reduction of an
/// integer, never of a float).
pub fn any(comm: &SimpleCommunicator, flag: bool) -> bool {
    let mine = i32::from(flag);
    let mut out = 0i32;
    comm.all_reduce_into(&mine, &mut out, SystemOperation::max());
    out != 0
}

/// The time limit and the stop flag of a solve across ranks, decided
/// together once per outer iteration.
///
/// Call [`check`](Self::check) from the solver's callback on every rank:
/// it raises a stop when any rank's stop flag is set or any rank's clock
/// has passed the limit (one MAX reduction of an integer code), so every
/// rank stops on the same iteration. The solver reports such a stop as
/// [`Status::StoppedByUser`]; [`status`](Self::status) turns it into
/// [`Status::TimeLimit`] when the clock was the reason.
pub struct CollectiveStop<'a> {
    comm: &'a SimpleCommunicator,
    deadline: Option<Instant>,
    flag: Option<&'a StopFlag>,
    reason: i32,
}

impl std::fmt::Debug for CollectiveStop<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CollectiveStop")
            .field("deadline", &self.deadline)
            .field("reason", &self.reason)
            .finish()
    }
}

/// Reason codes of [`CollectiveStop`], in order of precedence.
const STOP_NONE: i32 = 0;
const STOP_TIME: i32 = 1;
const STOP_USER: i32 = 2;

impl<'a> CollectiveStop<'a> {
    /// A stop with the time limit `max_time` from now (`None`: no limit)
    /// and the stop flag `flag` (`None`: none).
    pub fn new(
        comm: &'a SimpleCommunicator,
        max_time: Option<Duration>,
        flag: Option<&'a StopFlag>,
    ) -> Self {
        Self {
            comm,
            deadline: max_time.and_then(|t| Instant::now().checked_add(t)),
            flag,
            reason: STOP_NONE,
        }
    }

    /// The collective decision (call it on every rank at the same point):
    /// `Break` on every rank if any rank's flag is set or its clock has
    /// passed the limit.
    pub fn check(&mut self) -> ControlFlow<()> {
        let local = if self.flag.is_some_and(|f| f.is_stop_requested()) {
            STOP_USER
        } else if self.deadline.is_some_and(|t| Instant::now() >= t) {
            STOP_TIME
        } else {
            STOP_NONE
        };
        self.check_code(local)
    }

    /// [`check`](Self::check) with this rank's reason given (for tests: a
    /// time limit passed on one rank only).
    #[doc(hidden)]
    pub fn check_code(&mut self, local: i32) -> ControlFlow<()> {
        let mut out = STOP_NONE;
        self.comm
            .all_reduce_into(&local, &mut out, SystemOperation::max());
        self.reason = self.reason.max(out);
        if out == STOP_NONE {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    }

    /// Whether the stop flag (on any rank) was the reason of the stop.
    pub fn interrupted(&self) -> bool {
        self.reason == STOP_USER
    }

    /// The status of a solve that used this stop: `StoppedByUser` becomes
    /// `TimeLimit` when the time limit (and no flag) stopped it.
    pub fn status(&self, status: Status) -> Status {
        if status == Status::StoppedByUser && self.reason == STOP_TIME {
            Status::TimeLimit
        } else {
            status
        }
    }
}

/// The running-sum buffer and the rank's place in the chain.
struct Chain {
    /// n + 1 doubles: the running sum and element n (f, or a count).
    buf: Vec<f64>,
    /// This rank's partial sum for [`Reduction::Allreduce`] (allocated on
    /// its first use).
    partial: Vec<f64>,
}

/// `f(w) = (λ/2)‖w‖² + Σ_s f_s(w)` over [`Shard`]s held by the ranks of a
/// communicator, as an [`Objective`] on every rank.
///
/// Rank r holds a contiguous block of the shards and the blocks follow in
/// rank order; a rank may hold none. Every call of [`Objective`] and of
/// the Hessian's [`LinearOperator`] is **collective**: all ranks must make
/// the same calls in the same order, which they do when they run the same
/// solver from the same x0 (the state is replicated). λ and the
/// preconditioner weight must be the same on every rank (checked by
/// [`new`](Self::new)'s caller being the same program; not re-checked).
///
/// See the [module documentation](self) for the reduction and the
/// collective decisions.
pub struct MpiSum<S: Shard> {
    comm: SimpleCommunicator,
    local: Option<ShardedSum<S>>,
    n: usize,
    l2: f64,
    precond_weight: Option<f64>,
    reduction: Reduction,
    chain: Mutex<Chain>,
    bytes: std::sync::atomic::AtomicU64,
    reductions: std::sync::atomic::AtomicU64,
}

impl<S: Shard> std::fmt::Debug for MpiSum<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MpiSum")
            .field("rank", &self.comm.rank())
            .field("size", &self.comm.size())
            .field("local_shards", &self.local_shards().len())
            .field("n", &self.n)
            .field("l2", &self.l2)
            .field("reduction", &self.reduction)
            .finish()
    }
}

impl<S: Shard> MpiSum<S> {
    /// The sum of every rank's `shards` (this rank's block, possibly
    /// empty), all of dimension `n`, with no regularizer, run with
    /// [`Par::Rayon`] inside the rank and the [`Reduction::Ordered`] chain.
    /// Collective.
    ///
    /// Errors, the same on every rank ([`agree`]): `n` = 0 or no shard on
    /// any rank ([`Error::EmptyProblem`]), `n` different between ranks
    /// ([`Error::DimensionMismatch`]), or any error of [`ShardedSum::new`]
    /// on a rank.
    pub fn new(comm: SimpleCommunicator, shards: Vec<S>, n: usize) -> Result<Self> {
        let local = (|| {
            if n == 0 {
                return Err(Error::EmptyProblem);
            }
            if shards.is_empty() {
                return Ok(None);
            }
            let sum = ShardedSum::new(shards)?;
            crate::error::check_dim("shard dimension", n, sum.n)?;
            Ok(Some(sum))
        })();
        let local = agree(&comm, local)?;
        let mut n0 = n as u64;
        comm.process_at_rank(0).broadcast_into(&mut n0);
        agree(
            &comm,
            crate::error::check_dim("dimension on rank 0", n0 as usize, n),
        )?;
        let mut count = local.as_ref().map_or(0u64, |s| s.shards.len() as u64);
        let mine = count;
        comm.all_reduce_into(&mine, &mut count, SystemOperation::sum());
        if count == 0 {
            return Err(Error::EmptyProblem);
        }
        let buf = crate::memory::try_zeros(n + 1, "the running sum")?;
        Ok(Self {
            comm,
            local,
            n,
            l2: 0.0,
            precond_weight: None,
            reduction: Reduction::Ordered,
            chain: Mutex::new(Chain {
                buf,
                partial: Vec::new(),
            }),
            bytes: std::sync::atomic::AtomicU64::new(0),
            reductions: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Adds the regularizer `(λ/2)‖w‖²` (λ ≥ 0, finite; the same on every
    /// rank).
    pub fn with_l2(mut self, lambda: f64) -> Result<Self> {
        crate::solvers::config::nonneg("l2", lambda)?;
        self.l2 = lambda;
        Ok(self)
    }

    /// Runs the local shards on the calling thread or on rayon's current
    /// pool (the default); results are identical either way.
    pub fn with_par(mut self, par: Par) -> Self {
        self.local = self.local.map(|s| s.with_par(par));
        self
    }

    /// Offers `M = (1 − α) I + α diag(∇²f)` as the objective's
    /// preconditioner, as [`ShardedSum::with_diagonal_preconditioner`].
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

    /// Chooses how the ranks' partial sums are combined (default:
    /// [`Reduction::Ordered`]).
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }

    /// The communicator.
    pub fn comm(&self) -> &SimpleCommunicator {
        &self.comm
    }

    /// This rank's shards (empty if it holds none).
    pub fn local_shards(&self) -> &[S] {
        self.local.as_ref().map_or(&[], |s| s.shards())
    }

    /// The regularization weight λ.
    pub fn l2(&self) -> f64 {
        self.l2
    }

    /// Bytes this rank has sent so far (point-to-point, broadcast roots and
    /// all-reduce contributions counted by their payload).
    pub fn bytes_sent(&self) -> u64 {
        self.bytes.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Reductions (collective sums of an (n+1)-vector: values and
    /// gradients, products, Hessian diagonals) made so far.
    pub fn reductions(&self) -> u64 {
        self.reductions.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn lock_chain(&self) -> MutexGuard<'_, Chain> {
        self.chain.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn count_bytes(&self, doubles: usize) {
        self.bytes
            .fetch_add(8 * doubles as u64, std::sync::atomic::Ordering::Relaxed);
    }

    /// Combines the ranks' contributions into `buf` (collective): `init`
    /// writes the base (called on rank 0 only, or on every rank for the
    /// all-reduce with a zero base elsewhere), `add` adds this rank's
    /// shards one by one onto the running sum.
    fn combine<I, A>(&self, chain: &mut Chain, init: I, add: A)
    where
        I: FnOnce(&mut [f64]),
        A: FnOnce(&mut [f64]),
    {
        self.reductions
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let buf: &mut [f64] = &mut chain.buf[..];
        let partial = &mut chain.partial;
        let rank = self.comm.rank();
        let size = self.comm.size();
        match self.reduction {
            Reduction::Ordered => {
                if rank == 0 {
                    init(buf);
                } else {
                    self.comm.process_at_rank(rank - 1).receive_into(buf);
                }
                add(buf);
                if rank + 1 < size {
                    self.comm.process_at_rank(rank + 1).send(&*buf);
                    self.count_bytes(buf.len());
                } else {
                    self.count_bytes(buf.len());
                }
                self.comm.process_at_rank(size - 1).broadcast_into(buf);
            }
            Reduction::Allreduce => {
                if rank == 0 {
                    init(buf);
                } else {
                    buf.fill(0.0);
                }
                add(buf);
                if partial.len() != buf.len() {
                    *partial = vec![0.0; buf.len()];
                }
                partial.copy_from_slice(buf);
                self.comm
                    .all_reduce_into(&partial[..], buf, SystemOperation::sum());
                self.count_bytes(buf.len());
            }
        }
    }
}

/// The contiguous view of `v`, or a copy of it in `scratch`.
fn contiguous<'v>(v: &'v ArrayView1<'_, f64>, scratch: &'v mut [f64]) -> &'v [f64] {
    match v.as_slice() {
        Some(s) => s,
        None => {
            for (b, &vi) in scratch.iter_mut().zip(v.iter()) {
                *b = vi;
            }
            scratch
        }
    }
}

impl<S: Shard> Objective for MpiSum<S> {
    type Hessian<'a>
        = MpiHessian<'a, S>
    where
        Self: 'a;

    fn dim(&self) -> usize {
        self.n
    }

    fn value_grad(&self, x: ArrayView1<'_, f64>, mut grad: ArrayViewMut1<'_, f64>) -> f64 {
        let n = self.n;
        let mut chain = self.lock_chain();
        let local = self.local.as_ref().map(|s| {
            let mut ws = s.lock();
            s.eval_shards(&mut ws, x);
            (s, ws)
        });
        let l2 = self.l2;
        let init = |b: &mut [f64]| {
            for (bj, &xj) in b[..n].iter_mut().zip(x.iter()) {
                *bj = l2 * xj;
            }
            b[n] = match x.as_slice() {
                Some(w) => ShardedSum::<S>::l2_value(l2, w),
                None => ShardedSum::<S>::l2_value(l2, &x.to_vec()),
            };
        };
        let add = |b: &mut [f64]| {
            if let Some((s, ws)) = local.as_ref() {
                s.fold_blocks(&ws.acc, &mut b[..n], |_, _| {});
                for v in &ws.vals {
                    b[n] += v;
                }
            }
        };
        self.combine(&mut chain, init, add);
        drop(local);
        for (gj, &bj) in grad.iter_mut().zip(&chain.buf[..n]) {
            *gj = bj;
        }
        chain.buf[n]
    }

    fn hessian(&self, x: ArrayView1<'_, f64>) -> MpiHessian<'_, S> {
        // Local only: every shard prepares its own per-point data.
        MpiHessian {
            sum: self,
            local: self.local.as_ref().map(|s| s.hessian(x)),
        }
    }

    fn preconditioner<'a>(
        &'a self,
        _x: ArrayView1<'_, f64>,
        hessian: &MpiHessian<'a, S>,
    ) -> Option<Box<dyn Preconditioner + 'a>> {
        super::weighted_jacobi(self.precond_weight?, self.n, hessian)
    }
}

/// The Hessian of an [`MpiSum`] at a point: the local shards' prepared
/// data. Every product is collective.
pub struct MpiHessian<'a, S: Shard> {
    sum: &'a MpiSum<S>,
    local: Option<ShardedHessian<'a, S>>,
}

impl<S: Shard> LinearOperator for MpiHessian<'_, S> {
    fn dim(&self) -> usize {
        self.sum.n
    }

    fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
        let sum = self.sum;
        let n = sum.n;
        let mut chain = sum.lock_chain();
        // The local products, into the shard accumulators.
        let local = self.local.as_ref().map(|h| {
            let s = h.sum;
            let mut guard = s.lock();
            let ws = &mut *guard;
            let (acc, vbuf) = (&mut ws.acc, &mut ws.vbuf);
            let vs = contiguous(&v, vbuf);
            let prepared = &h.prepared;
            s.for_each_shard(acc, |k, sh, a| sh.hvp(&prepared[k], vs, a));
            (s, guard)
        });
        let l2 = sum.l2;
        let init = |b: &mut [f64]| {
            for (bj, &vj) in b[..n].iter_mut().zip(v.iter()) {
                *bj = l2 * vj;
            }
            b[n] = 0.0;
        };
        let add = |b: &mut [f64]| {
            if let Some((s, ws)) = local.as_ref() {
                s.fold_blocks(&ws.acc, &mut b[..n], |_, _| {});
            }
        };
        sum.combine(&mut chain, init, add);
        drop(local);
        for (oj, &bj) in out.iter_mut().zip(&chain.buf[..n]) {
            *oj = bj;
        }
    }

    fn diagonal(&self, mut out: ArrayViewMut1<'_, f64>) -> bool {
        let sum = self.sum;
        let n = sum.n;
        let mut chain = sum.lock_chain();
        let mut missing = 0.0;
        let local = self.local.as_ref().map(|h| {
            let s = h.sum;
            let mut guard = s.lock();
            let prepared = &h.prepared;
            let ok = std::sync::atomic::AtomicBool::new(true);
            s.for_each_shard(&mut guard.acc, |k, sh, a| {
                if !sh.diagonal(&prepared[k], a) {
                    ok.store(false, std::sync::atomic::Ordering::Relaxed);
                }
            });
            if !ok.load(std::sync::atomic::Ordering::Relaxed) {
                missing = 1.0;
            }
            (s, guard)
        });
        let l2 = sum.l2;
        let init = |b: &mut [f64]| {
            b[..n].fill(l2);
            b[n] = 0.0;
        };
        let add = |b: &mut [f64]| {
            if let Some((s, ws)) = local.as_ref() {
                s.fold_blocks(&ws.acc, &mut b[..n], |_, _| {});
            }
            // A count of ranks without a diagonal: small integers, exact.
            b[n] += missing;
        };
        sum.combine(&mut chain, init, add);
        drop(local);
        if chain.buf[n] != 0.0 {
            return false;
        }
        for (oj, &bj) in out.iter_mut().zip(&chain.buf[..n]) {
            *oj = bj;
        }
        true
    }
}
