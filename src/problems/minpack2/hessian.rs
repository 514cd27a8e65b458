//! The matrix-free Hessian of a MINPACK-2 problem: [`Minpack2Hessian`],
//! prepared once per point, and its product: a 5-point stencil for the
//! constant Hessians, a 7-point node stencil for the x-dependent ones, and
//! the element loop over stored element Hessians (the stencils' oracle).

use std::sync::Mutex;

use ndarray::{ArrayView1, ArrayViewMut1};

use super::grid::mask_row;
use super::stencil::Stencil5;
use super::stencil7::Stencil7;
use super::stencil_ic0::{self, StencilIc0};
use super::{Element, Minpack2};
use crate::linalg::masked::mask_in_place;
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::Par;
use crate::linalg::precond::Preconditioner;

impl<E: Element> Minpack2<E> {
    /// The entries (h_aa, h_ab, h_bb) of the element Hessians at x of the
    /// cells of strip s (between padded rows s and s+1), cell by cell,
    /// lower then upper triangle: `c` has `6·(nx+1)` entries.
    pub(super) fn strip_hessians(&self, x: &[f64], s: usize, c: &mut [f64]) {
        let nx = self.geo.nx;
        let (rx, ry) = (1.0 / self.geo.hx, 1.0 / self.geo.hy);
        let (lo, hi) = (self.xrow(x, s), self.xrow(x, s + 1));
        let (mut x00, mut x01) = (lo.first, hi.first);
        for (i, c) in c.chunks_exact_mut(6).enumerate() {
            let (x10, x11) = if i < nx {
                (lo.mid[i], hi.mid[i])
            } else {
                (lo.last, hi.last)
            };
            let (a, b, d) = self
                .elem
                .tri_hess(false, i, (x10 - x00) * rx, (x01 - x00) * ry);
            c[..3].copy_from_slice(&[a, b, d]);
            let (a, b, d) = self
                .elem
                .tri_hess(true, i + 1, (x11 - x01) * rx, (x11 - x10) * ry);
            c[3..].copy_from_slice(&[a, b, d]);
            (x00, x01) = (x10, x11);
        }
    }

    /// The element Hessians of every strip ([`Self::strip_hessians`]), for
    /// the element loop's product (the oracle of the stencil's tests).
    #[cfg(test)]
    pub(super) fn element_hessians(&self, x: &[f64]) -> Vec<f64> {
        let (nx, ny) = (self.geo.nx, self.geo.ny);
        let mut coef = vec![0.0; coef_base(nx, ny + 1)];
        for (s, c) in coef.chunks_mut(6 * (nx + 1)).enumerate() {
            self.strip_hessians(x, s, c);
        }
        coef
    }
}

/// The matrix-free Hessian of a [`Minpack2`] problem at a point, prepared
/// once per point: a copy of x, the node curvature (SSC), and either the
/// 5-point stencil's edge weights (EPT, PJB, SSC: the Hessian does not
/// depend on x) or the 7-point node stencil assembled from the element
/// Hessians at x (MSA, ODC: 4 doubles per unknown, computed in parallel
/// over blocks of rows).
///
/// A product then streams v, the stencil and y (48 bytes per unknown for
/// MSA/ODC, 16 for EPT/PJB, 24 for SSC with its node curvature); it does
/// not read x and allocates nothing.
pub struct Minpack2Hessian<'a, E> {
    pub(super) owner: &'a Minpack2<E>,
    pub(super) x: Vec<f64>,
    pub(super) coef: Vec<f64>,
    pub(super) node_diag: Vec<f64>,
    /// The 5-point stencil of a constant Hessian (EPT, PJB, SSC), whose
    /// product then replaces the element loop's.
    pub(super) stencil: Option<Stencil5>,
    /// The 7-point node stencil of an x-dependent Hessian (MSA, ODC).
    pub(super) stencil7: Option<Stencil7>,
    pub(super) ghosts: Mutex<Vec<f64>>,
}

/// Index of the first coefficient of the triangles of strip s.
#[inline(always)]
fn coef_base(nx: usize, s: usize) -> usize {
    6 * s * (nx + 1)
}

