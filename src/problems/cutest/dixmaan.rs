//! The DIXMAAN family (Dixon & Maany 1988; CUTEst DIXMAANA–P).

use ndarray::Array1;

use super::{require, CutestHessian, Elements};
use crate::error::Result;

/// A member E–L of the DIXMAAN family: the weights α, β, γ, δ and powers
/// K1..K4 (`reference/cutest.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DixmaanVariant {
    /// α, β, γ, δ = 1, 0, 1/8, 1/8; K = 1, 0, 0, 1.
    E,
    /// 1, 1/16, 1/16, 1/16; K = 1, 0, 0, 1.
    F,
    /// 1, 1/8, 1/8, 1/8; K = 1, 0, 0, 1.
    G,
    /// 1, 0.26, 0.26, 0.26; K = 1, 0, 0, 1.
    H,
    /// As E with K = 2, 0, 0, 2.
    I,
    /// As F with K = 2, 0, 0, 2.
    J,
    /// As G with K = 2, 0, 0, 2.
    K,
    /// As H with K = 2, 0, 0, 2.
    L,
}

impl DixmaanVariant {
    /// All variants, E to L.
    pub const ALL: [DixmaanVariant; 8] = [
        Self::E,
        Self::F,
        Self::G,
        Self::H,
        Self::I,
        Self::J,
        Self::K,
        Self::L,
    ];

    /// The variant of a letter `"e"`..`"l"` (either case).
    pub fn from_letter(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "e" => Self::E,
            "f" => Self::F,
            "g" => Self::G,
            "h" => Self::H,
            "i" => Self::I,
            "j" => Self::J,
            "k" => Self::K,
            "l" => Self::L,
            _ => return None,
        })
    }

    /// (α, β, γ, δ).
    pub fn weights(self) -> [f64; 4] {
        match self {
            Self::E | Self::I => [1.0, 0.0, 0.125, 0.125],
            Self::F | Self::J => [1.0, 0.0625, 0.0625, 0.0625],
            Self::G | Self::K => [1.0, 0.125, 0.125, 0.125],
            Self::H | Self::L => [1.0, 0.26, 0.26, 0.26],
        }
    }

    /// (K1, K2, K3, K4).
    pub fn powers(self) -> [i32; 4] {
        match self {
            Self::E | Self::F | Self::G | Self::H => [1, 0, 0, 1],
            _ => [2, 0, 0, 2],
        }
    }
}

/// DIXMAAN E–L: with n = 3m and `w_K(i) = (i/n)^K`,
/// `f = 1 + Σ_{i=1}^n α w_{K1}(i) x_i² + Σ_{i<n} β w_{K2}(i) x_i²(x_{i+1} +
/// x_{i+1}²)² + Σ_{i=1}^{2m} γ w_{K3}(i) x_i² x_{i+m}⁴ + Σ_{i=1}^m δ w_{K4}(i)
/// x_i x_{i+2m}`.
///
/// Start x0 = 2; minimizer x = 0, f* = 1. The weights i/n (K = 1) or
/// (i/n)² (K = 2) make the Hessian at x* diagonal-dominant with condition
/// number ~ n or ~ n²; the β term is nonconvex.
#[derive(Debug, Clone)]
pub struct Dixmaan {
    variant: DixmaanVariant,
    n: usize,
    /// Per-index weights α w_{K1}(i), β w_{K2}(i), γ w_{K3}(i), δ w_{K4}(i).
    w: [Vec<f64>; 4],
}

impl Dixmaan {
    /// The variant in dimension n = 3m (m ≥ 1).
    pub fn new(variant: DixmaanVariant, n: usize) -> Result<Self> {
        require(
            n >= 3 && n.is_multiple_of(3),
            "DIXMAAN",
            "n = 3m, a positive multiple of 3 (CUTEst uses n = 3m)",
            n,
        )?;
        let c = variant.weights();
        let k = variant.powers();
        let w = std::array::from_fn(|t| {
            (1..=n)
                .map(|i| c[t] * (i as f64 / n as f64).powi(k[t]))
                .collect()
        });
        Ok(Self { variant, n, w })
    }

    /// The variant.
    pub fn variant(&self) -> DixmaanVariant {
        self.variant
    }

    /// The standard start x0 = 2.
    pub fn start(&self) -> Array1<f64> {
        Array1::from_elem(self.n, 2.0)
    }
}

impl Elements for Dixmaan {
    fn n(&self) -> usize {
        self.n
    }
    fn eval(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let n = self.n;
        let m = n / 3;
        let [w1, w2, w3, w4] = &self.w;
        let mut f = 1.0;
        for i in 0..n {
            f += w1[i] * x[i] * x[i];
            g[i] += 2.0 * w1[i] * x[i];
        }
        if self.variant.weights()[1] > 0.0 {
            for i in 0..n - 1 {
                let (a, b) = (x[i], x[i + 1]);
                let q = b + b * b;
                f += w2[i] * a * a * q * q;
                g[i] += 2.0 * w2[i] * a * q * q;
                g[i + 1] += 2.0 * w2[i] * a * a * q * (1.0 + 2.0 * b);
            }
        }
        for i in 0..2 * m {
            let (a, b) = (x[i], x[i + m]);
            let b3 = b * b * b;
            f += w3[i] * a * a * b3 * b;
            g[i] += 2.0 * w3[i] * a * b3 * b;
            g[i + m] += 4.0 * w3[i] * a * a * b3;
        }
        for i in 0..m {
            f += w4[i] * x[i] * x[i + 2 * m];
            g[i] += w4[i] * x[i + 2 * m];
            g[i + 2 * m] += w4[i] * x[i];
        }
        f
    }
    fn hessian_entries(&self, x: &[f64], h: &mut CutestHessian) {
        let n = self.n;
        let m = n / 3;
        let [w1, w2, w3, w4] = &self.w;
        for i in 0..n {
            h.d(i, 2.0 * w1[i]);
        }
        if self.variant.weights()[1] > 0.0 {
            for i in 0..n - 1 {
                let (a, b) = (x[i], x[i + 1]);
                let q = b + b * b;
                let dq = 1.0 + 2.0 * b;
                h.d(i, 2.0 * w2[i] * q * q);
                h.o(i, i + 1, 4.0 * w2[i] * a * q * dq);
                h.d(i + 1, 2.0 * w2[i] * a * a * (dq * dq + 2.0 * q));
            }
        }
        for i in 0..2 * m {
            let (a, b) = (x[i], x[i + m]);
            h.d(i, 2.0 * w3[i] * b.powi(4));
            h.o(i, i + m, 8.0 * w3[i] * a * b.powi(3));
            h.d(i + m, 12.0 * w3[i] * a * a * b * b);
        }
        for i in 0..m {
            h.o(i, i + 2 * m, w4[i]);
        }
    }
    fn off_diagonal_hint(&self) -> usize {
        2 * self.n
    }
}

element_objective!(Dixmaan);
