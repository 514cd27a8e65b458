//! MPI tests (feature `mpi`), one process per rank: run under
//! `mpirun -n R target/.../deps/mpi-*` for R = 1, 2, 3 (`.ci/run` does).
//! MPI initializes once per process, so this is a `harness = false`
//! binary: every check runs in one `main`, every rank runs every check,
//! and rank 0 prints `mpi (R ranks): N passed, F failed`; the exit status
//! is non-zero on every rank if any check failed on any rank.
//!
//! What is checked against the single-process `ShardedSum` with the same
//! shards (which every rank also builds, whole, for the comparison):
//! * f, ∇f, H·v, diag H and a whole LIBLINEAR-preset TR solve (x, f, the
//!   iteration and CG counts), bit for bit, for shard counts below, at and
//!   above the rank count, sequential and rayon;
//! * the LIBSVM path: each rank reads its own byte range, the rows are
//!   moved to the single-process shard layout, and the solve equals the
//!   single-process one on the whole file bit for bit;
//! * a malformed line in the last rank's part: every rank returns the same
//!   `Error::Parse`, with the line number of the single-process reader;
//! * an error on one rank only ([`agree`]): the same error everywhere;
//! * a NaN in one rank's shard: every rank sees a NaN f;
//! * a time limit passed on the last rank only: every rank stops on the
//!   same iteration with `TimeLimit`;
//! * `Reduction::Allreduce`: within 1e-12 of the single-process values.

use std::io::Write;
use std::ops::ControlFlow;
use std::sync::Arc;

use ndarray::{Array1, ArrayView1};
use steihaug::io::read_libsvm_file;
use steihaug::linalg::par::Par;
use steihaug::problems::datagen::Rcv1Shaped;
use steihaug::problems::sparse_logistic::{
    l2_logistic_with_shards, liblinear_gtol, liblinear_gtol_counts, liblinear_options,
    BinaryDataset, LogisticShard, LIBLINEAR_PRECOND_WEIGHT,
};
use steihaug::shard::mpi::rsmpi::topology::SimpleCommunicator;
use steihaug::shard::mpi::rsmpi::traits::*;
use steihaug::shard::mpi::{self, agree, libsvm, CollectiveStop, MpiSum, Reduction};
use steihaug::shard::{Shard, ShardedSum};
use steihaug::{minimize_with, Error, LinearOperator, Method, Objective, Status};

struct Checks<'c> {
    comm: &'c SimpleCommunicator,
    passed: usize,
    failed: usize,
}

impl Checks<'_> {
    /// Records a check that must hold on every rank.
    fn check(&mut self, name: &str, ok: bool) {
        let bad = mpi::any(self.comm, !ok);
        if bad {
            self.failed += 1;
            if !ok {
                eprintln!("rank {}: FAILED {name}", self.comm.rank());
            }
        } else {
            self.passed += 1;
        }
    }
}

