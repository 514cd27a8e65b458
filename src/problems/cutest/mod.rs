//! CUTEst-style unconstrained test problems with closed-form value,
//! gradient and Hessian.
//!
//! The formulas follow the CUTEst SIF collection (Gould, Orban & Toint
//! 2015) in the forms of `reference/cutest.md`; where the SIF file and the
//! original paper disagree (NONDIA, BROYDN7D) the paper form is used, as in
//! OptimizationProblems.jl. Extended Rosenbrock and extended Powell are
//! Moré, Garbow & Hillstrom (1981), problems 21 and 22.
//!
//! | problem | n | x0 | f* | character |
//! |---|---|---|---|---|
//! | [`Arwhead`] | ≥ 2 | 1 | 0 | arrowhead Hessian |
//! | [`Engval1`] | ≥ 2 | 2 | 1108.1947… at n = 1000 | tridiagonal |
//! | SROSENBR ([`Srosenbr`] = [`crate::problems::ExtendedRosenbrock`]) | even | (−1.2, 1, …) | 0 | 2×2 blocks |
//! | [`Genrose`] | ≥ 2 | i/(n+1) | 1 | chained Rosenbrock, hard |
//! | [`Chainwoo`] | even ≥ 4 | (−3, −1, −3, −1, −2, …) | 1 (global); local minima | chained Wood |
//! | [`Tridia`] | ≥ 2 | 1 | 0 | quadratic, κ ~ n² |
//! | [`Nondia`] | ≥ 2 | −1 | 0 | arrowhead |
//! | [`Fletchcr`] | ≥ 2 | 0 | 0 | hard, ill-conditioned |
//! | [`Powellsg`] | 4k | (3, −1, 0, 1, …) | 0 | singular Hessian at x* |
//! | [`Broydn7d`] | even | −1 | local 105.70… at n = 1000 | not C² (power 7/3) |
//! | [`Cragglvy`] | even ≥ 4 | (1, 2, 2, …) | 336.42… at n = 1000 | high powers |
//! | [`Dixmaan`] E–L | 3m | 2 | 1 | ill-conditioned, nonconvex (H, L) |
//!
//! # Derivatives
//! Each f is a sum of element functions `φ_g(r_g(x))` of at most four
//! variables, so `∇f = Σ φ'_g ∇r_g` and `∇²f = Σ φ''_g ∇r_g∇r_gᵀ + φ'_g
//! ∇²r_g`. The Hessian is **prepared once per point**: `hessian(x)`
//! evaluates the element Hessians into a [`CutestHessian`], a symmetric
//! sparse matrix (diagonal plus upper entries), so each product is one pass
//! over O(n) stored numbers and allocates nothing. The operator also gives
//! its diagonal, so Jacobi preconditioning works on every problem.
//!
//! The functions run on one thread; at the sizes of the CUTEst collection
//! (n ≤ 10⁴) a product takes microseconds.

// The element formulas index several vectors at i, i+1, i+m, …; index loops
// read like the formulas.
#![allow(clippy::needless_range_loop)]

use ndarray::{Array1, ArrayView1, ArrayViewMut1};

use crate::derivatives::with_slices;
use crate::error::{Error, Result};
use crate::linalg::operator::LinearOperator;

/// The value and gradient (accumulated into a zeroed `g`) and the Hessian
/// entries of an element-sum problem.
trait Elements {
    fn n(&self) -> usize;
    /// f(x); adds ∇f(x) into `g`, which is zero on entry.
    fn eval(&self, x: &[f64], g: &mut [f64]) -> f64;
    /// Adds the Hessian at x into `h`.
    fn hessian_entries(&self, x: &[f64], h: &mut CutestHessian);
    /// A capacity hint for the number of off-diagonal entries.
    fn off_diagonal_hint(&self) -> usize;
}

/// Implements [`crate::Objective`] for an [`Elements`] type.
macro_rules! element_objective {
    ($t:ty) => {
        impl $crate::problem::objective::Objective for $t {
            type Hessian<'a> = $crate::problems::cutest::CutestHessian;

            fn dim(&self) -> usize {
                super::Elements::n(self)
            }
            fn value_grad(
                &self,
                x: ndarray::ArrayView1<'_, f64>,
                grad: ndarray::ArrayViewMut1<'_, f64>,
            ) -> f64 {
                super::value_grad(self, x, grad)
            }
            fn hessian(
                &self,
                x: ndarray::ArrayView1<'_, f64>,
            ) -> $crate::problems::cutest::CutestHessian {
                super::prepare_hessian(self, x)
            }
        }
    };
}

mod arwhead;
mod broydn7d;
mod chainwoo;
mod cragglvy;
mod dixmaan;
mod engval1;
mod fletchcr;
mod genrose;
mod nondia;
mod powellsg;
mod tridia;

pub use arwhead::Arwhead;
pub use broydn7d::Broydn7d;
pub use chainwoo::Chainwoo;
pub use cragglvy::Cragglvy;
pub use dixmaan::{Dixmaan, DixmaanVariant};
pub use engval1::Engval1;
pub use fletchcr::Fletchcr;
pub use genrose::Genrose;
pub use nondia::Nondia;
pub use powellsg::Powellsg;
pub use tridia::Tridia;

/// CUTEst SROSENBR is the Moré-Garbow-Hillstrom extended Rosenbrock
/// function, already in the crate.
pub type Srosenbr = crate::problems::ExtendedRosenbrock;

fn value_grad<P: Elements + ?Sized>(
    p: &P,
    x: ArrayView1<'_, f64>,
    grad: ArrayViewMut1<'_, f64>,
) -> f64 {
    with_slices(x, grad, |x, g| {
        g.fill(0.0);
        p.eval(x, g)
    })
}

