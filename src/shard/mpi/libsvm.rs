//! A LIBSVM file read by many ranks, each its own byte range, and LIBLINEAR's
//! logistic regression on it as an [`MpiSum`] whose results equal the
//! single-process [`crate::problems::sparse_logistic::l2_logistic_with_shards`]
//! bit for bit.
//!
//! 1. [`byte_range`]: rank r of P takes the bytes from the first line start
//!    at or after `r·size/P` to the first line start at or after
//!    `(r+1)·size/P`, so the ranges split the file at line boundaries and
//!    every line is read by exactly one rank.
//! 2. [`read_part`] parses that range with the single-process reader
//!    ([`crate::io::read_libsvm`]); a malformed line's number is made
//!    global (the newlines before the range are counted, on the error path
//!    only) and the error is agreed by all ranks ([`super::agree`]). The
//!    number of columns n is the largest index over all ranks.
//! 3. [`logistic`] decides the classes over all ranks (the first three
//!    distinct labels in file order, as the single-process reader finds
//!    them), computes the single-process shard boundaries from the global
//!    row weights without gathering them (each boundary is found by the
//!    rank holding it), gives rank r the shards `r·S/P .. (r+1)·S/P`, and
//!    moves the rows whose shard lives on another rank there (one
//!    `MPI_Alltoallv` per array). Each shard then holds exactly the rows of
//!    the single-process shard, so every shard's contribution is computed
//!    by the same loop on the same numbers, and the ordered chain adds them
//!    in the same order.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use mpi::collective::SystemOperation;
use mpi::datatype::{Partition, PartitionMut};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use mpi::Count;

use super::{agree, MpiSum};
use crate::error::{Error, Result};
use crate::io::libsvm::{read_libsvm, CsrMatrix, LibsvmData};
use crate::problems::sparse_logistic::{
    binary_classes, default_shard_count, first_distinct_labels, shard_target, BinaryDataset,
    LogisticShard, LIBLINEAR_PRECOND_WEIGHT,
};

/// The first line start at or after `offset` in `file` (`offset` itself
/// when it is 0 or follows a `\n`; the file's length when no line starts
/// after it).
fn line_start_at<F: Read + Seek>(file: &mut F, offset: u64, len: u64) -> Result<u64> {
    if offset == 0 || offset >= len {
        return Ok(offset.min(len));
    }
    file.seek(SeekFrom::Start(offset - 1))?;
    let mut r = BufReader::with_capacity(1 << 16, file);
    let mut pos = offset - 1;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(len);
        }
        if let Some(i) = buf.iter().position(|&b| b == b'\n') {
            return Ok(pos + i as u64 + 1);
        }
        let k = buf.len();
        pos += k as u64;
        r.consume(k);
    }
}

/// The byte range of `rank` out of `size` in a file of `len` bytes (see
/// the [module documentation](self)); the ranges of ranks 0..size
/// partition `0..len` at line starts.
pub fn byte_range<F: Read + Seek>(
    file: &mut F,
    len: u64,
    rank: usize,
    size: usize,
) -> Result<Range<u64>> {
    let nominal = |r: usize| (u128::from(len) * r as u128 / size as u128) as u64;
    let start = line_start_at(file, nominal(rank), len)?;
    let end = line_start_at(file, nominal(rank + 1), len)?;
    Ok(start..end.max(start))
}

/// This rank's rows of a LIBSVM file read by all ranks.
#[derive(Debug, Clone)]
pub struct LibsvmPart {
    /// The labels and rows of this rank's byte range, with n columns (the
    /// largest index over all ranks).
    pub data: LibsvmData,
    /// The global index of this rank's first row.
    pub first_row: usize,
    /// The number of rows over all ranks.
    pub total_rows: usize,
    /// The number of nonzeros over all ranks.
    pub total_nnz: usize,
    /// This rank's bytes of the file.
    pub bytes: Range<u64>,
}

/// Counts the `\n` bytes in `0..end` of `file` (to make a line number of a
/// rank's range global).
fn newlines_before<F: Read + Seek>(file: &mut F, end: u64) -> Result<usize> {
    file.seek(SeekFrom::Start(0))?;
    let mut r = BufReader::with_capacity(1 << 20, file.take(end));
    let mut count = 0;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(count);
        }
        count += buf.iter().filter(|&&b| b == b'\n').count();
        let k = buf.len();
        r.consume(k);
    }
}

