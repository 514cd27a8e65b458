//! Preconditioners: `r ↦ M⁻¹ r` for a symmetric positive definite M ≈ H.
//!
//! With a preconditioner, the Steihaug-Toint CG measures the trust region in
//! the M-norm `‖p‖_M = sqrt(pᵀMp)` (Conn, Gould & Toint 2000, §7.5.1;
//! `reference/pitfalls.md` §9).

use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

use crate::error::{Error, Result};
use crate::par::{for_blocks, Par};

/// Applies the inverse of a symmetric positive definite matrix M.
pub trait Preconditioner {
    /// The dimension n.
    fn dim(&self) -> usize;
    /// `z ← M⁻¹ r`.
    fn apply(&self, r: ArrayView1<'_, f64>, z: ArrayViewMut1<'_, f64>);
}

impl<T: Preconditioner + ?Sized> Preconditioner for &T {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn apply(&self, r: ArrayView1<'_, f64>, z: ArrayViewMut1<'_, f64>) {
        (**self).apply(r, z)
    }
}

impl<T: Preconditioner + ?Sized> Preconditioner for Box<T> {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn apply(&self, r: ArrayView1<'_, f64>, z: ArrayViewMut1<'_, f64>) {
        (**self).apply(r, z)
    }
}

/// M = I.
#[derive(Debug, Clone, Copy)]
pub struct Identity {
    /// The dimension n.
    pub n: usize,
}

impl Preconditioner for Identity {
    fn dim(&self) -> usize {
        self.n
    }
    fn apply(&self, r: ArrayView1<'_, f64>, mut z: ArrayViewMut1<'_, f64>) {
        z.assign(&r);
    }
}

/// Jacobi (diagonal) preconditioner M = diag(d).
///
/// Safeguard: entries that are not positive and finite (a zero or negative
/// Hessian diagonal, which happens away from a minimizer) are replaced by
/// `floor = max(rel_floor·max|d_i|, f64::MIN_POSITIVE)`, and positive entries
/// below the floor are raised to it, so M stays positive definite and its
/// condition number is bounded by `1/rel_floor`.
#[derive(Debug, Clone)]
pub struct Jacobi {
    inv_diag: Array1<f64>,
    replaced: usize,
}

impl Jacobi {
    /// Default relative floor for diagonal entries.
    pub const DEFAULT_REL_FLOOR: f64 = 1e-8;

    /// Builds M = diag(d) with the safeguard described on the type.
    ///
    /// Errors: `d` is empty.
    pub fn new(d: ArrayView1<'_, f64>) -> Result<Self> {
        Self::with_floor(d, Self::DEFAULT_REL_FLOOR)
    }

    /// As [`Jacobi::new`] with a chosen relative floor in (0, 1].
    pub fn with_floor(d: ArrayView1<'_, f64>, rel_floor: f64) -> Result<Self> {
        let mut inv = Array1::zeros(d.len());
        let replaced = Self::fill_inverse(d, rel_floor, inv.view_mut())?;
        Ok(Self {
            inv_diag: inv,
            replaced,
        })
    }

    /// Recomputes the preconditioner in place from a new diagonal of the same
    /// length (no allocation).
    pub fn update(&mut self, d: ArrayView1<'_, f64>) -> Result<()> {
        crate::error::check_dim("Jacobi diagonal", self.inv_diag.len(), d.len())?;
        self.replaced = Self::fill_inverse(d, Self::DEFAULT_REL_FLOOR, self.inv_diag.view_mut())?;
        Ok(())
    }

    /// How many diagonal entries the safeguard replaced or raised.
    pub fn replaced(&self) -> usize {
        self.replaced
    }

    /// The entries of M⁻¹.
    pub fn inverse_diagonal(&self) -> ArrayView1<'_, f64> {
        self.inv_diag.view()
    }

    fn fill_inverse(
        d: ArrayView1<'_, f64>,
        rel_floor: f64,
        mut inv: ArrayViewMut1<'_, f64>,
    ) -> Result<usize> {
        if d.is_empty() {
            return Err(Error::EmptyProblem);
        }
        if !(rel_floor > 0.0 && rel_floor <= 1.0) {
            return Err(Error::InvalidOption {
                name: "rel_floor",
                reason: format!("must lie in (0, 1], got {rel_floor}"),
            });
        }
        let max_abs = d
            .iter()
            .filter(|v| v.is_finite())
            .fold(0.0f64, |m, v| m.max(v.abs()));
        let floor = (rel_floor * max_abs).max(f64::MIN_POSITIVE);
        let mut replaced = 0;
        Zip::from(&mut inv).and(&d).for_each(|i, &di| {
            let v = if di.is_finite() && di >= floor {
                di
            } else {
                replaced += 1;
                floor
            };
            *i = 1.0 / v;
        });
        Ok(replaced)
    }
}

impl Preconditioner for Jacobi {
    fn dim(&self) -> usize {
        self.inv_diag.len()
    }
    fn apply(&self, r: ArrayView1<'_, f64>, z: ArrayViewMut1<'_, f64>) {
        // Element-wise, over the solvers' blocks (in parallel for long
        // vectors; no reduction, so the same for any thread count).
        for_blocks(Par::Rayon, (z, r, self.inv_diag.view()), |(mut z, r, m)| {
            Zip::from(&mut z)
                .and(&r)
                .and(&m)
                .for_each(|z, &r, &m| *z = r * m)
        });
    }
}
