//! Problems that defeat a naive Newton method, and what each solver does
//! with them: a saddle point, the same problem in other units, an
//! indefinite preconditioner. (Injected non-finite values, wrong sizes,
//! budgets and callbacks are in the status suite, `conformance`.)

use ndarray::{array, Array1, ArrayView1, ArrayViewMut1};
use steihaug::problems::cutest::{Arwhead, Dixmaan, DixmaanVariant};
use steihaug::problems::ExtendedRosenbrock;
use steihaug::{
    DenseNewton, FnObjective, LineSearchNewtonCg, LinearOperator, Objective, SecondOrder, Status,
    TrustRegion, TrustRegionConfig,
};

use crate::common::check_cases;

/// f = x² − y² + y⁴: a saddle at (0, 0), minima at (0, ±1/√2) with
/// f = −1/4. ∇f = (2x, −2y + 4y³), ∇²f = diag(2, 12y² − 2).
fn saddle() -> impl Objective {
    FnObjective::new(
        2,
        |x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>| {
            let (a, b) = (x[0], x[1]);
            g[0] = 2.0 * a;
            g[1] = -2.0 * b + 4.0 * b.powi(3);
            a * a - b * b + b.powi(4)
        },
        |x, v, mut out| {
            out[0] = 2.0 * v[0];
            out[1] = (12.0 * x[1] * x[1] - 2.0) * v[1];
        },
    )
}

/// Pure Newton is attracted by the saddle; the trust-region method leaves
/// it along the negative curvature.
///
/// The start matters. At a point with g = 0 (the saddle itself) no
/// gradient-based method moves. From (1, 0) the gradient (2, 0) has no
/// component along the negative-curvature direction e_y, so Steihaug's CG —
/// which only explores the Krylov space of g — never sees it, and y stays 0
/// for every method: this is the "hard case" of `reference/failure-modes.md`
/// (only an exact/Lanczos subproblem solver could escape). From (1, 10⁻³)
/// the gradient has a small e_y component: pure Newton solves H p = −g
/// exactly and its y-update `y − (4y³ − 2y)/(12y² − 2) ≈ 0` jumps to the
/// saddle, while CG meets `dᵀHd < 0` along a direction with an e_y component
/// and Steihaug follows it to the trust-region boundary, away from the saddle.
#[test]
fn trust_region_escapes_a_saddle_that_pure_newton_converges_to() {
    let obj = saddle();
    let x0 = array![1.0, 1e-3];
    let newton = DenseNewton::pure().solve(&obj, x0.view()).unwrap();
    // "Converged" only in the first-order sense: it is the saddle.
    assert!(newton.status.is_converged(), "{}", newton.summary());
    assert!(
        newton.x[0].abs() < 1e-8 && newton.x[1].abs() < 1e-8,
        "{}",
        newton.x
    );
    assert!(newton.f.abs() < 1e-12);

    let tr = TrustRegion::default().solve(&obj, x0.view()).unwrap();
    assert!(tr.status.is_converged(), "{}", tr.summary());
    assert!((tr.f + 0.25).abs() < 1e-10, "{}", tr.summary());
    assert!((tr.x[1].abs() - 0.5f64.sqrt()).abs() < 1e-6, "{}", tr.x);
    assert!(tr
        .history
        .iter()
        .any(|h| h.krylov_exit == Some(steihaug::KrylovExit::NegativeCurvature)));

    // From (1, 0) exactly: the hard case. Without the second-order check
    // no Krylov step leaves the x-axis, and the saddle is a first-order
    // point.
    let x0 = array![1.0, 0.0];
    let off = TrustRegionConfig::default().second_order(SecondOrder::Off);
    let hard = TrustRegion::new(off).solve(&obj, x0.view()).unwrap();
    assert_eq!(hard.status, Status::Converged);
    assert!(hard.x[1].abs() < 1e-12 && hard.f.abs() < 1e-12);
    assert_eq!(hard.negative_curvature, None);
    // The check names it: a saddle, with the curvature of ∂²f/∂y² = −2.
    let check = TrustRegionConfig::default().second_order(SecondOrder::Check);
    let seen = TrustRegion::new(check).solve(&obj, x0.view()).unwrap();
    assert_eq!(seen.status, Status::SaddlePoint, "{}", seen.summary());
    assert!(!seen.status.is_converged());
    let c = seen.negative_curvature.expect("curvature reported");
    assert!((c + 2.0).abs() < 1e-8, "{c}");
    // The default escapes along it to a minimizer.
    let escaped = TrustRegion::default().solve(&obj, x0.view()).unwrap();
    assert_eq!(escaped.status, Status::Converged, "{}", escaped.summary());
    assert!((escaped.f + 0.25).abs() < 1e-10, "{}", escaped.summary());
    assert!(
        (escaped.x[1].abs() - 0.5f64.sqrt()).abs() < 1e-6,
        "{}",
        escaped.x
    );
    assert_eq!(escaped.negative_curvature, None);
    // From the saddle itself (g = 0) as well.
    let at = TrustRegion::default()
        .solve(&obj, array![0.0, 0.0].view())
        .unwrap();
    assert_eq!(at.status, Status::Converged, "{}", at.summary());
    assert!((at.f + 0.25).abs() < 1e-10, "{}", at.summary());
}

