//! [`Objective`] for a MINPACK-2 problem: value and gradient by the element
//! loop, the Hessian prepared as a [`Minpack2Hessian`], and IC(0) of the
//! assembled Hessian as the preconditioner.

use std::sync::Mutex;

use ndarray::{ArrayView1, ArrayViewMut1};

use super::stencil::Stencil5;
use super::stencil7::Stencil7;
use super::{Element, Minpack2, Minpack2Hessian};
use crate::linalg::precond::Preconditioner;
use crate::linalg::sparse::{Ic0, Ic0Config};
use crate::problem::objective::Objective;

impl<E: Element> Objective for Minpack2<E> {
    type Hessian<'a>
        = Minpack2Hessian<'a, E>
    where
        Self: 'a;

    fn dim(&self) -> usize {
        self.n()
    }

    fn value_grad(&self, x: ArrayView1<'_, f64>, mut grad: ArrayViewMut1<'_, f64>) -> f64 {
        let xs = x.as_standard_layout();
        let xs = xs.as_slice().expect("standard layout");
        match grad.as_slice_mut() {
            Some(g) => self.value_grad_slices(xs, g),
            None => {
                let mut g = vec![0.0; self.n()];
                let f = self.value_grad_slices(xs, &mut g);
                grad.assign(&ArrayView1::from(&g[..]));
                f
            }
        }
    }

    fn hessian(&self, x: ArrayView1<'_, f64>) -> Minpack2Hessian<'_, E> {
        let x: Vec<f64> = x.iter().copied().collect();
        let nx = self.geo.nx;
        let node_diag = if E::HAS_NODE_HESS {
            x.iter()
                .enumerate()
                .map(|(k, &xk)| self.elem.node_hess(k % nx + 1, k / nx + 1, xk))
                .collect()
        } else {
            Vec::new()
        };
        let stencil7 = if E::CONST_HESS {
            None
        } else {
            Some(Stencil7::new(self, &x, &node_diag))
        };
        Minpack2Hessian {
            owner: self,
            x,
            coef: Vec::new(),
            node_diag,
            stencil: Stencil5::new(self),
            stencil7,
            ghosts: Mutex::new(vec![0.0; self.ghost_len()]),
        }
    }

    fn preconditioner<'a>(
        &'a self,
        _x: ArrayView1<'_, f64>,
        hessian: &Minpack2Hessian<'a, E>,
    ) -> Option<Box<dyn Preconditioner + 'a>> {
        if !self.ic0 {
            return None;
        }
        let (indptr, indices) = self.pattern_ref();
        let mut values = vec![0.0; indices.len()];
        self.fill(&hessian.x, &mut values);
        Ic0::from_csr(self.n(), indptr, indices, &values, Ic0Config::default())
            .ok()
            .map(|m| Box::new(m) as Box<dyn Preconditioner>)
            .or_else(|| crate::linalg::precond::jacobi_fallback(hessian, self.n()))
    }
}
