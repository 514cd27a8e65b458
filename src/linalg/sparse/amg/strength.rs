//! Symmetric strength of connection (Vaněk, Mandel & Brezina 1996, §2;
//! PyAMG's `symmetric_strength_of_connection`): the off-diagonal entry
//! a_ij is strong when `|a_ij| ≥ θ·sqrt(|a_ii·a_jj|)` and a_ij ≠ 0. With
//! θ = 0 (PyAMG's default for smoothed aggregation) every stored nonzero
//! off-diagonal entry is strong. The test is symmetric in i and j, so the
//! strength graph of a symmetric matrix is undirected.

use super::csr::Csr;

/// The strength graph of `a` as a CSR pattern (no diagonal, rows sorted):
/// `(indptr, indices)`. `diag` holds a_ii for every row.
pub(crate) fn symmetric_strength(a: &Csr, dinv: &[f64], theta: f64) -> (Vec<usize>, Vec<usize>) {
    let mut indptr = Vec::with_capacity(a.nrows + 1);
    let mut indices = Vec::with_capacity(a.nnz());
    indptr.push(0);
    for i in 0..a.nrows {
        let (cols, vals) = a.row(i);
        for (&j, &v) in cols.iter().zip(vals) {
            if j != i && is_strong(v, 1.0 / dinv[i], 1.0 / dinv[j], theta) {
                indices.push(j);
            }
        }
        indptr.push(indices.len());
    }
    (indptr, indices)
}

/// The strength rule for one entry a_ij with diagonals a_ii, a_jj.
#[inline]
pub(crate) fn is_strong(aij: f64, aii: f64, ajj: f64, theta: f64) -> bool {
    aij != 0.0 && aij.abs() >= theta * (aii * ajj).abs().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_rule_branches() {
        // θ = 0: any nonzero is strong, an explicit zero is not.
        assert!(is_strong(-1e-30, 4.0, 4.0, 0.0));
        assert!(!is_strong(0.0, 4.0, 4.0, 0.0));
        // θ = 0.25 with a_ii = a_jj = 4: the threshold is 1.
        assert!(is_strong(-1.0, 4.0, 4.0, 0.25));
        assert!(!is_strong(-0.99, 4.0, 4.0, 0.25));
        // Symmetric in i and j.
        assert_eq!(is_strong(0.5, 1.0, 9.0, 0.2), is_strong(0.5, 9.0, 1.0, 0.2));
    }
}
