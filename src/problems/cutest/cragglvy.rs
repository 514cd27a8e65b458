//! CRAGGLVY (CUTEst; the extended Cragg-Levy function, Toint 1978).

use ndarray::Array1;

use super::{require, CutestHessian, Elements};
use crate::error::Result;

/// CRAGGLVY: with `(a, b, c, d) = (x_{2i−1}, x_{2i}, x_{2i+1}, x_{2i+2})`,
/// `f = Σ_{i=1}^{n/2−1} (e^a − b)⁴ + 100(b − c)⁶ + (tan(c − d) + c − d)⁴ +
/// a⁸ + (d − 1)²`, n even ≥ 4.
///
/// Start x0 = (1, 2, 2, …). High powers make the Hessian nearly singular
/// near the solution. The minimum value depends on n (336.4231… at
/// n = 1000 in `reference/cutest.md`).
#[derive(Debug, Clone, Copy)]
pub struct Cragglvy {
    n: usize,
}

impl Cragglvy {
    /// The problem in dimension n (even, ≥ 4).
    pub fn new(n: usize) -> Result<Self> {
        require(
            n >= 4 && n.is_multiple_of(2),
            "CRAGGLVY",
            "an even n >= 4",
            n,
        )?;
        Ok(Self { n })
    }

    /// The standard start (1, 2, 2, …).
    pub fn start(&self) -> Array1<f64> {
        Array1::from_shape_fn(self.n, |i| if i == 0 { 1.0 } else { 2.0 })
    }
}

/// The quantities of one element group at x[j..j+4] = (a, b, c, d) that
/// the value, gradient and Hessian share: u = e^a − b, w = b − c,
/// z = tan y + y with y = c − d, and dz = d(tan y + y)/dy = sec² y + 1.
struct Group {
    a: f64,
    d: f64,
    ea: f64,
    u: f64,
    w: f64,
    t: f64,
    z: f64,
    dz: f64,
}

impl Group {
    #[inline]
    fn at(x: &[f64], j: usize) -> Self {
        let (a, b, c, d) = (x[j], x[j + 1], x[j + 2], x[j + 3]);
        let ea = a.exp();
        let y = c - d;
        let t = y.tan();
        Self {
            a,
            d,
            ea,
            u: ea - b,
            w: b - c,
            t,
            z: t + y,
            dz: 2.0 + t * t,
        }
    }
}

impl Elements for Cragglvy {
    fn n(&self) -> usize {
        self.n
    }
    fn eval(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut f = 0.0;
        for k in 0..self.n / 2 - 1 {
            let j = 2 * k;
            let Group {
                a,
                d,
                ea,
                u,
                w,
                z,
                dz,
                ..
            } = Group::at(x, j);
            f += u.powi(4) + 100.0 * w.powi(6) + z.powi(4) + a.powi(8) + (d - 1.0).powi(2);
            let u3 = 4.0 * u.powi(3);
            let w5 = 600.0 * w.powi(5);
            let z3 = 4.0 * z.powi(3) * dz;
            g[j] += u3 * ea + 8.0 * a.powi(7);
            g[j + 1] += -u3 + w5;
            g[j + 2] += -w5 + z3;
            g[j + 3] += -z3 + 2.0 * (d - 1.0);
        }
        f
    }
    fn hessian_entries(&self, x: &[f64], h: &mut CutestHessian) {
        for k in 0..self.n / 2 - 1 {
            let j = 2 * k;
            let Group {
                a,
                ea,
                u,
                w,
                t,
                z,
                dz,
                ..
            } = Group::at(x, j);
            let ddz = 2.0 * (1.0 + t * t) * t;
            // (e^a − b)⁴: 12u²∇u∇uᵀ + 4u³∇²u, ∇u = (e^a, −1), ∇²u = e^a e₁e₁ᵀ.
            let u2 = 12.0 * u * u;
            h.d(j, u2 * ea * ea + 4.0 * u.powi(3) * ea + 56.0 * a.powi(6));
            h.d(j + 1, u2);
            h.o(j, j + 1, -u2 * ea);
            // 100(b − c)⁶.
            let w4 = 3000.0 * w.powi(4);
            h.d(j + 1, w4);
            h.d(j + 2, w4);
            h.o(j + 1, j + 2, -w4);
            // (tan y + y)⁴, y = c − d.
            let zz = 12.0 * z * z * dz * dz + 4.0 * z.powi(3) * ddz;
            h.d(j + 2, zz);
            h.d(j + 3, zz + 2.0);
            h.o(j + 2, j + 3, -zz);
        }
    }
    fn off_diagonal_hint(&self) -> usize {
        3 * self.n / 2
    }
}

element_objective!(Cragglvy);
