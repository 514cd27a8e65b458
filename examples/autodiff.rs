//! Exact Hessian-vector products without writing a Hessian.
//!
//! The extended Powell singular function (Moré, Garbow & Hillstrom 1981,
//! problem 22) is written once, value and gradient, generic over a scalar
//! `D`. [`AdObjective`] evaluates the gradient on dual numbers `x + εv` to
//! get `∇²f(x)v` exactly (forward mode), so the trust-region Newton-CG
//! solver runs with no hand-written second derivatives. For comparison the
//! same problem runs with finite-difference products ([`FdObjective`]) and
//! with the closed-form Hessian of the CUTEst collection.
//!
//! `cargo run --release --example autodiff [n]`

use steihaug::derivatives::{
    check_derivatives, AdGradient, AdObjective, CheckOptions, FdObjective, Scalar,
};
use steihaug::problems::cutest::Powellsg;
use steihaug::{Objective, Termination, TrustRegion, TrustRegionConfig};

/// Extended Powell: blocks (a, b, c, d) of four variables,
/// f = Σ (a + 10b)² + 5(c − d)² + (b − 2c)⁴ + 10(a − d)⁴.
struct Powell {
    n: usize,
}

impl AdGradient for Powell {
    fn dim(&self) -> usize {
        self.n
    }

    fn value_grad<D: Scalar>(&self, x: &[D], g: &mut [D]) -> D {
        let mut f = D::from(0.0);
        for (x, g) in x.chunks_exact(4).zip(g.chunks_exact_mut(4)) {
            let (a, b, c, d) = (x[0], x[1], x[2], x[3]);
            let t1 = a + b * 10.0;
            let t2 = c - d;
            let t3 = b - c * 2.0;
            let t4 = a - d;
            f += t1 * t1 + t2 * t2 * 5.0 + t3.powi(4) + t4.powi(4) * 10.0;
            g[0] = t1 * 2.0 + t4.powi(3) * 40.0;
            g[1] = t1 * 20.0 + t3.powi(3) * 4.0;
            g[2] = t2 * 10.0 - t3.powi(3) * 8.0;
            g[3] = -t2 * 10.0 - t4.powi(3) * 40.0;
        }
        f
    }
}

fn main() -> Result<(), steihaug::Error> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let reference = Powellsg::new(n)?;
    let x0 = reference.start();
    let ad = AdObjective::new(Powell { n });

    // The derivative checker agrees: the AD gradient is the hand-written one,
    // and its products match finite differences and are symmetric.
    let check = check_derivatives(&ad, x0.view(), &CheckOptions::default())?;
    println!("{check}\n");

    let solver = TrustRegion::new(TrustRegionConfig {
        termination: Termination {
            gtol_rel: 1e-10,
            ..Termination::default()
        },
        ..TrustRegionConfig::default()
    });
    let with_ad = solver.solve(&ad, x0.view())?;
    println!("forward-mode AD products:    {}", with_ad.summary());

    let fd = FdObjective::new(n, |x, g| ad.value_grad(x, g));
    let with_fd = solver.solve(&fd, x0.view())?;
    println!("finite-difference products:  {}", with_fd.summary());
    println!(
        "  ({} extra gradient evaluations for the differences)",
        fd.gradient_evals()
    );

    let exact = solver.solve(&reference, x0.view())?;
    println!("closed-form Hessian:         {}", exact.summary());
    assert!(with_ad.status.is_converged() && with_ad.f < 1e-8);
    Ok(())
}
