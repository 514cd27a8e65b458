//! `steihaug train`, `predict` and `gen-data`: L2 logistic regression on
//! LIBSVM files.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use steihaug::io::{read_libsvm_file, LinearModel};
use steihaug::problems::sparse_logistic::{
    default_shard_count, l2_logistic_with_shards, liblinear_gtol, liblinear_options, BinaryDataset,
    LIBLINEAR_EPS,
};
use steihaug::report::observe::StopFlag;
use steihaug::solvers::config::DEFAULT_MAX_ITER;
use steihaug::Iterate;

use crate::json;
use crate::method::{self, SolverKind};
use crate::progress::install_ctrlc;

#[derive(clap::Args)]
pub struct TrainArgs {
    /// Training data in LIBSVM format (labels: any two values).
    data: PathBuf,
    /// Loss weight C in 1/2|w|^2 + C sum log(1 + exp(-y w.x)).
    #[arg(short = 'c', default_value_t = 1.0)]
    c: f64,
    /// LIBLINEAR stopping tolerance: |g| <= eps*max(min(#pos,#neg),1)/l*|g(0)|.
    #[arg(short = 'e', default_value_t = LIBLINEAR_EPS)]
    eps: f64,
    /// Worker threads (default: rayon's default, one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Model file (default: DATA.model in the current directory, as LIBLINEAR).
    #[arg(short = 'o')]
    model: Option<PathBuf>,
    /// Solver.
    #[arg(long, value_enum, default_value = "tr")]
    solver: SolverKind,
    /// Number of data shards (default: from the data size; results do not depend on threads).
    #[arg(long)]
    shards: Option<usize>,
    /// Maximum Newton iterations.
    #[arg(long, default_value_t = DEFAULT_MAX_ITER)]
    max_iter: usize,
    /// Do not print per-iteration lines.
    #[arg(long)]
    quiet: bool,
    /// Print the report as one JSON object (the fields of `solve --json`
    /// and the data's), and nothing else.
    #[arg(long)]
    json: bool,
    /// Run as one rank of `mpirun -n R steihaug train DATA --mpi`: each
    /// rank reads its own part of DATA, rank 0 writes the model (the same
    /// bytes as without MPI).
    #[cfg(feature = "mpi")]
    #[arg(long)]
    mpi: bool,
    /// With --mpi: stop every rank on the same iteration once a rank's
    /// clock passes this many seconds (checked once per Newton iteration).
    #[cfg(feature = "mpi")]
    #[arg(long, requires = "mpi")]
    max_time: Option<f64>,
}

#[derive(clap::Args)]
pub struct PredictArgs {
    /// Test data in LIBSVM format.
    data: PathBuf,
    /// Model file written by `steihaug train` (or LIBLINEAR -s 0).
    model: PathBuf,
    /// Run as one rank of `mpirun -n R steihaug predict DATA MODEL --mpi`.
    #[cfg(feature = "mpi")]
    #[arg(long)]
    mpi: bool,
}

#[derive(clap::Args)]
pub struct GenDataArgs {
    /// Number of rows.
    #[arg(long)]
    rows: usize,
    /// Number of columns.
    #[arg(long)]
    cols: usize,
    /// Mean nonzeros per row (Poisson).
    #[arg(long)]
    nnz_per_row: f64,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Fraction of flipped labels.
    #[arg(long, default_value_t = 0.05)]
    flip: f64,
    /// Output file.
    #[arg(short = 'o')]
    output: PathBuf,
}

/// An error with the file it came from: the path is added only when the
/// message lacks it (and always otherwise), keeping the error's kind (and
/// so its exit status): an I/O error stays [`steihaug::Error::Io`], the
/// others become an `InvalidInput` naming the file.
fn in_file(path: &Path, e: steihaug::Error) -> steihaug::Error {
    let shown = path.display().to_string();
    if e.to_string().contains(&shown) {
        return e;
    }
    match e {
        steihaug::Error::Io(m) => steihaug::Error::Io(format!("{shown}: {m}")),
        steihaug::Error::OutOfMemory { .. } => e,
        other => steihaug::Error::InvalidInput(format!("{shown}: {other}")),
    }
}

