//! The LIBSVM reader: blocks of the stream parsed in parallel chunks.
//!
//! 1. Read a block of about [`BLOCK_BYTES`] into a buffer, after the
//!    unfinished line carried from the last block.
//! 2. Split the block's complete lines into chunks at line starts, one
//!    job per chunk on rayon's current pool.
//! 3. Each chunk parses line by line into row buffers reused from block to
//!    block: the fast parser ([`super::fast`]) first, the reference parser
//!    ([`super::line`]) for any line it declines.
//! 4. The chunks are appended in order, while the next block is parsed;
//!    the first failing chunk's error gets the line number counted from
//!    the start of the stream.
//!
//! The result does not depend on the block size, the chunking or the
//! thread count: it is the reference parser's, row for row and bit for bit,
//! and so is the error (tested against [`super::read_libsvm_serial`] on
//! random text). Memory besides the CSR arrays: two text buffers of up to
//! a carried line plus a block each, and the parsed rows of two blocks
//! (up to 1.5 bytes per byte of text): about 100 MiB with the default
//! sizes, more while a line longer than a block is carried (at most
//! twice the line limit).

use std::io::Read;

use rayon::prelude::*;

use super::line::{self, Rows};
use crate::error::{Error, Result};

/// Bytes of text read per block (16 MiB).
pub(crate) const BLOCK_BYTES: usize = 16 << 20;

/// Blocks are not split into chunks smaller than this (64 KiB).
const MIN_CHUNK: usize = 64 << 10;

/// The parsed chunk: its rows, or its first error with the line number
/// counted from the chunk's first line (1-based); and its line count.
struct Chunk {
    rows: Result<Rows>,
    lines: usize,
}

/// Splits `text` (complete lines only, or the stream's last line) into at
/// most `count` pieces that start at line starts.
fn split_at_lines(text: &[u8], count: usize, min_chunk: usize) -> Vec<&[u8]> {
    let count = count.clamp(1, (text.len() / min_chunk.max(1)).max(1));
    let mut pieces = Vec::with_capacity(count);
    let mut start = 0;
    for k in 1..count {
        let target = (text.len() as u128 * k as u128 / count as u128) as usize;
        if target <= start {
            continue;
        }
        let end = match memchr::memchr(b'\n', &text[target..]) {
            Some(p) => target + p + 1,
            None => text.len(),
        };
        if end > start && end < text.len() {
            pieces.push(&text[start..end]);
            start = end;
        }
    }
    pieces.push(&text[start..]);
    pieces
}

/// Parses one chunk of lines, each at most `max_line` bytes with its `\n`,
/// into `rows` (emptied first; its capacity is reused).
fn parse_chunk(text: &[u8], max_line: usize, mut rows: Rows) -> Chunk {
    rows.clear();
    // About 8 bytes of text per pair or more in practice; a chunk with more
    // pairs grows through the reference parser.
    let guess = text.len() / 8 + 16;
    let reserved = reserve(&mut rows.indices, guess, "the LIBSVM column indices")
        .and_then(|()| reserve(&mut rows.data, guess, "the LIBSVM values"));
    if let Err(e) = reserved {
        return Chunk {
            rows: Err(e),
            lines: 0,
        };
    }
    let mut start = 0;
    let mut line_no = 0;
    while start < text.len() {
        let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |p| start + p + 1);
        line_no += 1;
        if end - start > max_line {
            return Chunk {
                rows: Err(line::too_long(line_no, max_line)),
                lines: line_no,
            };
        }
        let with_nl = &text[start..end];
        let bare = with_nl.strip_suffix(b"\n").unwrap_or(with_nl);
        if !super::fast::parse_line(bare, &mut rows) {
            if let Err(e) = line::parse_line(with_nl, line_no, &mut rows) {
                return Chunk {
                    rows: Err(e),
                    lines: line_no,
                };
            }
        }
        start = end;
    }
    Chunk {
        rows: Ok(rows),
        lines: line_no,
    }
}

/// Room for `additional` more elements in `v`, or a typed error.
fn reserve<T>(v: &mut Vec<T>, additional: usize, what: &str) -> Result<()> {
    v.try_reserve(additional).map_err(|_| {
        crate::memory::reserve_error(what, v.len(), additional, std::mem::size_of::<T>())
    })
}

