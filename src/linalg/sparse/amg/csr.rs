//! The owned CSR matrices of the multigrid hierarchy and the two sparse
//! kernels its setup needs: the transpose (with a gather map, so a refresh
//! is one pass) and the sparse product C = A·B in a symbolic phase (the
//! pattern, once) and a numeric phase (the values, every refresh).
//!
//! Both phases of the product run over fixed blocks of [`super::super::ROW_BLOCK`]
//! rows in parallel; each output row is computed by one thread in a fixed
//! order (Gustavson's row-by-row algorithm, Gustavson 1978), so the values
//! are bit-for-bit the same for any thread count.

use rayon::prelude::*;

use crate::linalg::par::Par;
use crate::linalg::sparse::{csr_matvec, ROW_BLOCK};

/// A CSR matrix with sorted, unique column indices in every row.
#[derive(Debug, Clone, Default)]
pub(crate) struct Csr {
    pub nrows: usize,
    pub ncols: usize,
    pub indptr: Vec<usize>,
    pub indices: Vec<usize>,
    pub data: Vec<f64>,
}

impl Csr {
    /// Stored entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// The entries of row i: (columns, values).
    #[inline]
    pub fn row(&self, i: usize) -> (&[usize], &[f64]) {
        let (s, e) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[s..e], &self.data[s..e])
    }

    /// `y ← A x` (deterministic for any thread count).
    pub fn matvec(&self, par: Par, x: &[f64], y: &mut [f64]) {
        csr_matvec(par, &self.indptr, &self.indices, &self.data, x, y);
    }

    /// The position of each row's diagonal entry (`usize::MAX` if absent).
    pub fn diagonal_positions(&self) -> Vec<usize> {
        (0..self.nrows)
            .map(|i| {
                let (s, e) = (self.indptr[i], self.indptr[i + 1]);
                self.indices[s..e]
                    .binary_search(&i)
                    .map_or(usize::MAX, |p| s + p)
            })
            .collect()
    }
}

/// The transpose of `a`'s pattern, and `map[q]` = position in the transpose
/// of entry q of `a`; the values are gathered by [`transpose_values`].
pub(crate) fn transpose_pattern(a: &Csr) -> (Csr, Vec<usize>) {
    let mut counts = vec![0usize; a.ncols + 1];
    for &j in &a.indices {
        counts[j + 1] += 1;
    }
    for j in 0..a.ncols {
        counts[j + 1] += counts[j];
    }
    let indptr = counts.clone();
    let mut next = counts;
    let mut indices = vec![0usize; a.nnz()];
    let mut map = vec![0usize; a.nnz()];
    // Rows in increasing order, so every transposed row comes out sorted.
    // CSR indexing: q runs over row i's slice of three parallel arrays.
    #[allow(clippy::needless_range_loop)]
    for i in 0..a.nrows {
        for q in a.indptr[i]..a.indptr[i + 1] {
            let j = a.indices[q];
            indices[next[j]] = i;
            map[q] = next[j];
            next[j] += 1;
        }
    }
    let t = Csr {
        nrows: a.ncols,
        ncols: a.nrows,
        indptr,
        indices,
        data: vec![0.0; a.nnz()],
    };
    (t, map)
}

/// `t.data[map[q]] = a.data[q]`: the values of the transpose.
pub(crate) fn transpose_values(a: &Csr, map: &[usize], t: &mut Csr) {
    for (&q, &v) in map.iter().zip(&a.data) {
        t.data[q] = v;
    }
}

/// The pattern of C = A·B (rows sorted); `c.data` is zeroed, to be filled
/// by [`product_values`].
pub(crate) fn product_pattern(a: &Csr, b: &Csr) -> Csr {
    let nblocks = a.nrows.div_ceil(ROW_BLOCK);
    let ncols = b.ncols;
    // Per block: the row lengths and the concatenated sorted rows. The
    // marker holds the last row that touched a column, so it is never
    // reset; one marker per rayon job, not per block.
    let parts: Vec<(Vec<usize>, Vec<usize>)> = (0..nblocks)
        .into_par_iter()
        .map_init(
            || vec![usize::MAX; ncols],
            |marker, blk| {
                let rows = blk * ROW_BLOCK..((blk + 1) * ROW_BLOCK).min(a.nrows);
                let mut lens = Vec::with_capacity(rows.len());
                let mut cols = Vec::new();
                for i in rows {
                    let start = cols.len();
                    for &k in &a.indices[a.indptr[i]..a.indptr[i + 1]] {
                        for &j in &b.indices[b.indptr[k]..b.indptr[k + 1]] {
                            if marker[j] != i {
                                marker[j] = i;
                                cols.push(j);
                            }
                        }
                    }
                    cols[start..].sort_unstable();
                    lens.push(cols.len() - start);
                }
                (lens, cols)
            },
        )
        .collect();
    let mut indptr = Vec::with_capacity(a.nrows + 1);
    indptr.push(0);
    let total: usize = parts.iter().map(|p| p.1.len()).sum();
    let mut indices = Vec::with_capacity(total);
    for (lens, cols) in parts {
        for l in lens {
            let last = *indptr.last().expect("non-empty");
            indptr.push(last + l);
        }
        indices.extend_from_slice(&cols);
    }
    Csr {
        nrows: a.nrows,
        ncols,
        indptr,
        indices,
        data: vec![0.0; total],
    }
}

