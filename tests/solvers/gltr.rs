//! The trust region with the GLTR subproblem on whole solves: the
//! CUTEst-style problems and MINPACK-2 MSA reach the optimum Steihaug's CG
//! reaches, re-solves after rejected steps make no pass-1 product, and
//! Steihaug stays the default.
//!
//! On non-convex problems the two may end in different local minima
//! (`reference/gltr.md` §7: BROYDN7D, 132.50 with Steihaug against 105.70
//! with GLTR at n = 1000, as SciPy's trust-ncg and trust-krylov do); there
//! the test checks that GLTR's point is a converged local minimizer.

use steihaug::problems::cutest::build;
use steihaug::problems::minpack2::Minpack2;
use steihaug::{
    KrylovExit, Objective, Report, Subproblem, Termination, TrustRegion, TrustRegionConfig,
};

fn solve<O: Objective + ?Sized>(
    obj: &O,
    x0: ndarray::ArrayView1<'_, f64>,
    sub: Subproblem,
) -> Report {
    let cfg = TrustRegionConfig {
        termination: Termination {
            max_iter: 10_000,
            ..Termination::default()
        },
        ..Default::default()
    }
    .subproblem(sub);
    TrustRegion::new(cfg).solve(obj, x0).unwrap()
}

fn check_pass2(r: &Report) {
    assert!(r.counts.pass2_hvps <= r.counts.hvps);
    // Every subproblem product is pass 1 or pass 2 (the second-order check
    // at the end makes products of its own).
    assert!(
        r.counts.hvps >= r.counts.krylov_iterations + r.counts.pass2_hvps,
        "{:?}",
        r.counts
    );
}

#[test]
fn gltr_reaches_steihaugs_optimum_on_cutest_problems() {
    // (name, same local minimum expected)
    for (name, same) in [
        ("chainwoo", true),
        ("genrose", true),
        ("srosenbr", true),
        ("fletchcr", true),
        ("broydn7d", false),
    ] {
        let b = build(name, 1000).unwrap();
        let obj = &*b.objective;
        let st = solve(obj, b.x0.view(), Subproblem::Steihaug);
        let gl = solve(obj, b.x0.view(), Subproblem::GLTR);
        assert!(st.status.is_converged(), "{name} Steihaug: {}", st.status);
        assert!(gl.status.is_converged(), "{name} GLTR: {}", gl.status);
        check_pass2(&gl);
        assert_eq!(st.counts.pass2_hvps, 0);
        if same {
            let tol = 1e-6 * st.f.abs().max(1.0);
            assert!((gl.f - st.f).abs() <= tol, "{name}: {} vs {}", gl.f, st.f);
        } else {
            // Different local minima are allowed; both are stationary.
            assert!(gl.grad_norm <= 1e-6 * (1.0 + gl.f.abs()), "{name}");
        }
    }
}

#[test]
fn gltr_reaches_steihaugs_optimum_on_msa() {
    let msa = Minpack2::msa(50, 50).unwrap();
    let x0 = msa.start();
    let st = solve(&msa, x0.view(), Subproblem::Steihaug);
    let gl = solve(&msa, x0.view(), Subproblem::GLTR);
    assert!(st.status.is_converged() && gl.status.is_converged());
    check_pass2(&gl);
    assert!(
        (gl.f - st.f).abs() <= 1e-9 * st.f.abs(),
        "{} vs {}",
        gl.f,
        st.f
    );
}

/// After a rejected step the next subproblem is a re-solve, whose products
/// are all pass 2: the pass-2 total covers every product of the records
/// that follow a rejection. GLTR's history carries the leftmost Ritz value.
#[test]
fn rejected_steps_are_resolved_without_pass_one_products() {
    let b = build("genrose", 1000).unwrap();
    let gl = solve(&*b.objective, b.x0.view(), Subproblem::GLTR);
    assert!(gl.status.is_converged());
    let h = &gl.history;
    let mut resolves = 0;
    let mut resolve_products = 0;
    for w in h.windows(2) {
        if !w[0].accepted && w[1].krylov_iterations > 0 {
            resolves += 1;
            resolve_products += w[1].krylov_iterations as u64;
            assert!(w[1].leftmost.is_some());
        }
    }
    assert!(resolves >= 5, "{resolves}");
    assert!(
        gl.counts.pass2_hvps >= resolve_products,
        "{} < {resolve_products}",
        gl.counts.pass2_hvps
    );
    assert!(h
        .iter()
        .all(|r| r.leftmost.is_some() || r.krylov_iterations == 0));
    // Negative curvature seen along the way: some leftmost estimate < 0.
    assert!(h.iter().any(|r| r.leftmost.is_some_and(|l| l < 0.0)));
    let st = solve(&*b.objective, b.x0.view(), Subproblem::Steihaug);
    assert!(st.history.iter().all(|r| r.leftmost.is_none()));
}

