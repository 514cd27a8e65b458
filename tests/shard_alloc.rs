//! Products and evaluations of a sharded sum allocate nothing (alone in its
//! test binary, because it replaces the global allocator). Only allocations
//! made on the threads of the test's rayon pool are counted: the libtest
//! harness's own threads allocate at times of their own choosing (its
//! channel waits), which made a process-wide count flaky.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use ndarray::Array1;
use steihaug::problems::datagen::Rcv1Shaped;
use steihaug::problems::sparse_logistic::{l2_logistic_with_shards, BinaryDataset};
use steihaug::{LinearOperator, Objective, Par};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread is one of the pool's (allocations are counted).
    static TRACKED: Cell<bool> = const { Cell::new(false) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if TRACKED.try_with(Cell::get).unwrap_or(false) {
            ALLOCS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn value_grad_and_hvp_do_not_allocate() {
    let (y, x) = Rcv1Shaped::new(2000, 3000, 15.0, 4).generate().unwrap();
    let data = Arc::new(BinaryDataset::new(x, y).unwrap());
    let n = data.cols();
    let w = Array1::from_elem(n, 0.01);
    let v = Array1::from_elem(n, 1.0);
    let mut g = Array1::zeros(n);
    let mut hv = Array1::zeros(n);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .start_handler(|_| TRACKED.with(|t| t.set(true)))
        .build()
        .unwrap();
    for par in [Par::Seq, Par::Rayon] {
        let obj = l2_logistic_with_shards(data.clone(), 1.0, 8)
            .unwrap()
            .with_par(par);
        // Warm up every pool thread: a thread's first steal or sleep sets
        // up thread-locals (rayon, crossbeam-epoch) once, which allocates.
        pool.broadcast(|_| ());
        pool.install(|| {
            let h = obj.hessian(w.view());
            for _ in 0..3 {
                obj.value_grad(w.view(), g.view_mut());
                h.apply(v.view(), hv.view_mut());
                h.diagonal(hv.view_mut());
            }
            let before = ALLOCS.load(Ordering::SeqCst);
            for _ in 0..5 {
                obj.value_grad(w.view(), g.view_mut());
                h.apply(v.view(), hv.view_mut());
                h.diagonal(hv.view_mut());
            }
            let after = ALLOCS.load(Ordering::SeqCst);
            assert_eq!(after - before, 0, "{par:?}: {} allocations", after - before);
        });
    }
}
