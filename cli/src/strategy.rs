//! The strategy flags of `solve`: `--subproblem`, `--radius-init`,
//! `--radius-rule`, `--forcing`, `--second-order`, `--dense-step`, and the
//! header line that names them.

use clap::ValueEnum;

use steihaug::{
    DenseStep, Forcing, InitialRadius, Options, RadiusRule, RejectedStep, SecondOrder, Subproblem,
};

/// `--radius-rule` values.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum RuleArg {
    /// Nocedal & Wright Algorithm 4.1 (SciPy's rule).
    NocedalWright,
    /// Lin & Moré / TRON interpolation.
    Tron,
    /// PETSc/TAO's reduction update.
    Tao,
    /// TAO's update growing by at most 2‖p‖ (GALAHAD TR2A's growth).
    TaoDouble,
    /// tao-double, halving the radius (not the step) after a poor interior step.
    TaoDoubleInterior,
}

/// `--rejected-step` values.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum RejectedArg {
    /// Discard the step and shrink the radius.
    Shrink,
    /// Backtrack along the step (Armijo), accept x + αp, Δ = α‖p‖
    /// (Nocedal & Yuan 1998).
    Backtrack,
    /// Backtrack, and keep the radius after a backtracked step.
    BacktrackKeep,
}

/// `--subproblem` values.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum SubproblemArg {
    /// Truncated CG, stopping at the boundary (Steihaug-Toint).
    Steihaug,
    /// GLTR: Lanczos continued past the boundary (at most 20 iterations).
    Gltr,
}

/// `--dense-step` values.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum DenseStepArg {
    /// Shifted Cholesky and Armijo backtracking.
    Damped,
    /// α = 1, no shift, no line search.
    Pure,
    /// The exact trust-region subproblem (Moré-Sorensen) in a trust region.
    TrustExact,
}

/// `--second-order` values.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum SecondOrderArg {
    /// Stop at any first-order point.
    Off,
    /// Check for negative curvature; report a saddle as saddle_point.
    Check,
    /// Check, and leave a saddle along the negative curvature.
    Escape,
}

/// `--radius-init`: `constant:X`, `gradient`, `first-step`,
/// `interpolation` (or `interpolation:TRUST0`).
pub fn parse_radius_init(s: &str) -> Result<InitialRadius, String> {
    let (name, value) = match s.split_once(':') {
        Some((n, v)) => (n, Some(v)),
        None => (s, None),
    };
    let number = |v: Option<&str>, default: Option<f64>| -> Result<f64, String> {
        match (v, default) {
            (Some(v), _) => v
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x > 0.0)
                .ok_or_else(|| format!("`{v}` is not a positive number")),
            (None, Some(d)) => Ok(d),
            (None, None) => Err(format!("`{name}` needs a value, e.g. `{name}:1`")),
        }
    };
    match name {
        "constant" => Ok(InitialRadius::Constant(number(value, None)?)),
        "gradient" => Ok(InitialRadius::GradientNorm(number(value, Some(1.0))?)),
        "first-step" if value.is_none() => Ok(InitialRadius::FirstStep),
        "interpolation" => Ok(InitialRadius::Interpolation {
            trust0: number(value, Some(100.0))?,
        }),
        _ => Err(format!(
            "`{s}`: expected constant:X, gradient, first-step or interpolation"
        )),
    }
}

/// `--forcing`: `sqrt`, `quadratic`, `ew1`, `ew2`, `constant:X`.
pub fn parse_forcing(s: &str) -> Result<Forcing, String> {
    match s {
        "sqrt" => Ok(Forcing::Sqrt),
        "quadratic" => Ok(Forcing::Quadratic),
        "ew1" => Ok(Forcing::EisenstatWalker1),
        "ew2" => Ok(Forcing::ew2()),
        _ => match s.strip_prefix("constant:") {
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|x| *x > 0.0 && *x < 1.0)
                .map(Forcing::Constant)
                .ok_or_else(|| format!("`{v}` is not a number in (0, 1)")),
            None => Err(format!(
                "`{s}`: expected sqrt, quadratic, ew1, ew2 or constant:X"
            )),
        },
    }
}

