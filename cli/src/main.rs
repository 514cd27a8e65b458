//! The `steihaug` command line.
//!
//! * `steihaug` — solves the default problem (extended Rosenbrock,
//!   n = 1,000,000) with the trust-region Newton-CG solver and prints a
//!   per-iteration table and a summary;
//! * `steihaug solve --problem NAME [--n N] [--solver tr|linesearch|dense]
//!   [--nx NX --ny NY] [--hessian matrix-free|assembled]
//!   [--precond none|jacobi|objective|ic0|mic0|amg] [--mic0-relax W] [--gtol X] [--max-iter K] [--json]
//!   [--check-derivatives] [--report FILE] [--plot FILE.svg]
//!   [--checkpoint FILE [--checkpoint-every K]] [--resume FILE] [--quiet]
//!   [--radius-init constant:X|gradient|first-step|interpolation]
//!   [--radius-rule nocedal-wright|tron|tao|tao-double|tao-double-interior] [--rejected-step shrink|backtrack|backtrack-keep] [--forcing sqrt|quadratic|ew1|ew2|constant:X]
//!   [--second-order off|check|escape] [--gap-tol X]`
//!   — any registered problem; grid problems (MINPACK-2 msa, ept, ssc, odc,
//!   pjb) take a grid and a Hessian mode; `ic0` is the problem's own
//!   preconditioner, IC(0) of the assembled Hessian (with `--solver tron`, IC(0)
//!   of the reduced Hessian on each face); `mic0` (`--solver tron` only)
//!   relaxed modified IC(0) on each face, ω = `--mic0-relax` (default
//!   0.95); `amg` smoothed-aggregation
//!   multigrid of the assembled Hessian (either Hessian mode);
//! * `steihaug problems` — the list of problems;
//! * `steihaug train DATA [-c C] [-e EPS] [--threads N] [-o MODEL] [--json]`
//!   — L2 logistic regression (LIBLINEAR `-s 0`: ½‖w‖² + C Σ log(1+e^{−y wᵀx}))
//!   on a LIBSVM file with LIBLINEAR's stopping rule, one progress line per
//!   Newton iteration (objective, ‖g‖, CG iterations, radius), and a model
//!   file in LIBLINEAR's format (default `DATA.model`);
//! * `steihaug predict DATA MODEL` — accuracy of a model on a LIBSVM file;
//! * `steihaug gen-data --rows L --cols N --nnz-per-row K --seed S -o FILE` —
//!   rcv1-shaped synthetic data, the same bytes for the same arguments.
//!
//! A progress bar (iteration, f, |g|, HVPs) appears on stderr when a solve
//! runs longer than a second, unless stderr or stdout is not a terminal or
//! `--quiet` is given. Ctrl-C stops the solve at the end of the current
//! iteration (status `stopped_by_user`) and the report is still printed and
//! written; a second Ctrl-C exits at once with status 130.
//!
//! Exit status (the table of README.md, mapped in [`exit_code`]): 0 when
//! the solve converged, 3 when it ended otherwise (the status says why), 2
//! for invalid arguments or values, 1 for I/O and data errors, 130 after
//! Ctrl-C. Output goes through `output` (a closed pipe mutes stdout
//! quietly; a full disk is an I/O error).
//!
//! The program parses and prints; the solvers, presets and checks it uses
//! are the library's. Files: `solve.rs` (`solve`, `problems`), `train.rs`
//! (`train`, `predict`, `gen-data`), `method.rs` (the `--solver` choice and
//! the one place that runs a solver), `strategy.rs` (the trust-region
//! strategy flags), `json.rs` (the one-object `--json`
//! report), `progress.rs` (progress bar and Ctrl-C).

#[macro_use]
mod output;
mod json;
mod method;
mod progress;
mod solve;
mod strategy;
mod train;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use steihaug::report::observe::StopFlag;

#[derive(Parser)]
#[command(
    name = "steihaug",
    version,
    about = "Matrix-free trust-region Newton-CG (Steihaug-Toint), line-search Newton-CG and dense Newton",
    long_about = "With no subcommand, solves the default problem: extended Rosenbrock with n = 1,000,000 by trust-region Newton-CG."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Solve a built-in problem.
    Solve(Box<solve::SolveArgs>),
    /// List the built-in problems.
    Problems,
    /// Train L2-regularized logistic regression (LIBLINEAR -s 0) on a LIBSVM file.
    Train(train::TrainArgs),
    /// Print the accuracy of a model on a LIBSVM file.
    Predict(train::PredictArgs),
    /// Write rcv1-shaped synthetic data (LIBSVM format), deterministic in the seed.
    GenData(train::GenDataArgs),
}

