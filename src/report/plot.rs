//! Convergence plots as SVG (feature `plot`).
//!
//! [`convergence_svg`] draws two panels from a [`Report`]'s history: ‖∇f‖
//! and f − f_best on a log scale, against the outer iteration (left) and
//! against the cumulative number of Hessian-vector products (right), the
//! honest cost axis of a matrix-free method. f_best is the lowest f of the
//! run (or a known optimum f*, see [`PlotOptions::f_star`]); points where
//! f − f_best is zero cannot be drawn on a log axis and are left out.
//!
//! Pure Rust: plotters with its SVG backend only, text written as SVG
//! `<text>` (no font files, no system libraries).

use std::path::Path;

use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::report::Report;

/// Options of [`convergence_svg`].
#[derive(Debug, Clone, PartialEq)]
pub struct PlotOptions {
    /// The title above both panels (default: the solver name).
    pub title: Option<String>,
    /// A known optimal value f*; f − f* is drawn instead of f − f_best.
    pub f_star: Option<f64>,
    /// Size in pixels (default 1100 × 450).
    pub size: (u32, u32),
}

impl Default for PlotOptions {
    fn default() -> Self {
        Self {
            title: None,
            f_star: None,
            size: (1100, 450),
        }
    }
}

/// The plotted series: (x, y) with y > 0 and finite.
struct Series {
    grad: Vec<(f64, f64)>,
    gap: Vec<(f64, f64)>,
}

fn series(report: &Report, f_ref: f64, by_hvps: bool) -> Series {
    let mut grad = vec![(0.0, report.grad_norm0)];
    let mut gap = Vec::new();
    for r in &report.history {
        let x = if by_hvps {
            r.hvps as f64
        } else {
            r.iter as f64
        };
        grad.push((x, r.grad_norm));
        gap.push((x, r.f - f_ref));
    }
    let keep = |&(_, y): &(f64, f64)| y.is_finite() && y > 0.0;
    Series {
        grad: grad.into_iter().filter(keep).collect(),
        gap: gap.into_iter().filter(keep).collect(),
    }
}

/// Draws the convergence plot of `report` into an SVG document.
pub fn convergence_svg_string(report: &Report, options: &PlotOptions) -> Result<String> {
    if report.history.is_empty() {
        return Err(Error::InvalidInput(
            "the report has no iterations to plot".into(),
        ));
    }
    let f_best = report
        .history
        .iter()
        .map(|r| r.f)
        .chain([report.f])
        .filter(|f| f.is_finite())
        .fold(f64::INFINITY, f64::min);
    let f_ref = options.f_star.unwrap_or(f_best);
    let gap_label = if options.f_star.is_some() {
        "f - f*"
    } else {
        "f - f_best"
    };
    let title = options
        .title
        .clone()
        .unwrap_or_else(|| format!("{}: {}", report.solver, report.status));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, options.size).into_drawing_area();
        let err = |e: &dyn std::fmt::Display| Error::InvalidInput(format!("plot: {e}"));
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let root = root
            .titled(&title, ("sans-serif", 20))
            .map_err(|e| err(&e))?;
        let panels = root.split_evenly((1, 2));
        for (panel, by_hvps) in panels.iter().zip([false, true]) {
            let s = series(report, f_ref, by_hvps);
            let xmax = s
                .grad
                .iter()
                .chain(&s.gap)
                .map(|p| p.0)
                .fold(1.0f64, f64::max);
            let (ymin, ymax) = s
                .grad
                .iter()
                .chain(&s.gap)
                .fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
                    (lo.min(p.1), hi.max(p.1))
                });
            let (ymin, ymax) = if ymin.is_finite() && ymax > 0.0 {
                (ymin / 3.0, ymax * 3.0)
            } else {
                (1e-16, 1.0)
            };
            let xlabel = if by_hvps {
                "cumulative Hessian-vector products"
            } else {
                "iteration"
            };
            let mut chart = ChartBuilder::on(panel)
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(70)
                .build_cartesian_2d(0.0..xmax * 1.02, (ymin..ymax).log_scale())
                .map_err(|e| err(&e))?;
            chart
                .configure_mesh()
                .x_desc(xlabel)
                .y_desc("log scale")
                .y_label_formatter(&|v| format!("{v:.0e}"))
                .x_label_formatter(&|v| format!("{v:.0}"))
                .light_line_style(WHITE.mix(0.0))
                .draw()
                .map_err(|e| err(&e))?;
            let blue = RGBColor(31, 119, 180);
            let orange = RGBColor(255, 127, 14);
            chart
                .draw_series(LineSeries::new(
                    s.grad.iter().copied(),
                    blue.stroke_width(2),
                ))
                .map_err(|e| err(&e))?
                .label("||grad f||")
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], blue.stroke_width(2))
                });
            chart
                .draw_series(LineSeries::new(
                    s.gap.iter().copied(),
                    orange.stroke_width(2),
                ))
                .map_err(|e| err(&e))?
                .label(gap_label)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], orange.stroke_width(2))
                });
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()
                .map_err(|e| err(&e))?;
        }
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}

/// Draws the convergence plot of `report` into the SVG file `path`.
pub fn convergence_svg(
    report: &Report,
    options: &PlotOptions,
    path: impl AsRef<Path>,
) -> Result<()> {
    let path = path.as_ref();
    let svg = convergence_svg_string(report, options)?;
    crate::io::atomic::write_bytes(path, svg.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::ExtendedRosenbrock;
    use crate::TrustRegion;

    #[test]
    fn draws_both_panels_with_labels() {
        let p = ExtendedRosenbrock::new(100).unwrap();
        let report = TrustRegion::default().solve(&p, p.start().view()).unwrap();
        let svg = convergence_svg_string(&report, &PlotOptions::default()).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("cumulative Hessian-vector products"));
        assert!(svg.contains("iteration"));
        assert!(svg.contains("f - f_best"));
        assert!(
            svg.matches("<polyline").count() >= 4,
            "two series per panel"
        );
    }

    #[test]
    fn an_empty_history_is_an_error() {
        let p = ExtendedRosenbrock::new(4).unwrap();
        let x = ndarray::Array1::from_elem(4, 1.0);
        let report = TrustRegion::default().solve(&p, x.view()).unwrap();
        assert!(report.history.is_empty());
        assert!(convergence_svg_string(&report, &PlotOptions::default()).is_err());
    }
}