/// The strategy flags as given (`None`: the library's default).
#[derive(clap::Args, Clone, Default)]
pub struct StrategyArgs {
    /// Trust region: initial radius, constant:X | gradient | first-step |
    /// interpolation (default constant:1).
    #[arg(long, value_name = "STRATEGY", value_parser = parse_radius_init)]
    pub radius_init: Option<InitialRadius>,
    /// Trust region: radius update rule (default nocedal-wright).
    #[arg(long, value_enum, value_name = "RULE")]
    pub radius_rule: Option<RuleArg>,
    /// Trust region and TRON: a rejected step, shrink | backtrack |
    /// backtrack-keep (default shrink for the trust region, backtrack-keep
    /// for TRON).
    #[arg(long, value_enum, value_name = "MODE")]
    pub rejected_step: Option<RejectedArg>,
    /// Newton-CG: forcing term of the inner solve, sqrt | quadratic | ew1 |
    /// ew2 | constant:X (default sqrt).
    #[arg(long, value_name = "FORCING", value_parser = parse_forcing)]
    pub forcing: Option<Forcing>,
    /// Trust region: at a first-order point, off | check | escape (default
    /// escape).
    #[arg(long, value_enum, value_name = "MODE")]
    pub second_order: Option<SecondOrderArg>,
    /// Trust region: the subproblem solver (default steihaug).
    #[arg(long, value_enum, value_name = "SOLVER")]
    pub subproblem: Option<SubproblemArg>,
    /// TRON: model projected-gradient rounds per iteration that release
    /// bounds after a solved face (0 = MINPACK-2 dspcg).
    #[arg(long, value_name = "K")]
    pub release_rounds: Option<usize>,
    /// TRON: projected-gradient steps on f per iteration before the Cauchy
    /// step (default 25; PETSc/TAO tron uses 3; 0 = MINPACK-2 dtron).
    #[arg(long, value_name = "K")]
    pub gp_steps: Option<usize>,
    /// Dense Newton: the step (default damped).
    #[arg(long, value_enum, value_name = "STEP")]
    pub dense_step: Option<DenseStepArg>,
}

impl StrategyArgs {
    /// Sets the given strategies on `options`; a flag that the method does
    /// not have is an error.
    pub fn apply(&self, options: &mut Options) -> steihaug::Result<()> {
        if self.dense_step.is_some() && options.method() != steihaug::Method::DenseNewton {
            return Err(steihaug::Error::InvalidOption {
                name: "dense-step",
                reason: "is an option of dense Newton (--solver dense)".into(),
            });
        }
        if self.release_rounds.is_some() && options.method() != steihaug::Method::Tron {
            return Err(steihaug::Error::InvalidOption {
                name: "release-rounds",
                reason: "is an option of TRON (--solver tron)".into(),
            });
        }
        if self.gp_steps.is_some() && options.method() != steihaug::Method::Tron {
            return Err(steihaug::Error::InvalidOption {
                name: "gp-steps",
                reason: "is an option of TRON (--solver tron)".into(),
            });
        }
        if options.method() != steihaug::Method::TrustRegion {
            // The first trust-region-only flag given, by its CLI name.
            // TRON has a radius too (`--radius-init`, `--radius-rule`).
            let tron = options.method() == steihaug::Method::Tron;
            let tr_only = [
                ("subproblem", self.subproblem.is_some()),
                ("radius-init", self.radius_init.is_some() && !tron),
                ("radius-rule", self.radius_rule.is_some() && !tron),
                ("rejected-step", self.rejected_step.is_some() && !tron),
                ("second-order", self.second_order.is_some()),
            ];
            if let Some((name, _)) = tr_only.into_iter().find(|(_, given)| *given) {
                return Err(steihaug::Error::InvalidOption {
                    name,
                    reason: format!(
                        "is an option of the trust region (--solver tr), not of {}",
                        options_name(options)
                    ),
                });
            }
        }
        match options {
            Options::TrustRegion(c) => {
                if let Some(r) = self.radius_init {
                    c.initial_radius = r;
                }
                if let Some(r) = self.radius_rule {
                    c.radius_rule = rule(r);
                }
                if let Some(r) = self.rejected_step {
                    c.rejected_step = rejected(r);
                }
                if let Some(m) = self.second_order {
                    c.second_order = match m {
                        SecondOrderArg::Off => SecondOrder::Off,
                        SecondOrderArg::Check => SecondOrder::Check,
                        SecondOrderArg::Escape => SecondOrder::Escape,
                    };
                }
                if let Some(f) = self.forcing {
                    c.krylov.forcing = f;
                }
                if let Some(sp) = self.subproblem {
                    c.subproblem = match sp {
                        SubproblemArg::Steihaug => Subproblem::Steihaug,
                        SubproblemArg::Gltr => Subproblem::GLTR,
                    };
                }
            }
            Options::LineSearch(c) => {
                if let Some(f) = self.forcing {
                    c.krylov.forcing = f;
                }
            }
            Options::DenseNewton(c) => {
                if self.forcing.is_some() {
                    return Err(steihaug::Error::InvalidOption {
                        name: "forcing",
                        reason: "is an option of the Newton-CG solvers (--solver tr or linesearch)"
                            .into(),
                    });
                }
                if let Some(st) = self.dense_step {
                    c.step = match st {
                        DenseStepArg::Damped => DenseStep::Damped,
                        DenseStepArg::Pure => DenseStep::Pure,
                        DenseStepArg::TrustExact => DenseStep::TrustRegion,
                    };
                }
            }
            Options::Tron(c) if self.forcing.is_none() => {
                if let Some(r) = self.radius_init {
                    c.initial_radius = r;
                }
                if let Some(r) = self.radius_rule {
                    c.radius_rule = rule(r);
                }
                if let Some(k) = self.release_rounds {
                    c.release_rounds = k;
                }
                if let Some(k) = self.gp_steps {
                    c.gp_steps = k;
                }
                if let Some(r) = self.rejected_step {
                    c.rejected_step = rejected(r);
                }
            }
            Options::Tron(_) => {
                return Err(steihaug::Error::InvalidOption {
                    name: "forcing",
                    reason: "TRON's CG tolerance is fixed (cg_tol·|g_F|); --forcing is for --solver tr or linesearch".into(),
                });
            }
            _ => {}
        }
        Ok(())
    }
}

