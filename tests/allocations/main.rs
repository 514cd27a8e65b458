//! Allocation counts: products and evaluations of a sharded sum, and a
//! second solve with the trust region and with line search, allocate
//! nothing (JSOSolvers' `test/allocs.jl`). Alone in its test binary, because
//! it replaces the global allocator.
//!
//! Only allocations on threads given a counter are counted, each test with
//! its own: the libtest harness's threads allocate at times of their own
//! choosing (its channel waits), and the tests of this binary run at the
//! same time, so one process-wide count would be flaky.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

mod shard;
mod solvers;

struct Counting;

thread_local! {
    /// The counter of this thread's allocations, if they are counted.
    static COUNTER: Cell<Option<&'static AtomicUsize>> = const { Cell::new(None) };
}

fn count_one() {
    if let Some(c) = COUNTER.try_with(Cell::get).ok().flatten() {
        c.fetch_add(1, Ordering::SeqCst);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        unsafe { System.alloc(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Counts the allocations of the calling thread in `counter`, until
/// [`stop_counting`].
pub fn count_on_this_thread(counter: &'static AtomicUsize) {
    COUNTER.with(|c| c.set(Some(counter)));
}

/// Stops counting the calling thread's allocations.
pub fn stop_counting() {
    COUNTER.with(|c| c.set(None));
}
