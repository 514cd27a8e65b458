//! L2-regularized logistic regression over sparse rows: LIBLINEAR's primal
//! problem (`-s 0`), as a [`ShardedSum`] of row shards.
//!
//! With labels y_i ∈ {−1, +1} and rows x_i (CSR, 32-bit column indices),
//!
//! ```text
//! f(w) = ½‖w‖² + C Σ_i log(1 + exp(−y_i wᵀx_i))
//! ∇f(w) = w + C Σ_i (σ(y_i wᵀx_i) − 1) y_i x_i
//! ∇²f(w) v = v + C Σ_i D_i (x_iᵀv) x_i,   D_i = σ_i(1 − σ_i)
//! ```
//!
//! (Lin, Weng & Keerthi 2008, "Trust region Newton method for large-scale
//! logistic regression", JMLR 9, §3; Fan et al. 2008, LIBLINEAR). Each row
//! shard:
//! * evaluates value and gradient in **one pass** over its rows, and keeps
//!   the margins m_i = y_i wᵀx_i in its cache;
//! * prepares `C·D_i` once per accepted point, from the cached margins when
//!   the point is the last one evaluated (no pass over the data);
//! * computes H v in **one pass**: for each row, `t = C D_i (x_iᵀv)`, then
//!   `out += t x_i` (the fused `Xᵀ(D(Xv))` of LIBLINEAR's `Hv`);
//! * offers the Hessian diagonal `1 + C Σ_i D_i x_ij²` for LIBLINEAR's
//!   preconditioner `M = 0.99 I + 0.01 diag(H)` (Hsia, Chiang & Lin 2018).
//!
//! `log(1 + e^{−m})`, σ and D are evaluated without overflow or cancellation
//! for any margin: `log(1+e^t)` as `t + log1p(e^{−t})` for t > 0,
//! `1 − σ(m)` as `σ(−m)`, and `D = e^{−|m|}/(1 + e^{−|m|})²`.
//!
//! [`liblinear_gtol`] gives LIBLINEAR's stopping rule as an absolute
//! gradient tolerance for [`crate::Termination::gtol_abs`];
//! [`liblinear_options`] is LIBLINEAR's solver with it (TRON's radius
//! rule and preconditioner), as `steihaug train` runs it.

use std::ops::Range;
use std::sync::Arc;

use ndarray::Array1;

use crate::error::{check_dim, Error, Result};
use crate::io::libsvm::{CsrMatrix, LibsvmData};
use crate::problem::objective::Objective;
use crate::shard::{Shard, ShardedSum};
use crate::solvers::config::{LineSearchConfig, Preconditioning, Termination, TrustRegionConfig};
use crate::solvers::radius::{InitialRadius, RadiusRule};
use crate::solvers::saddle::SecondOrder;
use crate::solvers::{Method, Options};

use super::logistic::log1pexp_sigmoid;
#[cfg(test)]
use super::logistic::{log1pexp, sigmoid};

/// LIBLINEAR's preconditioner weight α in `M = (1 − α)I + α diag(H)`.
pub const LIBLINEAR_PRECOND_WEIGHT: f64 = 0.01;
/// LIBLINEAR's default stopping tolerance ε for `-s 0`.
pub const LIBLINEAR_EPS: f64 = 0.01;

/// Labelled binary data: CSR rows and labels ±1, with the original label
/// values.
#[derive(Debug, Clone)]
pub struct BinaryDataset {
    x: CsrMatrix,
    y: Vec<f64>,
    label_pos: f64,
    label_neg: f64,
}