/// Splits `data` (laid out by `indptr`) into the value slices of the row
/// blocks of [`ROW_BLOCK`] rows.
pub(crate) fn row_block_slices<'a>(indptr: &[usize], data: &'a mut [f64]) -> Vec<&'a mut [f64]> {
    let nrows = indptr.len() - 1;
    let nblocks = nrows.div_ceil(ROW_BLOCK);
    let mut out = Vec::with_capacity(nblocks);
    let mut rest = data;
    for blk in 0..nblocks {
        let (s, e) = (
            indptr[blk * ROW_BLOCK],
            indptr[((blk + 1) * ROW_BLOCK).min(nrows)],
        );
        let (head, tail) = rest.split_at_mut(e - s);
        out.push(head);
        rest = tail;
    }
    out
}

/// The values of C = A·B on the pattern made by [`product_pattern`]:
/// `c_ij = Σ_k a_ik b_kj`, summed in the order of row i of A and then of row
/// k of B (Gustavson's algorithm with a dense accumulator per rayon job).
pub(crate) fn product_values(par: Par, a: &Csr, b: &Csr, c: &mut Csr) {
    product_values_with(par, a, |_, _, aik| aik, b, c);
}

/// As [`product_values`] for the matrix with entries `entry(i, k, a_ik)` on
/// A's pattern, which is never stored: the smoothed prolongator
/// (I − ωD⁻¹A)·T is formed from A this way.
pub(crate) fn product_values_with<F>(par: Par, a: &Csr, entry: F, b: &Csr, c: &mut Csr)
where
    F: Fn(usize, usize, f64) -> f64 + Sync,
{
    let ncols = b.ncols;
    let Csr {
        indptr,
        indices,
        data,
        ..
    } = c;
    let (indptr, indices) = (&*indptr, &*indices);
    let work = |acc: &mut Vec<f64>, blk: usize, out: &mut [f64]| {
        let rows = blk * ROW_BLOCK..((blk + 1) * ROW_BLOCK).min(a.nrows);
        let base = indptr[rows.start];
        for i in rows {
            let (s0, e0) = (a.indptr[i], a.indptr[i + 1]);
            for (&k, &a_ik) in a.indices[s0..e0].iter().zip(&a.data[s0..e0]) {
                let aik = entry(i, k, a_ik);
                let (s, e) = (b.indptr[k], b.indptr[k + 1]);
                for (&j, &bkj) in b.indices[s..e].iter().zip(&b.data[s..e]) {
                    acc[j] += aik * bkj;
                }
            }
            for q in indptr[i]..indptr[i + 1] {
                let j = indices[q];
                out[q - base] = acc[j];
                acc[j] = 0.0;
            }
        }
    };
    let slices = row_block_slices(indptr, data);
    match par {
        Par::Rayon if slices.len() > 1 => slices
            .into_par_iter()
            .enumerate()
            .for_each_init(|| vec![0.0; ncols], |acc, (blk, out)| work(acc, blk, out)),
        _ => {
            let mut acc = vec![0.0; ncols];
            for (blk, out) in slices.into_iter().enumerate() {
                work(&mut acc, blk, out);
            }
        }
    }
}

#[cfg(test)]
// Exact comparisons of small integer-valued products; dense index loops.
#[allow(clippy::float_cmp, clippy::needless_range_loop)]
mod tests {
    use super::*;

    /// A small dense-backed CSR for checks.
    fn from_dense(m: &[Vec<f64>]) -> Csr {
        let (nrows, ncols) = (m.len(), m[0].len());
        let mut c = Csr {
            nrows,
            ncols,
            indptr: vec![0],
            ..Default::default()
        };
        for row in m {
            for (j, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    c.indices.push(j);
                    c.data.push(v);
                }
            }
            c.indptr.push(c.indices.len());
        }
        c
    }

    fn to_dense(c: &Csr) -> Vec<Vec<f64>> {
        let mut m = vec![vec![0.0; c.ncols]; c.nrows];
        for i in 0..c.nrows {
            let (cols, vals) = c.row(i);
            for (&j, &v) in cols.iter().zip(vals) {
                m[i][j] += v;
            }
        }
        m
    }

    #[test]
    fn product_and_transpose_match_dense() {
        let a = from_dense(&[
            vec![1.0, 0.0, 2.0],
            vec![0.0, 3.0, 0.0],
            vec![4.0, 0.0, 5.0],
            vec![0.0, -1.0, 1.0],
        ]);
        let b = from_dense(&[vec![0.0, 1.0], vec![2.0, 0.0], vec![1.0, 1.0]]);
        let mut c = product_pattern(&a, &b);
        product_values(Par::Rayon, &a, &b, &mut c);
        let (ad, bd) = (to_dense(&a), to_dense(&b));
        let cd = to_dense(&c);
        for i in 0..4 {
            for j in 0..2 {
                let want: f64 = (0..3).map(|k| ad[i][k] * bd[k][j]).sum();
                assert_eq!(cd[i][j], want, "({i},{j})");
            }
        }
        let (mut t, map) = transpose_pattern(&a);
        transpose_values(&a, &map, &mut t);
        let td = to_dense(&t);
        for i in 0..4 {
            for j in 0..3 {
                assert_eq!(td[j][i], ad[i][j]);
            }
        }
    }
}
