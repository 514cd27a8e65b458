//! Preconditioners: `r ↦ M⁻¹ r` for a symmetric positive definite M ≈ H.
//!
//! With a preconditioner, the Steihaug-Toint CG measures the trust region in
//! the M-norm `‖p‖_M = sqrt(pᵀMp)` (Conn, Gould & Toint 2000, §7.5.1;
//! `reference/pitfalls.md` §9).

use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

use crate::error::{Error, Result};
use crate::linalg::par::{for_blocks, Par};

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
/// Safeguard (a zero or negative Hessian diagonal happens away from a
/// minimizer): each entry is replaced by `max(|d_i|, floor)` with
/// `floor = rel_floor·max|d_i|` (the maximum over finite entries), and a
/// non-finite entry by `floor`; so M stays positive definite, keeps the
/// scale of the entries it replaces, and its condition number is at most
/// `1/rel_floor`. A diagonal with no finite nonzero entry gives M = I.
/// [`Jacobi::replaced`] counts the entries that were not positive, finite
/// and at least the floor.
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
        // A floor whose inverse is finite; M = I when nothing sets a scale.
        let floor = if max_abs > 0.0 {
            (rel_floor * max_abs).max(4.0 / f64::MAX)
        } else {
            1.0
        };
        let mut replaced = 0;
        Zip::from(&mut inv).and(&d).for_each(|i, &di| {
            let v = if di.is_finite() && di >= floor {
                di
            } else {
                replaced += 1;
                if di.is_finite() {
                    di.abs().max(floor)
                } else {
                    floor
                }
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

/// The fallback when an incomplete factorization fails (IC(0) after all
/// its shifts): Jacobi from the operator's diagonal, or nothing when the
/// operator has no cheap diagonal. A preconditioner asked for is not
/// dropped silently while a cheaper one is at hand.
pub(crate) fn jacobi_fallback<'a, H: crate::LinearOperator + ?Sized>(
    h: &H,
    n: usize,
) -> Option<Box<dyn Preconditioner + 'a>> {
    let mut d = Array1::zeros(n);
    if h.diagonal(d.view_mut()) {
        Jacobi::new(d.view())
            .ok()
            .map(|j| Box::new(j) as Box<dyn Preconditioner>)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn jacobi_safeguard_keeps_m_positive_definite_and_finite() {
        let j = Jacobi::new(array![4.0, -2.0, 0.0, f64::NAN, 1e-12].view()).unwrap();
        let inv = j.inverse_diagonal();
        // 4 kept; −2 → |−2|; 0, NaN and 1e-12 → the floor 1e-8·4.
        assert_eq!(
            inv.to_vec(),
            vec![0.25, 0.5, 1.0 / 4e-8, 1.0 / 4e-8, 1.0 / 4e-8]
        );
        assert_eq!(j.replaced(), 4);
        // Nothing sets a scale: M = I, not 1/MIN_POSITIVE.
        let z = Jacobi::new(array![0.0, 0.0, f64::INFINITY].view()).unwrap();
        assert_eq!(z.inverse_diagonal().to_vec(), vec![1.0; 3]);
        // Entries near f64::MAX: the inverse stays finite and positive.
        let big = Jacobi::new(array![f64::MAX, -f64::MAX].view()).unwrap();
        assert!(big
            .inverse_diagonal()
            .iter()
            .all(|v| v.is_finite() && *v > 0.0));
        assert!(Jacobi::new(ndarray::Array1::<f64>::zeros(0).view()).is_err());
    }
}
