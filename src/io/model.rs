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
use crate::io::libsvm::{read_line_bounded, CsrMatrix};

/// The longest line of a model file, in bytes (a header line or one
/// weight; LIBLINEAR's lines are far shorter).
pub const MODEL_MAX_LINE_BYTES: usize = 1 << 16;

/// A printable excerpt of a line for error messages.
fn show(t: &str) -> String {
    match t.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &t[..i]),
        None => t.to_string(),
    }
}

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
                if let (true, Some(wj)) = (j < nf, self.w.get(j)) {
                    s += wj * v;
                }
            }
        }
        // `get`: a model built by hand with `bias ≥ 0` and no weights
        // scores without a bias term instead of panicking.
        if let (true, Some(wb)) = (self.bias >= 0.0, self.w.get(nf)) {
            s += self.bias * wb;
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

    /// Writes the model to a file, atomically ([`crate::io::atomic`]): a
    /// write that fails leaves an existing file as it was.
    pub fn write_file(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::io::atomic::write_file(path.as_ref(), |w| self.write(w))
    }

    /// Reads a model file; a malformed or missing header line or weight is
    /// an [`Error::Parse`] with its line number.
    ///
    /// Parsing is strict: every header line has exactly the fields of its
    /// kind (`label 1 junk -1` is an error, not `label 1 -1`), a header
    /// line appears at most once, a label `-0` is read as `0` (as the
    /// LIBSVM reader does, so that `0` and `-0` are one class), and
    /// `nr_feature` plus the bias weight must not overflow. Lines are read
    /// with the bound [`MODEL_MAX_LINE_BYTES`]; weights are stored as they
    /// are read, never reserved from the header's `nr_feature`.
    pub fn read<R: BufRead>(mut reader: R) -> Result<Self> {
        let mut solver_type = None;
        let mut nr_class_seen = false;
        let mut labels = None;
        let mut nr_feature: Option<usize> = None;
        let mut bias: Option<f64> = None;
        let mut w = Vec::new();
        let mut in_w = false;
        let mut line_no = 0;
        let perr = |line: usize, reason: String| Error::Parse { line, reason };
        let mut buf = Vec::new();
        loop {
            let read = read_line_bounded(&mut reader, &mut buf, MODEL_MAX_LINE_BYTES, line_no + 1)?;
            if read == 0 {
                break;
            }
            line_no += 1;
            let line =
                std::str::from_utf8(&buf).map_err(|_| perr(line_no, "not valid UTF-8".into()))?;
            let t = line.trim();
            let fields: Vec<&str> = t.split_whitespace().collect();
            if in_w {
                match fields.as_slice() {
                    [] => continue,
                    [one] => {
                        let v: f64 = one
                            .parse()
                            .ok()
                            .filter(|v: &f64| v.is_finite())
                            .ok_or_else(|| perr(line_no, format!("bad weight `{}`", show(t))))?;
                        crate::memory::try_grow(&mut w, "the model weights")?;
                        w.push(v);
                    }
                    _ => {
                        return Err(perr(
                            line_no,
                            "more than one weight per line (multi-class models are not supported)"
                                .into(),
                        ))
                    }
                }
                continue;
            }
            let Some((&key, rest)) = fields.split_first() else {
                continue;
            };
            let dup = |seen: bool| -> Result<()> {
                if seen {
                    Err(perr(line_no, format!("`{key}` appears twice")))
                } else {
                    Ok(())
                }
            };
            let one = || -> Result<&str> {
                match rest {
                    [v] => Ok(v),
                    _ => Err(perr(
                        line_no,
                        format!("`{key}` takes one value, found `{}`", show(t)),
                    )),
                }
            };
            match key {
                "solver_type" => {
                    dup(solver_type.is_some())?;
                    solver_type = Some(one()?.to_string());
                }
                "nr_class" => {
                    dup(nr_class_seen)?;
                    nr_class_seen = true;
                    if one()? != "2" {
                        return Err(perr(line_no, "only two-class models are supported".into()));
                    }
                }
                "label" => {
                    dup(labels.is_some())?;
                    let l: Vec<f64> = rest
                        .iter()
                        .map(|s| s.parse::<f64>().ok().filter(|v| v.is_finite()))
                        .collect::<Option<Vec<f64>>>()
                        .unwrap_or_default();
                    // `+ 0.0`: −0 is the label 0.
                    if l.len() != 2
                        || rest.len() != 2
                        || (l[0] + 0.0).total_cmp(&(l[1] + 0.0)).is_eq()
                    {
                        return Err(perr(
                            line_no,
                            format!(
                                "bad label line `{}`: expected two different finite labels",
                                show(t)
                            ),
                        ));
                    }
                    labels = Some((l[0] + 0.0, l[1] + 0.0));
                }
                "nr_feature" => {
                    dup(nr_feature.is_some())?;
                    nr_feature = Some(one()?.parse().map_err(|_| {
                        perr(line_no, format!("bad nr_feature line `{}`", show(t)))
                    })?);
                }
                "bias" => {
                    dup(bias.is_some())?;
                    bias = Some(
                        one()?
                            .parse::<f64>()
                            .ok()
                            .filter(|b| b.is_finite())
                            .ok_or_else(|| perr(line_no, format!("bad bias line `{}`", show(t))))?,
                    );
                }
                "w" if rest.is_empty() => in_w = true,
                other => {
                    return Err(perr(
                        line_no,
                        format!("unknown header line `{}`", show(other)),
                    ));
                }
            }
        }
        let end = line_no + 1;
        if !in_w {
            return Err(perr(end, "missing `w` line".into()));
        }
        let (label_pos, label_neg) =
            labels.ok_or_else(|| perr(end, "missing `label` line".into()))?;
        let nf = nr_feature.ok_or_else(|| perr(end, "missing `nr_feature` line".into()))?;
        let bias = bias.unwrap_or(-1.0);
        let expected = nf.checked_add(usize::from(bias >= 0.0)).ok_or_else(|| {
            perr(
                end,
                format!("nr_feature {nf} plus the bias weight overflows"),
            )
        })?;
        if w.len() != expected {
            return Err(perr(
                end,
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
        Self::read(BufReader::new(f)).map_err(|e| crate::io::libsvm::name_io_error(path, e))
    }
}
