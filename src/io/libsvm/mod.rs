//! The LIBSVM / SVMlight sparse text format: a streaming reader and a writer.
//!
//! One example per line:
//!
//! ```text
//! <label> <index>:<value> <index>:<value> ...
//! ```
//!
//! Rules (those of LIBSVM and LIBLINEAR's `read_problem`, Chang & Lin 2011;
//! Fan et al. 2008):
//! * the label is a finite number (`+1`, `-1`, `0`, `1`, `2.5`, …);
//! * indices are **1-based**, decimal, at most `u32::MAX`, and **strictly
//!   increasing** within a line (an unsorted or repeated index is an error,
//!   not silently reordered or summed);
//! * values are finite numbers (`nan`, `inf` are errors); explicit zeros are
//!   kept;
//! * tokens are separated by spaces or tabs; `\r\n` line ends are accepted;
//!   a `#` starts a comment that runs to the end of the line (SVMlight);
//!   lines that are blank after removing the comment are skipped.
//!
//! Any violation is an [`Error::Parse`] with the 1-based line number and the
//! reason; the reader never panics on any input (a property test feeds it
//! arbitrary bytes). [`read_libsvm`] streams in blocks of 16 MiB, parsed in
//! parallel chunks: besides the growing CSR arrays it holds two blocks of
//! text and their parsed rows (about 100 MiB), so a file of 10⁹ bytes needs
//! about 12 bytes per nonzero of memory. Its result, and its error on a malformed
//! file, are those of the line-at-a-time reference [`read_libsvm_serial`]
//! for any thread count (tested on random text).
//!
//! Labels are returned as read, except that `-0` is read as `0` (one
//! class, in `train` and `predict` alike);
//! [`crate::problems::sparse_logistic::BinaryDataset`] maps any two
//! distinct values to ±1.
//!
//! A line may hold at most [`MAX_LINE_BYTES`] bytes: a longer one (a file
//! without line ends such as `/dev/zero`) is an [`Error::Parse`] with its
//! line number after reading that many bytes, not an unbounded buffer. The
//! CSR arrays grow with `try_reserve`: an allocation refused is an
//! [`Error::OutOfMemory`], not an abort.

use std::io::{BufRead, Write};
use std::path::Path;

use crate::error::{Error, Result};

mod chunked;
mod fast;
mod line;

use line::Rows;

/// A sparse matrix in compressed sparse row form with 32-bit column indices
/// and `usize` row pointers (`sprs`), the storage of every sparse data set in
/// this crate.
pub type CsrMatrix = sprs::CsMatI<f64, u32, usize>;

/// The contents of a LIBSVM file: one label per row and the rows as CSR.
#[derive(Debug, Clone, PartialEq)]
pub struct LibsvmData {
    /// The labels, as read.
    pub labels: Vec<f64>,
    /// The examples, `labels.len()` rows by (largest index) columns.
    pub x: CsrMatrix,
}

/// The longest line the readers accept, in bytes (64 MiB: about five
/// million `index:value` pairs).
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Reads one line (up to and including `\n`) into `buf`, which is cleared
/// first; at most `max` bytes. `Ok(0)` at the end of the stream. A line
/// longer than `max` is an [`Error::Parse`] naming `line_no`.
pub(crate) fn read_line_bounded<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
    line_no: usize,
) -> Result<usize> {
    buf.clear();
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        if available.is_empty() {
            return Ok(buf.len());
        }
        let (take, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if buf.len() + take > max {
            return Err(line::too_long(line_no, max));
        }
        buf.extend_from_slice(&available[..take]);
        reader.consume(take);
        if done {
            return Ok(buf.len());
        }
    }
}

/// Reads a LIBSVM-format stream (see the [module rules](self)), in
/// parallel chunks on rayon's current thread pool.
///
/// The matrix has as many columns as the largest index found (0 if there
/// are no features). An empty stream gives 0 rows. The result and any
/// error are those of [`read_libsvm_serial`], for every thread count.
pub fn read_libsvm<R: BufRead>(reader: R) -> Result<LibsvmData> {
    read_libsvm_bounded(reader, MAX_LINE_BYTES)
}

