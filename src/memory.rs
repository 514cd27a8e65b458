//! One memory estimate before every large allocation.
//!
//! Every allocation whose size comes from a user or a file (a dimension
//! `--n`, the largest index of a LIBSVM file, a `--cols`, dense Newton's
//! n × n matrices) is estimated first and refused with
//! [`Error::OutOfMemory`] — an error that names what and how many bytes —
//! when the estimate exceeds [`limit`], instead of aborting in the
//! allocator (Rust aborts when `vec![0.0; len]` cannot be allocated).
//! Sizes are multiplied in `u128` with saturation, so no estimate wraps.
//! Buffers that grow with the data as it is read (the CSR arrays of the
//! LIBSVM reader) use `try_reserve` and map a refusal to the same error.
//!
//! The limit is the environment variable `STEIHAUG_MEMORY_LIMIT` (bytes,
//! with an optional `K`, `M`, `G` or `T` suffix, powers of 1024) when set,
//! otherwise the machine's physical memory (`MemTotal` of
//! `/proc/meminfo`), otherwise [`DEFAULT_LIMIT`].

use crate::error::{Error, Result};

/// The limit when neither `STEIHAUG_MEMORY_LIMIT` nor `/proc/meminfo` gives
/// one: 16 GiB.
pub const DEFAULT_LIMIT: u64 = 16 << 30;

/// Bytes of one `f64`.
pub const F64: u128 = 8;

/// Parses a size: decimal bytes with an optional `K`/`M`/`G`/`T` suffix
/// (powers of 1024, case-insensitive, an optional trailing `B` or `iB`).
///
/// ```
/// use steihaug::memory::parse_size;
/// assert_eq!(parse_size("1G"), Some(1 << 30));
/// assert_eq!(parse_size("512"), Some(512));
/// assert_eq!(parse_size("2MiB"), Some(2 << 20));
/// assert_eq!(parse_size("x"), None);
/// ```
pub fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (digits, shift) = match t.chars().last()?.to_ascii_uppercase() {
        'K' => (&t[..t.len() - 1], 10),
        'M' => (&t[..t.len() - 1], 20),
        'G' => (&t[..t.len() - 1], 30),
        'T' => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    let v: u64 = digits.trim().parse().ok()?;
    v.checked_mul(1u64 << shift)
}

/// The physical memory of the machine (`MemTotal` in `/proc/meminfo`).
fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// The memory limit (see the [module documentation](self)). An unparsable
/// `STEIHAUG_MEMORY_LIMIT` is an [`Error::InvalidOption`].
pub fn limit() -> Result<u64> {
    match std::env::var("STEIHAUG_MEMORY_LIMIT") {
        Ok(v) => parse_size(&v).ok_or_else(|| Error::InvalidOption {
            name: "STEIHAUG_MEMORY_LIMIT",
            reason: format!("`{v}` is not a size (bytes, or a number with K, M, G or T)"),
        }),
        Err(_) => Ok(physical_memory().unwrap_or(DEFAULT_LIMIT)),
    }
}

/// `bytes` in the largest binary unit that keeps the number ≥ 1.
pub fn human(bytes: u128) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// `count` items of `size` bytes, saturating.
pub fn bytes_of(count: u128, size: u128) -> u128 {
    count.saturating_mul(size)
}

/// n-vectors a matrix-free solve holds, counted generously: the point,
/// the gradient, the trial point and its gradient, the step, the Krylov
/// workspace (residual, preconditioned residual, direction, product), the
/// Jacobi diagonal, the start point and the problem's own per-point
/// vectors.
pub const SOLVER_VECTORS: u128 = 20;

/// The memory estimate of a solve of dimension `n` by `method`:
/// [`SOLVER_VECTORS`] n-vectors, plus dense Newton's n × n matrices
/// ([`crate::solvers::dense_newton::dense_bytes`]).
///
/// ```
/// use steihaug::{memory::solver_bytes, Method};
/// assert_eq!(solver_bytes(Method::TrustRegion, 1000), 20 * 8 * 1000);
/// assert_eq!(solver_bytes(Method::DenseNewton, 1000), 20 * 8 * 1000 + 3 * 8 * 1000 * 1000);
/// ```
pub fn solver_bytes(method: crate::Method, n: usize) -> u128 {
    let vectors = bytes_of((n as u128).saturating_mul(SOLVER_VECTORS), F64);
    match method {
        crate::Method::DenseNewton => {
            vectors.saturating_add(crate::solvers::dense_newton::dense_bytes(n))
        }
        _ => vectors,
    }
}

/// Refuses `bytes` for `what` when they exceed `limit`.
///
/// ```
/// use steihaug::memory::check_against;
/// assert!(check_against("x", 10, 10).is_ok());
/// let e = check_against("the point", 11, 10).unwrap_err();
/// assert!(e.to_string().contains("the point") && e.to_string().contains("11 bytes"));
/// ```
pub fn check_against(what: &str, bytes: u128, limit: u64) -> Result<()> {
    if bytes > u128::from(limit) {
        return Err(Error::OutOfMemory {
            what: what.into(),
            bytes,
            limit,
        });
    }
    Ok(())
}

/// Refuses `bytes` for `what` when they exceed [`limit`].
pub fn check(what: &str, bytes: u128) -> Result<()> {
    check_against(what, bytes, limit()?)
}

/// The error for a `try_reserve` that failed while `what` grew by
/// `additional` items of `size` bytes beyond `len`.
pub fn reserve_error(what: &str, len: usize, additional: usize, size: usize) -> Error {
    Error::OutOfMemory {
        what: what.into(),
        bytes: bytes_of(
            (len as u128).saturating_add(additional as u128),
            size as u128,
        ),
        limit: limit().unwrap_or(DEFAULT_LIMIT),
    }
}

/// Grows `v` for one more element, with a typed error instead of an abort
/// (amortized doubling, as `push`).
pub fn try_grow<T>(v: &mut Vec<T>, what: &str) -> Result<()> {
    if v.len() == v.capacity() {
        let add = v.len().max(1024);
        v.try_reserve(add)
            .map_err(|_| reserve_error(what, v.len(), add, std::mem::size_of::<T>()))?;
    }
    Ok(())
}

/// A vector of `len` zeros after the estimate, with `try_reserve_exact`.
pub fn try_zeros(len: usize, what: &str) -> Result<Vec<f64>> {
    check(what, bytes_of(len as u128, F64))?;
    let mut v = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| reserve_error(what, 0, len, 8))?;
    v.resize(len, 0.0);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_overflow_is_none() {
        assert_eq!(parse_size("0"), Some(0));
        assert_eq!(parse_size("3k"), Some(3 << 10));
        assert_eq!(parse_size("1T"), Some(1 << 40));
        assert_eq!(parse_size("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_size("17179869184G"), None);
        assert_eq!(parse_size(""), None);
        assert_eq!(parse_size("-1"), None);
    }

    #[test]
    fn the_error_names_what_and_size_and_saturates() {
        match check_against("dense Newton", u128::MAX, 1 << 30) {
            Err(Error::OutOfMemory { what, bytes, limit }) => {
                assert_eq!(what, "dense Newton");
                assert_eq!(bytes, u128::MAX);
                assert_eq!(limit, 1 << 30);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(bytes_of(u128::MAX, 8), u128::MAX);
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(10), "10 B");
    }
}