/// At a minimizer the check costs the k Lanczos products and changes
/// nothing else: the same iterates, the same point.
#[test]
fn the_second_order_check_at_a_minimizer_costs_only_its_products() {
    let p = ExtendedRosenbrock::new(1000).unwrap();
    let x0 = p.start();
    let off = TrustRegion::new(TrustRegionConfig::default().second_order(SecondOrder::Off))
        .solve(&p, x0.view())
        .unwrap();
    let on = TrustRegion::default().solve(&p, x0.view()).unwrap();
    assert!(off.status.is_converged() && on.status.is_converged());
    assert_eq!(off.x, on.x);
    assert_eq!(off.iterations, on.iterations);
    assert_eq!(
        on.counts.hvps,
        off.counts.hvps + steihaug::solvers::saddle::LANCZOS_STEPS as u64
    );
}

/// `F(y) = a·f(b·y)`: the same problem in other units.
struct Scaled<O> {
    inner: O,
    a: f64,
    b: f64,
}

struct ScaledHessian<H> {
    inner: H,
    c: f64,
}

impl<H: LinearOperator> LinearOperator for ScaledHessian<H> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
        self.inner.apply(v, out.view_mut());
        out *= self.c;
    }
}

impl<O: Objective> Objective for Scaled<O> {
    type Hessian<'a>
        = ScaledHessian<O::Hessian<'a>>
    where
        Self: 'a;
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn value_grad(&self, y: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>) -> f64 {
        let x = &y * self.b;
        let f = self.inner.value_grad(x.view(), g.view_mut());
        g *= self.a * self.b;
        self.a * f
    }
    fn hessian(&self, y: ArrayView1<'_, f64>) -> Self::Hessian<'_> {
        let x = &y * self.b;
        ScaledHessian {
            inner: self.inner.hessian(x.view()),
            c: self.a * self.b * self.b,
        }
    }
}

/// Solves `a·f(b·y)` from `x0/b` with both Newton-CG solvers; the minimizer
/// must be `x*/b` and the value `a·f*`.
fn check_scaled<O: Objective>(
    inner: O,
    x0: Array1<f64>,
    x_star: Array1<f64>,
    f_star: f64,
    a: f64,
    b: f64,
) {
    let obj = Scaled { inner, a, b };
    let y0 = &x0 / b;
    let tr = TrustRegion::default().solve(&obj, y0.view()).unwrap();
    let ls = LineSearchNewtonCg::default()
        .solve(&obj, y0.view())
        .unwrap();
    for r in [tr, ls] {
        assert!(r.status.is_converged(), "a={a} b={b}: {}", r.summary());
        let x = &r.x * b;
        let err = x
            .iter()
            .zip(&x_star)
            .fold(0.0f64, |m, (u, v)| m.max((u - v).abs()));
        assert!(err < 1e-4, "a={a} b={b}: |x - x*| = {err}: {}", r.summary());
        assert!(
            (r.f / a - f_star).abs() < 1e-6,
            "a={a} b={b}: {}",
            r.summary()
        );
    }
}

/// f → a·f and x → x/b with a ∈ [10⁻³, 10³], b ∈ [10⁻¹, 10] (log-uniform)
/// do not break convergence: the gradient test is relative to ‖g0‖ and
/// the trust region adapts its radius.
#[test]
fn rescaled_problems_still_converge() {
    check_cases(
        24,
        &(-3.0f64..3.0, -1.0f64..1.0, 0usize..3),
        |(la, lb, which)| {
            let (a, b) = (10f64.powf(la), 10f64.powf(lb));
            match which {
                0 => {
                    let p = ExtendedRosenbrock::new(10).unwrap();
                    check_scaled(p, p.start(), Array1::ones(10), 0.0, a, b);
                }
                1 => {
                    let p = Arwhead::new(10).unwrap();
                    let mut xs = Array1::ones(10);
                    xs[9] = 0.0;
                    check_scaled(p, p.start(), xs, 0.0, a, b);
                }
                _ => {
                    let p = Dixmaan::new(DixmaanVariant::H, 12).unwrap();
                    let x0 = p.start();
                    check_scaled(p, x0, Array1::zeros(12), 1.0, a, b);
                }
            }
            Ok(())
        },
    );
}

/// A preconditioner that is not positive definite (M⁻¹ = −I): rᵀM⁻¹r < 0
/// at every point. The trust-region solver falls back to the
/// unpreconditioned Cauchy step each time (`reference/failure-modes.md`),
/// keeps `indefinite_preconditioner` visible in the history, and still
/// reaches the minimizer (on a quadratic, where steepest descent is quick).
#[test]
fn an_indefinite_preconditioner_falls_back_to_the_cauchy_step() {
    use steihaug::problems::Quadratic;
    struct NegativeIdentity(usize);
    impl steihaug::Preconditioner for NegativeIdentity {
        fn dim(&self) -> usize {
            self.0
        }
        fn apply(&self, r: ArrayView1<'_, f64>, mut z: ArrayViewMut1<'_, f64>) {
            z.zip_mut_with(&r, |z, &r| *z = -r);
        }
    }
    struct WithBadPrecond(Quadratic);
    impl Objective for WithBadPrecond {
        type Hessian<'a> = <Quadratic as Objective>::Hessian<'a>;
        fn dim(&self) -> usize {
            self.0.dim()
        }
        fn value_grad(&self, x: ArrayView1<'_, f64>, g: ArrayViewMut1<'_, f64>) -> f64 {
            self.0.value_grad(x, g)
        }
        fn hessian(&self, x: ArrayView1<'_, f64>) -> Self::Hessian<'_> {
            self.0.hessian(x)
        }
        fn preconditioner<'a>(
            &'a self,
            _x: ArrayView1<'_, f64>,
            _h: &Self::Hessian<'a>,
        ) -> Option<Box<dyn steihaug::Preconditioner + 'a>> {
            Some(Box::new(NegativeIdentity(self.0.dim())))
        }
    }
    let q = Quadratic::new(array![[4.0, 1.0], [1.0, 3.0]], array![-1.0, 2.0]).unwrap();
    let obj = WithBadPrecond(q);
    let x0 = array![3.0, -2.0];
    let cfg = TrustRegionConfig {
        preconditioning: steihaug::Preconditioning::Objective,
        ..TrustRegionConfig::default()
    };
    let r = TrustRegion::new(cfg).solve(&obj, x0.view()).unwrap();
    assert_eq!(r.status, Status::Converged, "{}", r.summary());
    // -A⁻¹b = (5/11, -9/11); ‖g‖ ≤ 1e-8‖g0‖ ≈ 9e-8 and λ_min(A) ≈ 2.4 bound
    // the error by ≈ 4e-8.
    assert!(
        (r.x[0] - 5.0 / 11.0).abs() < 1e-7 && (r.x[1] + 9.0 / 11.0).abs() < 1e-7,
        "{:?}",
        r.x
    );
    assert!(r.iterations > 2, "steepest descent cannot be this quick");
    assert!(r.history.iter().all(|h| {
        h.krylov_exit == Some(steihaug::KrylovExit::IndefinitePreconditioner)
            && h.krylov_iterations == 1
    }));
    // One product per iteration, and the second-order check's Lanczos
    // steps at the end (n = 2 of them: no more vectors exist).
    assert_eq!(r.counts.hvps, r.iterations as u64 + 2);
}
