//! Sharded sums and LIBLINEAR's L2 logistic regression on sparse rows.

use std::sync::Arc;

use ndarray::{Array1, ArrayView1};
use steihaug::derivatives::{check_derivatives, CheckOptions};
use steihaug::io::{read_libsvm, write_libsvm, CsrMatrix, LinearModel};
use steihaug::linalg::rng::SplitMix64;
use steihaug::problems::datagen::Rcv1Shaped;
use steihaug::problems::sparse_logistic::{
    l2_logistic, l2_logistic_with_shards, liblinear_gtol, BinaryDataset, LogisticShard,
};
use steihaug::problems::DenseLogistic;
use steihaug::shard::{Shard, ShardedSum};
use steihaug::{
    DenseNewton, Error, LinearOperator, Objective, Par, Preconditioning, Status, Termination,
    TrustRegion, TrustRegionConfig,
};

/// Random sparse data: `rows × cols`, about `density` nonzeros, labels ±1.
fn random_data(rows: usize, cols: usize, density: f64, seed: u64) -> BinaryDataset {
    let mut rng = SplitMix64::new(seed);
    let mut indptr = vec![0usize];
    let mut indices = Vec::new();
    let mut data = Vec::new();
    let mut y = Vec::new();
    for _ in 0..rows {
        for j in 0..cols {
            if rng.uniform() < density {
                indices.push(j as u32);
                data.push(rng.normal());
            }
        }
        indptr.push(indices.len());
        y.push(if rng.uniform() < 0.5 { 1.0 } else { -1.0 });
    }
    let x = CsrMatrix::new((rows, cols), indptr, indices, data);
    BinaryDataset::new(x, y).unwrap()
}

fn random_vec(n: usize, scale: f64, seed: u64) -> Array1<f64> {
    let mut rng = SplitMix64::new(seed);
    Array1::from_shape_fn(n, |_| scale * rng.normal())
}

fn value(obj: &impl Objective, w: ArrayView1<'_, f64>) -> f64 {
    let mut g = Array1::zeros(obj.dim());
    obj.value_grad(w, g.view_mut())
}

fn grad(obj: &impl Objective, w: ArrayView1<'_, f64>) -> Array1<f64> {
    let mut g = Array1::zeros(obj.dim());
    obj.value_grad(w, g.view_mut());
    g
}

fn rel_err(a: &Array1<f64>, b: &Array1<f64>) -> f64 {
    let d = a - b;
    d.dot(&d).sqrt() / b.dot(b).sqrt().max(1e-300)
}

#[test]
fn gradient_matches_central_differences() {
    let data = Arc::new(random_data(60, 12, 0.3, 1));
    let obj = l2_logistic_with_shards(data, 2.0, 5).unwrap();
    let w = random_vec(12, 0.7, 2);
    let g = grad(&obj, w.view());
    let h = 1e-6;
    let fd = Array1::from_shape_fn(12, |j| {
        let mut wp = w.clone();
        let mut wm = w.clone();
        wp[j] += h;
        wm[j] -= h;
        (value(&obj, wp.view()) - value(&obj, wm.view())) / (2.0 * h)
    });
    let e = rel_err(&fd, &g);
    assert!(e < 1e-7, "gradient rel. error {e}");
}

#[test]
fn hvp_matches_central_differences_of_the_gradient() {
    let data = Arc::new(random_data(60, 12, 0.3, 3));
    let obj = l2_logistic_with_shards(data, 0.5, 4).unwrap();
    let w = random_vec(12, 0.7, 4);
    let v = random_vec(12, 1.0, 5);
    let hess = obj.hessian(w.view());
    let mut hv = Array1::zeros(12);
    hess.apply(v.view(), hv.view_mut());
    let h = 1e-5;
    let fd =
        (grad(&obj, (&w + &(h * &v)).view()) - grad(&obj, (&w - &(h * &v)).view())) / (2.0 * h);
    let e = rel_err(&fd, &hv);
    assert!(e < 1e-7, "HVP rel. error {e}");
    // The diagonal agrees with e_jᵀ H e_j.
    let mut d = Array1::zeros(12);
    assert!(hess.diagonal(d.view_mut()));
    for j in 0..12 {
        let mut e = Array1::zeros(12);
        e[j] = 1.0;
        let mut he = Array1::zeros(12);
        hess.apply(e.view(), he.view_mut());
        assert!((he[j] - d[j]).abs() <= 1e-12 * d[j].abs().max(1.0));
    }
}

