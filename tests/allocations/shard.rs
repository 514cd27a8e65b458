//! Products and evaluations of a sharded sum allocate nothing. Only
//! allocations made on the threads of the test's rayon pool are counted.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use ndarray::Array1;
use steihaug::problems::datagen::Rcv1Shaped;
use steihaug::problems::sparse_logistic::{l2_logistic_with_shards, BinaryDataset};
use steihaug::{LinearOperator, Objective, Par};

use crate::count_on_this_thread;

/// Allocations on the threads of the pool.
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

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
        .start_handler(|_| count_on_this_thread(&ALLOCS))
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