/// Reads this rank's byte range of the LIBSVM file `path` (collective).
///
/// Every rank returns the same error if any rank fails: a malformed line
/// is the [`Error::Parse`] of the single-process reader with the line
/// number counted from the start of the file (the lowest such line over
/// the ranks); an I/O failure is [`Error::Io`] with the path.
pub fn read_part(comm: &SimpleCommunicator, path: &Path) -> Result<LibsvmPart> {
    let rank = comm.rank() as usize;
    let size = comm.size() as usize;
    let local = (|| {
        let io = |e: std::io::Error| Error::Io(format!("{}: {e}", path.display()));
        let mut f = std::fs::File::open(path).map_err(io)?;
        let len = f.metadata().map_err(io)?.len();
        let bytes = byte_range(&mut f, len, rank, size)
            .map_err(|e| crate::io::libsvm::name_io_error(path, e))?;
        f.seek(SeekFrom::Start(bytes.start)).map_err(io)?;
        let reader = BufReader::with_capacity(1 << 20, (&mut f).take(bytes.end - bytes.start));
        match read_libsvm(reader) {
            Ok(d) => Ok((d, bytes)),
            Err(Error::Parse { line, reason }) => {
                let before = newlines_before(&mut f, bytes.start)?;
                Err(Error::Parse {
                    line: line + before,
                    reason,
                })
            }
            Err(e) => Err(crate::io::libsvm::name_io_error(path, e)),
        }
    })();
    let (data, bytes) = agree(comm, local)?;
    let rows = data.labels.len() as u64;
    let mut all_rows = vec![0u64; size];
    comm.all_gather_into(&rows, &mut all_rows[..]);
    let first_row = all_rows[..rank].iter().sum::<u64>() as usize;
    let total_rows = all_rows.iter().sum::<u64>() as usize;
    let mut n = data.x.cols() as u64;
    let mine = n;
    comm.all_reduce_into(&mine, &mut n, SystemOperation::max());
    let mut total_nnz = data.x.nnz() as u64;
    let mine = total_nnz;
    comm.all_reduce_into(&mine, &mut total_nnz, SystemOperation::sum());
    let data = agree(comm, with_cols(data, n as usize))?;
    Ok(LibsvmPart {
        data,
        first_row,
        total_rows,
        total_nnz: total_nnz as usize,
        bytes,
    })
}

/// The same rows with `cols` columns (≥ the largest index).
fn with_cols(data: LibsvmData, cols: usize) -> Result<LibsvmData> {
    let rows = data.x.rows();
    let (indptr, indices, values) = data.x.into_raw_storage();
    let x = CsrMatrix::try_new((rows, cols), indptr, indices, values)
        .map_err(|(_, _, _, e)| Error::InvalidInput(format!("LIBSVM data: {e}")))?;
    Ok(LibsvmData {
        labels: data.labels,
        x,
    })
}

/// The classes `(neg, pos)` over all ranks (collective): the first three
/// distinct labels in file order decide, as in
/// [`BinaryDataset::from_labels`] on the whole file.
pub fn classes(comm: &SimpleCommunicator, labels: &[f64]) -> Result<(f64, f64)> {
    let size = comm.size() as usize;
    let local = agree(comm, first_distinct_labels(labels))?;
    let mut mine = [f64::NAN; 4];
    mine[0] = local.len() as f64;
    mine[1..1 + local.len()].copy_from_slice(&local);
    let mut all = vec![0.0f64; 4 * size];
    comm.all_gather_into(&mine[..], &mut all[..]);
    let mut distinct: Vec<f64> = Vec::with_capacity(3);
    for part in all.chunks(4) {
        for &l in &part[1..1 + part[0] as usize] {
            if distinct.len() < 3 && !distinct.iter().any(|d| d.total_cmp(&l).is_eq()) {
                distinct.push(l);
            }
        }
    }
    binary_classes(&distinct)
}