/// Appends `chunk`'s rows to `all`.
fn append(all: &mut Rows, chunk: &Rows) -> Result<()> {
    let base = all.indices.len();
    reserve(
        &mut all.indices,
        chunk.indices.len(),
        "the LIBSVM column indices",
    )?;
    reserve(&mut all.data, chunk.data.len(), "the LIBSVM values")?;
    reserve(&mut all.labels, chunk.labels.len(), "the LIBSVM labels")?;
    reserve(
        &mut all.indptr,
        chunk.labels.len(),
        "the LIBSVM row pointers",
    )?;
    all.indices.extend_from_slice(&chunk.indices);
    all.data.extend_from_slice(&chunk.data);
    all.labels.extend_from_slice(&chunk.labels);
    all.indptr
        .extend(chunk.indptr[1..].iter().map(|e| e + base));
    all.ncols = all.ncols.max(chunk.ncols);
    Ok(())
}

/// The reader's sizes, in bytes: the longest line with its `\n`, the text
/// read per block, and the smallest chunk a block is split into.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    pub max_line: usize,
    pub block: usize,
    pub min_chunk: usize,
}

impl Sizes {
    /// [`BLOCK_BYTES`] blocks and [`MIN_CHUNK`] chunks, lines of at most
    /// `max_line` bytes.
    pub fn new(max_line: usize) -> Self {
        Self {
            max_line,
            block: BLOCK_BYTES,
            min_chunk: MIN_CHUNK,
        }
    }
}

/// Parses complete lines `text` in chunks on the pool, with the row
/// buffers `free` reused where there are enough.
fn parse_pieces(text: &[u8], sizes: Sizes, mut free: Vec<Rows>) -> Vec<Chunk> {
    if text.is_empty() {
        return Vec::new();
    }
    let pieces = split_at_lines(text, 4 * rayon::current_num_threads(), sizes.min_chunk);
    let jobs: Vec<(&[u8], Rows)> = pieces
        .into_iter()
        .map(|p| (p, free.pop().unwrap_or_else(Rows::new)))
        .collect();
    jobs.into_par_iter()
        .map(|(p, rows)| parse_chunk(p, sizes.max_line, rows))
        .collect()
}

/// Appends the parsed `chunks` to `all` in order, counting their lines
/// into `lines_before`: the row buffers for reuse, or the first chunk's
/// error with its line number counted from the start of the stream.
fn append_chunks(
    all: &mut Rows,
    chunks: Vec<Chunk>,
    lines_before: &mut usize,
) -> Result<Vec<Rows>> {
    let mut free = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        match chunk.rows {
            Ok(rows) => {
                append(all, &rows)?;
                free.push(rows);
            }
            Err(Error::Parse { line, reason }) => {
                return Err(Error::Parse {
                    line: line + *lines_before,
                    reason,
                })
            }
            Err(e) => return Err(e),
        }
        *lines_before += chunk.lines;
    }
    Ok(free)
}

/// Appends up to `block` more bytes of `reader` to `buf`: the count, 0 at
/// the end of the stream.
fn read_more(reader: &mut impl Read, buf: &mut Vec<u8>, block: usize) -> Result<usize> {
    reserve(buf, block, "the LIBSVM read buffer")?;
    Ok(reader.take(block as u64).read_to_end(buf)?)
}

