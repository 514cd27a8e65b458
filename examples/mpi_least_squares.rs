//! Distributed least squares with the user's own `Shard`, across MPI ranks.
//!
//! ```sh
//! cargo build --release --features mpi --example mpi_least_squares
//! mpirun -n 2 target/release/examples/mpi_least_squares
//! ```
//!
//! f(w) = ½λ‖w‖² + Σ_i ½(a_iᵀw − b_i)² over 12 shards of 500 rows each
//! (rows made from a seeded generator, so every run and every rank count
//! sees the same data). Rank r builds only its own block of the shards.
//! The objective is minimized with the trust-region solver on every rank,
//! and the result is checked against the single-process `ShardedSum` with
//! the same shards: f and x must agree bit for bit (each rank builds the
//! whole sum for that check only).

use ndarray::{Array1, ArrayView1};
use steihaug::shard::mpi::{self, rsmpi::traits::*, MpiSum};
use steihaug::shard::{Shard, ShardedSum};
use steihaug::{Objective, TrustRegion};

const N: usize = 20;
const ROWS: usize = 500;
const SHARDS: usize = 12;

/// Rows `a_i` (dense, N each) and targets `b_i` of one shard.
struct Rows {
    a: Vec<f64>,
    b: Vec<f64>,
}

/// A small linear congruential generator: the same numbers everywhere.
fn uniform(state: &mut u64) -> f64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
}

impl Rows {
    fn shard(k: usize) -> Self {
        let mut s = 0x9E37_79B9_7F4A_7C15u64 ^ (k as u64);
        let a: Vec<f64> = (0..ROWS * N).map(|_| uniform(&mut s)).collect();
        let b = (0..ROWS)
            .map(|i| {
                // b = a·(1, 2, …, N)/N + noise
                let row = &a[i * N..(i + 1) * N];
                row.iter()
                    .enumerate()
                    .map(|(j, v)| v * (j + 1) as f64 / N as f64)
                    .sum::<f64>()
                    + 0.01 * uniform(&mut s)
            })
            .collect();
        Self { a, b }
    }
}

impl Shard for Rows {
    type Cache = ();
    type Prepared = ();
    fn dim(&self) -> usize {
        N
    }
    fn len(&self) -> usize {
        self.b.len()
    }
    fn new_cache(&self) {}
    fn value_grad(&self, w: &[f64], _: &mut (), grad: &mut [f64]) -> f64 {
        let mut f = 0.0;
        for (row, &b) in self.a.chunks(N).zip(&self.b) {
            let r = row.iter().zip(w).map(|(a, w)| a * w).sum::<f64>() - b;
            f += 0.5 * r * r;
            for (g, a) in grad.iter_mut().zip(row) {
                *g += r * a;
            }
        }
        f
    }
    fn prepare(&self, _: &[f64], _: &(), _: bool) {}
    fn hvp(&self, _: &(), v: &[f64], out: &mut [f64]) {
        for row in self.a.chunks(N) {
            let t = row.iter().zip(v).map(|(a, v)| a * v).sum::<f64>();
            for (o, a) in out.iter_mut().zip(row) {
                *o += t * a;
            }
        }
    }
}

fn main() -> steihaug::Result<()> {
    let universe = mpi::initialize()?;
    let world = universe.world();
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    // Rank r holds shards r·S/P .. (r+1)·S/P: contiguous blocks in rank order.
    let mine: Vec<Rows> = (rank * SHARDS / size..(rank + 1) * SHARDS / size)
        .map(Rows::shard)
        .collect();
    let obj = MpiSum::new(world.duplicate(), mine, N)?.with_l2(1e-3)?;
    let report = TrustRegion::default().solve(&obj, Array1::zeros(N).view())?;

    // The single-process sum with the same shards, for the check.
    let whole = ShardedSum::new((0..SHARDS).map(Rows::shard).collect())?.with_l2(1e-3)?;
    let single = TrustRegion::default().solve(&whole, Array1::zeros(N).view())?;
    let same = report.f.to_bits() == single.f.to_bits()
        && report
            .x
            .iter()
            .zip(&single.x)
            .all(|(a, b)| a.to_bits() == b.to_bits());
    let mut g = Array1::zeros(N);
    let f_mpi = obj.value_grad(ArrayView1::from(&report.x.to_vec()), g.view_mut());
    if rank == 0 {
        println!(
            "{size} ranks: {} in {} iterations, f = {f_mpi:.17e}, w[0] = {:.6}, w[{}] = {:.6}",
            report.status,
            report.iterations,
            report.x[0],
            N - 1,
            report.x[N - 1]
        );
        println!(
            "bit-identical to one process: {}",
            if same { "yes" } else { "NO" }
        );
    }
    if !mpi::any(&world, !same) {
        Ok(())
    } else {
        Err(steihaug::Error::InvalidInput(
            "the MPI result differs from the single-process one".into(),
        ))
    }
}
