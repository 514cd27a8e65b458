//! What the derivative checker reports: the [`Verdict`] of each test, the
//! three test results with where the worst error occurred, and the
//! [`DerivativeReport`] that gathers them and prints as a readable summary.

use std::fmt;

/// The outcome of a test, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Verdict {
    /// Agrees with finite differences to within `pass_tol`.
    Correct,
    /// Disagrees by more than `pass_tol` but at most `fail_tol`.
    Suspect,
    /// Disagrees by more than `fail_tol`, or is not finite.
    Wrong,
}

impl Verdict {
    /// `"correct"`, `"suspect"` or `"wrong"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Correct => "correct",
            Verdict::Suspect => "suspect",
            Verdict::Wrong => "wrong",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The gradient test.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GradientCheck {
    /// Whether `value_grad` overwrites a dirty gradient buffer (called twice
    /// on one filled with nonzeros, it gives the gradient it gives on
    /// zeros). `false` — the objective accumulates into `g` (`g += …`) or
    /// leaves entries untouched — makes the verdict `Wrong`.
    pub overwrites: bool,
    /// Worst relative error over the component and direction tests.
    pub max_rel_error: f64,
    /// Worst relative error of a single component.
    pub component_rel_error: f64,
    /// The component with that error (0-based), if any was checked.
    pub worst_component: Option<usize>,
    /// The user's and the finite-difference value of that component.
    pub component_values: (f64, f64),
    /// Components checked one by one (including those counted below).
    pub components_checked: usize,
    /// Of those, components whose finite differences could not decide (when
    /// all of them are, the gradient verdict is at most `Suspect`): the
    /// error estimate exceeds `fail_tol` times the values compared (a wrong
    /// entry there would go unseen; a user value and a difference that are
    /// both exactly 0 count as agreement), or f is not finite nearby. They
    /// score as agreement; a large count means: check at another point.
    pub components_inconclusive: usize,
    /// Worst relative error of a directional derivative `gᵀu`.
    pub direction_rel_error: f64,
    /// The direction with that error (0-based).
    pub worst_direction: Option<usize>,
    /// The verdict of this test.
    pub verdict: Verdict,
}

/// The Hessian-vector-product test.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct HvpCheck {
    /// Worst relative error `‖Hu − fd‖ / max(‖Hu‖, ‖fd‖)` (noise-corrected).
    pub max_rel_error: f64,
    /// The direction with that error (0-based).
    pub worst_direction: usize,
    /// In that direction, the component with the largest difference.
    pub worst_component: usize,
    /// The user's and the finite-difference value of that component.
    pub component_values: (f64, f64),
    /// The verdict of this test.
    pub verdict: Verdict,
}

/// The symmetry test `uᵀ(Hv) = vᵀ(Hu)`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SymmetryCheck {
    /// Worst `|uᵀHv − vᵀHu| / ((‖Hu‖‖v‖ + ‖Hv‖‖u‖)/2)`; 0 with one
    /// direction.
    pub max_rel_error: f64,
    /// The pair of directions with that error.
    pub worst_pair: (usize, usize),
    /// The verdict of this test.
    pub verdict: Verdict,
}

/// What [`check_derivatives`](super::check_derivatives) found.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DerivativeReport {
    /// The dimension.
    pub n: usize,
    /// f at the point.
    pub f: f64,
    /// ‖∇f‖ at the point.
    pub grad_norm: f64,
    /// The gradient test.
    pub gradient: GradientCheck,
    /// The product test.
    pub hvp: HvpCheck,
    /// The symmetry test.
    pub symmetry: SymmetryCheck,
    /// The worst of the three verdicts.
    pub verdict: Verdict,
    /// `value_grad` calls made by the checker.
    pub evaluations: u64,
    /// Hessian-vector products made by the checker.
    pub hvps: u64,
}

impl DerivativeReport {
    /// `true` when every test passed.
    pub fn is_correct(&self) -> bool {
        self.verdict == Verdict::Correct
    }
}

impl fmt::Display for DerivativeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = &self.gradient;
        writeln!(
            f,
            "derivative check (n = {}, f = {:.6e}, |g| = {:.3e}; {} evaluations, {} Hessian-vector products)",
            self.n, self.f, self.grad_norm, self.evaluations, self.hvps
        )?;
        writeln!(
            f,
            "  (relative errors count only the disagreement beyond the finite differences' own estimated error)"
        )?;
        write!(
            f,
            "  gradient:  worst relative error {:.2e}",
            g.max_rel_error
        )?;
        if let Some(j) = g.worst_component {
            write!(
                f,
                "; by component {:.2e} at component {j} (user {:.6e}, finite difference {:.6e}; {} checked",
                g.component_rel_error, g.component_values.0, g.component_values.1, g.components_checked
            )?;
            if g.components_inconclusive > 0 {
                write!(
                    f,
                    ", {} of them inconclusive: finite differences too noisy here",
                    g.components_inconclusive
                )?;
            }
            write!(f, ")")?;
        }
        if let Some(k) = g.worst_direction {
            write!(
                f,
                "; by direction {:.2e} at direction {k}",
                g.direction_rel_error
            )?;
        }
        if !g.overwrites {
            write!(
                f,
                "; value_grad does not overwrite its gradient buffer (it accumulates into g or skips entries)"
            )?;
        }
        writeln!(f, " -> {}", g.verdict)?;
        let h = &self.hvp;
        writeln!(
            f,
            "  Hessian-vector products: worst relative error {:.2e} at direction {}, largest difference in component {} (user {:.6e}, finite difference {:.6e}) -> {}",
            h.max_rel_error, h.worst_direction, h.worst_component, h.component_values.0, h.component_values.1, h.verdict
        )?;
        let s = &self.symmetry;
        writeln!(
            f,
            "  symmetry u'(Hv) = v'(Hu): worst relative error {:.2e} at directions {:?} -> {}",
            s.max_rel_error, s.worst_pair, s.verdict
        )?;
        let what = match self.verdict {
            Verdict::Correct => "CORRECT: gradient and Hessian-vector products agree with finite differences",
            Verdict::Suspect => "SUSPECT: small disagreements; check at another point or look for a small missing term",
            Verdict::Wrong => match (g.verdict, h.verdict, s.verdict) {
                (Verdict::Wrong, _, _) if !g.overwrites => "WRONG: value_grad must overwrite g (the buffer is not zeroed), not add to it",
                (Verdict::Wrong, _, _) => "WRONG: the gradient disagrees with finite differences of f",
                (_, Verdict::Wrong, _) => "WRONG: the Hessian-vector product disagrees with finite differences of the gradient",
                _ => "WRONG: the Hessian-vector product is not symmetric",
            },
        };
        write!(f, "  verdict: {what}")
    }
}