fn prepare_hessian<P: Elements + ?Sized>(p: &P, x: ArrayView1<'_, f64>) -> CutestHessian {
    let n = x.len();
    let mut h = CutestHessian {
        diag: vec![0.0; n],
        rows: Vec::with_capacity(p.off_diagonal_hint()),
        cols: Vec::with_capacity(p.off_diagonal_hint()),
        vals: Vec::with_capacity(p.off_diagonal_hint()),
    };
    match x.as_slice() {
        Some(xs) => p.hessian_entries(xs, &mut h),
        None => p.hessian_entries(&x.to_vec(), &mut h),
    }
    h
}

/// The Hessian of a CUTEst-style problem at a point: a symmetric sparse
/// matrix stored as its diagonal and its entries above the diagonal
/// (repeated pairs add up). `apply` is `out = D v + Σ h_ij (e_i v_j + e_j
/// v_i)`.
#[derive(Debug, Clone)]
pub struct CutestHessian {
    diag: Vec<f64>,
    rows: Vec<usize>,
    cols: Vec<usize>,
    vals: Vec<f64>,
}

impl CutestHessian {
    /// Adds `h` to the diagonal entry i.
    #[inline]
    fn d(&mut self, i: usize, h: f64) {
        self.diag[i] += h;
    }

    /// Adds `h` to the entries (i, j) and (j, i), i ≠ j.
    #[inline]
    fn o(&mut self, i: usize, j: usize, h: f64) {
        debug_assert_ne!(i, j);
        self.rows.push(i);
        self.cols.push(j);
        self.vals.push(h);
    }

    /// Stored off-diagonal entries (each stands for two).
    pub fn off_diagonal_len(&self) -> usize {
        self.vals.len()
    }
}

impl LinearOperator for CutestHessian {
    fn dim(&self) -> usize {
        self.diag.len()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        with_slices(v, out, |v, out| {
            for ((o, &d), &vi) in out.iter_mut().zip(&self.diag).zip(v) {
                *o = d * vi;
            }
            for ((&i, &j), &h) in self.rows.iter().zip(&self.cols).zip(&self.vals) {
                out[i] += h * v[j];
                out[j] += h * v[i];
            }
        })
    }
    fn diagonal(&self, mut out: ArrayViewMut1<'_, f64>) -> bool {
        out.assign(&ArrayView1::from(&self.diag[..]));
        true
    }
}

fn require(ok: bool, problem: &str, rule: &str, n: usize) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidOption {
            name: "n",
            reason: format!("{problem} needs {rule}, got n = {n}"),
        })
    }
}

/// A problem of the collection with its start and reference values, as the
/// registry builds it.
pub struct CutestBuilt {
    /// The objective.
    pub objective: Box<dyn crate::problem::objective::DynObjective>,
    /// The standard start.
    pub x0: Array1<f64>,
    /// The optimal value when it is known for every n (0 or 1), else `None`.
    pub f_star: Option<f64>,
}

/// Lower-case names of the collection, as registered (`srosenbr` is the
/// registry's alias of `extended-rosenbrock`).
pub const NAMES: &[&str] = &[
    "arwhead", "engval1", "srosenbr", "genrose", "chainwoo", "tridia", "nondia", "fletchcr",
    "powellsg", "broydn7d", "cragglvy", "dixmaane", "dixmaanf", "dixmaang", "dixmaanh", "dixmaani",
    "dixmaanj", "dixmaank", "dixmaanl",
];

/// Builds the problem `name` (lower case, see [`NAMES`]) in dimension n.
pub fn build(name: &str, n: usize) -> Result<CutestBuilt> {
    fn boxed<P: crate::problem::objective::Objective + Send + Sync + 'static>(
        p: P,
        x0: Array1<f64>,
        f_star: Option<f64>,
    ) -> CutestBuilt {
        CutestBuilt {
            objective: Box::new(p),
            x0,
            f_star,
        }
    }
    Ok(match name {
        "arwhead" => {
            let p = Arwhead::new(n)?;
            boxed(p, p.start(), Some(0.0))
        }
        "engval1" => {
            let p = Engval1::new(n)?;
            boxed(p, p.start(), None)
        }
        "srosenbr" => {
            let p = Srosenbr::new(n)?;
            boxed(p, p.start(), Some(0.0))
        }
        "genrose" => {
            let p = Genrose::new(n)?;
            boxed(p, p.start(), Some(1.0))
        }
        "chainwoo" => {
            let p = Chainwoo::new(n)?;
            boxed(p, p.start(), None)
        }
        "tridia" => {
            let p = Tridia::new(n)?;
            boxed(p, p.start(), Some(0.0))
        }
        "nondia" => {
            let p = Nondia::new(n)?;
            boxed(p, p.start(), Some(0.0))
        }
        "fletchcr" => {
            let p = Fletchcr::new(n)?;
            boxed(p, p.start(), Some(0.0))
        }
        "powellsg" => {
            let p = Powellsg::new(n)?;
            boxed(p, p.start(), Some(0.0))
        }
        "broydn7d" => {
            let p = Broydn7d::new(n)?;
            boxed(p, p.start(), None)
        }
        "cragglvy" => {
            let p = Cragglvy::new(n)?;
            boxed(p, p.start(), None)
        }
        _ => {
            let variant = name
                .strip_prefix("dixmaan")
                .and_then(DixmaanVariant::from_letter)
                .ok_or_else(|| Error::InvalidInput(format!("unknown CUTEst problem `{name}`")))?;
            let p = Dixmaan::new(variant, n)?;
            let x0 = p.start();
            boxed(p, x0, Some(1.0))
        }
    })
}
