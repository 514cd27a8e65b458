//! `steihaug train --mpi` and `predict --mpi` under `mpirun` (feature
//! `mpi`): every rank reads its own byte range of the LIBSVM file, the
//! solve runs replicated on every rank over [`MpiSum`], rank 0 prints and
//! writes the model (byte-identical to single-process `train`'s), and
//! every error ends all ranks with the same message and exit status.

use std::time::{Duration, Instant};

use steihaug::io::LinearModel;
use steihaug::problems::sparse_logistic::{liblinear_gtol_counts, liblinear_options};
use steihaug::report::observe::StopFlag;
use steihaug::shard::mpi::rsmpi::collective::SystemOperation;
use steihaug::shard::mpi::rsmpi::topology::SimpleCommunicator;
use steihaug::shard::mpi::rsmpi::traits::*;
use steihaug::shard::mpi::{self as smpi, agree, libsvm, CollectiveStop, MpiSum};
use steihaug::Iterate;

use super::{in_file, model_path, progress_line, PredictArgs, TrainArgs};
use crate::json;
use crate::method;
use crate::progress::install_ctrlc;

/// The largest value of `v` over the ranks.
fn max_over(comm: &SimpleCommunicator, v: f64) -> f64 {
    let mut out = 0.0;
    comm.all_reduce_into(&v, &mut out, SystemOperation::max());
    out
}