#[test]
fn steihaug_is_the_default_and_gltr_is_validated() {
    assert_eq!(
        TrustRegionConfig::default().subproblem,
        Subproblem::Steihaug
    );
    let bad = TrustRegionConfig::default().subproblem(Subproblem::Gltr { max_lanczos: 0 });
    assert!(matches!(
        bad.validate(),
        Err(steihaug::Error::InvalidOption {
            name: "subproblem.max_lanczos",
            ..
        })
    ));
    TrustRegionConfig::default()
        .subproblem(Subproblem::GLTR)
        .validate()
        .unwrap();
}

// ---------------------------------------------------------------------------
// GLTR against the dense exact trust-region solver on small random problems.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use proptest::prelude::*;
use steihaug::krylov::{self, GltrParams, GltrWorkspace, KrylovWorkspace, SteihaugParams};
use steihaug::linalg::trs::{solve_trs, TrsParams};

use crate::common::check_cases;

/// Cases of the oracle property (n ≤ 12: each case is a few dense solves).
const ORACLE_CASES: u32 = 512;

/// The kind of random subproblem.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// H positive definite, eigenvalues in [0.1, 10].
    Spd,
    /// H indefinite (λ₁ < 0), eigenvalues in [−5, 5].
    Indefinite,
    /// The exact hard case: u₁ is a coordinate vector e_j (the reflectors
    /// leave coordinate j alone), g_j = 0, so every product keeps
    /// coordinate j exactly 0 and the Krylov space is exactly ⟂ u₁.
    Hard,
    /// The nearly hard case: a general eigenbasis and g's u₁ component
    /// ε·‖γ‖ with ε ∈ [1e-10, 1e-2].
    NearlyHard,
}

#[derive(Debug, Clone)]
struct TrsCase {
    kind: Kind,
    h: Array2<f64>,
    g: Array1<f64>,
    radius: f64,
    /// The eigenvalues of H (λ[0] the smallest for the hard kinds) and g in
    /// the eigenbasis.
    lambda: Vec<f64>,
    gamma: Vec<f64>,
}

/// I − 2uuᵀ/uᵀu applied to the columns of `q` (skipped for a tiny u).
fn reflect(q: &mut Array2<f64>, u: &[f64]) {
    let u = ArrayView1::from(u);
    let uu = u.dot(&u);
    if uu < 1e-6 {
        return;
    }
    for mut col in q.columns_mut() {
        let s = 2.0 * col.dot(&u) / uu;
        col.scaled_add(-s, &u);
    }
}

fn log_uniform(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    (lo.log10()..hi.log10()).prop_map(|e| 10f64.powf(e))
}