/// Exit status for a solve that ended for another reason than
/// convergence (the status says why).
const EXIT_NOT_CONVERGED: u8 = 3;
/// Exit status for invalid arguments or values: clap's usage errors and
/// every value rejected after parsing ([`exit_code`]).
const EXIT_USAGE: u8 = 2;
/// Exit status for I/O and data errors.
const EXIT_ERROR: u8 = 1;
/// Exit status after Ctrl-C (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

/// More threads than this (`--threads`, `RAYON_NUM_THREADS`) is a typo,
/// not a machine.
pub const MAX_THREADS: usize = 1024;

/// The exit status of an error: the one place that maps
/// [`steihaug::Error`] to the table of README.md. Invalid arguments and
/// values (an option out of range, an unknown problem, n = 0, a value
/// that does not fit another) are 2; everything else — files, data,
/// checkpoints, memory, factorizations — is 1.
fn exit_code(e: &steihaug::Error) -> u8 {
    use steihaug::Error as E;
    match e {
        E::InvalidOption { .. } | E::EmptyProblem | E::DimensionMismatch { .. } => EXIT_USAGE,
        _ => EXIT_ERROR,
    }
}

/// Builds rayon's global pool with the thread count of
/// `RAYON_NUM_THREADS` (unset or 0: one per core), refusing a value that
/// is not a number or exceeds [`MAX_THREADS`] instead of letting rayon
/// panic when it cannot start the threads.
fn configure_threads() -> steihaug::Result<()> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Ok(v) = std::env::var("RAYON_NUM_THREADS") {
        let n: usize = v
            .trim()
            .parse()
            .map_err(|_| steihaug::Error::InvalidOption {
                name: "RAYON_NUM_THREADS",
                reason: format!("`{v}` is not a thread count"),
            })?;
        if n > MAX_THREADS {
            return Err(steihaug::Error::InvalidOption {
                name: "RAYON_NUM_THREADS",
                reason: format!("must be at most {MAX_THREADS}, got {n}"),
            });
        }
        builder = builder.num_threads(n);
    }
    builder
        .build_global()
        .map_err(|e| steihaug::Error::Io(format!("cannot start the thread pool: {e}")))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // `--help` and `--version` are "errors" printed on stdout.
            return if e.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let stop = StopFlag::new();
    // Each command returns `Ok(converged)`.
    let result = configure_threads().and_then(|()| match cli.command {
        // A solve runs on a worker of the pool: its parallel passes then
        // start from inside the pool instead of waking it from outside at
        // every pass (12-14 % of a TRON solve at 500², docs/bounds.md).
        None => rayon::scope(|_| solve::solve(&solve::SolveArgs::default(), &stop)),
        Some(Command::Solve(args)) => rayon::scope(|_| solve::solve(&args, &stop)),
        Some(Command::Problems) => {
            solve::list_problems();
            Ok(true)
        }
        Some(Command::Train(args)) => train::train(&args, &stop),
        Some(Command::Predict(args)) => train::predict(&args),
        Some(Command::GenData(args)) => train::gen_data(&args),
    });
    // Files are written by now; a stdout that failed (other than a closed
    // pipe) is an I/O error.
    let result = result.and_then(|ok| output::finish().map(|()| ok));
    match result {
        _ if progress::interrupted() => ExitCode::from(EXIT_INTERRUPTED),
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(EXIT_NOT_CONVERGED),
        Err(e) => {
            errln!("steihaug: error: {e}");
            ExitCode::from(exit_code(&e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_values_are_2_and_data_errors_1() {
        use steihaug::Error as E;
        let opt = E::InvalidOption {
            name: "n",
            reason: "x".into(),
        };
        assert_eq!(exit_code(&opt), 2);
        assert_eq!(exit_code(&E::EmptyProblem), 2);
        for e in [
            E::Io("x".into()),
            E::Parse {
                line: 1,
                reason: "x".into(),
            },
            E::InvalidInput("x".into()),
            E::Checkpoint("x".into()),
            E::OutOfMemory {
                what: "x".into(),
                bytes: 1,
                limit: 0,
            },
        ] {
            assert_eq!(exit_code(&e), 1, "{e}");
        }
    }
}