impl BinaryDataset {
    /// Data with labels already ±1.
    ///
    /// Errors: a label count different from the row count, a CSC matrix, a
    /// label other than ±1, or non-finite values ([`Error::InvalidInput`]).
    pub fn new(x: CsrMatrix, y: Vec<f64>) -> Result<Self> {
        check_dim("labels", x.rows(), y.len())?;
        if !x.is_csr() {
            return Err(Error::InvalidInput(
                "the data must be in CSR storage".into(),
            ));
        }
        // Labels are exact codes, not measurements: compare exactly.
        #[allow(clippy::float_cmp)]
        let bad = y.iter().position(|&v| v != 1.0 && v != -1.0);
        if let Some(i) = bad {
            return Err(Error::InvalidInput(format!(
                "label {} of row {i} is not +1 or -1",
                y[i]
            )));
        }
        if !x.data().iter().all(|v| v.is_finite()) {
            return Err(Error::InvalidInput("the data has non-finite values".into()));
        }
        Ok(Self {
            x,
            y,
            label_pos: 1.0,
            label_neg: -1.0,
        })
    }

    /// Data whose labels take exactly two distinct values: the larger maps
    /// to +1, the smaller to −1 (so `+1/−1`, `1/0` and `2/1` all keep their
    /// usual meaning).
    ///
    /// Errors: one or more than two distinct labels, or as [`Self::new`].
    pub fn from_labels(x: CsrMatrix, labels: &[f64]) -> Result<Self> {
        check_dim("labels", x.rows(), labels.len())?;
        let (neg, pos) = binary_classes(&first_distinct_labels(labels)?)?;
        Self::with_classes(x, labels, neg, pos)
    }

    /// Data whose labels are `neg` or `pos` (decided elsewhere, for
    /// example over the parts of a file that other processes hold): `pos`
    /// maps to +1, every other label to −1.
    ///
    /// Errors: as [`Self::new`] (a label count different from the row
    /// count, ...).
    pub fn with_classes(x: CsrMatrix, labels: &[f64], neg: f64, pos: f64) -> Result<Self> {
        check_dim("labels", x.rows(), labels.len())?;
        let y = labels
            .iter()
            .map(|l| if l.total_cmp(&pos).is_eq() { 1.0 } else { -1.0 })
            .collect();
        let mut d = Self::new(x, y)?;
        d.label_pos = pos;
        d.label_neg = neg;
        Ok(d)
    }

    /// From a LIBSVM file's contents (see [`Self::from_labels`]).
    pub fn from_libsvm(data: LibsvmData) -> Result<Self> {
        Self::from_labels(data.x, &data.labels)
    }

    /// The rows.
    pub fn x(&self) -> &CsrMatrix {
        &self.x
    }

    /// The labels ±1.
    pub fn y(&self) -> &[f64] {
        &self.y
    }

    /// The original label mapped to +1.
    pub fn label_pos(&self) -> f64 {
        self.label_pos
    }

    /// The original label mapped to −1.
    pub fn label_neg(&self) -> f64 {
        self.label_neg
    }

    /// Number of rows l.
    pub fn rows(&self) -> usize {
        self.x.rows()
    }

    /// Number of columns n.
    pub fn cols(&self) -> usize {
        self.x.cols()
    }

    /// Numbers of positive and negative examples.
    pub fn class_counts(&self) -> (usize, usize) {
        let pos = self.y.iter().filter(|&&v| v > 0.0).count();
        (pos, self.y.len() - pos)
    }
}

/// The first (at most) three distinct labels, in order of appearance;
/// three mean "more than two classes".
///
/// Errors: a non-finite label ([`Error::InvalidInput`]).
pub fn first_distinct_labels(labels: &[f64]) -> Result<Vec<f64>> {
    let mut distinct: Vec<f64> = Vec::with_capacity(3);
    for &l in labels {
        if !l.is_finite() {
            return Err(Error::InvalidInput(format!("label {l} is not finite")));
        }
        if !distinct.iter().any(|d| d.total_cmp(&l).is_eq()) {
            distinct.push(l);
            if distinct.len() == 3 {
                break;
            }
        }
    }
    Ok(distinct)
}

/// `(neg, pos)` from the distinct labels of [`first_distinct_labels`]: the
/// smaller value is the negative class.
///
/// Errors: fewer than two or more than two distinct labels
/// ([`Error::InvalidInput`]).
pub fn binary_classes(distinct: &[f64]) -> Result<(f64, f64)> {
    match distinct {
        [a, b] => Ok(if a < b { (*a, *b) } else { (*b, *a) }),
        [a, b, c, ..] => Err(Error::InvalidInput(format!(
            "more than two distinct labels ({a}, {b}, {c}, ...): binary classification needs two"
        ))),
        _ => Err(Error::InvalidInput(format!(
            "binary classification needs two distinct labels, found {}",
            distinct.len()
        ))),
    }
}

