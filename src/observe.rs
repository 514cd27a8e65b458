//! Observing a run: a callback sees every outer iteration and may stop it.

use std::ops::ControlFlow;

use crate::report::IterationRecord;

/// A per-iteration callback: return `ControlFlow::Break(())` to stop the
/// solve; it then ends with [`crate::Status::StoppedByUser`] at the current
/// (accepted) point.
pub type Callback<'a> = dyn FnMut(&IterationRecord) -> ControlFlow<()> + 'a;

/// A callback that never stops the run.
pub fn no_callback(_: &IterationRecord) -> ControlFlow<()> {
    ControlFlow::Continue(())
}