/// The crate's derivative checker (main's `derivatives` module: per
/// component and random-direction central differences, and symmetry of the
/// products) passes the sharded gradient and HVP on a generated file.
#[test]
fn derivative_checker_passes_sparse_logistic() {
    let spec = Rcv1Shaped::new(300, 40, 8.0, 21);
    let (labels, x) = spec.generate().unwrap();
    let data = Arc::new(BinaryDataset::new(x, labels).unwrap());
    let obj = l2_logistic_with_shards(data, 3.0, 5).unwrap();
    for (scale, seed) in [(0.0, 22), (0.5, 23), (3.0, 24)] {
        let w = random_vec(40, scale, seed);
        let r = check_derivatives(&obj, w.view(), &CheckOptions::default()).unwrap();
        assert!(r.is_correct(), "at scale {scale}: {r}");
        assert_eq!(r.gradient.components_checked, 40);
    }
}

#[test]
fn hessian_from_cache_equals_hessian_from_scratch() {
    let data = Arc::new(random_data(50, 8, 0.4, 6));
    let obj = l2_logistic_with_shards(data, 1.0, 3).unwrap();
    let w = random_vec(8, 1.0, 7);
    let w2 = random_vec(8, 1.0, 8);
    let v = random_vec(8, 1.0, 9);
    // Prepared right after value_grad at w (cached margins) ...
    grad(&obj, w.view());
    let mut a = Array1::zeros(8);
    obj.hessian(w.view()).apply(v.view(), a.view_mut());
    // ... and after value_grad at another point (recomputed margins).
    grad(&obj, w2.view());
    let mut b = Array1::zeros(8);
    obj.hessian(w.view()).apply(v.view(), b.view_mut());
    assert!(rel_err(&a, &b) < 1e-14, "{a} vs {b}");
}

#[test]
fn large_margins_stay_finite_and_accurate() {
    // One row x = (1), y = +1: f(w) = ½w² + log(1 + e^{−w}).
    let x = CsrMatrix::new((2, 1), vec![0, 1, 2], vec![0, 0], vec![1.0, 1.0]);
    let data = Arc::new(BinaryDataset::new(x, vec![1.0, -1.0]).unwrap());
    let obj = l2_logistic_with_shards(data, 1.0, 2).unwrap();
    for &w in &[-800.0, -40.0, 0.0, 40.0, 800.0] {
        let f = value(&obj, ndarray::array![w].view());
        // ½w² + log(1+e^{−w}) + log(1+e^{w}) = ½w² + |w| + 2 log(1+e^{−|w|})
        let want = 0.5 * w * w + w.abs() + 2.0 * (-w.abs()).exp().ln_1p();
        assert!(
            f.is_finite() && (f - want).abs() <= 1e-14 * want.max(1.0),
            "{w}: {f} vs {want}"
        );
        // f'(w) = w − σ(−w) + σ(w) = w + tanh(w/2).
        let g = grad(&obj, ndarray::array![w].view());
        let want = w + (0.5 * w).tanh();
        assert!(
            (g[0] - want).abs() <= 1e-14 * want.abs().max(1.0),
            "{w}: f' = {} vs {want}",
            g[0]
        );
    }
}