/// The row ranges of [`LogisticShard::partition`]: `count` blocks of
/// consecutive rows of about equal weight, the weight of row i being its
/// nonzeros plus one, with at least one row each. `weight_before(e)` is the
/// weight of rows `0..e` (nonzeros plus rows), increasing in e; `rows`
/// is l ≥ 1.
///
/// Boundary k is the first e with `weight_before(e) ≥ total·(k+1)/count`,
/// kept in `start+1 ..= l − (count − k − 1)`.
pub fn shard_boundaries<W: Fn(usize) -> usize>(
    rows: usize,
    count: usize,
    weight_before: W,
) -> Vec<Range<usize>> {
    let l = rows;
    let count = count.clamp(1, l.max(1));
    let total = weight_before(l);
    let mut out = Vec::with_capacity(count);
    let mut start = 0;
    for k in 0..count {
        let end = if k + 1 == count {
            l
        } else {
            let target = shard_target(total, k, count);
            let mut e = start + 1;
            while e < l - (count - k - 1) && (weight_before(e) as u128) < target {
                e += 1;
            }
            e
        };
        out.push(start..end);
        start = end;
    }
    out
}

/// The weight `total·(k+1)/count` (rounded down) at which boundary k of
/// [`shard_boundaries`] lies.
pub fn shard_target(total: usize, k: usize, count: usize) -> u128 {
    total as u128 * (k as u128 + 1) / count as u128
}

/// A block of consecutive rows of a [`BinaryDataset`], with the loss weight
/// C: the shard `C Σ_{i ∈ rows} log(1 + exp(−y_i wᵀx_i))`.
#[derive(Debug, Clone)]
pub struct LogisticShard {
    data: Arc<BinaryDataset>,
    rows: Range<usize>,
    c: f64,
}

/// Per-point data of a [`LogisticShard`]: `C·D_i` per row.
#[derive(Debug, Clone)]
pub struct LogisticPrepared {
    cd: Vec<f64>,
}

impl LogisticShard {
    /// The shard of `rows` of `data` with loss weight `c > 0`.
    ///
    /// Errors: rows out of range, or `c` not finite and positive.
    pub fn new(data: Arc<BinaryDataset>, rows: Range<usize>, c: f64) -> Result<Self> {
        crate::solvers::config::positive("C", c)?;
        if rows.start > rows.end || rows.end > data.rows() {
            return Err(Error::InvalidInput(format!(
                "row range {rows:?} is outside 0..{}",
                data.rows()
            )));
        }
        Ok(Self { data, rows, c })
    }

    /// Splits `data` into `count` shards of consecutive rows with about the
    /// same number of nonzeros plus rows each (at most one shard per row).
    pub fn partition(data: Arc<BinaryDataset>, c: f64, count: usize) -> Result<Vec<Self>> {
        let l = data.rows();
        if l == 0 {
            return Err(Error::EmptyProblem);
        }
        let ip = data.x.indptr();
        let ip = ip.raw_storage();
        shard_boundaries(l, count, |e| (ip[e] - ip[0]) + e)
            .into_iter()
            .map(|rows| Self::new(data.clone(), rows, c))
            .collect()
    }

    /// The rows of the shard.
    pub fn rows(&self) -> Range<usize> {
        self.rows.clone()
    }

    #[inline]
    fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let ip = self.data.x.indptr();
        let ip = ip.raw_storage();
        let r = ip[i]..ip[i + 1];
        (&self.data.x.indices()[r.clone()], &self.data.x.data()[r])
    }
}

#[inline]
fn sparse_dot(idx: &[u32], val: &[f64], w: &[f64]) -> f64 {
    let mut s = 0.0;
    for (&j, &v) in idx.iter().zip(val) {
        s += v * w[j as usize];
    }
    s
}