impl<E: Element> Minpack2Hessian<'_, E> {
    /// y = H·v, or y = D·H·v with D = diag(`mask`) when it is given: the
    /// stencils mask each output row as they write it, the element loop
    /// masks y after its sweep.
    pub(super) fn apply_slices(&self, v: &[f64], mask: Option<&[f64]>, y: &mut [f64]) {
        let p = self.owner;
        if let Some(st) = &self.stencil {
            st.apply(p, v, &self.node_diag, mask, y);
            return;
        }
        if let Some(st) = &self.stencil7 {
            st.apply(p, v, mask, y);
            return;
        }
        let e = &p.elem;
        let nx = p.geo.nx;
        let coef = &self.coef[..];
        let stored = |s: usize, upper: bool, col: usize, _a: f64, _b: f64, da: f64, db: f64| {
            // col = i for the lower triangle of cell i, i + 1 for the upper.
            let q = coef_base(nx, s) + 6 * col - if upper { 3 } else { 0 };
            let (haa, hab, hbb) = (coef[q], coef[q + 1], coef[q + 2]);
            (0.0, haa * da + hab * db, hab * da + hbb * db)
        };
        let constant = |_s: usize, upper: bool, col: usize, _a: f64, _b: f64, da: f64, db: f64| {
            let (haa, hab, hbb) = e.tri_hess(upper, col, 0.0, 0.0);
            (0.0, haa * da + hab * db, hab * da + hbb * db)
        };
        let mut ghosts = self.ghosts.lock().unwrap_or_else(|e| e.into_inner());
        let nd = &self.node_diag;
        let curv = |k: usize, _i: usize, _j: usize, o: &mut f64| {
            *o += nd[k] * v[k];
            0.0
        };
        let none = |_k: usize, _i: usize, _j: usize, _o: &mut f64| 0.0;
        match (E::CONST_HESS, E::HAS_NODE_HESS) {
            (true, true) => p.sweep(None, Some(v), y, &mut ghosts, &constant, &curv),
            (true, false) => p.sweep(None, Some(v), y, &mut ghosts, &constant, &none),
            (false, true) => p.sweep(None, Some(v), y, &mut ghosts, &stored, &curv),
            (false, false) => p.sweep(None, Some(v), y, &mut ghosts, &stored, &none),
        };
        if let Some(m) = mask {
            mask_row(m, y);
        }
    }
}

impl<E: Element> LinearOperator for Minpack2Hessian<'_, E> {
    fn dim(&self) -> usize {
        self.x.len()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
        match (v.as_slice(), out.as_slice_mut()) {
            (Some(v), Some(y)) => self.apply_slices(v, None, y),
            _ => {
                let vv: Vec<f64> = v.iter().copied().collect();
                let mut y = vec![0.0; self.x.len()];
                self.apply_slices(&vv, None, &mut y);
                out.assign(&ArrayView1::from(&y[..]));
            }
        }
    }
    /// D·H·v with the mask applied to each row of the stencils' output as
    /// it is written (one pass over y less than the default); the same
    /// values as the default.
    fn apply_masked(
        &self,
        v: ArrayView1<'_, f64>,
        mask: ArrayView1<'_, f64>,
        mut out: ArrayViewMut1<'_, f64>,
        par: Par,
    ) {
        if let (Some(v), Some(m)) = (v.as_slice(), mask.as_slice()) {
            if let Some(y) = out.as_slice_mut() {
                self.apply_slices(v, Some(m), y);
                return;
            }
        }
        self.apply(v, out.view_mut());
        mask_in_place(par, out, mask);
    }
    fn diagonal(&self, mut out: ArrayViewMut1<'_, f64>) -> bool {
        let p = self.owner;
        let nx = p.geo.nx;
        for (k, o) in out.iter_mut().enumerate() {
            *o = p.row_slots(&self.x, k % nx + 1, k / nx + 1)[3];
        }
        true
    }
    /// The assembled Hessian's pattern (built once per problem), for
    /// [`crate::Preconditioning::Amg`].
    fn assembled_pattern(&self) -> Option<(&[usize], &[usize])> {
        let (indptr, indices) = self.owner.pattern_ref();
        Some((indptr, indices))
    }
    fn assembled_values(&self, values: &mut [f64]) -> bool {
        self.owner.fill(&self.x, values);
        true
    }
    /// IC(0), or MIC(0) relaxed by `relax`, of H(F,F) ⊕ I in the 5-point
    /// stencil's own form (EPT, PJB, SSC; `StencilIc0`, banded as
    /// `stencil_ic0::strips` says); `None` for the 7-point problems (MSA,
    /// ODC) and on a breakdown at every shift.
    fn face_ic0(
        &self,
        mask: ArrayView1<'_, f64>,
        relax: f64,
    ) -> Option<Box<dyn Preconditioner + '_>> {
        let st = self.stencil.as_ref()?;
        let m = mask.as_slice()?;
        let p = self.owner;
        let (nx, ny) = (p.geo.nx, p.geo.ny);
        let f = StencilIc0::factor(
            st,
            (nx, ny),
            &self.node_diag,
            m,
            stencil_ic0::strips(ny),
            p.par == Par::Rayon,
            relax,
        )?;
        Some(Box::new(f))
    }
}

