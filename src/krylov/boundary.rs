//! Where a search direction meets the trust-region boundary.

/// Roots τ₋ ≤ 0 ≤ τ₊ of `a τ² + 2b τ + c = 0` with `a > 0`, `c ≤ 0`:
/// the steps along d from p to the sphere `‖p + τd‖_M = Δ`, where
/// `a = ‖d‖²_M`, `b = pᵀMd`, `c = ‖p‖²_M − Δ²`. Cancellation-free.
pub fn boundary_roots(a: f64, b: f64, c: f64) -> (f64, f64) {
    let c = c.min(0.0);
    let disc = (b * b - a * c).max(0.0).sqrt();
    if b >= 0.0 {
        let q = b + disc; // ≥ 0, no cancellation
        let plus = if q > 0.0 { -c / q } else { 0.0 };
        (-q / a, plus)
    } else {
        let q = b - disc; // < 0, no cancellation
        (-c / q, -q / a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_accurate_and_ordered() {
        // ‖p + τd‖² = Δ² with p = (0.5, 0), d = (1, 0), Δ = 1: τ = 0.5 and −1.5
        let (tm, tp) = boundary_roots(1.0, 0.5, 0.25 - 1.0);
        assert!((tp - 0.5).abs() < 1e-15 && (tm + 1.5).abs() < 1e-15);
        let (tm, tp) = boundary_roots(1.0, -0.5, 0.25 - 1.0);
        assert!((tp - 1.5).abs() < 1e-15 && (tm + 0.5).abs() < 1e-15);
        // Tiny c: no cancellation in the small root.
        let (_, tp) = boundary_roots(1.0, 1e8, -1e-8);
        assert!((tp - 5e-17).abs() < 1e-30);
    }
}