#[inline]
fn sparse_axpy(t: f64, idx: &[u32], val: &[f64], out: &mut [f64]) {
    for (&j, &v) in idx.iter().zip(val) {
        out[j as usize] += t * v;
    }
}

/// σ(m)(1 − σ(m)) = e^{−|m|}/(1 + e^{−|m|})², without cancellation.
#[inline]
fn logistic_weight(m: f64) -> f64 {
    let e = (-m.abs()).exp();
    e / ((1.0 + e) * (1.0 + e))
}

impl Shard for LogisticShard {
    /// The margins y_i wᵀx_i of the last evaluation.
    type Cache = Vec<f64>;
    type Prepared = LogisticPrepared;

    fn dim(&self) -> usize {
        self.data.cols()
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn new_cache(&self) -> Vec<f64> {
        vec![0.0; self.rows.len()]
    }

    /// One pass over the rows: margin, loss and gradient term of each row
    /// (one exponential per row, `log1pexp_sigmoid`).
    fn value_grad(&self, w: &[f64], margins: &mut Vec<f64>, grad: &mut [f64]) -> f64 {
        let mut loss = 0.0;
        for (i, m_out) in self.rows.clone().zip(margins.iter_mut()) {
            let (idx, val) = self.row(i);
            let y = self.data.y[i];
            let m = y * sparse_dot(idx, val, w);
            *m_out = m;
            // C (σ(m) − 1) y = −C σ(−m) y
            let (l, s) = log1pexp_sigmoid(-m);
            loss += l;
            sparse_axpy(-self.c * s * y, idx, val, grad);
        }
        self.c * loss
    }

    fn prepare(&self, w: &[f64], margins: &Vec<f64>, cache_at_w: bool) -> LogisticPrepared {
        let cd = if cache_at_w {
            margins
                .iter()
                .map(|&m| self.c * logistic_weight(m))
                .collect()
        } else {
            self.rows
                .clone()
                .map(|i| {
                    let (idx, val) = self.row(i);
                    self.c * logistic_weight(sparse_dot(idx, val, w))
                })
                .collect()
        };
        LogisticPrepared { cd }
    }

    fn hvp(&self, prepared: &LogisticPrepared, v: &[f64], out: &mut [f64]) {
        for (i, &cd) in self.rows.clone().zip(&prepared.cd) {
            let (idx, val) = self.row(i);
            let t = cd * sparse_dot(idx, val, v);
            sparse_axpy(t, idx, val, out);
        }
    }

    fn diagonal(&self, prepared: &LogisticPrepared, out: &mut [f64]) -> bool {
        for (i, &cd) in self.rows.clone().zip(&prepared.cd) {
            let (idx, val) = self.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                out[j as usize] += cd * v * v;
            }
        }
        true
    }
}

/// LIBLINEAR's `-s 0` objective `½‖w‖² + C Σ_i log(1 + exp(−y_i wᵀx_i))`.
pub type SparseLogistic = ShardedSum<LogisticShard>;

/// Memory budget (in f64 entries) of the shard accumulators in
/// [`default_shard_count`]: 2²⁵ doubles = 256 MiB.
pub const ACCUMULATOR_BUDGET: usize = 1 << 25;

/// The default number of row shards for `rows` rows, `nnz` nonzeros and
/// `cols` columns: one shard per 2²¹ nonzeros-plus-rows, between 1 and 64,
/// at most [`ACCUMULATOR_BUDGET`]`/cols` shards, at most one per row. It
/// depends on the data only, never on the thread count, so results are the
/// same on every machine.
pub fn default_shard_count(rows: usize, nnz: usize, cols: usize) -> usize {
    let by_work = (nnz + rows).div_ceil(1 << 21).clamp(1, 64);
    let by_memory = (ACCUMULATOR_BUDGET / cols.max(1)).max(1);
    by_work.min(by_memory).min(rows.max(1))
}

