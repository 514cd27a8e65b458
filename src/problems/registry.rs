//! Problems by name, for the command line and benchmark tables.
//!
//! Each entry builds a boxed objective with its standard start and, where
//! known, the optimal value. To add a problem: add a [`ProblemInfo`] to
//! [`PROBLEMS`] and an arm to [`build`].

use ndarray::Array1;

use crate::error::{Error, Result};
use crate::problem::objective::DynObjective;

use super::minpack2::{Element, Minpack2};
use super::{DenseLogistic, ExtendedRosenbrock, Rosenbrock};
use crate::linalg::sparse::Assembled;

/// The size arguments a problem may take.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Size {
    /// The dimension n (problems of arbitrary size).
    pub n: Option<usize>,
    /// Grid width (grid problems).
    pub nx: Option<usize>,
    /// Grid height (grid problems).
    pub ny: Option<usize>,
}

/// How a problem supplies its Hessian (grid problems; asking the others
/// for an assembled Hessian is an [`Error::InvalidOption`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HessianMode {
    /// Matrix-free products (the default).
    #[default]
    MatrixFree,
    /// An assembled sparse matrix (sprs CSR), refilled at each point.
    Assembled,
}

/// Build options beyond the size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BuildOptions {
    /// Matrix-free or assembled Hessian.
    pub hessian: HessianMode,
}

/// A built problem.
pub struct Built {
    /// The objective.
    pub objective: Box<dyn DynObjective>,
    /// The standard start.
    pub x0: Array1<f64>,
    /// The known optimal value, if any (for checking answers).
    pub f_star: Option<f64>,
}

/// Name, size rule and description of a registered problem.
#[derive(Debug, Clone, Copy)]
pub struct ProblemInfo {
    /// The name used on the command line.
    pub name: &'static str,
    /// Default n (or number of grid points per side for grid problems).
    pub default_n: usize,
    /// One line for `--help` listings.
    pub description: &'static str,
}