/// The 100 × 3 seed problem (`DenseLogistic::synthetic(100, &[1.5,-1,0.5], λ, 42)`)
/// as sparse rows: with C = 1 and λ = 1 both objectives are
/// ½‖w‖² + Σ log(1 + exp(−y wᵀx)).
#[test]
fn agrees_with_dense_newton_on_the_seed_problem() {
    let dense = DenseLogistic::synthetic(100, &[1.5, -1.0, 0.5], 1.0, 42).unwrap();
    let xd = dense.features();
    let mut tri = sprs::TriMatI::<f64, u32>::new((100, 3));
    for i in 0..100 {
        for j in 0..3 {
            if xd[[i, j]] != 0.0 {
                tri.add_triplet(i, j, xd[[i, j]]);
            }
        }
    }
    let x: CsrMatrix = tri.to_csr();
    let data = Arc::new(BinaryDataset::new(x, dense.labels().to_vec()).unwrap());
    let sparse = l2_logistic_with_shards(data.clone(), 1.0, 7).unwrap();

    // Same value and gradient at a random point.
    let w = random_vec(3, 1.0, 10);
    let (fs, gs) = (value(&sparse, w.view()), grad(&sparse, w.view()));
    let (fd, gd) = (value(&dense, w.view()), grad(&dense, w.view()));
    assert!((fs - fd).abs() <= 1e-12 * fd.abs(), "{fs} vs {fd}");
    assert!(rel_err(&gs, &gd) < 1e-12);

    let term = Termination {
        gtol_abs: 1e-10,
        gtol_rel: 0.0,
        ..Termination::default()
    };
    let reference = DenseNewton::new(steihaug::DenseNewtonConfig {
        termination: term,
        ..Default::default()
    })
    .solve(&dense, Array1::zeros(3).view())
    .unwrap();
    assert!(reference.status.is_converged());
    for precond in [Preconditioning::None, Preconditioning::Objective] {
        let tr = TrustRegion::new(TrustRegionConfig {
            termination: term,
            preconditioning: precond,
            ..TrustRegionConfig::default()
        })
        .solve(&sparse, Array1::zeros(3).view())
        .unwrap();
        assert!(tr.status.is_converged(), "{:?}", tr.status);
        let dx = (&tr.x - &reference.x)
            .mapv(f64::abs)
            .fold(0.0f64, |m, &v| m.max(v));
        assert!(dx < 1e-8, "{} vs {}", tr.x, reference.x);
        assert!((tr.f - reference.f).abs() <= 1e-12 * reference.f);
    }
}

#[test]
fn agrees_with_dense_newton_on_a_generated_file() {
    let spec = Rcv1Shaped::new(400, 30, 6.0, 11);
    let mut file = Vec::new();
    spec.write_libsvm(&mut file).unwrap();
    let data = Arc::new(BinaryDataset::from_libsvm(read_libsvm(&file[..]).unwrap()).unwrap());
    let n = data.cols();
    let obj = l2_logistic(data.clone(), 4.0).unwrap();
    let gtol = liblinear_gtol(&obj, &data, 0.01).unwrap();
    let term = Termination {
        gtol_abs: 1e-9,
        gtol_rel: 0.0,
        ..Termination::default()
    };
    let dense = DenseNewton::new(steihaug::DenseNewtonConfig {
        termination: term,
        ..Default::default()
    })
    .solve(&obj, Array1::zeros(n).view())
    .unwrap();
    assert!(dense.status.is_converged());
    let tr = TrustRegion::new(TrustRegionConfig {
        termination: term,
        preconditioning: Preconditioning::Objective,
        radius_rule: steihaug::RadiusRule::Tron,
        initial_radius: steihaug::InitialRadius::GradientNorm(1.0),
        ..TrustRegionConfig::default()
    })
    .solve(&obj, Array1::zeros(n).view())
    .unwrap();
    assert!(tr.status.is_converged());
    assert!((&tr.x - &dense.x).mapv(f64::abs).sum() < 1e-7);
    // LIBLINEAR's rule is looser than 1e-9 and met at the end.
    assert!(gtol > 1e-9 && tr.grad_norm <= gtol);
}

