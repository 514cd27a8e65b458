//! The fast path of the LIBSVM reader: a byte-level parser for the common
//! shape of a line (`label index:value ...` with plain decimal numbers),
//! which declines everything else to the reference parser
//! ([`super::line::parse_line`]).
//!
//! Numbers are converted exactly: a decimal `±m·10^e` with integer
//! mantissa m ≤ 2⁵³ and |e| ≤ 22 is `m` times or divided by `10^|e|`, both
//! exact doubles, so the single correctly rounded IEEE operation gives the
//! correctly rounded value of the decimal (Clinger 1990, "How to read
//! floating point numbers accurately", the fast path), which is the value
//! the standard library's parser returns. Other decimals go to the
//! standard library's parser. The fast path therefore gives bit for bit the
//! reference parser's rows; a test compares the two on random text.

use super::line::Rows;

/// 10^0 ..= 10^22, each exactly representable.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

#[inline]
fn is_sep(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r'
}

#[inline]
fn skip_sep(line: &[u8], mut i: usize) -> usize {
    while i < line.len() && is_sep(line[i]) {
        i += 1;
    }
    i
}

/// A number `[+-]? digits [. digits] [(e|E) [+-]? digits]` (at least one
/// mantissa digit) starting at `i` and ending at a separator or the end of
/// the line: its finite value and the index after it, or `None` for
/// anything else (left to the reference parser).
#[inline]
pub(crate) fn number(line: &[u8], mut i: usize) -> Option<(f64, usize)> {
    let start = i;
    let neg;
    (neg, i) = sign(line, i);
    // One pass over the digits; past 19 digits the mantissa wraps, and it
    // is then not used (the standard parser decides).
    let mut mant: u64 = 0;
    let int_start = i;
    i = accumulate(line, i, &mut mant);
    let mut count = i - int_start;
    let mut exp10: i64 = 0;
    if line.get(i) == Some(&b'.') {
        let frac_start = i + 1;
        i = accumulate(line, frac_start, &mut mant);
        count += i - frac_start;
        exp10 = -((i - frac_start) as i64);
    }
    if count == 0 {
        return None;
    }
    if matches!(line.get(i), Some(b'e' | b'E')) {
        i += 1;
        let eneg;
        (eneg, i) = sign(line, i);
        let e_start = i;
        while i < line.len() && line[i] == b'0' {
            i += 1;
        }
        let sig_start = i;
        let mut e: u64 = 0;
        i = accumulate(line, i, &mut e);
        if i == e_start {
            return None;
        }
        // Past 6 significant digits the fast path cannot apply: a large
        // exponent leaves the value to the standard parser below.
        let e = if i - sig_start > 6 {
            1_000_000
        } else {
            e as i64
        };
        exp10 += if eneg { -e } else { e };
    }
    if i < line.len() && !is_sep(line[i]) {
        return None;
    }
    if count <= 19 && mant <= 1 << 53 && (-22..=22).contains(&exp10) {
        let m = mant as f64;
        let v = if exp10 >= 0 {
            m * POW10[exp10 as usize]
        } else {
            m / POW10[(-exp10) as usize]
        };
        return Some((if neg { -v } else { v }, i));
    }
    // The token is ASCII by construction.
    let s = std::str::from_utf8(&line[start..i]).ok()?;
    let v: f64 = s.parse().ok()?;
    v.is_finite().then_some((v, i))
}

/// An optional sign at `i`: whether it is `-`, and the index after it.
#[inline]
fn sign(line: &[u8], i: usize) -> (bool, usize) {
    match line.get(i) {
        Some(b'-') => (true, i + 1),
        Some(b'+') => (false, i + 1),
        _ => (false, i),
    }
}