/// Reads the stream `reader` (see the module documentation); a line longer
/// than `sizes.max_line` bytes with its `\n` is an error.
///
/// A pipeline of two stages on the pool: while the chunks of block k are
/// parsed, block k − 1's parsed chunks are appended to the CSR arrays;
/// then block k + 1 is read (on the calling thread: the reader need not
/// be `Send`). Errors keep the order of the stream: block k − 1's first,
/// then block k's, then a read failure after block k.
pub(crate) fn read(mut reader: impl Read, sizes: Sizes) -> Result<Rows> {
    let (max_line, block) = (sizes.max_line, sizes.block.max(1));
    let mut all = Rows::new();
    let mut lines_before = 0usize;
    let mut text: Vec<u8> = Vec::new();
    let mut eof = match read_more(&mut reader, &mut text, block) {
        Ok(got) => got == 0,
        Err(e) => {
            return Err(read_failed(
                e,
                &mut all,
                Vec::new(),
                &text,
                sizes,
                lines_before,
            ))
        }
    };
    let mut next: Vec<u8> = Vec::new();
    let mut pending: Vec<Chunk> = Vec::new();
    let mut free: Vec<Rows> = Vec::new();
    loop {
        // The complete lines of `text` (all of it at the end of the stream).
        let end = if eof {
            text.len()
        } else {
            memchr::memrchr(b'\n', &text).map_or(0, |p| p + 1)
        };
        next.clear();
        reserve(&mut next, text.len() - end, "the LIBSVM read buffer")?;
        next.extend_from_slice(&text[end..]);
        let buffers = std::mem::take(&mut free);
        let previous = std::mem::take(&mut pending);
        let (parsed, appended) = rayon::join(
            || parse_pieces(&text[..end], sizes, buffers),
            || append_chunks(&mut all, previous, &mut lines_before),
        );
        free = appended?;
        pending = parsed;
        if eof {
            append_chunks(&mut all, pending, &mut lines_before)?;
            return Ok(all);
        }
        if end == 0 && text.len() > max_line {
            // No line end in more than `max_line` bytes (nothing was parsed).
            return Err(line::too_long(lines_before + 1, max_line));
        }
        let got = match read_more(&mut reader, &mut next, block) {
            Ok(got) => got,
            Err(e) => {
                return Err(read_failed(
                    e,
                    &mut all,
                    pending,
                    &next,
                    sizes,
                    lines_before,
                ));
            }
        };
        std::mem::swap(&mut text, &mut next);
        eof = got == 0;
    }
}