/// All registered problems.
pub const PROBLEMS: &[ProblemInfo] = &[
    ProblemInfo {
        name: "rosenbrock",
        default_n: 2,
        description: "(1-x)^2 + 100(y-x^2)^2 from (-1.2, 1); n is always 2",
    },
    ProblemInfo {
        name: "extended-rosenbrock",
        default_n: 1_000_000,
        description: "MGH #21 / CUTEst SROSENBR (alias: srosenbr), n even, x0 = (-1.2, 1, ...), f* = 0",
    },
    ProblemInfo {
        name: "logistic",
        default_n: 3,
        description:
            "logistic regression, 100n synthetic samples, n features (seed 42), unregularized",
    },
    ProblemInfo {
        name: "msa",
        default_n: 100,
        description:
            "MINPACK-2 minimal surface, Enneper boundary; --nx/--ny grid (default 100x100)",
    },
    ProblemInfo {
        name: "ept",
        default_n: 100,
        description: "MINPACK-2 elastic-plastic torsion (c = 5, no bounds); --nx/--ny grid",
    },
    ProblemInfo {
        name: "ssc",
        default_n: 100,
        description: "MINPACK-2 steady-state combustion (lambda = 5); --nx/--ny grid",
    },
    ProblemInfo {
        name: "odc",
        default_n: 100,
        description: "MINPACK-2 optimal design with composites (C^1 only); --nx/--ny grid",
    },
    ProblemInfo {
        name: "pjb",
        default_n: 100,
        description: "MINPACK-2 journal bearing without bounds (ecc = 0.1, b = 10); --nx/--ny grid",
    },
    ProblemInfo {
        name: "logistic-sparse",
        default_n: 1000,
        description:
            "LIBLINEAR -s 0 (C = 1) on rcv1-shaped synthetic data: 20n rows, n columns, ~20 nnz/row (seed 1)",
    },
    ProblemInfo {
        name: "arwhead",
        default_n: 1000,
        description: "CUTEst ARWHEAD, n >= 2, x0 = 1, f* = 0",
    },
    ProblemInfo {
        name: "engval1",
        default_n: 1000,
        description: "CUTEst ENGVAL1, n >= 2, x0 = 2, f* = 1108.1947 at n = 1000",
    },
    ProblemInfo {
        name: "genrose",
        default_n: 1000,
        description: "CUTEst GENROSE (chained Rosenbrock), n >= 2, x0_i = i/(n+1), f* = 1",
    },
    ProblemInfo {
        name: "chainwoo",
        default_n: 1000,
        description: "CUTEst CHAINWOO (chained Wood), n even >= 4, global f* = 1, local minima",
    },
    ProblemInfo {
        name: "tridia",
        default_n: 1000,
        description: "CUTEst TRIDIA, convex quadratic, kappa ~ n^2, x0 = 1, f* = 0",
    },
    ProblemInfo {
        name: "nondia",
        default_n: 1000,
        description: "NONDIA (paper form), n >= 2, x0 = -1, f* = 0",
    },
    ProblemInfo {
        name: "fletchcr",
        default_n: 1000,
        description: "CUTEst FLETCHCR, n >= 2, x0 = 0, f* = 0",
    },
    ProblemInfo {
        name: "powellsg",
        default_n: 1000,
        description:
            "MGH #22 / CUTEst POWELLSG, n = 4k, x0 = (3,-1,0,1,...), f* = 0, singular at x*",
    },
    ProblemInfo {
        name: "broydn7d",
        default_n: 1000,
        description:
            "BROYDN7D (paper form, power 7/3), n even, x0 = -1, local f = 105.7008 at n = 1000",
    },
    ProblemInfo {
        name: "cragglvy",
        default_n: 1000,
        description: "CUTEst CRAGGLVY, n even >= 4, x0 = (1,2,2,...), f* = 336.4231 at n = 1000",
    },
    ProblemInfo {
        name: "dixmaane",
        default_n: 3000,
        description: "CUTEst DIXMAANE, n = 3m, x0 = 2, f* = 1",
    },
    ProblemInfo {
        name: "dixmaanf",
        default_n: 3000,
        description: "CUTEst DIXMAANF, n = 3m, x0 = 2, f* = 1",
    },
    ProblemInfo {
        name: "dixmaang",
        default_n: 3000,
        description: "CUTEst DIXMAANG, n = 3m, x0 = 2, f* = 1",
    },
    ProblemInfo {
        name: "dixmaanh",
        default_n: 3000,
        description: "CUTEst DIXMAANH, n = 3m, x0 = 2, f* = 1",
    },
    ProblemInfo {
        name: "dixmaani",
        default_n: 3000,
        description: "CUTEst DIXMAANI, n = 3m, x0 = 2, f* = 1",
    },
    ProblemInfo {
        name: "dixmaanj",
        default_n: 3000,
        description: "CUTEst DIXMAANJ, n = 3m, x0 = 2, f* = 1",
    },
    ProblemInfo {
        name: "dixmaank",
        default_n: 3000,
        description: "CUTEst DIXMAANK, n = 3m, x0 = 2, f* = 1",
    },
    ProblemInfo {
        name: "dixmaanl",
        default_n: 3000,
        description: "CUTEst DIXMAANL, n = 3m, x0 = 2, f* = 1",
    },
];

/// The MINPACK-2 grid problems: they take `nx`/`ny`, an assembled Hessian
/// ([`HessianMode::Assembled`]) and IC(0) as their own preconditioner.
pub const GRID_PROBLEMS: &[&str] = &["msa", "ept", "ssc", "odc", "pjb"];

/// Known optimal values of the MINPACK-2 problems on some grids
/// (`reference/minpack2.md`; TAO outputs for the small grids).
fn minpack2_f_star(name: &str, nx: usize, ny: usize) -> Option<f64> {
    match (name, nx, ny) {
        ("msa", 10, 8) => Some(1.41775),
        ("msa", 50, 50) => Some(1.42122750),
        ("msa", 100, 100) => Some(1.42132761),
        ("ept", 10, 10) => Some(-0.427745),
        ("ept", 16, 16) => Some(-0.434409),
        ("ept", 50, 50) => Some(-0.43875477),
        ("ept", 100, 100) => Some(-0.43916321),
        ("ssc", 50, 50) => Some(-5.61084789),
        ("ssc", 100, 100) => Some(-5.61132606),
        ("odc", 50, 50) => Some(-0.01135947),
        ("odc", 100, 100) => Some(-0.01137725),
        _ => None,
    }
}