/// Accumulates the run of ASCII digits from `i` into `acc` (wrapping):
/// the index after the run.
#[inline]
fn accumulate(line: &[u8], mut i: usize, acc: &mut u64) -> usize {
    let mut a = *acc;
    while i < line.len() {
        let d = line[i].wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        a = a.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    *acc = a;
    i
}

/// A 1-based feature index of at most 10 digits in `1..=u32::MAX` starting
/// at `i` and ending at `:`: the index and the position after the colon.
#[inline]
fn index(line: &[u8], i: usize) -> Option<(u32, usize)> {
    let mut v: u64 = 0;
    let end = accumulate(line, i, &mut v);
    if end == i || end - i > 10 || line.get(end) != Some(&b':') || v == 0 || v > u64::from(u32::MAX)
    {
        return None;
    }
    Some((v as u32, end + 1))
}

/// Parses `line` (without its `\n`) into `out` if it has the common shape
/// (no comment, plain decimal numbers, valid increasing indices): `true`,
/// with one row pushed (none for a blank line). `false` leaves `out` as it
/// was: the reference parser decides the line (a row, or the error).
///
/// Pairs are pushed only within the vectors' capacity: a line that would
/// need more is declined (the caller reserves for the chunk).
pub(crate) fn parse_line(line: &[u8], out: &mut Rows) -> bool {
    let mut i = skip_sep(line, 0);
    if i == line.len() {
        return true; // blank
    }
    let Some((label, next)) = number(line, i) else {
        return false;
    };
    i = next;
    let row_start = out.indices.len();
    let mut prev: u32 = 0;
    loop {
        i = skip_sep(line, i);
        if i == line.len() {
            break;
        }
        let parsed = index(line, i).and_then(|(idx, after)| {
            if idx <= prev {
                return None;
            }
            number(line, after).map(|(v, end)| (idx, v, end))
        });
        // A full vector is grown by the reference parser (typed error on
        // a refused allocation), never here.
        let full =
            out.indices.len() == out.indices.capacity() || out.data.len() == out.data.capacity();
        let (Some((idx, v, end)), false) = (parsed, full) else {
            out.truncate_pairs(row_start);
            return false;
        };
        out.indices.push(idx - 1);
        out.data.push(v);
        prev = idx;
        i = end;
    }
    let last = (prev > 0).then_some(prev);
    if out.finish_row(label + 0.0, last).is_err() {
        out.truncate_pairs(row_start);
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn std_parse(s: &str) -> Option<f64> {
        s.parse::<f64>().ok().filter(|v| v.is_finite())
    }

    #[test]
    fn numbers_match_the_standard_parser_bit_for_bit() {
        for s in [
            "0",
            "-0",
            "+0",
            "0.0",
            "-0.0",
            "1",
            "+1",
            "-1",
            "0.123456",
            "1e5",
            "1E-5",
            "-2.5e+3",
            "123456789012345678",
            "1234567890123456789012",
            "0.1",
            "0.3",
            "9007199254740993",
            "9007199254740992",
            "1e22",
            "1e23",
            "1e-22",
            "1e-23",
            "4.9e-324",
            "1.7976931348623157e308",
            "1.",
            ".5",
            "-.5",
            "000123.4500",
            "1e0000000000000000001",
            "1e-0000000000000000000022",
            "2.5e1234567",
            "2.2250738585072014e-308",
            "0.000001",
            "12345678901234567890.5",
        ] {
            let got = number(s.as_bytes(), 0).map(|(v, end)| {
                assert_eq!(end, s.len(), "{s}");
                v
            });
            let want = std_parse(s);
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{s}");
        }
    }

    #[test]
    fn other_shapes_are_declined() {
        for s in [
            "", "+", "-", ".", "e5", "1e", "1e+", "inf", "nan", "1x", "1:2", "0x10", "1e999",
        ] {
            assert!(number(s.as_bytes(), 0).is_none(), "{s}");
        }
        // A number ends at a separator.
        assert_eq!(number(b"2.5 x", 0), Some((2.5, 3)));
        assert_eq!(number(b"2.5\tx", 0), Some((2.5, 3)));
    }

    #[test]
    fn indices_are_checked_or_declined() {
        assert_eq!(index(b"7:1", 0), Some((7, 2)));
        assert_eq!(index(b"4294967295:1", 0), Some((u32::MAX, 11)));
        for s in [
            "0:1",
            "4294967296:1",
            "12345678901:1",
            ":1",
            "7",
            "7 :1",
            "-1:2",
        ] {
            assert!(index(s.as_bytes(), 0).is_none(), "{s}");
        }
    }

    #[test]
    fn a_declined_line_leaves_the_rows_unchanged() {
        let mut out = Rows::new();
        assert!(!parse_line(b"+1 1:0.5", &mut out), "no room: declined");
        assert_eq!(out, Rows::new());
        out.indices.reserve(64);
        out.data.reserve(64);
        assert!(parse_line(b"+1 1:0.5 3:2", &mut out));
        let before = out.clone();
        for line in [
            &b"-1 1:1 1:2"[..],
            b"-1 2:1 # c",
            b"-1 2:1 x",
            b"1 2:nan",
            b"1 3:1 2:1",
        ] {
            assert!(!parse_line(line, &mut out));
            assert_eq!(out, before);
        }
        assert!(parse_line(b" \t\r", &mut out));
        assert_eq!(out, before, "a blank line adds no row");
        assert_eq!(out.labels, [1.0]);
        assert_eq!(out.indices, [0, 2]);
        assert_eq!(out.ncols, 3);
    }
}