/// The logistic problem of [`logistic`] on one rank, with the global
/// sizes a report needs.
#[derive(Debug)]
pub struct DistributedLogistic {
    /// The objective (collective).
    pub objective: MpiSum<LogisticShard>,
    /// This rank's rows (those of its shards), labels ±1.
    pub data: Arc<BinaryDataset>,
    /// Rows over all ranks.
    pub rows: usize,
    /// Columns n.
    pub cols: usize,
    /// Nonzeros over all ranks.
    pub nnz: usize,
    /// Positive and negative examples over all ranks.
    pub class_counts: (usize, usize),
    /// The number of shards over all ranks.
    pub shards: usize,
    /// The global rows held here after the redistribution.
    pub rows_held: Range<usize>,
}

/// The global shard row ranges of
/// [`crate::problems::sparse_logistic::LogisticShard::partition`] for
/// `count` shards, computed from this rank's rows of a file split over the
/// ranks (collective): every rank finds the boundaries whose weight target
/// falls inside its rows, and the boundaries are combined with one
/// reduction of `count` integers.
#[allow(clippy::needless_range_loop)] // k indexes several per-rank arrays
fn global_boundaries(
    comm: &SimpleCommunicator,
    part: &LibsvmPart,
    count: usize,
) -> Vec<Range<usize>> {
    let l = part.total_rows;
    let count = count.clamp(1, l.max(1));
    let total = part.total_nnz + l;
    // The weight before this rank's first row: nonzeros plus rows.
    let local_nnz = part.data.x.nnz() as u64;
    let size = comm.size() as usize;
    let mut all_nnz = vec![0u64; size];
    comm.all_gather_into(&local_nnz, &mut all_nnz[..]);
    let rank = comm.rank() as usize;
    let base = all_nnz[..rank].iter().sum::<u64>() as usize + part.first_row;
    let ip = part.data.x.indptr();
    let ip = ip.raw_storage();
    let rows = part.data.labels.len();
    // weight_before(first_row + i) for i in 0..=rows.
    let w = |i: usize| base + (ip[i] - ip[0]) + i;
    // E_k = min{e : weight_before(e) ≥ target_k}, found by the rank with
    // first_row < E_k ≤ first_row + rows.
    let mut found = vec![0u64; count];
    for (k, slot) in found.iter_mut().enumerate().take(count.saturating_sub(1)) {
        let target = shard_target(total, k, count);
        if rows == 0 || (w(rows) as u128) < target || (w(0) as u128) >= target {
            continue;
        }
        // w(0) < target ≤ w(rows): the first i ≥ 1 with w(i) ≥ target.
        let (mut lo, mut hi) = (0usize, rows);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if (w(mid) as u128) >= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        *slot = (part.first_row + hi) as u64;
    }
    let mut e = vec![0u64; count];
    comm.all_reduce_into(&found[..], &mut e[..], SystemOperation::max());
    // The sequential rule of `shard_boundaries`: e_k kept in
    // start+1 ..= l − (count − k − 1).
    let mut out = Vec::with_capacity(count);
    let mut start = 0usize;
    for k in 0..count {
        let end = if k + 1 == count {
            l
        } else {
            (e[k] as usize).max(start + 1).min(l - (count - k - 1))
        };
        out.push(start..end);
        start = end;
    }
    out
}