fn grid_problem<E: Element + 'static>(
    p: Minpack2<E>,
    name: &str,
    opts: BuildOptions,
) -> Result<Built> {
    let g = p.geometry();
    let x0 = p.start();
    let f_star = minpack2_f_star(name, g.nx, g.ny);
    let objective: Box<dyn DynObjective> = match opts.hessian {
        HessianMode::MatrixFree => Box::new(p),
        HessianMode::Assembled => Box::new(Assembled::new(p)?),
    };
    Ok(Built {
        objective,
        x0,
        f_star,
    })
}

/// The grid of a grid problem: `--nx`/`--ny` (ny defaults to nx), or a
/// square grid from `--n` (which must then be a perfect square), not both.
fn grid_size(size: Size, default: usize) -> Result<(usize, usize)> {
    if size.n.is_some() && (size.nx.is_some() || size.ny.is_some()) {
        return Err(Error::InvalidOption {
            name: "n",
            reason: "give either --n (a square grid) or --nx/--ny, not both".into(),
        });
    }
    if size.nx.is_none() && size.ny.is_some() {
        return Err(Error::InvalidOption {
            name: "ny",
            reason: "--ny needs --nx".into(),
        });
    }
    let nx = match (size.nx, size.n) {
        (Some(nx), _) => nx,
        (None, Some(n)) => {
            let r = (n as f64).sqrt().round() as usize;
            if r.checked_mul(r) != Some(n) {
                return Err(Error::InvalidOption {
                    name: "n",
                    reason: format!("a grid problem needs --nx/--ny or a square n, got {n}"),
                });
            }
            r
        }
        (None, None) => default,
    };
    Ok((nx, size.ny.unwrap_or(nx)))
}

/// Builds the problem `name` at `size` (matrix-free Hessians).
pub fn build(name: &str, size: Size) -> Result<Built> {
    build_with(name, size, BuildOptions::default())
}

/// Fails with a typed error, before anything is built, when a problem of
/// `n` unknowns needing about `words` 8-byte words in all (its data, its
/// Hessian and the solver's n-vectors) cannot be allocated here. A size
/// whose count overflows is refused the same way. (Without this, an
/// allocation of that size aborts the process.)
fn ensure_memory(n: usize, words: Option<usize>) -> Result<()> {
    let fits = words.is_some_and(|w| Vec::<f64>::new().try_reserve_exact(w).is_ok());
    if fits {
        Ok(())
    } else {
        Err(Error::InvalidOption {
            name: "n",
            reason: match words {
                Some(w) => format!(
                    "n = {n} needs about {:.1} GiB, more than this machine can allocate",
                    w as f64 * 8.0 / f64::from(1u32 << 30)
                ),
                None => format!("n = {n} is too large"),
            },
        })
    }
}

/// The solver's n-vectors (trust region: 9) plus slack for the problem's
/// own per-unknown arrays.
const WORDS_PER_UNKNOWN: usize = 16;