/// Value, gradient, HVP and diagonal bit for bit on 1, 2 and 4 threads and
/// sequentially.
#[test]
fn results_are_identical_for_any_thread_count() {
    let spec = Rcv1Shaped::new(3000, 5000, 20.0, 5);
    let (labels, x) = spec.generate().unwrap();
    let data = Arc::new(BinaryDataset::new(x, labels).unwrap());
    let n = data.cols();
    let w = random_vec(n, 0.3, 1);
    let v = random_vec(n, 1.0, 2);
    let run = |par: Par| {
        let obj = l2_logistic_with_shards(data.clone(), 1.0, 13)
            .unwrap()
            .with_par(par);
        let mut g = Array1::zeros(n);
        let f = obj.value_grad(w.view(), g.view_mut());
        let h = obj.hessian(w.view());
        let mut hv = Array1::zeros(n);
        h.apply(v.view(), hv.view_mut());
        let mut d = Array1::zeros(n);
        assert!(h.diagonal(d.view_mut()));
        let bits = |a: &Array1<f64>| a.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        (f.to_bits(), bits(&g), bits(&hv), bits(&d))
    };
    let seq = run(Par::Seq);
    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let par = pool.install(|| run(Par::Rayon));
        assert!(par == seq, "results differ on {threads} threads");
    }
    // A whole solve is reproducible too.
    let solve = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let obj = l2_logistic_with_shards(data.clone(), 1.0, 13).unwrap();
            let r = TrustRegion::new(TrustRegionConfig {
                preconditioning: Preconditioning::Objective,
                ..TrustRegionConfig::default()
            })
            .solve(&obj, Array1::zeros(n).view())
            .unwrap();
            (r.f.to_bits(), r.iterations, r.counts.krylov_iterations)
        })
    };
    let one = solve(1);
    assert_eq!(one, solve(2));
    assert_eq!(one, solve(4));
}

#[test]
fn shard_count_changes_only_rounding() {
    let data = Arc::new(random_data(200, 20, 0.2, 12));
    let w = random_vec(20, 0.5, 13);
    let f1 = value(
        &l2_logistic_with_shards(data.clone(), 1.0, 1).unwrap(),
        w.view(),
    );
    let f9 = value(
        &l2_logistic_with_shards(data.clone(), 1.0, 9).unwrap(),
        w.view(),
    );
    assert!((f1 - f9).abs() <= 1e-12 * f1);
    // More shards than rows: capped at one row per shard.
    let obj = l2_logistic_with_shards(data, 1.0, 1000).unwrap();
    assert_eq!(obj.shards().len(), 200);
}

#[test]
fn partition_covers_all_rows_in_order() {
    let data = Arc::new(random_data(97, 10, 0.3, 14));
    for count in [1, 2, 3, 7, 50, 97] {
        let shards = LogisticShard::partition(data.clone(), 1.0, count).unwrap();
        assert_eq!(shards.len(), count);
        let mut next = 0;
        for s in &shards {
            assert_eq!(s.rows().start, next);
            assert!(!s.rows().is_empty());
            next = s.rows().end;
        }
        assert_eq!(next, 97);
    }
}

/// A test shard: ½‖w − t‖² per item, with optional NaN behaviour.
struct Toy {
    n: usize,
    items: usize,
    /// Value and gradient are NaN when w[0] > this.
    nan_above: f64,
    /// Products are NaN.
    nan_hvp: bool,
}

impl Shard for Toy {
    type Cache = ();
    type Prepared = ();
    fn dim(&self) -> usize {
        self.n
    }
    fn len(&self) -> usize {
        self.items
    }
    fn new_cache(&self) {}
    fn value_grad(&self, w: &[f64], _: &mut (), grad: &mut [f64]) -> f64 {
        let k = self.items as f64;
        let mut f = 0.0;
        for (j, (g, &wj)) in grad.iter_mut().zip(w).enumerate() {
            let d = wj - 10.0 - j as f64;
            f += 0.5 * k * d * d;
            *g += k * d;
        }
        if w[0] > self.nan_above {
            f64::NAN
        } else {
            f
        }
    }
    fn prepare(&self, _: &[f64], _: &(), _: bool) {}
    fn hvp(&self, _: &(), v: &[f64], out: &mut [f64]) {
        for (o, &vj) in out.iter_mut().zip(v) {
            *o += if self.nan_hvp {
                f64::NAN
            } else {
                self.items as f64 * vj
            };
        }
    }
}