fn bits_eq(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// Rank r's block of `count` shards.
fn block(comm: &SimpleCommunicator, count: usize) -> std::ops::Range<usize> {
    let (r, p) = (comm.rank() as usize, comm.size() as usize);
    r * count / p..(r + 1) * count / p
}

fn data(rows: usize, cols: usize, seed: u64) -> Arc<BinaryDataset> {
    let (y, x) = Rcv1Shaped::new(rows, cols, 12.0, seed).generate().unwrap();
    Arc::new(BinaryDataset::from_labels(x, &y).unwrap())
}

/// f, ∇f, H·v and diag H of the MPI sum against the single-process sum.
fn same_evaluations(c: &mut Checks<'_>, d: &Arc<BinaryDataset>, count: usize, par: Par) {
    let comm = c.comm;
    let n = d.cols();
    let single = l2_logistic_with_shards(d.clone(), 2.0, count)
        .unwrap()
        .with_par(par);
    let all = LogisticShard::partition(d.clone(), 2.0, count).unwrap();
    let mine: Vec<_> = all[block(comm, all.len())].to_vec();
    let obj = MpiSum::new(comm.duplicate(), mine, n)
        .unwrap()
        .with_l2(1.0)
        .unwrap()
        .with_diagonal_preconditioner(LIBLINEAR_PRECOND_WEIGHT)
        .unwrap()
        .with_par(par);
    let x = Array1::from_iter((0..n).map(|j| ((j * 7919) % 13) as f64 * 0.01 - 0.05));
    let (mut g1, mut g2) = (Array1::zeros(n), Array1::zeros(n));
    let f1 = single.value_grad(x.view(), g1.view_mut());
    let f2 = obj.value_grad(x.view(), g2.view_mut());
    let tag = format!("{count} shards, {par:?}");
    c.check(&format!("f, {tag}"), f1.to_bits() == f2.to_bits());
    c.check(
        &format!("gradient, {tag}"),
        bits_eq(g1.as_slice().unwrap(), g2.as_slice().unwrap()),
    );
    let (h1, h2) = (single.hessian(x.view()), obj.hessian(x.view()));
    let v = Array1::from_iter((0..n).map(|j| (j as f64 * 0.37).sin()));
    let (mut o1, mut o2) = (Array1::zeros(n), Array1::zeros(n));
    h1.apply(v.view(), o1.view_mut());
    h2.apply(v.view(), o2.view_mut());
    c.check(
        &format!("Hv, {tag}"),
        bits_eq(o1.as_slice().unwrap(), o2.as_slice().unwrap()),
    );
    // A strided input takes the copy path.
    let vv = Array1::from_iter((0..2 * n).map(|j| (j as f64 * 0.37).cos()));
    let strided = vv.slice(ndarray::s![..;2]);
    h1.apply(strided, o1.view_mut());
    h2.apply(strided, o2.view_mut());
    c.check(
        &format!("Hv strided, {tag}"),
        bits_eq(o1.as_slice().unwrap(), o2.as_slice().unwrap()),
    );
    let (ok1, ok2) = (h1.diagonal(o1.view_mut()), h2.diagonal(o2.view_mut()));
    c.check(
        &format!("diagonal, {tag}"),
        ok1 && ok2 && bits_eq(o1.as_slice().unwrap(), o2.as_slice().unwrap()),
    );
    // A whole solve with LIBLINEAR's preset (its preconditioner included).
    let gtol1 = liblinear_gtol(&single, d, 0.001).unwrap();
    let (pos, neg) = d.class_counts();
    let gtol2 = liblinear_gtol_counts(&obj, pos, neg, d.rows(), 0.001).unwrap();
    c.check(&format!("gtol, {tag}"), gtol1.to_bits() == gtol2.to_bits());
    let options = liblinear_options(Method::TrustRegion, gtol1);
    let x0 = Array1::zeros(n);
    let r1 = minimize_with(&single, x0.view(), &options, &mut |_| {
        ControlFlow::Continue(())
    });
    let r2 = minimize_with(
        &obj,
        x0.view(),
        &options,
        &mut |_| ControlFlow::Continue(()),
    );
    let (r1, r2) = (r1.unwrap(), r2.unwrap());
    c.check(
        &format!("solve, {tag}"),
        r1.status == r2.status
            && r1.iterations == r2.iterations
            && r1.counts.krylov_iterations == r2.counts.krylov_iterations
            && r1.f.to_bits() == r2.f.to_bits()
            && bits_eq(r1.x.as_slice().unwrap(), r2.x.as_slice().unwrap()),
    );
    if par == Par::Rayon && count == 7 {
        let mine: Vec<_> = all[block(comm, all.len())].to_vec();
        let fast = MpiSum::new(comm.duplicate(), mine, n)
            .unwrap()
            .with_l2(1.0)
            .unwrap()
            .with_reduction(Reduction::Allreduce);
        let f3 = fast.value_grad(x.view(), g2.view_mut());
        let close = (f3 - f1).abs() <= 1e-12 * f1.abs()
            && g1
                .iter()
                .zip(&g2)
                .all(|(a, b)| (a - b).abs() <= 1e-12 * (1.0 + a.abs()));
        c.check("allreduce within 1e-12", close);
    }
}

/// Writes the LIBSVM text of `d` (rank 0) to a file all ranks can read.
fn shared_file(comm: &SimpleCommunicator, name: &str, text: &[u8]) -> std::path::PathBuf {
    let mut id = std::process::id() as u64;
    comm.process_at_rank(0).broadcast_into(&mut id);
    let path = std::env::temp_dir().join(format!("steihaug-mpi-{id}-{name}"));
    if comm.rank() == 0 {
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(text).unwrap();
    }
    comm.barrier();
    path
}

fn libsvm_path(c: &mut Checks<'_>) {
    let comm = c.comm;
    let spec = Rcv1Shaped::new(2000, 300, 15.0, 11);
    let mut text = Vec::new();
    spec.write_libsvm(&mut text).unwrap();
    // A comment line and a blank line, which the byte split must handle.
    text.extend_from_slice(b"# the end\n\n-1 2:0.5 7:1\n");
    let path = shared_file(comm, "good.svm", &text);
    for shards in [1usize, 2, 3, 8] {
        let d = Arc::new(BinaryDataset::from_libsvm(read_libsvm_file(&path).unwrap()).unwrap());
        let single = l2_logistic_with_shards(d.clone(), 1.5, shards).unwrap();
        let part = libsvm::read_part(comm, &path).unwrap();
        let dist = libsvm::logistic(comm, part, 1.5, Some(shards)).unwrap();
        c.check(
            &format!("libsvm sizes, {shards} shards"),
            dist.rows == d.rows()
                && dist.cols == d.cols()
                && dist.nnz == d.x().nnz()
                && dist.class_counts == d.class_counts()
                && dist.shards == single.shards().len(),
        );
        let gtol = liblinear_gtol(&single, &d, 0.01).unwrap();
        let (pos, neg) = dist.class_counts;
        let gtol2 = liblinear_gtol_counts(&dist.objective, pos, neg, dist.rows, 0.01).unwrap();
        let options = liblinear_options(Method::TrustRegion, gtol);
        let x0 = Array1::zeros(d.cols());
        let r1 = minimize_with(&single, x0.view(), &options, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        let r2 = minimize_with(&dist.objective, x0.view(), &options, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        c.check(
            &format!("libsvm solve, {shards} shards"),
            gtol.to_bits() == gtol2.to_bits()
                && r1.iterations == r2.iterations
                && r1.f.to_bits() == r2.f.to_bits()
                && bits_eq(r1.x.as_slice().unwrap(), r2.x.as_slice().unwrap()),
        );
    }
    // A malformed line near the end: in the last rank's part.
    let mut bad = text.clone();
    bad.extend_from_slice(b"+1 3:1 3:2\n");
    let path_bad = shared_file(comm, "bad.svm", &bad);
    let expected = read_libsvm_file(&path_bad).unwrap_err();
    let got = libsvm::read_part(comm, &path_bad).unwrap_err();
    c.check(
        "malformed line: the single-process error on every rank",
        matches!(expected, Error::Parse { .. }) && got == expected,
    );
    if comm.rank() == 0 {
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(&path_bad);
    }
}

/// A shard whose value is NaN when `poison` is set.
struct Quadratic {
    center: f64,
    poison: bool,
}

impl Shard for Quadratic {
    type Cache = ();
    type Prepared = ();
    fn dim(&self) -> usize {
        1
    }
    fn len(&self) -> usize {
        1
    }
    fn new_cache(&self) {}
    fn value_grad(&self, w: &[f64], _: &mut (), g: &mut [f64]) -> f64 {
        g[0] += w[0] - self.center;
        if self.poison {
            f64::NAN
        } else {
            0.5 * (w[0] - self.center).powi(2)
        }
    }
    fn prepare(&self, _: &[f64], _: &(), _: bool) {}
    fn hvp(&self, _: &(), v: &[f64], out: &mut [f64]) {
        out[0] += v[0];
    }
}

fn collective_decisions(c: &mut Checks<'_>, d: &Arc<BinaryDataset>) {
    let comm = c.comm;
    let last = comm.rank() == comm.size() - 1;
    // An error on the last rank only.
    let local: steihaug::Result<u8> = if last {
        Err(Error::Parse {
            line: 42,
            reason: "bad".into(),
        })
    } else {
        Ok(1)
    };
    let got = agree(comm, local);
    c.check(
        "agree: every rank gets the last rank's error",
        got == Err(Error::Parse {
            line: 42,
            reason: "bad".into(),
        }),
    );
    c.check(
        "agree: no error keeps the values",
        agree(comm, Ok(7)) == Ok(7),
    );
    // A NaN in the last rank's shard reaches every rank.
    let shards = vec![Quadratic {
        center: comm.rank() as f64,
        poison: last,
    }];
    let obj = MpiSum::new(comm.duplicate(), shards, 1).unwrap();
    let mut g = Array1::zeros(1);
    let f = obj.value_grad(ArrayView1::from(&[0.5]), g.view_mut());
    c.check("a NaN on one rank is a NaN everywhere", f.is_nan());
    // A time limit passed on the last rank only, at iteration 3, in a
    // logistic solve that would run on (gtol = 0).
    let all = LogisticShard::partition(d.clone(), 1.0, 3).unwrap();
    let mine: Vec<_> = all[block(comm, all.len())].to_vec();
    let obj = MpiSum::new(comm.duplicate(), mine, d.cols())
        .unwrap()
        .with_l2(1.0)
        .unwrap();
    let mut stop = CollectiveStop::new(comm, None, None);
    let options = steihaug::Options::new(Method::LineSearch)
        .gtol_abs(0.0)
        .gtol_rel(0.0)
        .max_iter(50);
    let mut calls = 0;
    let report = minimize_with(&obj, Array1::zeros(d.cols()).view(), &options, &mut |rec| {
        calls += 1;
        let code = i32::from(last && rec.record.iter >= 3);
        stop.check_code(code)
    })
    .unwrap();
    let status = stop.status(report.status);
    let mut iters = vec![0u64; comm.size() as usize];
    comm.all_gather_into(&(report.iterations as u64), &mut iters[..]);
    c.check(
        "a time limit on one rank stops every rank on the same iteration",
        status == Status::TimeLimit && iters.iter().all(|&i| i == iters[0]) && calls == 3,
    );
    // No shard on some ranks (1 shard, R ranks) still works.
    let shards: Vec<Quadratic> = if comm.rank() == 0 {
        vec![Quadratic {
            center: 3.0,
            poison: false,
        }]
    } else {
        Vec::new()
    };
    let obj = MpiSum::new(comm.duplicate(), shards, 1).unwrap();
    let single = ShardedSum::new(vec![Quadratic {
        center: 3.0,
        poison: false,
    }])
    .unwrap();
    let (mut g1, mut g2) = (Array1::zeros(1), Array1::zeros(1));
    let f1 = single.value_grad(ArrayView1::from(&[0.25]), g1.view_mut());
    let f2 = obj.value_grad(ArrayView1::from(&[0.25]), g2.view_mut());
    c.check(
        "ranks without shards",
        f1.to_bits() == f2.to_bits() && g1[0].to_bits() == g2[0].to_bits(),
    );
    // No shard anywhere is an error on every rank.
    let none: Vec<Quadratic> = Vec::new();
    c.check(
        "no shards anywhere",
        matches!(
            MpiSum::new(comm.duplicate(), none, 1),
            Err(Error::EmptyProblem)
        ),
    );
}

fn main() {
    let universe = mpi::initialize().expect("MPI initializes once");
    let world = universe.world();
    let mut c = Checks {
        comm: &world,
        passed: 0,
        failed: 0,
    };
    let d = data(1500, 400, 5);
    for count in [1usize, 2, 3, 7] {
        for par in [Par::Seq, Par::Rayon] {
            same_evaluations(&mut c, &d, count, par);
        }
    }
    libsvm_path(&mut c);
    collective_decisions(&mut c, &d);
    if world.rank() == 0 {
        println!(
            "mpi ({} ranks): {} passed, {} failed",
            world.size(),
            c.passed,
            c.failed
        );
    }
    let failed = c.failed;
    drop(universe);
    if failed > 0 {
        std::process::exit(1);
    }
}
