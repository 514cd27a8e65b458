//! A linear binary classifier and its text file, in LIBLINEAR's model format.
//!
//! ```text
//! solver_type L2R_LR
//! nr_class 2
//! label 1 -1
//! nr_feature 3
//! bias -1
//! w
//! 0.5
//! -1.25
//! 0
//! ```
//!
//! The header lines come in this order; `label` lists the **positive** label
//! (predicted when `wᵀx > 0`) first, then the negative one; `bias -1` means
//! no bias feature (the only value written; a model with `bias b ≥ 0` is
//! read and its bias weight applied as LIBLINEAR does, as an extra feature
//! of value b). After `w` come the weights, one per line, written with
//! Rust's shortest round-trip representation. This is the layout LIBLINEAR
//! (Fan et al. 2008) writes for `-s 0` with two classes, so its
//! `predict` can read our models and we can read its `-s 0` models.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use crate::error::{Error, Result};
use crate::io::libsvm::CsrMatrix;

/// A linear binary classifier: predict `label_pos` when `wᵀx + bias·w_b > 0`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    /// The weights, one per feature (plus the bias weight last if
    /// `bias ≥ 0`).
    pub w: Vec<f64>,
    /// The label predicted for a positive score.
    pub label_pos: f64,
    /// The label predicted otherwise.
    pub label_neg: f64,
    /// LIBLINEAR's bias term value, or a negative number for none.
    pub bias: f64,
    /// The solver name written on the `solver_type` line.
    pub solver_type: String,
}

impl LinearModel {
    /// A model without bias, trained by L2-regularized logistic regression.
    pub fn logistic(w: Vec<f64>, label_pos: f64, label_neg: f64) -> Self {
        Self {
            w,
            label_pos,
            label_neg,
            bias: -1.0,
            solver_type: "L2R_LR".into(),
        }
    }

    /// The number of features (without the bias weight).
    pub fn nr_feature(&self) -> usize {
        if self.bias >= 0.0 {
            self.w.len().saturating_sub(1)
        } else {
            self.w.len()
        }
    }

    /// The score `wᵀx (+ bias·w_b)` of row `i` of `x`; features beyond the
    /// model's are ignored (as LIBLINEAR does).
    pub fn score(&self, x: &CsrMatrix, i: usize) -> f64 {
        let nf = self.nr_feature();
        let row = x.outer_view(i);
        let mut s = 0.0;
        if let Some(row) = row {
            for (j, &v) in row.iter() {
                if j < nf {
                    s += self.w[j] * v;
                }
            }
        }
        if self.bias >= 0.0 {
            s += self.bias * self.w[nf];
        }
        s
    }

    /// The predicted label of every row of `x` (a CSR matrix).
    pub fn predict(&self, x: &CsrMatrix) -> Vec<f64> {
        (0..x.rows())
            .map(|i| {
                if self.score(x, i) > 0.0 {
                    self.label_pos
                } else {
                    self.label_neg
                }
            })
            .collect()
    }

    /// The fraction of rows whose predicted label equals `labels`.
    pub fn accuracy(&self, x: &CsrMatrix, labels: &[f64]) -> Result<f64> {
        crate::error::check_dim("labels", x.rows(), labels.len())?;
        if labels.is_empty() {
            return Err(Error::InvalidInput("no examples to predict".into()));
        }
        let hits = self
            .predict(x)
            .iter()
            .zip(labels)
            .filter(|(p, l)| p.to_bits() == l.to_bits() || (**p - **l).abs() == 0.0)
            .count();
        Ok(hits as f64 / labels.len() as f64)
    }

    /// Writes the model file.
    pub fn write<W: Write>(&self, mut out: W) -> Result<()> {
        if !self.w.iter().all(|v| v.is_finite()) {
            return Err(Error::InvalidInput("model weights are not finite".into()));
        }
        writeln!(out, "solver_type {}", self.solver_type)?;
        writeln!(out, "nr_class 2")?;
        writeln!(out, "label {} {}", self.label_pos, self.label_neg)?;
        writeln!(out, "nr_feature {}", self.nr_feature())?;
        writeln!(out, "bias {}", self.bias)?;
        writeln!(out, "w")?;
        for v in &self.w {
            writeln!(out, "{v}")?;
        }
        out.flush()?;
        Ok(())
    }