/// H = Q diag(λ) Qᵀ and g = Qγ, Q a product of two reflectors. The
/// leftmost eigenpair of the hard kinds is (λ[0], Q e_j).
fn trs_case() -> impl Strategy<Value = TrsCase> {
    (
        2usize..=12,
        prop_oneof![
            Just(Kind::Spd),
            Just(Kind::Indefinite),
            Just(Kind::Hard),
            Just(Kind::NearlyHard)
        ],
    )
        .prop_flat_map(|(n, kind)| {
            (
                Just(n),
                Just(kind),
                prop::collection::vec(0.0f64..1.0, n),
                prop::collection::vec(-1.0f64..1.0, n),
                prop::collection::vec(-1.0f64..1.0, n),
                prop::collection::vec((0.05f64..1.0, prop::bool::ANY), n),
                0..n,
                log_uniform(1e-2, 1e2),
                log_uniform(0.05, 10.0),
                0.1f64..2.0,
                log_uniform(1e-10, 1e-2),
            )
        })
        .prop_map(
            |(n, kind, unit, mut u1, mut u2, gam, j, radius, stretch, gap, eps)| {
                let mut lambda: Vec<f64> = match kind {
                    Kind::Spd => unit.iter().map(|t| 0.1 + 9.9 * t).collect(),
                    _ => unit.iter().map(|t| -5.0 + 10.0 * t).collect(),
                };
                let mut gamma: Vec<f64> = gam
                    .iter()
                    .map(|&(m, neg)| if neg { -m } else { m })
                    .collect();
                let mut radius = radius;
                if kind == Kind::Indefinite {
                    lambda[0] = -(lambda[0].abs() + 0.1);
                }
                if matches!(kind, Kind::Hard | Kind::NearlyHard) {
                    // λ[0] < 0, a simple eigenvalue at least `gap` below the rest.
                    let rest = lambda[1..].iter().copied().fold(0.0f64, f64::min);
                    lambda[0] = rest - gap;
                    let gnorm = gamma[1..].iter().map(|v| v * v).sum::<f64>().sqrt();
                    gamma[0] = if kind == Kind::Hard {
                        0.0
                    } else {
                        eps * gnorm * gamma[0].signum()
                    };
                    // ‖s(−λ₁)‖ = ‖Σ_{i≥1} γᵢ/(λᵢ − λ₁) uᵢ‖; a radius past it
                    // makes the (nearly) hard case happen.
                    let s_min = (1..n)
                        .map(|i| (gamma[i] / (lambda[i] - lambda[0])).powi(2))
                        .sum::<f64>()
                        .sqrt();
                    radius = s_min * (1.0 + stretch);
                }
                if kind == Kind::Hard {
                    u1[j] = 0.0;
                    u2[j] = 0.0;
                }
                // Eigen-coordinate 0 sits at position j of the basis.
                lambda.swap(0, j);
                gamma.swap(0, j);
                let mut q = Array2::eye(n);
                reflect(&mut q, &u1);
                reflect(&mut q, &u2);
                let mut ql = q.clone();
                for (c, mut col) in ql.columns_mut().into_iter().enumerate() {
                    col *= lambda[c];
                }
                let h = ql.dot(&q.t());
                let h = (&h + &h.t()) * 0.5;
                let g = q.dot(&Array1::from(gamma.clone()));
                lambda.swap(0, j);
                gamma.swap(0, j);
                TrsCase {
                    kind,
                    h,
                    g,
                    radius,
                    lambda,
                    gamma,
                }
            },
        )
}

/// q(s) = gᵀs + ½sᵀHs with a dense product.
fn dense_model(h: ArrayView2<'_, f64>, g: ArrayView1<'_, f64>, s: ArrayView1<'_, f64>) -> f64 {
    g.dot(&s) + 0.5 * s.dot(&h.dot(&s))
}

fn norm(v: ArrayView1<'_, f64>) -> f64 {
    v.dot(&v).sqrt()
}