/// LIBLINEAR's primal L2 logistic regression on `data` with loss weight
/// `c`: `½‖w‖² + C Σ log(1 + exp(−y wᵀx))`, split into
/// [`default_shard_count`] shards, with LIBLINEAR's preconditioner
/// (α = [`LIBLINEAR_PRECOND_WEIGHT`]) offered for
/// [`crate::Preconditioning::Objective`].
///
/// ```
/// use std::sync::Arc;
/// use ndarray::Array1;
/// use steihaug::io::read_libsvm;
/// use steihaug::problems::sparse_logistic::{liblinear_gtol, l2_logistic, BinaryDataset};
/// use steihaug::{Preconditioning, Termination, TrustRegion, TrustRegionConfig};
///
/// let text = "+1 1:1 2:0.5\n-1 2:1\n+1 1:0.3\n-1 1:-0.2 2:0.7\n";
/// let data = Arc::new(BinaryDataset::from_libsvm(read_libsvm(text.as_bytes())?)?);
/// let obj = l2_logistic(data.clone(), 1.0)?;
/// let gtol = liblinear_gtol(&obj, &data, 0.01)?;
/// let solver = TrustRegion::new(TrustRegionConfig {
///     termination: Termination { gtol_abs: gtol, gtol_rel: 0.0, ..Termination::default() },
///     preconditioning: Preconditioning::Objective,
///     ..TrustRegionConfig::default()
/// });
/// let report = solver.solve(&obj, Array1::zeros(2).view())?;
/// assert!(report.status.is_converged() && report.grad_norm <= gtol);
/// # Ok::<(), steihaug::Error>(())
/// ```
pub fn l2_logistic(data: Arc<BinaryDataset>, c: f64) -> Result<SparseLogistic> {
    let count = default_shard_count(data.rows(), data.x.nnz(), data.cols());
    l2_logistic_with_shards(data, c, count)
}

/// As [`l2_logistic`] with a chosen number of shards.
pub fn l2_logistic_with_shards(
    data: Arc<BinaryDataset>,
    c: f64,
    shards: usize,
) -> Result<SparseLogistic> {
    if data.cols() == 0 {
        return Err(Error::EmptyProblem);
    }
    let shards = LogisticShard::partition(data, c, shards)?;
    ShardedSum::new(shards)?
        .with_l2(1.0)?
        .with_diagonal_preconditioner(LIBLINEAR_PRECOND_WEIGHT)
}

/// LIBLINEAR's stopping rule for `-s 0` as an absolute gradient tolerance:
///
/// ```text
/// ‖∇f(w)‖ ≤ eps · max(min(#pos, #neg), 1) / l · ‖∇f(0)‖
/// ```
///
/// (LIBLINEAR `train.c`/`linear.cpp`, `eps` default 0.01 =
/// [`LIBLINEAR_EPS`]). Evaluates ∇f(0) once. Set the result as
/// [`crate::Termination::gtol_abs`] with `gtol_rel = 0`; the base is ∇f at
/// w = 0 whatever the starting point (`reference/pitfalls.md` §22).
///
/// Errors: `eps` not finite and positive, or `obj` of another dimension
/// than `data`.
pub fn liblinear_gtol<O: Objective + ?Sized>(
    obj: &O,
    data: &BinaryDataset,
    eps: f64,
) -> Result<f64> {
    check_dim("objective", data.cols(), obj.dim())?;
    let (pos, neg) = data.class_counts();
    liblinear_gtol_counts(obj, pos, neg, data.rows(), eps)
}

/// [`liblinear_gtol`] from the class counts `pos`, `neg` and the row count
/// `l` (the whole data's, when `obj` is a sum over several processes).
///
/// Errors: `eps` not finite and positive, or a non-finite ∇f(0).
pub fn liblinear_gtol_counts<O: Objective + ?Sized>(
    obj: &O,
    pos: usize,
    neg: usize,
    l: usize,
    eps: f64,
) -> Result<f64> {
    crate::solvers::config::positive("eps", eps)?;
    let n = obj.dim();
    let w0 = Array1::zeros(n);
    let mut g0 = Array1::zeros(n);
    obj.value_grad(w0.view(), g0.view_mut());
    let l = l.max(1) as f64;
    let factor = eps * (pos.min(neg).max(1) as f64) / l;
    // ‖g0‖ with scaling, so that entries near 1e200 do not overflow the
    // sum of squares.
    let scale = g0.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let norm = if scale > 0.0 && scale.is_finite() {
        scale * g0.iter().map(|v| (v / scale).powi(2)).sum::<f64>().sqrt()
    } else {
        scale
    };
    if !norm.is_finite() {
        return Err(crate::Error::NonFiniteStart {
            what: "gradient at w = 0 (data values too large?)",
        });
    }
    Ok(factor * norm)
}