/// [`read_libsvm`] with another line-length limit than [`MAX_LINE_BYTES`].
pub fn read_libsvm_bounded<R: BufRead>(reader: R, max_line: usize) -> Result<LibsvmData> {
    into_data(chunked::read(reader, chunked::Sizes::new(max_line))?)
}

/// The reference reader: one line at a time, on the calling thread, with
/// the standard library's number parsing. [`read_libsvm`] gives the same
/// result faster; this one holds only one line of text at a time.
pub fn read_libsvm_serial<R: BufRead>(mut reader: R, max_line: usize) -> Result<LibsvmData> {
    let mut rows = Rows::new();
    let mut buf = Vec::with_capacity(1 << 12);
    let mut line_no = 0usize;
    loop {
        let read = read_line_bounded(&mut reader, &mut buf, max_line, line_no + 1)?;
        if read == 0 {
            break;
        }
        line_no += 1;
        line::parse_line(&buf, line_no, &mut rows)?;
    }
    into_data(rows)
}

/// The CSR matrix of parsed rows.
fn into_data(rows: Rows) -> Result<LibsvmData> {
    let Rows {
        labels,
        indptr,
        indices,
        data,
        ncols,
    } = rows;
    let x = CsrMatrix::try_new((labels.len(), ncols), indptr, indices, data)
        .map_err(|(_, _, _, e)| Error::InvalidInput(format!("LIBSVM data: {e}")))?;
    Ok(LibsvmData { labels, x })
}

/// Reads a LIBSVM file (see [`read_libsvm`]); I/O failures are
/// [`Error::Io`] with the path.
pub fn read_libsvm_file(path: impl AsRef<Path>) -> Result<LibsvmData> {
    let path = path.as_ref();
    let f = std::fs::File::open(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    into_data(chunked::read(f, chunked::Sizes::new(MAX_LINE_BYTES))?)
        .map_err(|e| name_io_error(path, e))
}

/// An [`Error::Io`] met while reading `path` (a directory, a device error)
/// names the path; other errors are returned as they are.
pub(crate) fn name_io_error(path: &Path, e: Error) -> Error {
    match e {
        Error::Io(m) if !m.contains(&path.display().to_string()) => {
            Error::Io(format!("{}: {m}", path.display()))
        }
        other => other,
    }
}

/// Writes one example line (label, then `index:value` pairs with 1-based
/// indices) without allocating.
///
/// Labels ±1 are written `+1` / `-1`; other numbers and all values use
/// Rust's shortest representation that reads back to the same `f64`, so a
/// write followed by a read is exact.
pub fn write_row<W: Write>(out: &mut W, label: f64, indices: &[u32], values: &[f64]) -> Result<()> {
    if !label.is_finite() {
        return Err(Error::InvalidInput(format!("label {label} is not finite")));
    }
    // Labels are exact codes, not measurements: compare exactly.
    if label.total_cmp(&1.0).is_eq() {
        out.write_all(b"+1")?;
    } else if label.total_cmp(&-1.0).is_eq() {
        out.write_all(b"-1")?;
    } else {
        write!(out, "{label}")?;
    }
    for (&j, &v) in indices.iter().zip(values) {
        if !v.is_finite() {
            return Err(Error::InvalidInput(format!(
                "value {v} in column {j} is not finite"
            )));
        }
        write!(out, " {}:{}", u64::from(j) + 1, v)?;
    }
    out.write_all(b"\n")?;
    Ok(())
}

/// Writes `labels` and the CSR rows of `x` in LIBSVM format.
///
/// Errors: a label count different from the row count
/// ([`Error::DimensionMismatch`]), a matrix in CSC storage or non-finite
/// numbers ([`Error::InvalidInput`]), or an I/O failure.
pub fn write_libsvm<W: Write>(mut out: W, labels: &[f64], x: &CsrMatrix) -> Result<()> {
    crate::error::check_dim("LIBSVM labels", x.rows(), labels.len())?;
    if !x.is_csr() {
        return Err(Error::InvalidInput(
            "write_libsvm needs a CSR matrix".into(),
        ));
    }
    let ip = x.indptr();
    let ip = ip.raw_storage();
    for (i, &label) in labels.iter().enumerate() {
        let r = ip[i]..ip[i + 1];
        write_row(&mut out, label, &x.indices()[r.clone()], &x.data()[r])?;
    }
    out.flush()?;
    Ok(())
}
