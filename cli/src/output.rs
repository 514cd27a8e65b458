//! The one way the program writes to its standard streams.
//!
//! * [`line`] (and the [`outln!`] macro) writes a line to stdout. A closed
//!   pipe (`EPIPE`, `steihaug … | head -1`) mutes stdout quietly: later
//!   lines are dropped, the command still finishes its files (the model,
//!   `--report`, `--checkpoint`, `--plot`) and exits with its usual status.
//!   Any other write error (a full disk, `> /dev/full`) also mutes stdout
//!   and is kept: [`finish`] returns it as an I/O error (exit status 1),
//!   after the command's files are written.
//! * [`eline`] (and [`errln!`]) writes a line to stderr and ignores
//!   failures: a message that cannot be shown is not a reason to stop.
//!
//! Nothing in the program uses `println!`/`eprintln!`, which panic when the
//! write fails.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Set once stdout failed: nothing more is written to it.
static MUTED: AtomicBool = AtomicBool::new(false);
/// The first stdout error that was not a closed pipe.
static ERROR: Mutex<Option<String>> = Mutex::new(None);

/// Writes `text` and a newline to stdout (see the [module docs](self)).
pub fn line(text: &str) {
    if MUTED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    let result = out
        .write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    if let Err(e) = result {
        fail(e);
    }
}

/// Records a failed stdout write and mutes stdout.
fn fail(e: std::io::Error) {
    MUTED.store(true, Ordering::Relaxed);
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        let mut slot = ERROR.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert_with(|| e.to_string());
    }
}

/// Flushes stdout; the first stdout error other than a closed pipe, as an
/// [`steihaug::Error::Io`].
pub fn finish() -> steihaug::Result<()> {
    if !MUTED.load(Ordering::Relaxed) {
        if let Err(e) = std::io::stdout().lock().flush() {
            fail(e);
        }
    }
    let slot = ERROR.lock().unwrap_or_else(|p| p.into_inner());
    match slot.as_ref() {
        Some(e) => Err(steihaug::Error::Io(format!("cannot write to stdout: {e}"))),
        None => Ok(()),
    }
}

/// Writes `text` and a newline to stderr, ignoring failures.
pub fn eline(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err
        .write_all(text.as_bytes())
        .and_then(|()| err.write_all(b"\n"));
}

/// `println!` through [`line`].
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::line(&format!($($arg)*))
    };
}

/// `eprintln!` through [`eline`].
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::eline(&format!($($arg)*))
    };
}