fn toy(n: usize, items: usize) -> Toy {
    Toy {
        n,
        items,
        nan_above: f64::INFINITY,
        nan_hvp: false,
    }
}

#[test]
fn construction_errors_are_typed() {
    assert_eq!(
        ShardedSum::<Toy>::new(vec![]).unwrap_err(),
        Error::EmptyProblem
    );
    assert_eq!(
        ShardedSum::new(vec![toy(3, 2), toy(3, 0)]).unwrap_err(),
        Error::EmptyShard { shard: 1 }
    );
    assert_eq!(
        ShardedSum::new(vec![toy(3, 2), toy(3, 1), toy(4, 1)]).unwrap_err(),
        Error::ShardDimension {
            shard: 2,
            expected: 3,
            found: 4
        }
    );
    assert_eq!(
        ShardedSum::new(vec![toy(0, 2)]).unwrap_err(),
        Error::EmptyProblem
    );
    assert!(matches!(
        ShardedSum::new(vec![toy(2, 2)]).unwrap().with_l2(-1.0),
        Err(Error::InvalidOption { .. })
    ));
    // Logistic: bad C, bad labels, one class only, no rows.
    let data = Arc::new(random_data(10, 4, 0.5, 1));
    assert!(matches!(
        l2_logistic(data, 0.0),
        Err(Error::InvalidOption { name: "C", .. })
    ));
    let x = CsrMatrix::new((2, 1), vec![0, 1, 2], vec![0, 0], vec![1.0, 2.0]);
    assert!(matches!(
        BinaryDataset::new(x.clone(), vec![1.0, 0.0]),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        BinaryDataset::from_labels(x.clone(), &[3.0, 3.0]),
        Err(Error::InvalidInput(_))
    ));
    let d = BinaryDataset::from_labels(x, &[0.0, 1.0]).unwrap();
    assert_eq!(d.y(), &[-1.0, 1.0]);
    assert_eq!((d.label_pos(), d.label_neg()), (1.0, 0.0));
}

/// Labels read from a LIBSVM file: +1/−1, 0/1 and any two values give the
/// same problem (the larger label is the positive class); one or three
/// distinct labels are typed errors.
#[test]
fn any_two_label_values_give_the_same_problem() {
    let rows = [
        "1:0.5 3:1",
        "2:1",
        "1:-0.3 2:0.2",
        "3:0.7",
        "1:1 2:-1 3:0.5",
        "2:0.1",
    ];
    let classes = [true, false, true, false, false, true];
    let file = |pos: &str, neg: &str| {
        let mut t = String::new();
        for (r, &c) in rows.iter().zip(&classes) {
            t.push_str(if c { pos } else { neg });
            t.push(' ');
            t.push_str(r);
            t.push('\n');
        }
        BinaryDataset::from_libsvm(read_libsvm(t.as_bytes()).unwrap())
    };
    let solve = |d: BinaryDataset| {
        let obj = l2_logistic(Arc::new(d), 2.0).unwrap();
        let r = TrustRegion::default()
            .solve(&obj, Array1::zeros(3).view())
            .unwrap();
        assert!(r.status.is_converged());
        r.x
    };
    let reference = file("+1", "-1").unwrap();
    assert_eq!((reference.label_pos(), reference.label_neg()), (1.0, -1.0));
    let w_ref = solve(reference);
    for (pos, neg) in [("1", "0"), ("7", "2"), ("-1", "-5"), ("0.5", "-0.25")] {
        let d = file(pos, neg).unwrap();
        assert_eq!(
            (d.label_pos(), d.label_neg()),
            (pos.parse().unwrap(), neg.parse().unwrap())
        );
        assert_eq!(
            d.y(),
            classes.map(|c| if c { 1.0 } else { -1.0 }).as_slice()
        );
        assert_eq!(solve(d), w_ref, "labels {pos}/{neg}");
    }
    assert!(matches!(file("1", "1"), Err(Error::InvalidInput(_))));
    let three = read_libsvm(&b"1 1:1\n2 1:1\n3 1:1\n"[..]).unwrap();
    assert!(matches!(
        BinaryDataset::from_libsvm(three),
        Err(Error::InvalidInput(m)) if m.contains("more than two")
    ));
}

