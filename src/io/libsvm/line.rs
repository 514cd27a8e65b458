//! One LIBSVM line by the format's rules (the [module rules](super)): the
//! reference parser, which every other reader of the crate must agree with
//! byte for byte, result and error alike.
//!
//! [`parse_line`] reads a line token by token with the standard library's
//! number parsing; it is the slow path of the chunked reader
//! ([`super::chunked`]), taken for every line the fast parser
//! ([`super::fast`]) declines, and the whole of [`super::read_libsvm_serial`].

use crate::error::{Error, Result};

/// Parsed rows: labels, CSR row ends, column indices (0-based), values and
/// the number of columns seen (the largest 1-based index).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rows {
    pub labels: Vec<f64>,
    /// Row ends, starting with 0: `indptr.len() == labels.len() + 1`.
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub data: Vec<f64>,
    pub ncols: usize,
}

impl Rows {
    pub fn new() -> Self {
        Self {
            labels: Vec::new(),
            indptr: vec![0],
            indices: Vec::new(),
            data: Vec::new(),
            ncols: 0,
        }
    }

    /// Empties the rows, keeping the vectors' capacity.
    pub fn clear(&mut self) {
        self.labels.clear();
        self.indptr.clear();
        self.indptr.push(0);
        self.indices.clear();
        self.data.clear();
        self.ncols = 0;
    }

    /// Ends the row begun at `indices.len()` before its pairs were pushed.
    pub fn finish_row(&mut self, label: f64, last_index: Option<u32>) -> Result<()> {
        crate::memory::try_grow(&mut self.labels, "the LIBSVM labels")?;
        crate::memory::try_grow(&mut self.indptr, "the LIBSVM row pointers")?;
        self.labels.push(label);
        self.indptr.push(self.indices.len());
        if let Some(p) = last_index {
            self.ncols = self.ncols.max(p as usize);
        }
        Ok(())
    }

    /// Removes the pairs pushed after `row_start` (a row left unfinished).
    pub fn truncate_pairs(&mut self, row_start: usize) {
        self.indices.truncate(row_start);
        self.data.truncate(row_start);
    }
}

pub(crate) fn parse_err(line: usize, reason: impl Into<String>) -> Error {
    Error::Parse {
        line,
        reason: reason.into(),
    }
}

/// A short, printable excerpt of a token for error messages.
fn show(tok: &[u8]) -> String {
    let s = String::from_utf8_lossy(&tok[..tok.len().min(40)]).into_owned();
    if tok.len() > 40 {
        format!("{s}...")
    } else {
        s
    }
}

fn parse_f64(tok: &[u8], line: usize, what: &str) -> Result<f64> {
    let s = std::str::from_utf8(tok)
        .map_err(|_| parse_err(line, format!("{what} `{}` is not valid UTF-8", show(tok))))?;
    let v: f64 = s
        .parse()
        .map_err(|_| parse_err(line, format!("{what} `{}` is not a number", show(tok))))?;
    if !v.is_finite() {
        return Err(parse_err(
            line,
            format!("{what} `{}` is not finite", show(tok)),
        ));
    }
    Ok(v)
}

/// A 1-based index in `1..=u32::MAX`.
fn parse_index(tok: &[u8], line: usize) -> Result<u32> {
    if tok.is_empty() || tok.len() > 20 || !tok.iter().all(u8::is_ascii_digit) {
        return Err(parse_err(
            line,
            format!("feature index `{}` is not a positive integer", show(tok)),
        ));
    }
    let mut v: u64 = 0;
    for &b in tok {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or_else(|| {
                parse_err(line, format!("feature index `{}` is too large", show(tok)))
            })?;
    }
    if v == 0 {
        return Err(parse_err(
            line,
            "feature indices are 1-based; found index 0",
        ));
    }
    u32::try_from(v).map_err(|_| {
        parse_err(
            line,
            format!("feature index {v} exceeds the 32-bit limit {}", u32::MAX),
        )
    })
}

/// The line-length error of line `line_no` for the limit `max`.
pub(crate) fn too_long(line_no: usize, max: usize) -> Error {
    parse_err(
        line_no,
        format!("line is longer than {max} bytes (the limit of the reader)"),
    )
}

/// Parses line `line_no` (its bytes, with or without the `\n`) into `out`:
/// one row, or nothing for a line blank after its comment. On an error
/// `out` is as before the call.
pub(crate) fn parse_line(line: &[u8], line_no: usize, out: &mut Rows) -> Result<()> {
    let mut line = line;
    if let Some(p) = line.iter().position(|&b| b == b'#') {
        line = &line[..p];
    }
    let mut tokens = line
        .split(|&b| b == b' ' || b == b'\t' || b == b'\n' || b == b'\r')
        .filter(|t| !t.is_empty());
    let Some(label_tok) = tokens.next() else {
        return Ok(()); // blank line
    };
    // `+ 0.0` turns −0 into +0: one class, whatever the sign of zero.
    let label = parse_f64(label_tok, line_no, "label")? + 0.0;
    let row_start = out.indices.len();
    let mut prev: Option<u32> = None;
    let pairs = (|| {
        for tok in tokens {
            let colon = tok.iter().position(|&b| b == b':').ok_or_else(|| {
                parse_err(
                    line_no,
                    format!("expected `index:value`, found `{}`", show(tok)),
                )
            })?;
            let idx = parse_index(&tok[..colon], line_no)?;
            let val = parse_f64(&tok[colon + 1..], line_no, "feature value")?;
            if let Some(p) = prev {
                if idx <= p {
                    return Err(parse_err(
                        line_no,
                        if idx == p {
                            format!("feature index {idx} appears twice")
                        } else {
                            format!("feature indices must be increasing: {idx} after {p}")
                        },
                    ));
                }
            }
            prev = Some(idx);
            crate::memory::try_grow(&mut out.indices, "the LIBSVM column indices")?;
            crate::memory::try_grow(&mut out.data, "the LIBSVM values")?;
            out.indices.push(idx - 1);
            out.data.push(val);
        }
        Ok(())
    })();
    match pairs.and_then(|()| out.finish_row(label, prev)) {
        Ok(()) => Ok(()),
        Err(e) => {
            out.truncate_pairs(row_start);
            Err(e)
        }
    }
}