/// `train --mpi`, inside the rank's thread pool.
pub fn train(args: &TrainArgs, threads: usize, stop: &StopFlag) -> steihaug::Result<bool> {
    let universe = smpi::initialize()?;
    let world = universe.world();
    let root = world.rank() == 0;
    let ranks = world.size();
    let model_path = model_path(args);
    let writable = if root {
        steihaug::io::atomic::check_writable(&model_path)
    } else {
        Ok(())
    };
    agree(&world, writable)?;
    install_ctrlc(stop, "the model is not written (an existing file is kept)");
    let t_read = Instant::now();
    let part = libsvm::read_part(&world, &args.data).map_err(|e| in_file(&args.data, e))?;
    let bytes_read = part.bytes.end - part.bytes.start;
    let read_s_local = t_read.elapsed().as_secs_f64();
    let problem = libsvm::logistic(&world, part, args.c, args.shards)?;
    let setup_s_local = t_read.elapsed().as_secs_f64();
    let read_s = max_over(&world, read_s_local);
    let setup_s = max_over(&world, setup_s_local);
    let (l, n, nnz) = (problem.rows, problem.cols, problem.nnz);
    let (pos, neg) = problem.class_counts;
    let local_shards = problem.objective.local_shards().len();
    let check = steihaug::memory::check(
        &format!("training with n = {n} features and {local_shards} shards on this rank"),
        steihaug::memory::bytes_of(n as u128, 8)
            .saturating_mul((local_shards as u128).saturating_add(5))
            .saturating_add(steihaug::memory::solver_bytes(args.solver.method(), n)),
    )
    .and_then(|()| method::check_dim(args.solver.method(), n));
    agree(&world, check)?;
    let obj: &MpiSum<_> = &problem.objective;
    let t_solve = Instant::now();
    let gtol = liblinear_gtol_counts(obj, pos, neg, l, args.eps)?;
    let options = liblinear_options(args.solver.method(), gtol).max_iter(args.max_iter);
    let text = root && !args.quiet && !args.json;
    if text {
        outln!(
            "data {}: l = {l}, n = {n}, nnz = {nnz}, +{pos}/-{neg}; read in {read_s:.2} s (slowest rank; {setup_s:.2} s with the row exchange)",
            args.data.display()
        );
        outln!(
            "C = {}, eps = {} (|g| <= {gtol:.6e}), {ranks} ranks x {threads} threads, {} shards, solver {}",
            args.c,
            args.eps,
            problem.shards,
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
    let mut cstop = CollectiveStop::new(
        &world,
        args.max_time.map(Duration::from_secs_f64),
        Some(stop),
    );
    let bytes0 = obj.bytes_sent();
    let reductions0 = obj.reductions();
    let mut callback = |rec: &Iterate<'_>| {
        if text {
            progress_line(rec);
        }
        cstop.check()
    };
    let w0 = ndarray::Array1::zeros(n);
    let result = method::run(obj, w0.view(), &options, &mut callback);
    let mut report = result?;
    report.status = cstop.status(report.status);
    let solve_s = max_over(&world, t_solve.elapsed().as_secs_f64());
    let comm_bytes = obj.bytes_sent() - bytes0;
    let reductions = obj.reductions() - reductions0;
    if cstop.interrupted() {
        crate::progress::set_interrupted();
        if root {
            errln!(
                "steihaug: interrupted after {} iterations (|g| = {:.3e}): no model written; {} is unchanged",
                report.iterations,
                report.grad_norm,
                model_path.display()
            );
        }
        return Ok(false);
    }
    let written = if root {
        LinearModel::logistic(
            report.x.to_vec(),
            problem.data.label_pos(),
            problem.data.label_neg(),
        )
        .write_file(&model_path)
        .map_err(|e| in_file(&model_path, e))
    } else {
        Ok(())
    };
    agree(&world, written)?;
    let converged = report.status.is_converged();
    if !root {
        return Ok(converged);
    }
    let per_reduction = if reductions > 0 {
        comm_bytes as f64 / reductions as f64
    } else {
        0.0
    };
    if !args.json {
        outln!("{}", report.summary());
        outln!(
            "objective {:.15e} |g| {:.6e} newton_iters {} cg_iters {} solve_s {:.3} read_s {:.3} ranks {ranks} threads {threads}",
            report.f, report.grad_norm, report.iterations, report.counts.krylov_iterations, solve_s, read_s
        );
        outln!(
            "rank 0: {bytes_read} bytes of the file, {} rows held; sent {comm_bytes} bytes ({per_reduction:.0} per reduction)",
            problem.rows_held.len()
        );
        outln!("model written to {}", model_path.display());
        return Ok(converged);
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
        ("ranks", ranks.into()),
        ("shards", problem.shards.into()),
        ("read_s", json::value(read_s)),
        ("setup_s", json::value(setup_s)),
        ("solve_s", json::value(solve_s)),
        ("rank0_bytes_read", bytes_read.into()),
        ("rank0_rows", problem.rows_held.len().into()),
        ("rank0_bytes_sent", comm_bytes.into()),
        ("bytes_per_reduction", json::value(per_reduction)),
        ("config", method::options_json(&options)),
    ] {
        fields.insert(key.into(), value);
    }
    json::print(fields);
    Ok(converged)
}

/// `predict --mpi`: every rank scores its own byte range; the hits are
/// summed (integers) and rank 0 prints the single-process line.
pub fn predict(args: &PredictArgs) -> steihaug::Result<bool> {
    let universe = smpi::initialize()?;
    let world = universe.world();
    let model = agree(
        &world,
        LinearModel::read_file(&args.model).map_err(|e| in_file(&args.model, e)),
    )?;
    let part = libsvm::read_part(&world, &args.data).map_err(|e| in_file(&args.data, e))?;
    if part.total_rows == 0 {
        return Err(steihaug::Error::InvalidInput(
            "no examples to predict".into(),
        ));
    }
    let hits_local = model
        .predict(&part.data.x)
        .iter()
        .zip(&part.data.labels)
        .filter(|(p, l)| p.to_bits() == l.to_bits() || (**p - **l).abs() == 0.0)
        .count() as u64;
    let mut hits = 0u64;
    world.all_reduce_into(&hits_local, &mut hits, SystemOperation::sum());
    if world.rank() == 0 {
        let total = part.total_rows;
        let acc = hits as f64 / total as f64;
        outln!("Accuracy = {:.4}% ({hits}/{total})", 100.0 * acc);
    }
    Ok(true)
}