use crate::MAX_THREADS;

#[cfg(feature = "mpi")]
mod mpi;

/// `steihaug train`: LIBLINEAR's -s 0 problem and stopping rule, in a
/// thread pool of `--threads` workers. Ctrl-C stops the solve at the end
/// of the iteration; the model is then not written (an existing file is
/// kept) and the program exits with status 130.
pub fn train(args: &TrainArgs, stop: &StopFlag) -> steihaug::Result<bool> {
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(t) = args.threads {
            if t == 0 || t > MAX_THREADS {
                return Err(steihaug::Error::InvalidOption {
                    name: "threads",
                    reason: format!("must be between 1 and {MAX_THREADS}, got {t}"),
                });
            }
            b = b.num_threads(t);
        }
        b.build()
            .map_err(|e| steihaug::Error::InvalidInput(format!("thread pool: {e}")))?
    };
    #[cfg(feature = "mpi")]
    if args.mpi {
        if let Some(t) = args.max_time {
            if !(t.is_finite() && t >= 0.0) {
                return Err(steihaug::Error::InvalidOption {
                    name: "max_time",
                    reason: format!("must be a finite number of seconds >= 0, got {t}"),
                });
            }
        }
        return pool.install(|| mpi::train(args, pool.current_num_threads(), stop));
    }
    // The model file must be writable before the data is read and solved.
    steihaug::io::atomic::check_writable(&model_path(args))?;
    install_ctrlc(stop, "the model is not written (an existing file is kept)");
    pool.install(|| train_in_pool(args, pool.current_num_threads(), stop))
}

/// Where the model goes: `-o`, or `DATA.model` in the current directory.
fn model_path(args: &TrainArgs) -> PathBuf {
    args.model.clone().unwrap_or_else(|| {
        let name = args
            .data
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "data".into());
        PathBuf::from(format!("{name}.model"))
    })
}

/// One progress line per Newton iteration (the header is printed first).
fn progress_line(rec: &Iterate<'_>) {
    outln!(
        "{:>5} {:>22.14e} {:>10.3e} {:>5} {:>10.3e} {:>10.3e} {:>8.3}{}",
        rec.iter,
        rec.f,
        rec.grad_norm,
        rec.krylov_iterations,
        rec.radius,
        rec.ratio_or_alpha(),
        rec.elapsed_s,
        if rec.accepted { "" } else { "  rejected" }
    );
}

