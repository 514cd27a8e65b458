//! Memory bandwidth: a STREAM-like triad against the parallel CSR product.
//!
//! `cargo bench --bench sparse_bandwidth [-- N_GRID]`
//!
//! * Triad `a ← b + s·c` over three arrays of 2^25 doubles (768 MiB in
//!   all, far beyond any cache), parallel over fixed chunks with rayon;
//!   bytes counted as STREAM does, 24 per element (no write-allocate).
//! * The CSR product `y ← A x` (`steihaug::linalg::sparse::csr_matvec`) with the MSA
//!   Hessian (7-point stencil) on an N×N grid (default 1000, n = 10^6,
//!   nnz ≈ 7·10^6), with usize and u32 column indices; bytes counted with
//!   the same convention: `nnz·(8 + index) + (n+1)·8 + 8n (x) + 8n (y)`.
//! * The matrix-free MSA product on the same grid: 64 bytes per unknown
//!   (v and the stored element Hessians, 6 doubles per unknown, read; y
//!   written).
//!
//! Each kernel runs `REPS` times interleaved with the triad; the best time
//! of each is reported (other processes share the machine), and the
//! fraction of the triad bandwidth achieved by the product.

use std::time::Instant;

use ndarray::Array1;
use rayon::prelude::*;
use sprs::CsMatI;
use steihaug::linalg::par::Par;
use steihaug::linalg::sparse::csr_matvec;
use steihaug::problems::minpack2::Minpack2;
use steihaug::{LinearOperator, Objective};

const REPS: usize = 15;
const TRIAD_LEN: usize = 1 << 25;

fn triad(a: &mut [f64], b: &[f64], c: &[f64], s: f64) {
    a.par_chunks_mut(1 << 16)
        .zip(b.par_chunks(1 << 16))
        .zip(c.par_chunks(1 << 16))
        .for_each(|((a, b), c)| {
            for ((a, &b), &c) in a.iter_mut().zip(b).zip(c) {
                *a = b + s * c;
            }
        });
}

fn best<F: FnMut()>(mut f: F) -> f64 {
    f();
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

fn main() {
    let grid: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    println!(
        "threads: {}, triad arrays: 3 x {} doubles, MSA grid {grid}x{grid}",
        rayon::current_num_threads(),
        TRIAD_LEN
    );
    let mut a = vec![0.0; TRIAD_LEN];
    let b = vec![1.0; TRIAD_LEN];
    let c = vec![2.0; TRIAD_LEN];

    let p = Minpack2::msa(grid, grid).unwrap();
    let n = p.n();
    let x = p.start();
    let m = p.hessian_matrix(x.view());
    let nnz = m.nnz();
    let ip = m.indptr();
    let indptr: Vec<usize> = ip.raw_storage().to_vec();
    let indices: Vec<usize> = m.indices().to_vec();
    let indices32: Vec<u32> = indices.iter().map(|&j| j as u32).collect();
    let indptr32: Vec<u32> = indptr.iter().map(|&j| j as u32).collect();
    let m32: CsMatI<f64, u32> = CsMatI::new(
        (n, n),
        indptr32.clone(),
        indices32.clone(),
        m.data().to_vec(),
    );
    let v = Array1::from_shape_fn(n, |i| ((i * 7919) % 1000) as f64 / 1000.0);
    let vs = v.as_slice().unwrap();
    let mut y = vec![0.0; n];
    let h = p.hessian(x.view());
    let mut yh = Array1::zeros(n);

    let (mut t_triad, mut t_csr, mut t_csr32, mut t_free, mut t_csr_seq) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::INFINITY,
        f64::INFINITY,
        f64::INFINITY,
    );
    for _ in 0..REPS {
        t_triad = t_triad.min(best(|| triad(&mut a, &b, &c, 3.0)));
        t_csr = t_csr.min(best(|| {
            csr_matvec(Par::Rayon, &indptr, &indices, m.data(), vs, &mut y)
        }));
        t_csr32 = t_csr32.min(best(|| {
            csr_matvec(Par::Rayon, &indptr32, &indices32, m32.data(), vs, &mut y)
        }));
        t_free = t_free.min(best(|| h.apply(v.view(), yh.view_mut())));
    }
    for _ in 0..3 {
        t_csr_seq = t_csr_seq.min(best(|| {
            csr_matvec(Par::Seq, &indptr, &indices, m.data(), vs, &mut y)
        }));
    }
    std::hint::black_box((&a, &y, &yh));
    let gbs = |bytes: f64, t: f64| bytes / t / 1e9;
    let triad_bw = gbs(24.0 * TRIAD_LEN as f64, t_triad);
    let bytes64 = nnz as f64 * 16.0 + (n + 1) as f64 * 8.0 + 16.0 * n as f64;
    let bytes32 = nnz as f64 * 12.0 + (n + 1) as f64 * 4.0 + 16.0 * n as f64;
    println!(
        "triad              : {:8.3} ms  {:6.2} GB/s",
        t_triad * 1e3,
        triad_bw
    );
    println!(
        "n = {n}, nnz = {nnz} ({:.2} per row)",
        nnz as f64 / n as f64
    );
    let row = |name: &str, bytes: f64, t: f64| {
        let bw = gbs(bytes, t);
        println!(
            "{name:<19}: {:8.3} ms  {:6.2} GB/s  {:5.1}% of triad  ({:.1} MB, {:.1} B/row)",
            t * 1e3,
            bw,
            100.0 * bw / triad_bw,
            bytes / 1e6,
            bytes / n as f64
        );
    };
    row("CSR usize, rayon", bytes64, t_csr);
    row("CSR u32, rayon", bytes32, t_csr32);
    row("CSR usize, 1 thread", bytes64, t_csr_seq);
    row("matrix-free MSA", 64.0 * n as f64, t_free);
}