#[cfg(test)]
impl<E: Element> Minpack2Hessian<'_, E> {
    /// Asserts that this Hessian's product equals, to 1e-13 relative, the
    /// element loop's over the element Hessians at the same point (the
    /// stencils' test oracle), on a fixed direction.
    pub(super) fn assert_product_is_the_element_loops(&self) {
        let p = self.owner;
        let n = p.n();
        let oracle = Minpack2Hessian {
            owner: p,
            x: self.x.clone(),
            coef: if E::CONST_HESS {
                Vec::new()
            } else {
                p.element_hessians(&self.x)
            },
            node_diag: self.node_diag.clone(),
            stencil: None,
            stencil7: None,
            ghosts: Mutex::new(vec![0.0; p.ghost_len()]),
        };
        let v: Vec<f64> = (0..n)
            .map(|k| ((k * 7919) % 1009) as f64 / 1009.0 - 0.5)
            .collect();
        let (mut y1, mut y2) = (vec![0.0f64; n], vec![0.0f64; n]);
        self.apply_slices(&v, None, &mut y1);
        oracle.apply_slices(&v, None, &mut y2);
        let scale = y2.iter().fold(0.0f64, |m, y| m.max(y.abs()));
        assert!(scale > 0.0);
        for (k, (a, b)) in y1.iter().zip(&y2).enumerate() {
            assert!(
                (a - b).abs() <= 1e-13 * scale,
                "{} {}x{}: y[{k}] = {a} against {b}",
                p.elem.name(),
                p.geo.nx,
                p.geo.ny
            );
        }
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::problem::objective::Objective;
    use ndarray::Array1;

    /// `apply_masked` (the mask applied to each row as the stencil writes
    /// it) against `apply` followed by the mask pass, bit for bit: the
    /// 5-point stencil (SSC), the 7-point one (MSA), the element loop, on
    /// grids with one row or column and a mask that frees about 2/3.
    fn masks_like_the_default<E: Element>(p: &Minpack2<E>, element_loop: bool) {
        let n = p.n();
        let x: Vec<f64> = p
            .start()
            .iter()
            .enumerate()
            .map(|(k, &s)| s + 0.2 * (((k * 104_729) % 997) as f64 / 997.0 - 0.5))
            .collect();
        let mut h = p.hessian(ArrayView1::from(&x[..]));
        if element_loop {
            h.coef = if E::CONST_HESS {
                Vec::new()
            } else {
                p.element_hessians(&h.x)
            };
            h.stencil = None;
            h.stencil7 = None;
        }
        let mask = Array1::from_shape_fn(n, |k| if (k * 31 + 1) % 3 == 0 { 0.0 } else { 1.0 });
        let v = Array1::from_shape_fn(n, |k| ((k * 7919) % 1009) as f64 / 1009.0 - 0.5);
        let (mut want, mut got) = (Array1::zeros(n), Array1::from_elem(n, f64::NAN));
        h.apply(v.view(), want.view_mut());
        mask_in_place(Par::Seq, want.view_mut(), mask.view());
        h.apply_masked(v.view(), mask.view(), got.view_mut(), Par::Rayon);
        assert_eq!(got, want, "{} {}x{}", p.elem.name(), p.geo.nx, p.geo.ny);
        assert!(got.iter().any(|&y| y != 0.0));
    }

    #[test]
    fn masked_product_is_the_product_then_the_mask() {
        for (nx, ny) in [(1, 1), (1, 6), (6, 1), (7, 4), (300, 300)] {
            for element_loop in [false, true] {
                masks_like_the_default(&Minpack2::ssc(nx, ny).unwrap(), element_loop);
                masks_like_the_default(&Minpack2::msa(nx, ny).unwrap(), element_loop);
                masks_like_the_default(&Minpack2::odc(nx, ny).unwrap(), element_loop);
            }
        }
    }
}
