//! [`Error`] as bytes, so that one rank's error can be sent to the others
//! and every rank returns the same variant and message ([`super::agree`]).
//!
//! Format: a tag byte, then the variant's fields in order, integers as
//! 16-byte little-endian `u128`, strings as a length and UTF-8 bytes.
//! Variants with a `&'static str` field (a name chosen in the code, such as
//! `what` of [`Error::DimensionMismatch`]) get it back as a leaked string:
//! one small allocation per error sent, on the way to the end of the
//! program.

use crate::error::Error;

struct Writer(Vec<u8>);

impl Writer {
    fn int(&mut self, v: u128) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn text(&mut self, s: &str) {
        self.int(s.len() as u128);
        self.0.extend_from_slice(s.as_bytes());
    }
}

struct Reader<'b>(&'b [u8]);

impl Reader<'_> {
    fn int(&mut self) -> u128 {
        let (head, rest) = self.0.split_at(16.min(self.0.len()));
        self.0 = rest;
        let mut b = [0u8; 16];
        b[..head.len()].copy_from_slice(head);
        u128::from_le_bytes(b)
    }
    fn size(&mut self) -> usize {
        usize::try_from(self.int()).unwrap_or(usize::MAX)
    }
    fn text(&mut self) -> String {
        let len = self.size().min(self.0.len());
        let (head, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8_lossy(head).into_owned()
    }
    fn name(&mut self) -> &'static str {
        Box::leak(self.text().into_boxed_str())
    }
}

/// The bytes of `e`.
pub(super) fn encode(e: &Error) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    match e {
        Error::DimensionMismatch {
            what,
            expected,
            found,
        } => {
            w.0.push(0);
            w.text(what);
            w.int(*expected as u128);
            w.int(*found as u128);
        }
        Error::EmptyProblem => w.0.push(1),
        Error::InvalidOption { name, reason } => {
            w.0.push(2);
            w.text(name);
            w.text(reason);
        }
        Error::NonFiniteStart { what } => {
            w.0.push(3);
            w.text(what);
        }
        Error::Factorization(m) => {
            w.0.push(4);
            w.text(m);
        }
        Error::InvalidInput(m) => {
            w.0.push(5);
            w.text(m);
        }
        Error::Checkpoint(m) => {
            w.0.push(6);
            w.text(m);
        }
        Error::EmptyShard { shard } => {
            w.0.push(7);
            w.int(*shard as u128);
        }
        Error::ShardDimension {
            shard,
            expected,
            found,
        } => {
            w.0.push(8);
            w.int(*shard as u128);
            w.int(*expected as u128);
            w.int(*found as u128);
        }
        Error::Parse { line, reason } => {
            w.0.push(9);
            w.int(*line as u128);
            w.text(reason);
        }
        Error::Io(m) => {
            w.0.push(10);
            w.text(m);
        }
        Error::OutOfMemory { what, bytes, limit } => {
            w.0.push(11);
            w.text(what);
            w.int(*bytes);
            w.int(u128::from(*limit));
        }
    }
    w.0
}

/// The error of [`encode`]'s bytes (malformed bytes give an
/// [`Error::InvalidInput`] saying so).
pub(super) fn decode(bytes: &[u8]) -> Error {
    let Some((&tag, rest)) = bytes.split_first() else {
        return Error::InvalidInput("an error on another rank (no details)".into());
    };
    let mut r = Reader(rest);
    match tag {
        0 => Error::DimensionMismatch {
            what: r.name(),
            expected: r.size(),
            found: r.size(),
        },
        1 => Error::EmptyProblem,
        2 => Error::InvalidOption {
            name: r.name(),
            reason: r.text(),
        },
        3 => Error::NonFiniteStart { what: r.name() },
        4 => Error::Factorization(r.text()),
        5 => Error::InvalidInput(r.text()),
        6 => Error::Checkpoint(r.text()),
        7 => Error::EmptyShard { shard: r.size() },
        8 => Error::ShardDimension {
            shard: r.size(),
            expected: r.size(),
            found: r.size(),
        },
        9 => Error::Parse {
            line: r.size(),
            reason: r.text(),
        },
        10 => Error::Io(r.text()),
        11 => Error::OutOfMemory {
            what: r.text(),
            bytes: r.int(),
            limit: u64::try_from(r.int()).unwrap_or(u64::MAX),
        },
        t => Error::InvalidInput(format!("an error on another rank (unknown code {t})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_survives_the_round_trip() {
        let all = [
            Error::DimensionMismatch {
                what: "x0",
                expected: 3,
                found: usize::MAX,
            },
            Error::EmptyProblem,
            Error::InvalidOption {
                name: "threads",
                reason: "must be ≥ 1".into(),
            },
            Error::NonFiniteStart { what: "f(x0)" },
            Error::Factorization("not SPD".into()),
            Error::InvalidInput("data.txt: line 4: bad".into()),
            Error::Checkpoint(String::new()),
            Error::EmptyShard { shard: 7 },
            Error::ShardDimension {
                shard: 1,
                expected: 2,
                found: 3,
            },
            Error::Parse {
                line: 123_456,
                reason: "feature index `x` is not a positive integer".into(),
            },
            Error::Io("disk full".into()),
            Error::OutOfMemory {
                what: "shards".into(),
                bytes: u128::MAX,
                limit: u64::MAX,
            },
        ];
        for e in all {
            assert_eq!(decode(&encode(&e)), e);
        }
    }

    #[test]
    fn malformed_bytes_give_an_error_not_a_panic() {
        assert!(matches!(decode(&[]), Error::InvalidInput(_)));
        assert!(matches!(decode(&[200]), Error::InvalidInput(_)));
        // Truncated fields read as zeros and empty strings.
        assert_eq!(
            decode(&[9, 5]),
            Error::Parse {
                line: 5,
                reason: String::new()
            }
        );
    }
}