/// The error of a stream whose read failed with `e` after `text` (the
/// carried line and what was read before the failure): as the
/// line-at-a-time reader sees it, an error in the lines before the failure
/// (`pending`, then the complete lines of `text`, then a carried line
/// already too long) comes first.
fn read_failed(
    e: Error,
    all: &mut Rows,
    pending: Vec<Chunk>,
    text: &[u8],
    sizes: Sizes,
    mut lines_before: usize,
) -> Error {
    let end = memchr::memrchr(b'\n', text).map_or(0, |p| p + 1);
    let earlier = append_chunks(all, pending, &mut lines_before).and_then(|_| {
        let chunk = parse_chunk(&text[..end], sizes.max_line, Rows::new());
        append_chunks(all, vec![chunk], &mut lines_before)
    });
    match earlier {
        Err(first) => first,
        Ok(_) if text.len() - end > sizes.max_line => {
            line::too_long(lines_before + 1, sizes.max_line)
        }
        Ok(_) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_start_at_lines_and_cover_the_text() {
        let text: Vec<u8> = (0..20_000)
            .flat_map(|i| format!("+1 {}:0.5\n", i % 97 + 1).into_bytes())
            .collect();
        for count in [1, 2, 3, 8, 1000] {
            let pieces = split_at_lines(&text, count, MIN_CHUNK);
            assert!(pieces.len() <= count.max(1));
            assert_eq!(pieces.concat(), text);
            for p in &pieces {
                assert!(p.ends_with(b"\n"), "every piece ends a line");
            }
        }
        assert_eq!(split_at_lines(b"", 4, 1), vec![&b""[..]]);
        assert_eq!(split_at_lines(b"1\n2\n3\n", 8, 1).len(), 3);
    }

    #[test]
    fn blocks_of_any_size_give_the_same_rows() {
        let text = b"+1 1:0.5 3:2\n\n-1 2:1 # c\n+1 4:1e-3\r\n-1 2:0.25";
        let whole = read(&text[..], Sizes::new(1 << 20)).unwrap();
        for block in [1, 2, 3, 7, 16] {
            let sizes = Sizes {
                block,
                min_chunk: 1,
                ..Sizes::new(1 << 20)
            };
            assert_eq!(read(&text[..], sizes).unwrap(), whole, "block {block}");
        }
        assert_eq!(whole.labels, [1.0, -1.0, 1.0, -1.0]);
        assert_eq!(whole.indptr, [0, 2, 3, 4, 5]);
        assert_eq!(whole.ncols, 4);
    }

    #[test]
    fn a_long_line_is_refused_before_it_is_buffered_whole() {
        // A stream without line ends: the error comes once the carried
        // text passes the limit, not at the end of the stream.
        let endless = std::io::repeat(b'1').take(1 << 30);
        let sizes = |max_line, block| Sizes {
            max_line,
            block,
            min_chunk: 1,
        };
        match read(endless, sizes(1000, 4096)) {
            Err(Error::Parse { line: 1, reason }) => assert!(reason.contains("1000 bytes")),
            other => panic!("{other:?}"),
        }
        match read(&b"1 1:1\n1 2:1 3:1 4:1\n"[..], sizes(8, 3)) {
            Err(Error::Parse { line: 2, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    /// Random text near the format, read in random blocks by a 3-thread
    /// pool: the reference reader's rows or error, exactly (fixed seed).
    #[test]
    fn the_chunked_reader_agrees_with_the_reference_reader() {
        use proptest::prelude::*;
        use proptest::test_runner::TestRunner;
        let line = prop_oneof![
            // Valid-looking rows.
            (
                prop::sample::select(vec!["+1", "-1", "0", "2.5", "-0", "1e1"]),
                proptest::collection::vec(
                    (
                        1u32..40,
                        prop::sample::select(vec![
                            "1",
                            "0.5",
                            "-3",
                            "1e-3",
                            "0.123456",
                            "7.",
                            ".25",
                            "12345678901234567890",
                            "1e400",
                            "nan",
                            "0x1",
                            "9007199254740993",
                            "9007199254740992",
                            "1234567890123456789",
                            "18446744073709551615",
                            "1e22",
                            "1e23",
                            "4.5e-22",
                            "4.5e-23",
                            "00012",
                            "+.5",
                            "1.e3",
                        ])
                    ),
                    0..6,
                ),
                prop::sample::select(vec!["", " ", "\r", " # note", "\t"]),
            )
                .prop_map(|(label, pairs, tail)| {
                    let mut s = label.to_string();
                    for (j, v) in pairs {
                        s.push_str(&format!(" {j}:{v}"));
                    }
                    s.push_str(tail);
                    s.into_bytes()
                }),
            // Bytes of the format's alphabet.
            proptest::collection::vec(
                prop::sample::select(b"0123456789:+-. \t\re#x\xff\x0b".to_vec()),
                0..30,
            ),
        ];
        let strategy = (
            proptest::collection::vec(line, 0..30),
            any::<bool>(),
            1usize..64,
            prop::sample::select(vec![12usize, 40, 1 << 20]),
        );
        let config = crate::test_support::fixed_config(768);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let mut runner = TestRunner::new(config);
        let result = runner.run(&strategy, |(lines, final_newline, block, max_line)| {
            let mut text = lines.join(&b'\n');
            if final_newline {
                text.push(b'\n');
            }
            let want = super::super::read_libsvm_serial(&text[..], max_line);
            let sizes = Sizes {
                max_line,
                block,
                min_chunk: 1,
            };
            let got = pool
                .install(|| read(&text[..], sizes))
                .and_then(super::super::into_data);
            prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
    }

    /// A reader that yields `data`, then fails.
    struct Failing<'a> {
        data: &'a [u8],
    }

    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.data.is_empty() {
                return Err(std::io::Error::other("device gone"));
            }
            let n = buf.len().min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// A read failure after a malformed line or a line already too long:
    /// the error the line-at-a-time reader gives, whatever the block.
    #[test]
    fn a_failing_reader_gives_the_reference_readers_error() {
        let long = [b'7'; 100];
        let cases: [(&[u8], usize); 5] = [
            (b"1 1:1\nbad\n", 1 << 20),
            (b"1 1:1\n1 2:1\n1 3", 1 << 20),
            (&long, 50),
            (b"1 1:1\n", 1 << 20),
            (b"", 1 << 20),
        ];
        for (data, max_line) in cases {
            let want = super::super::read_libsvm_serial(
                std::io::BufReader::new(Failing { data }),
                max_line,
            );
            for block in [1, 4, 1 << 16] {
                let sizes = Sizes {
                    max_line,
                    block,
                    min_chunk: 1,
                };
                let got = read(Failing { data }, sizes).and_then(super::super::into_data);
                assert_eq!(format!("{got:?}"), format!("{want:?}"), "block {block}");
            }
            assert!(want.is_err());
        }
    }
}