#[test]
fn sharded_sum_solves_and_counts_items() {
    let sum = ShardedSum::new(vec![toy(4, 1), toy(4, 2), toy(4, 3)])
        .unwrap()
        .with_l2(0.0)
        .unwrap();
    let r = TrustRegion::default()
        .solve(&sum, Array1::zeros(4).view())
        .unwrap();
    assert!(r.status.is_converged());
    for j in 0..4 {
        assert!((r.x[j] - 10.0 - j as f64).abs() < 1e-8);
    }
}

#[test]
fn non_finite_contributions_end_with_documented_statuses() {
    // NaN at the start: a typed error.
    let mut bad = toy(2, 1);
    bad.nan_above = -1.0;
    let sum = ShardedSum::new(vec![toy(2, 1), bad]).unwrap();
    assert_eq!(
        TrustRegion::default()
            .solve(&sum, Array1::zeros(2).view())
            .unwrap_err(),
        Error::NonFiniteStart { what: "f(x0)" }
    );
    // NaN beyond w0 = 1: trial points there are rejected and the radius
    // shrinks; the solve never reports success at a NaN point.
    let mut wall = toy(2, 1);
    wall.nan_above = 1.0;
    let sum = ShardedSum::new(vec![toy(2, 1), wall]).unwrap();
    let r = TrustRegion::default()
        .solve(&sum, Array1::zeros(2).view())
        .unwrap();
    assert!(r.f.is_finite() && r.x[0] <= 1.0);
    assert!(!r.status.is_converged(), "{:?}", r.status);
    assert!(r.history.iter().any(|h| !h.accepted));
    // NaN products: CG stops, and repeated failures end the solve.
    let mut nan_h = toy(2, 1);
    nan_h.nan_hvp = true;
    let sum = ShardedSum::new(vec![toy(2, 1), nan_h]).unwrap();
    let r = TrustRegion::default()
        .solve(&sum, Array1::zeros(2).view())
        .unwrap();
    assert_eq!(r.status, Status::NonFiniteHessian);
    assert_eq!(r.x, Array1::<f64>::zeros(2));
}

#[test]
fn liblinear_rule_and_model_roundtrip() {
    let spec = Rcv1Shaped::new(500, 200, 10.0, 3);
    let (labels, x) = spec.generate().unwrap();
    let data = Arc::new(BinaryDataset::new(x.clone(), labels.clone()).unwrap());
    let obj = l2_logistic(data.clone(), 1.0).unwrap();
    let (pos, neg) = data.class_counts();
    let g0 = grad(&obj, Array1::zeros(200).view());
    let want = 0.01 * pos.min(neg) as f64 / 500.0 * g0.dot(&g0).sqrt();
    let gtol = liblinear_gtol(&obj, &data, 0.01).unwrap();
    assert!((gtol - want).abs() <= 1e-15 * want);
    assert!(liblinear_gtol(&obj, &data, 0.0).is_err());
    let r = TrustRegion::new(TrustRegionConfig {
        termination: Termination {
            gtol_abs: gtol,
            gtol_rel: 0.0,
            ..Termination::default()
        },
        preconditioning: Preconditioning::Objective,
        ..TrustRegionConfig::default()
    })
    .solve(&obj, Array1::zeros(200).view())
    .unwrap();
    assert!(r.status.is_converged() && r.grad_norm <= gtol);
    // Model file round trip and accuracy.
    let model = LinearModel::logistic(r.x.to_vec(), 1.0, -1.0);
    let mut buf = Vec::new();
    model.write(&mut buf).unwrap();
    let back = LinearModel::read(&buf[..]).unwrap();
    assert_eq!(back, model);
    let acc = back.accuracy(&x, &labels).unwrap();
    assert!(acc > 0.8, "training accuracy {acc}");
    // A malformed model is a typed error with its line.
    let text = String::from_utf8(buf).unwrap();
    let wrong_size = text.replace("nr_feature 200", "nr_feature 201");
    assert!(matches!(
        LinearModel::read(wrong_size.as_bytes()),
        Err(Error::Parse { .. })
    ));
    // Two equal labels cannot tell the classes apart.
    let label_line = text.lines().find(|l| l.starts_with("label")).unwrap();
    let same_labels = text.replace(label_line, "label 1 1");
    assert!(matches!(
        LinearModel::read(same_labels.as_bytes()),
        Err(Error::Parse { .. })
    ));
}