/// LIBLINEAR's termination for `-s 0`: `‖∇f‖ ≤ gtol_abs` only (no relative
/// test), where `gtol_abs` comes from [`liblinear_gtol`]; the other fields
/// are the defaults.
pub fn liblinear_termination(gtol_abs: f64) -> Termination {
    Termination {
        gtol_abs,
        gtol_rel: 0.0,
        ..Termination::default()
    }
}

/// LIBLINEAR's `-s 0` solver options for `method`, stopping by
/// [`liblinear_termination`] (`gtol_abs` from [`liblinear_gtol`]):
///
/// * [`Method::TrustRegion`]: LIBLINEAR's trust-region Newton method (TRON;
///   Lin, Weng & Keerthi 2008): the objective's own preconditioner
///   (LIBLINEAR's `M = (1 − α)I + α diag(H)`, α =
///   [`LIBLINEAR_PRECOND_WEIGHT`]; Hsia, Chiang & Lin 2018),
///   [`RadiusRule::Tron`], Δ₀ = ‖∇f(w₀)‖
///   ([`InitialRadius::GradientNorm`]`(1.0)`), and no second-order check
///   at the end ([`SecondOrder::Off`]): the objective is strictly convex
///   (∇²f = I + C XᵀDX ≻ 0), so its first-order point is the minimizer and
///   the check's [`crate::solvers::saddle::LANCZOS_STEPS`] products (a third
///   of all products on rcv1) would buy nothing;
/// * [`Method::LineSearch`]: the objective's own preconditioner;
/// * [`Method::DenseNewton`] (and any later method): the method's defaults.
///
/// Every other option is the method's default. `steihaug train --solver M`
/// solves with these.
///
/// ```
/// use steihaug::problems::sparse_logistic::liblinear_options;
/// use steihaug::{Method, Options, Preconditioning, RadiusRule};
/// let Options::TrustRegion(tr) = liblinear_options(Method::TrustRegion, 1e-3) else {
///     unreachable!()
/// };
/// assert_eq!(tr.radius_rule, RadiusRule::Tron);
/// assert_eq!(tr.preconditioning, Preconditioning::Objective);
/// assert_eq!(tr.termination.gtol_rel, 0.0);
/// ```
pub fn liblinear_options(method: Method, gtol_abs: f64) -> Options {
    let mut options = match method {
        Method::TrustRegion => Options::TrustRegion(TrustRegionConfig {
            preconditioning: Preconditioning::Objective,
            radius_rule: RadiusRule::Tron,
            initial_radius: InitialRadius::GradientNorm(1.0),
            second_order: SecondOrder::Off,
            ..TrustRegionConfig::default()
        }),
        Method::LineSearch => {
            Options::LineSearch(LineSearchConfig::default().precond(Preconditioning::Objective))
        }
        other => Options::new(other),
    };
    *options.termination_mut() = liblinear_termination(gtol_abs);
    options
}

#[cfg(test)]
mod liblinear_preset_tests {
    use super::*;