fn train_in_pool(args: &TrainArgs, threads: usize, stop: &StopFlag) -> steihaug::Result<bool> {
    let t_read = Instant::now();
    let data = Arc::new(BinaryDataset::from_libsvm(
        read_libsvm_file(&args.data).map_err(|e| in_file(&args.data, e))?,
    )?);
    let read_s = t_read.elapsed().as_secs_f64();
    let (l, n, nnz) = (data.rows(), data.cols(), data.x().nnz());
    let (pos, neg) = data.class_counts();
    let shards = args
        .shards
        .unwrap_or_else(|| default_shard_count(l, nnz, n));
    // Shard accumulators (shards × n) and the solver's n-vectors, estimated
    // before they are allocated: n is the largest index of the file.
    steihaug::memory::check(
        &format!("training with n = {n} features and {shards} shards"),
        steihaug::memory::bytes_of(n as u128, 8)
            .saturating_mul((shards as u128).saturating_add(4))
            .saturating_add(steihaug::memory::solver_bytes(args.solver.method(), n)),
    )?;
    method::check_dim(args.solver.method(), n)?;
    let obj = l2_logistic_with_shards(data.clone(), args.c, shards)?;
    let t_solve = Instant::now();
    let gtol = liblinear_gtol(&obj, &data, args.eps)?;
    let options = liblinear_options(args.solver.method(), gtol).max_iter(args.max_iter);
    let text = !args.quiet && !args.json;
    if text {
        outln!(
            "data {}: l = {l}, n = {n}, nnz = {nnz}, +{pos}/-{neg}; read in {read_s:.2} s",
            args.data.display()
        );
        outln!(
            "C = {}, eps = {} (|g| <= {gtol:.6e}), {threads} threads, {} shards, solver {}",
            args.c,
            args.eps,
            obj.shards().len(),
            args.solver.title()
        );
        outln!(
            "{:>5} {:>22} {:>10} {:>5} {:>10} {:>10} {:>8}",
            "iter",
            "objective",
            "|g|",
            "cg",
            "radius",
            "ratio/step",
            "time s"
        );
    }
    let mut callback = |rec: &Iterate<'_>| {
        if text {
            progress_line(rec);
        }
        if stop.is_stop_requested() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let w0 = ndarray::Array1::zeros(n);
    let report = method::run(&obj, w0.view(), &options, &mut callback)?;
    let solve_s = t_solve.elapsed().as_secs_f64();
    let model_path = model_path(args);
    if crate::progress::interrupted() {
        errln!(
            "steihaug: interrupted after {} iterations (|g| = {:.3e}): no model written; {} is unchanged",
            report.iterations,
            report.grad_norm,
            model_path.display()
        );
        return Ok(false);
    }
    // The model first: a closed or full stdout must not cost it.
    LinearModel::logistic(report.x.to_vec(), data.label_pos(), data.label_neg())
        .write_file(&model_path)
        .map_err(|e| in_file(&model_path, e))?;
    if !args.json {
        outln!("{}", report.summary());
        outln!(
            "objective {:.15e} |g| {:.6e} newton_iters {} cg_iters {} solve_s {:.3} read_s {:.3} threads {threads}",
            report.f, report.grad_norm, report.iterations, report.counts.krylov_iterations, solve_s, read_s
        );
        outln!("model written to {}", model_path.display());
        return Ok(report.status.is_converged());
    }
    let mut fields = json::report_fields(&report)?;
    for (key, value) in [
        ("data", args.data.display().to_string().into()),
        ("model", model_path.display().to_string().into()),
        ("rows", l.into()),
        ("n", n.into()),
        ("nnz", nnz.into()),
        ("positives", pos.into()),
        ("negatives", neg.into()),
        ("c", json::value(args.c)),
        ("eps", json::value(args.eps)),
        ("gtol", json::value(gtol)),
        ("threads", threads.into()),
        ("shards", obj.shards().len().into()),
        ("read_s", json::value(read_s)),
        ("solve_s", json::value(solve_s)),
        ("config", method::options_json(&options)),
    ] {
        fields.insert(key.into(), value);
    }
    json::print(fields);
    Ok(report.status.is_converged())
}

/// `steihaug predict`: accuracy of a model.
pub fn predict(args: &PredictArgs) -> steihaug::Result<bool> {
    #[cfg(feature = "mpi")]
    if args.mpi {
        return mpi::predict(args);
    }
    let model = LinearModel::read_file(&args.model).map_err(|e| in_file(&args.model, e))?;
    let data = read_libsvm_file(&args.data).map_err(|e| in_file(&args.data, e))?;
    let acc = model.accuracy(&data.x, &data.labels)?;
    let hits = (acc * data.labels.len() as f64).round() as usize;
    outln!(
        "Accuracy = {:.4}% ({hits}/{})",
        100.0 * acc,
        data.labels.len()
    );
    Ok(true)
}

/// `steihaug gen-data`: rcv1-shaped synthetic data.
pub fn gen_data(args: &GenDataArgs) -> steihaug::Result<bool> {
    let mut spec = steihaug::problems::datagen::Rcv1Shaped::new(
        args.rows,
        args.cols,
        args.nnz_per_row,
        args.seed,
    );
    spec.flip = args.flip;
    spec.validate()?;
    let t = Instant::now();
    let mut nnz = 0;
    // Atomic: a failure (a full disk, a size limit) leaves an existing
    // file as it was.
    steihaug::io::atomic::write_file(&args.output, |w| {
        nnz = spec.write_libsvm(w)?;
        Ok(())
    })?;
    outln!(
        "wrote {} rows x {} cols, {nnz} nonzeros (rcv1-shaped synthetic, seed {}) to {} in {:.2} s",
        args.rows,
        args.cols,
        args.seed,
        args.output.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(true)
}