#[test]
fn generator_is_deterministic_and_rcv1_shaped() {
    let spec = Rcv1Shaped::new(2000, 3000, 30.0, 99);
    let mut a = Vec::new();
    let mut b = Vec::new();
    spec.write_libsvm(&mut a).unwrap();
    spec.write_libsvm(&mut b).unwrap();
    assert!(a == b, "same seed, different bytes");
    let mut c = Vec::new();
    Rcv1Shaped { seed: 100, ..spec }
        .write_libsvm(&mut c)
        .unwrap();
    assert!(a != c);
    // The file reads back to exactly the generated rows.
    let read = read_libsvm(&a[..]).unwrap();
    let (labels, x) = spec.generate().unwrap();
    assert_eq!(read.labels, labels);
    assert_eq!(read.x.indices(), x.indices());
    assert_eq!(read.x.data(), x.data());
    // Statistics: mean nnz ≈ 30, unit-norm positive rows, both classes, a
    // heavy head of frequent columns.
    let nnz = x.nnz() as f64 / 2000.0;
    assert!((nnz - 30.0).abs() < 1.0, "mean nnz {nnz}");
    for row in x.outer_iterator() {
        let n2: f64 = row.data().iter().map(|v| v * v).sum();
        assert!(row.data().iter().all(|&v| v > 0.0));
        assert!((n2.sqrt() - 1.0).abs() < 1e-4 * row.nnz() as f64);
    }
    let pos = labels.iter().filter(|&&y| y > 0.0).count();
    assert!(pos > 600 && pos < 1400);
    let mut freq = vec![0usize; 3000];
    for &j in x.indices() {
        freq[j as usize] += 1;
    }
    freq.sort_unstable_by(|a, b| b.cmp(a));
    assert!(
        freq[0] > 20 * freq[1500].max(1),
        "no heavy head: {} vs {}",
        freq[0],
        freq[1500]
    );
    // Writing the in-memory data gives the same file.
    let mut d = Vec::new();
    write_libsvm(&mut d, &labels, &x).unwrap();
    assert!(d == a);
}

#[test]
fn registered_sparse_logistic_solves() {
    let built = steihaug::problems::registry::build(
        "logistic-sparse",
        steihaug::problems::registry::Size {
            n: Some(100),
            ..Default::default()
        },
    )
    .unwrap();
    let obj = &*built.objective;
    let r = TrustRegion::new(TrustRegionConfig {
        preconditioning: Preconditioning::Objective,
        ..TrustRegionConfig::default()
    })
    .solve(obj, built.x0.view())
    .unwrap();
    assert!(r.status.is_converged(), "{:?}", r.status);
    // The same minimizer as dense Newton's: the L2 term makes H ⪰ I, so
    // each point is within its ‖g‖ of w* (plus round-off).
    let dense = DenseNewton::default().solve(obj, built.x0.view()).unwrap();
    assert!(dense.status.is_converged(), "{:?}", dense.status);
    let dx = (&r.x - &dense.x)
        .mapv(f64::abs)
        .fold(0.0f64, |m, &v| m.max(v));
    let bound = r.grad_norm + dense.grad_norm + 1e-12;
    assert!(dx <= bound, "max |Δw| = {dx:e} > {bound:e}");
}
