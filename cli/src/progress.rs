//! The progress bar on stderr and the Ctrl-C handler.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use steihaug::report::observe::{Observer, StopFlag};
use steihaug::{Iterate, Report};

/// Set by the Ctrl-C handler: the program then exits with status 130.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Marks the program as interrupted (exit status 130), for a stop that
/// Ctrl-C raised on another MPI rank.
#[cfg(feature = "mpi")]
pub fn set_interrupted() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Ctrl-C sets `stop`; the solve ends at the end of the current iteration
/// (a checkpointed solve writes a last checkpoint), and the program exits
/// with status 130 once its output is written. A second Ctrl-C exits at
/// once with status 130. `what` says what happens next ("the report is
/// still written", "the model is not written").
pub fn install_ctrlc(stop: &StopFlag, what: &'static str) {
    let flag = stop.clone();
    let res = ctrlc::set_handler(move || {
        if flag.is_stop_requested() {
            std::process::exit(i32::from(crate::EXIT_INTERRUPTED));
        }
        INTERRUPTED.store(true, Ordering::SeqCst);
        flag.request_stop();
        errln!("\nsteihaug: interrupted; stopping at the end of this iteration, {what} (Ctrl-C again to quit now)");
    });
    if let Err(e) = res {
        errln!("steihaug: warning: cannot install the Ctrl-C handler: {e}");
    }
}

/// A progress bar on stderr that appears once a solve has run for
/// [`PROGRESS_DELAY`].
pub struct Progress {
    bar: indicatif::ProgressBar,
    start: Instant,
    shown: bool,
}

/// Runs shorter than this show no bar.
const PROGRESS_DELAY: Duration = Duration::from_secs(1);

impl Progress {
    /// A hidden bar; its clock starts now.
    pub fn new() -> Self {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        Self {
            bar,
            start: Instant::now(),
            shown: false,
        }
    }

    /// Prints a line above the bar (or plainly while it is hidden).
    pub fn println(&self, line: &str) {
        if self.shown {
            self.bar.suspend(|| crate::output::line(line));
        } else {
            crate::output::line(line);
        }
    }
}

impl Observer for Progress {
    fn observe(&mut self, r: &Iterate<'_>) -> ControlFlow<()> {
        if !self.shown && self.start.elapsed() >= PROGRESS_DELAY {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(200));
            self.shown = true;
        }
        self.bar.set_message(format!(
            "iter {:>5}  f {:.6e}  |g| {:.3e}  hvps {}",
            r.iter, r.f, r.grad_norm, r.hvps
        ));
        ControlFlow::Continue(())
    }

    fn finish(&mut self, _report: &Report) {
        self.bar.finish_and_clear();
    }
}