/// Sends rows between ranks so that this rank holds global rows
/// `wants[rank]` (collective; the `wants` ranges partition the rows in rank
/// order, as the read ranges do). Only the rows that change rank move (one
/// `MPI_Alltoallv` per array, the rank's own count 0); the rows that stay
/// are kept in the arrays they were read into (trimmed in place), so the
/// peak memory is the rank's part plus the rows it receives, not twice the
/// part.
fn redistribute(
    comm: &SimpleCommunicator,
    part: LibsvmPart,
    wants: &[Range<usize>],
) -> (Vec<f64>, Vec<usize>, Vec<u32>, Vec<f64>) {
    let size = comm.size() as usize;
    let rank = comm.rank() as usize;
    let have = part.first_row..part.first_row + part.data.labels.len();
    let overlap = |a: &Range<usize>, b: &Range<usize>| {
        let lo = a.start.max(b.start);
        lo..a.end.min(b.end).max(lo)
    };
    let local = |o: Range<usize>| {
        if o.is_empty() {
            0..0
        } else {
            o.start - have.start..o.end - have.start
        }
    };
    // Rows sent to rank s: have ∩ wants[s] (local indices), none to itself.
    let send_rows: Vec<Range<usize>> = wants
        .iter()
        .enumerate()
        .map(|(s, w)| {
            if s == rank {
                0..0
            } else {
                local(overlap(&have, w))
            }
        })
        .collect();
    let keep = local(overlap(&have, &wants[rank]));
    // Rows received from rank s: wants[rank] ∩ have_s.
    let mut all_have = vec![0u64; 2 * size];
    let mine = [have.start as u64, have.end as u64];
    comm.all_gather_into(&mine[..], &mut all_have[..]);
    let recv_rows: Vec<Range<usize>> = all_have
        .chunks(2)
        .enumerate()
        .map(|(s, h)| {
            if s == rank {
                0..0
            } else {
                overlap(&wants[rank], &(h[0] as usize..h[1] as usize))
            }
        })
        .collect();
    let counts =
        |rs: &[Range<usize>]| -> Vec<Count> { rs.iter().map(|r| r.len() as Count).collect() };
    let starts =
        |rs: &[Range<usize>]| -> Vec<Count> { rs.iter().map(|r| r.start as Count).collect() };
    let displs = |c: &[Count]| -> Vec<Count> {
        c.iter()
            .scan(0, |acc, &x| {
                let d = *acc;
                *acc += x;
                Some(d)
            })
            .collect()
    };
    let (mut labels, x) = (part.data.labels, part.data.x);
    let (ip, mut indices, mut values) = x.into_raw_storage();
    // Labels and row lengths.
    let sc = counts(&send_rows);
    let sd = starts(&send_rows);
    let rc = counts(&recv_rows);
    let rd = displs(&rc);
    let nrecv: usize = rc.iter().map(|&c| c as usize).sum();
    let mut rlabels = vec![0.0f64; nrecv];
    comm.all_to_all_varcount_into(
        &Partition::new(&labels[..], &sc[..], &sd[..]),
        &mut PartitionMut::new(&mut rlabels[..], &rc[..], &rd[..]),
    );
    let lens: Vec<u64> = ip.windows(2).map(|w| (w[1] - w[0]) as u64).collect();
    let mut rlens = vec![0u64; nrecv];
    comm.all_to_all_varcount_into(
        &Partition::new(&lens[..], &sc[..], &sd[..]),
        &mut PartitionMut::new(&mut rlens[..], &rc[..], &rd[..]),
    );
    // Nonzeros.
    let nz_sc: Vec<Count> = send_rows
        .iter()
        .map(|r| (ip[r.end] - ip[r.start]) as Count)
        .collect();
    let nz_sd: Vec<Count> = send_rows
        .iter()
        .map(|r| (ip[r.start] - ip[0]) as Count)
        .collect();
    let mut nz_rc = Vec::with_capacity(size);
    let mut at = 0usize;
    for &c in &rc {
        let c = c as usize;
        nz_rc.push(rlens[at..at + c].iter().sum::<u64>() as Count);
        at += c;
    }
    let nz_rd = displs(&nz_rc);
    let nnz_recv: usize = nz_rc.iter().map(|&c| c as usize).sum();
    let mut rindices = vec![0u32; nnz_recv];
    comm.all_to_all_varcount_into(
        &Partition::new(&indices[..], &nz_sc[..], &nz_sd[..]),
        &mut PartitionMut::new(&mut rindices[..], &nz_rc[..], &nz_rd[..]),
    );
    let mut rvalues = vec![0.0f64; nnz_recv];
    comm.all_to_all_varcount_into(
        &Partition::new(&values[..], &nz_sc[..], &nz_sd[..]),
        &mut PartitionMut::new(&mut rvalues[..], &nz_rc[..], &nz_rd[..]),
    );
    // Received rows from lower ranks go before the kept rows, from higher
    // ranks after (the global order).
    let front_rows: usize = rc[..rank].iter().map(|&c| c as usize).sum();
    let front_nz: usize = nz_rc[..rank].iter().map(|&c| c as usize).sum();
    let nz_keep = ip[keep.start] - ip[0]..ip[keep.end] - ip[0];
    let mut indptr = Vec::with_capacity(nrecv + keep.len() + 1);
    indptr.push(0usize);
    let row_lens = rlens[..front_rows]
        .iter()
        .map(|&l| l as usize)
        .chain(lens[keep.clone()].iter().map(|&l| l as usize))
        .chain(rlens[front_rows..].iter().map(|&l| l as usize));
    for len in row_lens {
        let last = *indptr.last().unwrap_or(&0);
        indptr.push(last + len);
    }
    drop(lens);
    assemble(&mut labels, keep, rlabels, front_rows);
    assemble(&mut indices, nz_keep.clone(), rindices, front_nz);
    assemble(&mut values, nz_keep, rvalues, front_nz);
    (labels, indptr, indices, values)
}

