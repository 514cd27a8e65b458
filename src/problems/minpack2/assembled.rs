//! The assembled Hessian of a MINPACK-2 problem: the 7- or 5-point pattern,
//! each node's row from the element Hessians, the values filled in
//! parallel over grid rows, as an sprs matrix and as a [`SparseHessian`].

use ndarray::{ArrayView1, ArrayViewMut1};
use rayon::prelude::*;

use super::grid::MIN_BLOCK;
use super::{Element, Minpack2};
use crate::linalg::par::Par;
use crate::linalg::sparse::{SparseHessian, Storage};
use crate::problem::objective::Objective;

impl<E: Element> Minpack2<E> {
    /// The Hessian row of node (i, j) by slot: offsets −nx, −nx+1, −1, 0,
    /// +1, +nx−1, +nx (absent neighbours are left at 0).
    pub(super) fn row_slots(&self, x: &[f64], i: usize, j: usize) -> [f64; 7] {
        let (rx, ry) = (1.0 / self.geo.hx, 1.0 / self.geo.hy);
        let mut slots = [0.0; 7];
        // (cell ci, cj, upper): the six triangles containing (i, j).
        let tris = [
            (i, j, false),
            (i - 1, j, false),
            (i, j - 1, false),
            (i - 1, j - 1, true),
            (i, j - 1, true),
            (i - 1, j, true),
        ];
        for &(ci, cj, upper) in &tris {
            // Vertices (coordinates) with gradient coefficients (α, β).
            let verts: [(usize, usize, f64, f64); 3] = if upper {
                [
                    (ci + 1, cj + 1, rx, ry),
                    (ci, cj + 1, -rx, 0.0),
                    (ci + 1, cj, 0.0, -ry),
                ]
            } else {
                [
                    (ci, cj, -rx, -ry),
                    (ci + 1, cj, rx, 0.0),
                    (ci, cj + 1, 0.0, ry),
                ]
            };
            let mut a = 0.0;
            let mut b = 0.0;
            for &(vi, vj, al, be) in &verts {
                let xv = self.xat(x, vi, vj);
                a += al * xv;
                b += be * xv;
            }
            let col = if upper { ci + 1 } else { ci };
            let (haa, hab, hbb) = self.elem.tri_hess(upper, col, a, b);
            let &(_, _, an, bn) = verts
                .iter()
                .find(|v| v.0 == i && v.1 == j)
                .expect("node is a vertex");
            for &(vi, vj, aw, bw) in &verts {
                let k = an * aw * haa + (an * bw + bn * aw) * hab + bn * bw * hbb;
                let slot = match (vi as isize - i as isize, vj as isize - j as isize) {
                    (0, -1) => 0,
                    (1, -1) => 1,
                    (-1, 0) => 2,
                    (0, 0) => 3,
                    (1, 0) => 4,
                    (-1, 1) => 5,
                    _ => 6, // (0, 1)
                };
                slots[slot] += k;
            }
        }
        slots[3] += self.elem.node_hess(i, j, x[(j - 1) * self.geo.nx + i - 1]);
        slots
    }

    /// Which slots of node (i, j) are in the pattern.
    #[inline]
    fn slot_present(&self, i: usize, j: usize) -> [bool; 7] {
        let (nx, ny) = (self.geo.nx, self.geo.ny);
        [
            j > 1,
            E::COUPLED && j > 1 && i < nx,
            i > 1,
            true,
            i < nx,
            E::COUPLED && j < ny && i > 1,
            j < ny,
        ]
    }

    fn build_pattern(&self) -> (Vec<usize>, Vec<usize>) {
        let (nx, ny) = (self.geo.nx, self.geo.ny);
        let n = self.n();
        let mut indptr = Vec::with_capacity(n + 1);
        let mut indices = Vec::with_capacity(if E::COUPLED { 7 } else { 5 } * n);
        indptr.push(0);
        for j in 1..=ny {
            for i in 1..=nx {
                let k = (j - 1) * nx + i - 1;
                let offs = [
                    k.wrapping_sub(nx),
                    k.wrapping_sub(nx).wrapping_add(1),
                    k.wrapping_sub(1),
                    k,
                    k + 1,
                    k + nx - 1,
                    k + nx,
                ];
                for (o, p) in offs.iter().zip(self.slot_present(i, j)) {
                    if p {
                        indices.push(*o);
                    }
                }
                indptr.push(indices.len());
            }
        }
        (indptr, indices)
    }

    pub(super) fn pattern_ref(&self) -> &(Vec<usize>, Vec<usize>) {
        self.pattern.get_or_init(|| self.build_pattern())
    }

    /// Fills the assembled Hessian values at x (pattern order), in parallel
    /// over grid rows.
    pub(super) fn fill(&self, x: &[f64], values: &mut [f64]) {
        let (nx, ny) = (self.geo.nx, self.geo.ny);
        let (indptr, _) = self.pattern_ref();
        let mut rows: Vec<&mut [f64]> = Vec::with_capacity(ny);
        let mut rest = values;
        for j in 0..ny {
            let len = indptr[(j + 1) * nx] - indptr[j * nx];
            let (a, b) = rest.split_at_mut(len);
            rows.push(a);
            rest = b;
        }
        let fill_row = |j: usize, vals: &mut [f64]| {
            let mut q = 0;
            for i in 1..=nx {
                let s = self.row_slots(x, i, j + 1);
                for (v, p) in s.iter().zip(self.slot_present(i, j + 1)) {
                    if p {
                        vals[q] = *v;
                        q += 1;
                    }
                }
            }
        };
        if self.par == Par::Rayon && self.n() >= 2 * MIN_BLOCK {
            rows.into_par_iter()
                .enumerate()
                .for_each(|(j, r)| fill_row(j, r));
        } else {
            for (j, r) in rows.into_iter().enumerate() {
                fill_row(j, r);
            }
        }
    }

    /// The assembled Hessian at x as an sprs CSR matrix.
    pub fn hessian_matrix(&self, x: ArrayView1<'_, f64>) -> sprs::CsMat<f64> {
        let xs = x.as_standard_layout();
        let (indptr, indices) = self.pattern_ref().clone();
        let mut values = vec![0.0; indices.len()];
        self.fill(xs.as_slice().expect("standard layout"), &mut values);
        sprs::CsMat::new((self.n(), self.n()), indptr, indices, values)
    }
}

impl<E: Element> SparseHessian for Minpack2<E> {
    fn dim(&self) -> usize {
        self.n()
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, grad: ArrayViewMut1<'_, f64>) -> f64 {
        Objective::value_grad(self, x, grad)
    }
    fn pattern(&self) -> (Vec<usize>, Vec<usize>, Storage) {
        let (p, i) = self.pattern_ref().clone();
        (p, i, Storage::Full)
    }
    fn fill_values(&self, x: ArrayView1<'_, f64>, values: &mut [f64]) {
        let xs = x.as_standard_layout();
        self.fill(xs.as_slice().expect("standard layout"), values);
    }
}