/// Builds the problem `name` at `size` with options. Names are matched
/// without regard to case (`ARWHEAD` is `arwhead`).
pub fn build_with(name: &str, size: Size, opts: BuildOptions) -> Result<Built> {
    let lower = name.to_ascii_lowercase();
    let name = lower.as_str();
    let info = PROBLEMS
        .iter()
        .find(|p| p.name == name || (name == "srosenbr" && p.name == "extended-rosenbrock"))
        .ok_or_else(|| Error::InvalidOption {
            name: "problem",
            reason: format!(
                "unknown problem `{name}`; known problems: {}",
                PROBLEMS
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
    let n = size.n.unwrap_or(info.default_n);
    if !GRID_PROBLEMS.contains(&info.name) {
        let words = match info.name {
            // 100 n samples of n dense features.
            "logistic" => n.checked_mul(n).and_then(|nn| nn.checked_mul(100)),
            // 20 n rows of about 20 nonzeros (value and index each).
            "logistic-sparse" => n.checked_mul(800),
            _ => n.checked_mul(WORDS_PER_UNKNOWN),
        };
        ensure_memory(n, words)?;
        if opts.hessian == HessianMode::Assembled {
            return Err(Error::InvalidOption {
                name: "hessian",
                reason: format!(
                    "an assembled Hessian is available for the grid problems ({}), not for {}",
                    GRID_PROBLEMS.join(", "),
                    info.name
                ),
            });
        }
        if size.nx.is_some() || size.ny.is_some() {
            return Err(Error::InvalidOption {
                name: "nx",
                reason: format!("{} is not a grid problem; use --n", info.name),
            });
        }
    }
    match info.name {
        "rosenbrock" => {
            if n != 2 {
                return Err(Error::InvalidOption {
                    name: "n",
                    reason: format!("rosenbrock has n = 2, got {n}"),
                });
            }
            Ok(Built {
                objective: Box::new(Rosenbrock),
                x0: ndarray::array![-1.2, 1.0],
                f_star: Some(0.0),
            })
        }
        "extended-rosenbrock" => {
            let p = ExtendedRosenbrock::new(n)?;
            Ok(Built {
                x0: p.start(),
                objective: Box::new(p),
                f_star: Some(0.0),
            })
        }
        "logistic" => {
            if n < 2 {
                return Err(Error::InvalidOption {
                    name: "n",
                    reason: format!("logistic needs n ≥ 2 features, got {n}"),
                });
            }
            let mut w = vec![0.0; n];
            for (j, wj) in w.iter_mut().enumerate() {
                *wj = [1.5, -1.0, 0.5][j % 3] / (1.0 + (j / 3) as f64);
            }
            let p = DenseLogistic::synthetic(100 * n, &w, 0.0, 42)?;
            Ok(Built {
                objective: Box::new(p),
                x0: Array1::zeros(n),
                f_star: None,
            })
        }
        "msa" | "ept" | "ssc" | "odc" | "pjb" => {
            let (nx, ny) = grid_size(size, info.default_n)?;
            let cells = nx.checked_mul(ny);
            // The assembled Hessian adds a 5-to-9-point stencil (value and
            // index per entry) and an IC(0) factor of the same size.
            let per = match opts.hessian {
                HessianMode::MatrixFree => WORDS_PER_UNKNOWN,
                HessianMode::Assembled => WORDS_PER_UNKNOWN + 40,
            };
            ensure_memory(
                cells.unwrap_or(usize::MAX),
                cells.and_then(|c| c.checked_mul(per)),
            )?;
            match info.name {
                "msa" => grid_problem(Minpack2::msa(nx, ny)?, info.name, opts),
                "ept" => grid_problem(Minpack2::ept(nx, ny)?, info.name, opts),
                "ssc" => grid_problem(Minpack2::ssc(nx, ny)?, info.name, opts),
                "odc" => grid_problem(Minpack2::odc(nx, ny)?, info.name, opts),
                _ => grid_problem(Minpack2::pjb(nx, ny)?, info.name, opts),
            }
        }
        "logistic-sparse" => {
            let spec =
                crate::problems::datagen::Rcv1Shaped::new(20 * n, n, 20.0f64.min(n as f64), 1);
            let (labels, x) = spec.generate()?;
            let data = std::sync::Arc::new(super::sparse_logistic::BinaryDataset::new(x, labels)?);
            let p = super::sparse_logistic::l2_logistic(data, 1.0)?;
            Ok(Built {
                objective: Box::new(p),
                x0: Array1::zeros(n),
                f_star: None,
            })
        }
        cutest_name if super::cutest::NAMES.contains(&cutest_name) => {
            let b = super::cutest::build(cutest_name, n)?;
            Ok(Built {
                objective: b.objective,
                x0: b.x0,
                f_star: b.f_star,
            })
        }
        other => unreachable!("registered problem {other} has no builder"),
    }
}