/// `received[..front] ++ v[keep] ++ received[front..]`, trimming `v` in
/// place (no second copy of the kept rows).
fn assemble<T>(v: &mut Vec<T>, keep: Range<usize>, mut received: Vec<T>, front: usize) {
    v.truncate(keep.end);
    v.drain(..keep.start);
    let back = received.split_off(front);
    v.splice(0..0, received);
    v.extend(back);
}

/// LIBLINEAR's primal L2 logistic regression `½‖w‖² + C Σ log(1 + exp(−y
/// wᵀx))` over the rows of `part` on every rank (collective), with
/// `shards` shards over all ranks (default
/// [`default_shard_count`] of the whole data, as the single-process
/// `train`), LIBLINEAR's preconditioner offered. Its value, gradient and
/// products equal those of
/// [`crate::problems::sparse_logistic::l2_logistic_with_shards`] on the
/// whole file with the same shard count, bit for bit.
///
/// The data is consumed: after the rows are moved, each rank keeps only
/// the rows of its shards.
///
/// Errors (the same on every rank): as the single-process
/// construction (labels, `c`, empty data).
pub fn logistic(
    comm: &SimpleCommunicator,
    part: LibsvmPart,
    c: f64,
    shards: Option<usize>,
) -> Result<DistributedLogistic> {
    let size = comm.size() as usize;
    let rank = comm.rank() as usize;
    let (neg, pos) = classes(comm, &part.data.labels)?;
    let l = part.total_rows;
    let n = part.data.x.cols();
    let nnz = part.total_nnz;
    let local_pos = part
        .data
        .labels
        .iter()
        .filter(|v| v.total_cmp(&pos).is_eq())
        .count() as u64;
    let mut npos = 0u64;
    comm.all_reduce_into(&local_pos, &mut npos, SystemOperation::sum());
    let count = shards.unwrap_or_else(|| default_shard_count(l, nnz, n));
    if n == 0 || l == 0 {
        return Err(Error::EmptyProblem);
    }
    agree(comm, crate::solvers::config::positive("C", c).map(|_| ()))?;
    let bounds = global_boundaries(comm, &part, count);
    let count = bounds.len();
    let block = |r: usize| r * count / size..(r + 1) * count / size;
    let wants: Vec<Range<usize>> = (0..size)
        .map(|r| {
            let b = block(r);
            if b.is_empty() {
                // No shards: an empty range at the next rank's start.
                let at = if b.start < count {
                    bounds[b.start].start
                } else {
                    l
                };
                at..at
            } else {
                bounds[b.start].start..bounds[b.end - 1].end
            }
        })
        .collect();
    let (labels, indptr, indices, values) = redistribute(comm, part, &wants);
    let mine = wants[rank].clone();
    let local = (|| {
        let x = CsrMatrix::try_new((mine.len(), n), indptr, indices, values)
            .map_err(|(_, _, _, e)| Error::InvalidInput(format!("LIBSVM data: {e}")))?;
        let data = Arc::new(BinaryDataset::with_classes(x, &labels, neg, pos)?);
        let shards = bounds[block(rank)]
            .iter()
            .map(|r| LogisticShard::new(data.clone(), r.start - mine.start..r.end - mine.start, c))
            .collect::<Result<Vec<_>>>()?;
        Ok((data, shards))
    })();
    let (data, local_shards) = agree(comm, local)?;
    let objective = MpiSum::new(comm.duplicate(), local_shards, n)?
        .with_l2(1.0)?
        .with_diagonal_preconditioner(LIBLINEAR_PRECOND_WEIGHT)?;
    let npos = npos as usize;
    Ok(DistributedLogistic {
        objective,
        data,
        rows: l,
        cols: n,
        nnz,
        class_counts: (npos, l - npos),
        shards: count,
        rows_held: mine,
    })
}
