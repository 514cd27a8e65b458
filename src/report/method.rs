//! The names of the solvers, as reports and checkpoints hold them.

use std::str::FromStr;

use crate::error::{Error, Result};

/// The solvers of the crate, by name. [`crate::Report::solver`] and
/// [`crate::Checkpoint::solver`] hold one; the JSON form is the
/// `snake_case` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Method {
    /// Trust-region Newton with Steihaug-Toint truncated CG steps
    /// ([`crate::TrustRegion`]).
    TrustRegion,
    /// Line-search Newton-CG, truncated Newton ([`crate::LineSearchNewtonCg`]).
    LineSearch,
    /// Dense Newton with a shifted Cholesky factorization ([`crate::DenseNewton`]);
    /// small n only.
    DenseNewton,
    /// Bound-constrained trust-region Newton, Lin & Moré's TRON
    /// ([`crate::Tron`]): projected Cauchy step, Steihaug CG on the free
    /// variables, projected search. Without bounds it runs with l = −∞,
    /// u = +∞.
    Tron,
}

impl Method {
    /// Every unconstrained method, in a fixed order ([`Method::Tron`], the
    /// bound-constrained one, is in [`Method::WITH_BOUNDS`]).
    pub const ALL: [Method; 3] = [Method::TrustRegion, Method::LineSearch, Method::DenseNewton];

    /// Every method, the bound-constrained one last.
    pub const WITH_BOUNDS: [Method; 4] = [
        Method::TrustRegion,
        Method::LineSearch,
        Method::DenseNewton,
        Method::Tron,
    ];

    /// The `snake_case` name (the JSON form): `trust_region`, `line_search`,
    /// `dense_newton`, `tron`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::TrustRegion => "trust_region",
            Method::LineSearch => "line_search",
            Method::DenseNewton => "dense_newton",
            Method::Tron => "tron",
        }
    }

    /// Whether the method steps from a Krylov inner solve on
    /// Hessian-vector products (and so takes a preconditioner).
    pub fn is_matrix_free(self) -> bool {
        !matches!(self, Method::DenseNewton)
    }

    /// Whether the method can write and resume checkpoints.
    pub fn has_checkpoints(self) -> bool {
        matches!(self, Method::TrustRegion)
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = Error;

    /// Parses the `snake_case` name or the CLI's short name (`tr`,
    /// `linesearch`, `dense`), ignoring ASCII case and `-`/`_`.
    fn from_str(s: &str) -> Result<Self> {
        let key: String = s
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match key.as_str() {
            "trustregion" | "tr" => Ok(Method::TrustRegion),
            "linesearch" | "ls" => Ok(Method::LineSearch),
            "densenewton" | "dense" => Ok(Method::DenseNewton),
            "tron" => Ok(Method::Tron),
            _ => Err(Error::InvalidOption {
                name: "method",
                reason: format!(
                    "unknown method `{s}` (expected trust_region, line_search, dense_newton or tron)"
                ),
            }),
        }
    }
}
