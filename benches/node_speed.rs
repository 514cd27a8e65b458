//! Per-node speed of the finite-sum kernels against memory bandwidth, and
//! LIBSVM parsing speed, measured in the same run (issue 15).
//!
//! `cargo bench --bench node_speed` (ROWS=677399 rcv1-shaped rows by
//! default; DATA=FILE reads a LIBSVM file instead; REPS=9 timings each).
//!
//! 1. STREAM triad `a = b + s·c` on three arrays of 2²⁵ doubles (768 MiB),
//!    counted as 24 bytes per element (McCalpin's convention), at 1 and 2
//!    threads: the best of REPS.
//! 2. The logistic value-gradient pass and Hessian-vector product of
//!    `l2_logistic` (LIBLINEAR's `-s 0` objective, default shards) at 1 and
//!    2 threads, best of REPS. Bytes per pass: the CSR stream, 12 bytes per
//!    nonzero (4-byte index, 8-byte value) plus 8 bytes per row pointer,
//!    plus 8 bytes per row for the per-row vector the pass writes (margins)
//!    or reads (C·D_i). Vectors of length n (47,236 doubles for rcv1) stay
//!    in cache and are not counted.
//! 3. The LIBSVM file (written to a temporary file when DATA is unset,
//!    then read once to warm the page cache): `read_libsvm_file` at 1 and
//!    2 threads and the line-at-a-time `read_libsvm_serial`, file bytes per
//!    second, best of 3; the chunked reader's result is checked equal to
//!    the serial reader's.

use std::io::BufReader;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use ndarray::Array1;
use rayon::prelude::*;
use steihaug::io::libsvm::{read_libsvm_serial, MAX_LINE_BYTES};
use steihaug::io::read_libsvm_file;
use steihaug::problems::datagen::Rcv1Shaped;
use steihaug::problems::sparse_logistic::{l2_logistic, BinaryDataset};
use steihaug::{LinearOperator, Objective};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn best<F: FnMut()>(reps: usize, mut f: F) -> f64 {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn triad(reps: usize) -> f64 {
    let n = 1usize << 25;
    let mut a = vec![0.0f64; n];
    let b = vec![1.0f64; n];
    let c = vec![2.0f64; n];
    let s = 3.0;
    let chunk = 1 << 16;
    let t = best(reps, || {
        a.par_chunks_mut(chunk)
            .zip(b.par_chunks(chunk))
            .zip(c.par_chunks(chunk))
            .for_each(|((a, b), c)| {
                for ((a, &b), &c) in a.iter_mut().zip(b).zip(c) {
                    *a = b + s * c;
                }
            });
    });
    assert!(a.iter().all(|&x| x == 7.0));
    24.0 * n as f64 / t
}

fn main() -> steihaug::Result<()> {
    let reps = env("REPS", 9);
    let pools: Vec<_> = [1usize, 2]
        .iter()
        .map(|&t| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap()
        })
        .collect();
    let load = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load before: {}", load().trim());

    let (path, temporary) = match std::env::var("DATA") {
        Ok(p) => (PathBuf::from(p), false),
        Err(_) => {
            let spec = Rcv1Shaped {
                rows: env("ROWS", 677_399),
                ..Rcv1Shaped::rcv1_test(1)
            };
            let p = std::env::temp_dir().join(format!("node_speed_{}.svm", std::process::id()));
            let f = std::fs::File::create(&p)?;
            spec.write_libsvm(std::io::BufWriter::new(f))?;
            (p, true)
        }
    };
    let bytes = std::fs::metadata(&path)?.len() as f64;
    let data = read_libsvm_file(&path)?;

    // 3. Parsing (first, while the file is fresh in the page cache).
    let serial = read_libsvm_serial(
        BufReader::with_capacity(1 << 20, std::fs::File::open(&path)?),
        MAX_LINE_BYTES,
    )?;
    assert!(
        serial == data,
        "the chunked reader must equal the serial one"
    );
    drop(serial);
    let mut read_rates = Vec::new();
    for pool in &pools {
        let t = pool.install(|| {
            best(3, || {
                let d = read_libsvm_file(&path).unwrap();
                assert_eq!(d.x.nnz(), data.x.nnz());
            })
        });
        read_rates.push(bytes / t);
    }
    let t_serial = best(3, || {
        let f = std::fs::File::open(&path).unwrap();
        let d = read_libsvm_serial(BufReader::with_capacity(1 << 20, f), MAX_LINE_BYTES).unwrap();
        assert_eq!(d.x.nnz(), data.x.nnz());
    });
    if temporary {
        let _ = std::fs::remove_file(&path);
    }

    let data = Arc::new(BinaryDataset::from_libsvm(data)?);
    let (l, n, nnz) = (data.rows(), data.cols(), data.x().nnz());
    println!(
        "data: l = {l}, n = {n}, nnz = {nnz}, file {:.1} MB",
        bytes / 1e6
    );
    let obj = l2_logistic(data.clone(), 1.0)?;
    let pass_bytes = (12 * nnz + 16 * l + 8) as f64;
    let w = Array1::from_shape_fn(n, |j| 1e-3 * ((j % 7) as f64 - 3.0));
    let v = Array1::from_shape_fn(n, |j| (j % 5) as f64 - 2.0);

    println!(
        "\n| threads | triad GB/s | value+grad s | GB/s | % of triad | H·v s | GB/s | % of triad |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (k, pool) in pools.iter().enumerate() {
        pool.install(|| {
            let bw = triad(reps);
            let mut g = Array1::zeros(n);
            let t_vg = best(reps, || {
                obj.value_grad(w.view(), g.view_mut());
            });
            let h = obj.hessian(w.view());
            let mut hv = Array1::zeros(n);
            let t_hv = best(reps, || h.apply(v.view(), hv.view_mut()));
            let (r_vg, r_hv) = (pass_bytes / t_vg, pass_bytes / t_hv);
            println!(
                "| {} | {:.2} | {:.4} | {:.2} | {:.0} % | {:.4} | {:.2} | {:.0} % |",
                k + 1,
                bw / 1e9,
                t_vg,
                r_vg / 1e9,
                100.0 * r_vg / bw,
                t_hv,
                r_hv / 1e9,
                100.0 * r_hv / bw
            );
        });
    }
    println!("\nbytes per pass: {pass_bytes:.0} (12 per nonzero + 16 per row)");
    println!("\n| reader | threads | GB/s of file |");
    println!("|---|---|---|");
    println!("| read_libsvm_serial | 1 | {:.3} |", bytes / t_serial / 1e9);
    for (k, r) in read_rates.iter().enumerate() {
        println!("| read_libsvm_file | {} | {:.3} |", k + 1, r / 1e9);
    }
    println!("\nload after: {}", load().trim());
    Ok(())
}
