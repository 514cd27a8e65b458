//! The α-β cost of communication on this machine, and the cost of one
//! reduction of `MpiSum` (ordered chain against `MPI_Allreduce`).
//!
//! ```sh
//! cargo build --release --features mpi --example mpi_alpha_beta
//! mpirun -n 2 --bind-to core target/release/examples/mpi_alpha_beta [N]
//! ```
//!
//! 1. Ping-pong between ranks 0 and 1 (the others wait): the one-way time
//!    of a message of b bytes is half the best round trip over the
//!    repetitions. α is the one-way time of an 8-byte message, 1/β the
//!    bandwidth from the two largest messages,
//!    `β = (t(b₂) − t(b₁))/(b₂ − b₁)`.
//! 2. `MpiSum` over shards whose products add nothing, so that one
//!    Hessian-vector product costs only its reduction of an (N+1)-vector
//!    (N = 47,236 doubles by default, rcv1's feature count): the best and
//!    median time per product over 300 products, for
//!    `Reduction::Ordered` and `Reduction::Allreduce`, with the model
//!    `(P − 1)(α + βm) + T_bcast` of the chain for comparison.

use std::time::Instant;

use ndarray::Array1;
use steihaug::shard::mpi::{self, rsmpi::traits::*, MpiSum, Reduction};
use steihaug::shard::Shard;
use steihaug::{LinearOperator, Objective};

/// A shard of dimension n whose terms are all zero.
struct Null {
    n: usize,
}

impl Shard for Null {
    type Cache = ();
    type Prepared = ();
    fn dim(&self) -> usize {
        self.n
    }
    fn len(&self) -> usize {
        1
    }
    fn new_cache(&self) {}
    fn value_grad(&self, _: &[f64], _: &mut (), _: &mut [f64]) -> f64 {
        0.0
    }
    fn prepare(&self, _: &[f64], _: &(), _: bool) {}
    fn hvp(&self, _: &(), _: &[f64], _: &mut [f64]) {}
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> steihaug::Result<()> {
    let universe = mpi::initialize()?;
    let world = universe.world();
    let (rank, size) = (world.rank(), world.size());
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(47_236);
    if size < 2 {
        eprintln!("run with at least 2 ranks: mpirun -n 2 ...");
        return Ok(());
    }

    // 1. Ping-pong.
    let sizes = [
        8usize,
        64,
        512,
        4 << 10,
        32 << 10,
        8 * (n + 1),
        2 << 20,
        16 << 20,
    ];
    let mut one_way = Vec::new();
    for &bytes in &sizes {
        let mut buf = vec![0u8; bytes];
        let reps = (200_000_000 / (bytes + 20_000)).clamp(10, 20_000);
        world.barrier();
        let mut best = f64::INFINITY;
        for _ in 0..reps {
            let t = Instant::now();
            match rank {
                0 => {
                    world.process_at_rank(1).send(&buf[..]);
                    world.process_at_rank(1).receive_into(&mut buf[..]);
                }
                1 => {
                    world.process_at_rank(0).receive_into(&mut buf[..]);
                    world.process_at_rank(0).send(&buf[..]);
                }
                _ => {}
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        one_way.push(best / 2.0);
    }
    let alpha = one_way[0];
    let k = sizes.len();
    let beta = (one_way[k - 1] - one_way[k - 2]) / (sizes[k - 1] - sizes[k - 2]) as f64;
    if rank == 0 {
        println!("ping-pong between ranks 0 and 1 ({size} ranks), one-way time:");
        println!("| bytes | µs | GB/s |");
        println!("|---|---|---|");
        for (&b, &t) in sizes.iter().zip(&one_way) {
            println!("| {b} | {:.2} | {:.3} |", t * 1e6, b as f64 / t / 1e9);
        }
        println!(
            "alpha = {:.2} µs, 1/beta = {:.2} GB/s (from the two largest messages)",
            alpha * 1e6,
            1.0 / beta / 1e9
        );
    }

    // 2. One reduction of MpiSum.
    let m = 8.0 * (n + 1) as f64;
    let products = 300;
    for reduction in [Reduction::Ordered, Reduction::Allreduce] {
        let obj = MpiSum::new(world.duplicate(), vec![Null { n }], n)?
            .with_l2(1.0)?
            .with_reduction(reduction);
        let x = Array1::from_elem(n, 0.5);
        let h = obj.hessian(x.view());
        let mut out = Array1::zeros(n);
        let mut times = Vec::with_capacity(products);
        for _ in 0..products {
            world.barrier();
            let t = Instant::now();
            h.apply(x.view(), out.view_mut());
            times.push(t.elapsed().as_secs_f64());
        }
        let mut slowest = [0.0f64; 2];
        let mine = [
            times.iter().copied().fold(f64::INFINITY, f64::min),
            median(times),
        ];
        world.all_reduce_into(
            &mine[..],
            &mut slowest[..],
            mpi::rsmpi::collective::SystemOperation::max(),
        );
        if rank == 0 {
            let p = size as f64;
            let model = (p - 1.0) * (alpha + beta * m) + p.log2().ceil() * (alpha + beta * m);
            println!(
                "{reduction:?}: one H·v reduction of {m:.0} bytes on {size} ranks: best {:.1} µs, median {:.1} µs (chain model (P-1)(a+bm) + ceil(log2 P)(a+bm) = {:.1} µs)",
                slowest[0] * 1e6,
                slowest[1] * 1e6,
                model * 1e6
            );
        }
    }
    Ok(())
}