fn rule(r: RuleArg) -> RadiusRule {
    match r {
        RuleArg::NocedalWright => RadiusRule::NocedalWright,
        RuleArg::Tron => RadiusRule::Tron,
        RuleArg::Tao => RadiusRule::Tao,
        RuleArg::TaoDouble => RadiusRule::TaoDouble,
        RuleArg::TaoDoubleInterior => RadiusRule::TaoDoubleInterior,
    }
}

fn rejected(r: RejectedArg) -> RejectedStep {
    match r {
        RejectedArg::Shrink => RejectedStep::Shrink,
        RejectedArg::Backtrack => RejectedStep::Backtrack,
        RejectedArg::BacktrackKeep => RejectedStep::BacktrackKeep,
    }
}

fn options_name(options: &Options) -> &'static str {
    match options.method() {
        steihaug::Method::LineSearch => "the line search",
        steihaug::Method::Tron => "TRON",
        _ => "dense Newton",
    }
}

/// The table header's strategy line: what the options chose, in the
/// flags' own words.
pub fn describe(options: &Options) -> Option<String> {
    let forcing = |f: Forcing| match f {
        Forcing::Sqrt => "sqrt".to_string(),
        Forcing::Quadratic => "quadratic".to_string(),
        Forcing::Constant(x) => format!("constant:{x}"),
        Forcing::EisenstatWalker1 => "ew1".to_string(),
        Forcing::EisenstatWalker2 { gamma, alpha } => {
            format!("ew2 (gamma {gamma}, alpha {alpha:.4})")
        }
    };
    match options {
        Options::TrustRegion(c) => {
            let init = match c.initial_radius {
                InitialRadius::Constant(x) => format!("constant:{x}"),
                InitialRadius::GradientNorm(x) => format!("gradient (x{x})"),
                InitialRadius::FirstStep => "first-step".into(),
                InitialRadius::Interpolation { trust0 } => {
                    format!("interpolation (trust0 {trust0})")
                }
            };
            let rule = match c.radius_rule {
                RadiusRule::NocedalWright => "nocedal-wright",
                RadiusRule::Tron => "tron",
                RadiusRule::Tao => "tao",
                RadiusRule::TaoDouble => "tao-double",
                RadiusRule::TaoDoubleInterior => "tao-double-interior",
            };
            let rejected = match c.rejected_step {
                RejectedStep::Shrink => "shrink",
                RejectedStep::Backtrack => "backtrack",
                RejectedStep::BacktrackKeep => "backtrack-keep",
            };
            let second = match c.second_order {
                SecondOrder::Off => "off",
                SecondOrder::Check => "check",
                SecondOrder::Escape => "escape",
            };
            Some(format!(
                "subproblem {}, radius-init {init}, radius-rule {rule}, rejected-step {rejected}, forcing {}, second-order {second}",
                c.subproblem.as_str(),
                forcing(c.krylov.forcing)
            ))
        }
        Options::LineSearch(c) => Some(format!("forcing {}", forcing(c.krylov.forcing))),
        Options::DenseNewton(c) => Some(format!(
            "dense-step {}",
            match c.step {
                DenseStep::Damped => "damped",
                DenseStep::Pure => "pure",
                DenseStep::TrustRegion => "trust-exact",
            }
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radius_init_values() {
        assert_eq!(
            parse_radius_init("constant:2.5"),
            Ok(InitialRadius::Constant(2.5))
        );
        assert_eq!(
            parse_radius_init("gradient"),
            Ok(InitialRadius::GradientNorm(1.0))
        );
        assert_eq!(
            parse_radius_init("first-step"),
            Ok(InitialRadius::FirstStep)
        );
        assert_eq!(
            parse_radius_init("interpolation"),
            Ok(InitialRadius::Interpolation { trust0: 100.0 })
        );
        for bad in [
            "constant",
            "constant:-1",
            "constant:nan",
            "first-step:3",
            "bogus",
            "",
        ] {
            assert!(parse_radius_init(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn forcing_values() {
        assert_eq!(parse_forcing("ew1"), Ok(Forcing::EisenstatWalker1));
        assert_eq!(parse_forcing("ew2"), Ok(Forcing::ew2()));
        assert_eq!(parse_forcing("constant:0.1"), Ok(Forcing::Constant(0.1)));
        for bad in ["constant:1", "constant:0", "ew3", "constant:x"] {
            assert!(parse_forcing(bad).is_err(), "{bad}");
        }
    }
}
