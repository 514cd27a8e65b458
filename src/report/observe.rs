//! Observing a run: a callback sees every outer iteration and may stop it.
//!
//! Every solver's `solve_with` takes a [`Callback`], a closure
//! `FnMut(&Iterate) -> ControlFlow<()>`. An [`Iterate`] is the iteration's
//! [`IterationRecord`] (it derefs to it, so `it.f` and `it.grad_norm` read
//! the record) with borrowed views of the current point x and gradient g,
//! as SciPy's `callback(xk)` and argmin's `state.param` give them. To run several observers
//! together (a progress bar, a `TracingObserver` (feature `tracing`), a table printer, a
//! Ctrl-C [`StopFlag`]) put them in an [`Observers`] list and hand its
//! [`callback`](Observers::callback) to the solver; checkpoints are written
//! by the solver itself ([`crate::TrustRegion::solve_with_checkpoints`]) and
//! run alongside.
//!
//! ```
//! use std::ops::ControlFlow;
//! use steihaug::report::observe::{Observers, StopFlag};
//! use steihaug::{problems::Rosenbrock, Iterate, TrustRegion};
//!
//! let mut rows = Vec::new();
//! let stop = StopFlag::new();
//! let mut observers = Observers::new()
//!     .with(|r: &Iterate| {
//!         rows.push(r.table_row());
//!         ControlFlow::Continue(())
//!     })
//!     .with(stop.clone());
//! let x0 = ndarray::array![-1.2, 1.0];
//! let report = TrustRegion::default().solve_with(&Rosenbrock, x0.view(), &mut observers.callback())?;
//! drop(observers);
//! assert_eq!(rows.len(), report.iterations);
//! # Ok::<(), steihaug::Error>(())
//! ```

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ndarray::ArrayView1;

use crate::report::{IterationRecord, Report};

/// What a callback sees after each outer iteration: the iteration's record
/// and the current (last accepted) point and its gradient, borrowed.
///
/// It derefs to the [`IterationRecord`], so `it.iter`, `it.f`,
/// `it.grad_norm` read the record directly.
#[derive(Debug, Clone, Copy)]
pub struct Iterate<'a> {
    /// The record of this iteration (also reached through `Deref`).
    pub record: &'a IterationRecord,
    /// The current point x (after this iteration's accept or reject).
    pub x: ArrayView1<'a, f64>,
    /// ∇f(x).
    pub g: ArrayView1<'a, f64>,
}

impl std::ops::Deref for Iterate<'_> {
    type Target = IterationRecord;
    fn deref(&self) -> &IterationRecord {
        self.record
    }
}

/// A per-iteration callback: return `ControlFlow::Break(())` to stop the
/// solve; it then ends with [`crate::Status::StoppedByUser`] at the current
/// (accepted) point.
pub type Callback<'a> = dyn FnMut(&Iterate<'_>) -> ControlFlow<()> + 'a;

/// A callback that never stops the run.
pub fn no_callback(_: &Iterate<'_>) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// Something that watches a solve: it sees every iteration record, may ask
/// the solve to stop, and may be told the final report.
///
/// Every closure `FnMut(&Iterate) -> ControlFlow<()>` is an
/// observer.
pub trait Observer {
    /// Called after every outer iteration; `Break` stops the solve with
    /// [`crate::Status::StoppedByUser`].
    fn observe(&mut self, it: &Iterate<'_>) -> ControlFlow<()>;

    /// Called by the owner of the observer once the solve has returned
    /// (solvers do not call it). Default: nothing.
    fn finish(&mut self, report: &Report) {
        let _ = report;
    }
}

impl<F: FnMut(&Iterate<'_>) -> ControlFlow<()>> Observer for F {
    fn observe(&mut self, it: &Iterate<'_>) -> ControlFlow<()> {
        self(it)
    }
}

/// Several observers run in order on every record. Every observer sees every
/// record; the solve stops if any of them returns `Break`.
#[derive(Default)]
pub struct Observers<'a> {
    list: Vec<Box<dyn Observer + 'a>>,
}

impl<'a> Observers<'a> {
    /// An empty list.
    pub fn new() -> Self {
        Self { list: Vec::new() }
    }

    /// Adds an observer (builder form).
    pub fn with(mut self, observer: impl Observer + 'a) -> Self {
        self.push(observer);
        self
    }

    /// Adds an observer.
    pub fn push(&mut self, observer: impl Observer + 'a) {
        self.list.push(Box::new(observer));
    }

    /// How many observers the list holds.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The list as a callback for `solve_with`.
    pub fn callback(&mut self) -> impl FnMut(&Iterate<'_>) -> ControlFlow<()> + use<'_, 'a> {
        move |r| self.observe(r)
    }
}

impl Observer for Observers<'_> {
    fn observe(&mut self, it: &Iterate<'_>) -> ControlFlow<()> {
        let mut flow = ControlFlow::Continue(());
        for o in &mut self.list {
            if o.observe(it).is_break() {
                flow = ControlFlow::Break(());
            }
        }
        flow
    }

    fn finish(&mut self, report: &Report) {
        for o in &mut self.list {
            o.finish(report);
        }
    }
}