/// GLTR run to convergence (η = 1e-13, Krylov dimension and Lanczos cap
/// n) against [`solve_trs`] (Moré–Sorensen on the dense H) and Steihaug's
/// CG on the same data. Properties:
///
/// * ‖s‖ ≤ Δ(1 + 1e-10) for GLTR and Steihaug;
/// * q_exact − 1e-10·scale ≤ q_gltr ≤ q_steihaug + 1e-10·scale, with
///   scale = max(1, |q_exact|) (q from s by a dense product): the oracle is
///   the global minimum, and Steihaug's point lies in GLTR's Krylov space
///   (`reference/gltr.md` §8);
/// * when GLTR converges, |q_gltr − q_exact| ≤ 1e-8·scale — except in the
///   exact hard case. There the Krylov space K(H, g) is exactly ⟂ u₁
///   (`Kind::Hard` keeps coordinate j exactly 0 in every product), so no
///   Krylov method can reach the global minimum (§4). What is honest to
///   assert there is that GLTR returns the minimizer over the space it can
///   see: q_gltr matches, to 1e-8·scale, the solution of the reduced problem
///   on u₁^⊥ (diag(λ₂…λₙ), γ₂…γₙ), which is strictly worse than q_exact
///   (the case is checked to be a genuine hard case, a gap ≥ 1e-6·scale).
///   The report does *not* flag this: GLTR exits `Converged` (the
///   Lagrangian residual is ~0 in the whole space, and θ_min(T) = λ₂ gives
///   no hint of λ₁) with `hard_case = false`; only a dense or randomized
///   restart could tell.
///
/// The Krylov dimension is capped at n. Lanczos without
/// re-orthogonalization loses orthogonality once a Ritz value converges,
/// pass 2 rebuilds s = Q_k h with a non-orthonormal Q_k, and ‖s‖ ≠ ‖h‖
/// (before the pull-back in `gltr`, 81 of the 512 cases ended outside the
/// region, worst ‖s‖/Δ − 1 = 2.2e-6, all nearly hard and unconverged).
#[test]
fn gltr_matches_the_dense_trust_region_solution() {
    use std::cell::Cell;
    let converged = Cell::new(0u32);
    let nearly_hard_unconverged = Cell::new(0u32);
    let worst = Cell::new(f64::NEG_INFINITY);
    check_cases(ORACLE_CASES, &trs_case(), |case| {
        let n = case.g.len();
        let (h, g, radius) = (case.h.view(), case.g.view(), case.radius);
        let exact = solve_trs(h, g, radius, &TrsParams::default()).unwrap();
        let q_exact = dense_model(h, g, exact.s.view());
        let scale = q_exact.abs().max(1.0);

        let mut params = GltrParams::new(radius, 1e-13, n);
        params.max_lanczos = n;
        let mut ws = GltrWorkspace::new(n, n);
        let mut s = Array1::zeros(n);
        let info = krylov::gltr(&case.h, None, g, &params, &mut ws, s.view_mut()).unwrap();
        let q_gltr = dense_model(h, g, s.view());

        let sp = SteihaugParams {
            truncation: krylov::Truncation::TrustRegion { radius },
            eta: 1e-13,
            max_iter: n,
            curvature_eps: f64::EPSILON,
            deadline: None,
        };
        let mut kws = KrylovWorkspace::new(n);
        let mut p = Array1::zeros(n);
        krylov::steihaug(&case.h, None, g, &sp, &mut kws, p.view_mut()).unwrap();
        let q_st = dense_model(h, g, p.view());

        let what = format!(
            "{:?} n={n} Δ={radius:e} exit={:?} k={} hard_case={} q_gltr={q_gltr:e} \
             q_exact={q_exact:e} q_steihaug={q_st:e}",
            case.kind, info.exit, info.dimension, info.hard_case
        );
        // Every step is in the region: a step that loss of orthogonality
        // pushed outside is pulled back to the boundary by `gltr` (only
        // unpreconditioned, as here; the oracle test used to exempt 81 of
        // the 512 cases, worst ‖s‖/Δ − 1 = 2.2e-6).
        let slack = 1e-10;
        worst.set(worst.get().max(norm(s.view()) / radius - 1.0));
        if info.hard_case && info.exit != KrylovExit::Converged {
            nearly_hard_unconverged.set(nearly_hard_unconverged.get() + 1);
        }
        prop_assert!(
            norm(s.view()) <= radius * (1.0 + slack),
            "‖s‖/Δ − 1 = {:e}: {}",
            norm(s.view()) / radius - 1.0,
            what
        );
        prop_assert!(norm(p.view()) <= radius * (1.0 + 1e-10), "‖p‖ {}", what);
        prop_assert!(
            q_gltr >= q_exact - slack * scale,
            "below the optimum: {}",
            what
        );
        prop_assert!(q_gltr <= q_st + 1e-10 * scale, "above Steihaug: {}", what);
        if info.exit != KrylovExit::Converged {
            return Ok(());
        }
        converged.set(converged.get() + 1);
        if case.kind == Kind::Hard {
            // The optimum over u₁^⊥, in eigen-coordinates.
            let hr = Array2::from_diag(&Array1::from(case.lambda[1..].to_vec()));
            let gr = Array1::from(case.gamma[1..].to_vec());
            let red = solve_trs(hr.view(), gr.view(), radius, &TrsParams::default()).unwrap();
            let q_kry = dense_model(hr.view(), gr.view(), red.s.view());
            prop_assert!(
                q_kry - q_exact >= 1e-6 * scale,
                "not hard: {q_kry:e} {}",
                what
            );
            prop_assert!(
                (q_gltr - q_kry).abs() <= 1e-8 * scale,
                "Krylov optimum {q_kry:e}: {}",
                what
            );
        } else {
            prop_assert!((q_gltr - q_exact).abs() <= 1e-8 * scale, "{}", what);
        }
        Ok(())
    });
    // 369 of 512 converge within n products (η = 1e-13 is strict), so the
    // 1e-8 check is not vacuous.
    eprintln!(
        "{} of {ORACLE_CASES} GLTR solves converged; {} unconverged in the nearly-hard branch (worst ‖s‖/Δ − 1 = {:e})",
        converged.get(),
        nearly_hard_unconverged.get(),
        worst.get()
    );
    assert!(converged.get() >= ORACLE_CASES / 2, "{}", converged.get());
}