    /// Writes the model to a file.
    pub fn write_file(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let f = std::fs::File::create(path)
            .map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        self.write(std::io::BufWriter::new(f))
    }

    /// Reads a model file; a malformed or missing header line or weight is
    /// an [`Error::Parse`] with its line number.
    pub fn read<R: BufRead>(reader: R) -> Result<Self> {
        let mut solver_type = None;
        let mut labels = None;
        let mut nr_feature: Option<usize> = None;
        let mut bias = -1.0;
        let mut w = Vec::new();
        let mut in_w = false;
        let mut last = 0;
        let perr = |line: usize, reason: String| Error::Parse { line, reason };
        for (k, line) in reader.lines().enumerate() {
            let line_no = k + 1;
            last = line_no;
            let line = line.map_err(|e| perr(line_no, format!("unreadable: {e}")))?;
            let t = line.trim();
            if in_w {
                if t.is_empty() {
                    continue;
                }
                let mut vals = t.split_whitespace();
                let v: f64 = vals
                    .next()
                    .and_then(|s| s.parse().ok())
                    .filter(|v: &f64| v.is_finite())
                    .ok_or_else(|| perr(line_no, format!("bad weight `{t}`")))?;
                if vals.next().is_some() {
                    return Err(perr(
                        line_no,
                        "more than one weight per line (multi-class models are not supported)"
                            .into(),
                    ));
                }
                w.push(v);
                continue;
            }
            let mut parts = t.split_whitespace();
            match parts.next() {
                Some("solver_type") => solver_type = parts.next().map(str::to_string),
                Some("nr_class") if parts.next() != Some("2") => {
                    return Err(perr(line_no, "only two-class models are supported".into()));
                }
                Some("nr_class") => {}
                Some("label") => {
                    let l: Vec<f64> = parts.filter_map(|s| s.parse().ok()).collect();
                    if l.len() != 2
                        || !l.iter().all(|v| v.is_finite())
                        || l[0].partial_cmp(&l[1]) == Some(std::cmp::Ordering::Equal)
                    {
                        return Err(perr(
                            line_no,
                            format!("bad label line `{t}`: expected two different finite labels"),
                        ));
                    }
                    labels = Some((l[0], l[1]));
                }
                Some("nr_feature") => {
                    nr_feature = Some(
                        parts
                            .next()
                            .and_then(|s| s.parse().ok())
                            .ok_or_else(|| perr(line_no, format!("bad nr_feature line `{t}`")))?,
                    );
                }
                Some("bias") => {
                    bias = parts
                        .next()
                        .and_then(|s| s.parse::<f64>().ok())
                        .filter(|b| b.is_finite())
                        .ok_or_else(|| perr(line_no, format!("bad bias line `{t}`")))?;
                }
                Some("w") => in_w = true,
                None => {}
                Some(other) => {
                    return Err(perr(line_no, format!("unknown header line `{other}`")));
                }
            }
        }
        if !in_w {
            return Err(perr(last + 1, "missing `w` line".into()));
        }
        let (label_pos, label_neg) =
            labels.ok_or_else(|| perr(last + 1, "missing `label` line".into()))?;
        let nf = nr_feature.ok_or_else(|| perr(last + 1, "missing `nr_feature` line".into()))?;
        let expected = nf + usize::from(bias >= 0.0);
        if w.len() != expected {
            return Err(perr(
                last + 1,
                format!("expected {expected} weights, found {}", w.len()),
            ));
        }
        Ok(Self {
            w,
            label_pos,
            label_neg,
            bias,
            solver_type: solver_type.unwrap_or_else(|| "L2R_LR".into()),
        })
    }

    /// Reads a model file from a path.
    pub fn read_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let f =
            std::fs::File::open(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        Self::read(BufReader::new(f))
    }
}