/// A shared stop request: an observer that returns `Break` at the end of
/// the first iteration after [`StopFlag::request_stop`] was called, from any
/// thread (a Ctrl-C handler, a GUI, a timer).
#[derive(Debug, Clone, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    /// A flag that is not set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the solve to stop at the end of the current iteration.
    pub fn request_stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was requested.
    pub fn is_stop_requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Observer for StopFlag {
    fn observe(&mut self, _it: &Iterate<'_>) -> ControlFlow<()> {
        if self.is_stop_requested() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// An observer that emits one [`tracing`] event per iteration (feature
/// `tracing`), with target `steihaug` and the fields `iter`, `f`,
/// `grad_norm`, `radius`, `ratio`, `cg_iterations`, `cg_exit`, `accepted`,
/// `step_norm` and `hvps`; `radius` and `ratio` are NaN for solvers that do
/// not use them. [`Observer::finish`] emits one more event with the status
/// and counts.
#[cfg(feature = "tracing")]
#[derive(Debug, Clone, Copy)]
pub struct TracingObserver {
    level: tracing::Level,
}

#[cfg(feature = "tracing")]
impl Default for TracingObserver {
    fn default() -> Self {
        Self {
            level: tracing::Level::INFO,
        }
    }
}

#[cfg(feature = "tracing")]
impl TracingObserver {
    /// Events at level INFO.
    pub fn new() -> Self {
        Self::default()
    }

    /// Events at `level`.
    pub fn with_level(level: tracing::Level) -> Self {
        Self { level }
    }
}

#[cfg(feature = "tracing")]
macro_rules! event_at {
    ($level:expr, $($rest:tt)*) => {
        match $level {
            tracing::Level::ERROR => tracing::event!(target: "steihaug", tracing::Level::ERROR, $($rest)*),
            tracing::Level::WARN => tracing::event!(target: "steihaug", tracing::Level::WARN, $($rest)*),
            tracing::Level::INFO => tracing::event!(target: "steihaug", tracing::Level::INFO, $($rest)*),
            tracing::Level::DEBUG => tracing::event!(target: "steihaug", tracing::Level::DEBUG, $($rest)*),
            tracing::Level::TRACE => tracing::event!(target: "steihaug", tracing::Level::TRACE, $($rest)*),
        }
    };
}

#[cfg(feature = "tracing")]
impl Observer for TracingObserver {
    fn observe(&mut self, r: &Iterate<'_>) -> ControlFlow<()> {
        let krylov_exit = r.krylov_exit.map_or("-", |e| e.as_str());
        event_at!(
            self.level,
            iter = r.iter,
            f = r.f,
            grad_norm = r.grad_norm,
            radius = r.radius,
            ratio = r.ratio,
            cg_iterations = r.krylov_iterations,
            cg_exit = krylov_exit,
            accepted = r.accepted,
            step_norm = r.step_norm,
            hvps = r.hvps,
            "iteration"
        );
        ControlFlow::Continue(())
    }

    fn finish(&mut self, report: &Report) {
        event_at!(
            self.level,
            solver = report.solver.as_str(),
            status = report.status.as_str(),
            iterations = report.iterations,
            f = report.f,
            grad_norm = report.grad_norm,
            evals = report.counts.evals,
            hvps = report.counts.hvps,
            elapsed_s = report.elapsed.as_secs_f64(),
            "finished"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::Rosenbrock;
    use crate::{Status, TrustRegion};

    #[test]
    fn stop_flag_stops_at_the_end_of_the_iteration_it_is_set_in() {
        let flag = StopFlag::new();
        let setter = flag.clone();
        let mut seen = 0usize;
        let mut observers = Observers::new()
            .with(|r: &Iterate| {
                seen += 1;
                // Stands for a Ctrl-C handler firing during iteration 3.
                if r.iter == 3 {
                    setter.request_stop();
                }
                ControlFlow::Continue(())
            })
            .with(flag.clone());
        let x0 = ndarray::array![-1.2, 1.0];
        let report = TrustRegion::default()
            .solve_with(&Rosenbrock, x0.view(), &mut observers.callback())
            .unwrap();
        drop(observers);
        assert_eq!(report.status, Status::StoppedByUser);
        assert_eq!(report.iterations, 3);
        assert_eq!(report.history.len(), 3);
        assert_eq!(seen, 3);
        assert!(flag.is_stop_requested());
    }

    #[test]
    fn every_observer_sees_every_record_even_after_a_break() {
        let mut a = 0;
        let mut b = 0;
        let mut obs = Observers::new()
            .with(|_: &Iterate| {
                a += 1;
                ControlFlow::Break(())
            })
            .with(|_: &Iterate| {
                b += 1;
                ControlFlow::Continue(())
            });
        let x0 = ndarray::array![-1.2, 1.0];
        let report = TrustRegion::default()
            .solve_with(&Rosenbrock, x0.view(), &mut obs.callback())
            .unwrap();
        drop(obs);
        assert_eq!(report.status, Status::StoppedByUser);
        assert_eq!((a, b), (1, 1));
    }

    #[cfg(feature = "tracing")]
    mod tracing_capture {
        use super::*;
        use std::collections::BTreeMap;
        use std::sync::Mutex;
        use tracing::field::{Field, Visit};
        use tracing::span::{Attributes, Id, Record};
        use tracing::{Event, Metadata, Subscriber};

        /// A minimal subscriber that keeps every event's fields as strings.
        #[derive(Default, Clone)]
        struct Capture(Arc<Mutex<Vec<BTreeMap<String, String>>>>);

        struct Fields<'a>(&'a mut BTreeMap<String, String>);
        impl Visit for Fields<'_> {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                self.0
                    .insert(field.name().to_string(), format!("{value:?}"));
            }
            fn record_str(&mut self, field: &Field, value: &str) {
                self.0.insert(field.name().to_string(), value.to_string());
            }
        }

        impl Subscriber for Capture {
            fn enabled(&self, _: &Metadata<'_>) -> bool {
                true
            }
            fn new_span(&self, _: &Attributes<'_>) -> Id {
                Id::from_u64(1)
            }
            fn record(&self, _: &Id, _: &Record<'_>) {}
            fn record_follows_from(&self, _: &Id, _: &Id) {}
            fn event(&self, event: &Event<'_>) {
                let mut m = BTreeMap::new();
                m.insert("target".into(), event.metadata().target().to_string());
                event.record(&mut Fields(&mut m));
                self.0.lock().unwrap().push(m);
            }
            fn enter(&self, _: &Id) {}
            fn exit(&self, _: &Id) {}
        }

        #[test]
        fn one_event_per_iteration_with_the_documented_fields() {
            let capture = Capture::default();
            let x0 = ndarray::array![-1.2, 1.0];
            let report = tracing::subscriber::with_default(capture.clone(), || {
                let mut obs = TracingObserver::new();
                let report = TrustRegion::default()
                    .solve_with(&Rosenbrock, x0.view(), &mut |r: &Iterate| obs.observe(r))
                    .unwrap();
                obs.finish(&report);
                report
            });
            let events = capture.0.lock().unwrap();
            assert_eq!(events.len(), report.iterations + 1);
            for (e, r) in events.iter().zip(&report.history) {
                assert_eq!(e["target"], "steihaug");
                assert_eq!(e["message"], "iteration");
                assert_eq!(e["iter"], r.iter.to_string());
                assert_eq!(e["f"], format!("{:?}", r.f));
                assert_eq!(e["grad_norm"], format!("{:?}", r.grad_norm));
                assert_eq!(e["radius"], format!("{:?}", r.radius));
                assert_eq!(e["ratio"], format!("{:?}", r.ratio));
                assert_eq!(e["cg_iterations"], r.krylov_iterations.to_string());
                assert_eq!(e["cg_exit"], r.krylov_exit.unwrap().as_str());
            }
            let last = events.last().unwrap();
            assert_eq!(last["message"], "finished");
            assert_eq!(last["status"], "converged");
        }
    }
}
