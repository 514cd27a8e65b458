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
use steihaug::solvers::config::DEFAULT_MAX_ITER;
use steihaug::Iterate;

use crate::json;
use crate::method::{self, SolverKind};

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
}

#[derive(clap::Args)]
pub struct PredictArgs {
    /// Test data in LIBSVM format.
    data: PathBuf,
    /// Model file written by `steihaug train` (or LIBLINEAR -s 0).
    model: PathBuf,
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

/// An error with the file it came from: the path is added (as an
/// `InvalidInput` naming the file) only when the message lacks it; an error
/// that already names its file keeps its own kind.
fn in_file(path: &Path, e: steihaug::Error) -> steihaug::Error {
    let shown = path.display().to_string();
    if e.to_string().contains(&shown) {
        e
    } else {
        steihaug::Error::InvalidInput(format!("{shown}: {e}"))
    }
}

/// More threads than this is a typo, not a machine.
const MAX_THREADS: usize = 1024;

/// `steihaug train`: LIBLINEAR's -s 0 problem and stopping rule, in a
/// thread pool of `--threads` workers.
pub fn train(args: &TrainArgs) -> steihaug::Result<bool> {
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
    pool.install(|| train_in_pool(args, pool.current_num_threads()))
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
    println!(
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

fn train_in_pool(args: &TrainArgs, threads: usize) -> steihaug::Result<bool> {
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
    let obj = l2_logistic_with_shards(data.clone(), args.c, shards)?;
    let t_solve = Instant::now();
    let gtol = liblinear_gtol(&obj, &data, args.eps)?;
    let options = liblinear_options(args.solver.method(), gtol).max_iter(args.max_iter);
    let text = !args.quiet && !args.json;
    if text {
        println!(
            "data {}: l = {l}, n = {n}, nnz = {nnz}, +{pos}/-{neg}; read in {read_s:.2} s",
            args.data.display()
        );
        println!(
            "C = {}, eps = {} (|g| <= {gtol:.6e}), {threads} threads, {} shards, solver {}",
            args.c,
            args.eps,
            obj.shards().len(),
            args.solver.title()
        );
        println!(
            "{:>5} {:>22} {:>10} {:>5} {:>10} {:>10} {:>8}",
            "iter", "objective", "|g|", "cg", "radius", "ratio/step", "time s"
        );
    }
    let mut callback = |rec: &Iterate<'_>| {
        if text {
            progress_line(rec);
        }
        ControlFlow::Continue(())
    };
    let w0 = ndarray::Array1::zeros(n);
    let report = method::run(&obj, w0.view(), &options, &mut callback)?;
    let solve_s = t_solve.elapsed().as_secs_f64();
    let model_path = model_path(args);
    let write_model = || {
        LinearModel::logistic(report.x.to_vec(), data.label_pos(), data.label_neg())
            .write_file(&model_path)
            .map_err(|e| in_file(&model_path, e))
    };
    if !args.json {
        println!("{}", report.summary());
        println!(
            "objective {:.15e} |g| {:.6e} newton_iters {} cg_iters {} solve_s {:.3} read_s {:.3} threads {threads}",
            report.f, report.grad_norm, report.iterations, report.counts.krylov_iterations, solve_s, read_s
        );
        write_model()?;
        println!("model written to {}", model_path.display());
        return Ok(report.status.is_converged());
    }
    write_model()?;
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
    let model = LinearModel::read_file(&args.model).map_err(|e| in_file(&args.model, e))?;
    let data = read_libsvm_file(&args.data).map_err(|e| in_file(&args.data, e))?;
    let acc = model.accuracy(&data.x, &data.labels)?;
    let hits = (acc * data.labels.len() as f64).round() as usize;
    println!(
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
    let f = std::fs::File::create(&args.output)
        .map_err(|e| steihaug::Error::Io(format!("{}: {e}", args.output.display())))?;
    let t = Instant::now();
    let nnz = spec.write_libsvm(std::io::BufWriter::with_capacity(1 << 20, f))?;
    println!(
        "wrote {} rows x {} cols, {nnz} nonzeros (rcv1-shaped synthetic, seed {}) to {} in {:.2} s",
        args.rows,
        args.cols,
        args.seed,
        args.output.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(true)
}