    #[test]
    fn the_preset_is_tron_with_the_absolute_test_only() {
        let term = liblinear_termination(2.5e-3);
        assert_eq!(term.gtol_abs.to_bits(), 2.5e-3f64.to_bits());
        assert_eq!(term.gtol_rel.to_bits(), 0.0f64.to_bits());
        assert_eq!(term.max_iter, Termination::default().max_iter);

        for method in Method::ALL {
            let options = liblinear_options(method, 2.5e-3);
            assert_eq!(options.method(), method);
            assert_eq!(options.termination(), &term, "{method}");
            assert!(options.validate().is_ok(), "{method}");
        }
        let tr = TrustRegionConfig {
            termination: term,
            preconditioning: Preconditioning::Objective,
            radius_rule: RadiusRule::Tron,
            initial_radius: InitialRadius::GradientNorm(1.0),
            second_order: SecondOrder::Off,
            ..TrustRegionConfig::default()
        };
        assert_eq!(
            liblinear_options(Method::TrustRegion, 2.5e-3),
            Options::TrustRegion(tr),
            "all other options are the defaults"
        );
        let mut ls = Options::new(Method::LineSearch)
            .precond(Preconditioning::Objective)
            .unwrap();
        *ls.termination_mut() = term;
        assert_eq!(liblinear_options(Method::LineSearch, 2.5e-3), ls);
        assert_eq!(
            liblinear_options(Method::DenseNewton, 2.5e-3).preconditioning(),
            None
        );
    }
}

#[cfg(test)]
mod kernel_tests {
    use super::*;

    /// Rows of lengths 0..=9 with a fixed pseudo-random pattern.
    fn data(rows: usize) -> Arc<BinaryDataset> {
        let n = 23;
        let mut indptr = vec![0usize];
        let (mut indices, mut values, mut y) = (Vec::new(), Vec::new(), Vec::new());
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        for i in 0..rows {
            let len = next() % 10;
            let mut cols: Vec<u32> = (0..len).map(|_| (next() % n) as u32).collect();
            cols.sort_unstable();
            cols.dedup();
            for &j in &cols {
                indices.push(j);
                values.push((next() % 1000) as f64 / 997.0 - 0.4);
            }
            indptr.push(indices.len());
            y.push(if i % 3 == 0 { 1.0 } else { -1.0 });
        }
        let x = CsrMatrix::new((rows, n), indptr, indices, values);
        Arc::new(BinaryDataset::new(x, y).unwrap())
    }

    /// The passes give, bit for bit, the formulas evaluated row by row with
    /// the separate `log1pexp` and `sigmoid` (shards not starting at row 0,
    /// rows of unequal length, empty rows).
    #[test]
    fn the_passes_equal_the_row_by_row_formulas() {
        for (start, rows) in [(0, 1), (0, 2), (0, 7), (0, 30), (0, 31), (3, 30), (4, 30)] {
            let d = data(rows);
            let n = d.cols();
            let shard = LogisticShard::new(d.clone(), start..rows, 1.7).unwrap();
            let w: Vec<f64> = (0..n).map(|j| 0.3 * (j as f64).sin()).collect();
            let v: Vec<f64> = (0..n).map(|j| (j as f64 * 0.7).cos()).collect();

            let mut margins = shard.new_cache();
            let mut grad = vec![0.25; n];
            let f = shard.value_grad(&w, &mut margins, &mut grad);
            let mut want_grad = vec![0.25; n];
            let mut want_f = 0.0;
            for i in start..rows {
                let (idx, val) = shard.row(i);
                let m = d.y()[i] * sparse_dot(idx, val, &w);
                assert_eq!(margins[i - start].to_bits(), m.to_bits(), "margin {i}");
                want_f += log1pexp(-m);
                sparse_axpy(-1.7 * sigmoid(-m) * d.y()[i], idx, val, &mut want_grad);
            }
            assert_eq!(f.to_bits(), (1.7 * want_f).to_bits(), "{start}..{rows}");
            assert_eq!(grad, want_grad);

            let prepared = shard.prepare(&w, &margins, true);
            let mut hv = vec![-1.0; n];
            shard.hvp(&prepared, &v, &mut hv);
            let mut want_hv = vec![-1.0; n];
            for (i, &cd) in (start..rows).zip(&prepared.cd) {
                let (idx, val) = shard.row(i);
                sparse_axpy(cd * sparse_dot(idx, val, &v), idx, val, &mut want_hv);
            }
            for (a, b) in hv.iter().zip(&want_hv) {
                assert_eq!(a.to_bits(), b.to_bits(), "{start}..{rows}");
            }
        }
    }
}
