//! The LIBSVM reader and writer.

use proptest::prelude::*;
use steihaug::io::{read_libsvm, write_libsvm, CsrMatrix};
use steihaug::Error;

use crate::common::check_cases;

fn parse_error_line(text: &str) -> (usize, String) {
    match read_libsvm(text.as_bytes()) {
        Err(Error::Parse { line, reason }) => (line, reason),
        other => panic!("expected a parse error for {text:?}, got {other:?}"),
    }
}

#[test]
fn reads_a_small_file() {
    let text =
        "+1 1:0.5 3:-2\n-1 2:1e-3\r\n\n# a comment line\n0 # no features\n2.5 4:7 # trailing\n";
    let d = read_libsvm(text.as_bytes()).unwrap();
    assert_eq!(d.labels, vec![1.0, -1.0, 0.0, 2.5]);
    assert_eq!(d.x.shape(), (4, 4));
    assert_eq!(d.x.indptr().raw_storage(), &[0, 2, 3, 3, 4]);
    assert_eq!(d.x.indices(), &[0, 2, 1, 3]);
    assert_eq!(d.x.data(), &[0.5, -2.0, 1e-3, 7.0]);
    let empty = read_libsvm(&b""[..]).unwrap();
    assert_eq!(empty.x.shape(), (0, 0));
}

#[test]
fn malformed_lines_are_typed_errors_with_line_numbers() {
    let cases: &[(&str, usize, &str)] = &[
        ("+1 1:1\nabc 1:1\n", 2, "label"),
        ("+1 1:1\n-1 0:1\n", 2, "1-based"),
        ("+1 2:1 1:1\n", 1, "increasing"),
        ("+1 1:1 1:2\n", 1, "twice"),
        ("+1 1:1\n+1 1:x\n", 2, "not a number"),
        ("+1 1:nan\n", 1, "not finite"),
        ("nan 1:1\n", 1, "not finite"),
        ("+1 1\n", 1, "index:value"),
        ("+1 -1:1\n", 1, "positive integer"),
        ("+1 4294967296:1\n", 1, "32-bit"),
        ("+1 99999999999999999999999:1\n", 1, "positive integer"),
        ("\n\n+1 1:1\n+1 :1\n", 4, "positive integer"),
        ("+1 qid:3 1:1\n", 1, "positive integer"),
    ];
    for &(text, line, words) in cases {
        let (l, reason) = parse_error_line(text);
        assert_eq!(l, line, "{text:?}: {reason}");
        assert!(
            reason.contains(words),
            "{text:?}: `{reason}` lacks `{words}`"
        );
    }
    // Invalid UTF-8 is an error, not a panic.
    let bytes = b"+1 1:\xff\xfe\n";
    assert!(matches!(
        read_libsvm(&bytes[..]),
        Err(Error::Parse { line: 1, .. })
    ));
    // A missing file is an I/O error.
    assert!(matches!(
        steihaug::io::read_libsvm_file("/nonexistent/file.svm"),
        Err(Error::Io(_))
    ));
}

#[test]
fn largest_32_bit_index_is_accepted() {
    let d = read_libsvm(&b"+1 4294967295:1\n"[..]).unwrap();
    assert_eq!(d.x.cols(), 4_294_967_295);
    assert_eq!(d.x.indices(), &[4_294_967_294]);
}

#[test]
fn writer_rejects_bad_input() {
    let x = CsrMatrix::new((1, 2), vec![0, 1], vec![1], vec![f64::NAN]);
    assert!(write_libsvm(Vec::new(), &[1.0], &x).is_err());
    let x = CsrMatrix::new((1, 2), vec![0, 1], vec![1], vec![1.0]);
    assert!(matches!(
        write_libsvm(Vec::new(), &[1.0, 2.0], &x),
        Err(Error::DimensionMismatch { .. })
    ));
}

/// Arbitrary bytes: an error or data, never a panic.
#[test]
fn arbitrary_bytes_never_panic() {
    check_cases(
        512,
        &proptest::collection::vec(any::<u8>(), 0..400),
        |bytes| {
            let _ = read_libsvm(&bytes[..]);
            Ok(())
        },
    );
}

/// Bytes drawn from the format's alphabet reach the deeper checks.
#[test]
fn format_like_bytes_never_panic() {
    check_cases(
        512,
        &proptest::collection::vec(
            prop::sample::select(b"0123456789:+-. \t\n\re#x".to_vec()),
            0..400,
        ),
        |bytes| {
            if let Ok(d) = read_libsvm(&bytes[..]) {
                prop_assert_eq!(d.labels.len(), d.x.rows());
            }
            Ok(())
        },
    );
}

/// Write then read gives back the same data exactly.
#[test]
fn write_read_roundtrip() {
    check_cases(
        512,
        &proptest::collection::vec(
            (
                prop::sample::select(vec![1.0, -1.0, 0.0, 3.5]),
                proptest::collection::btree_map(0u32..50, -1e6f64..1e6, 0..8),
            ),
            1..20,
        ),
        |rows| {
            let mut indptr = vec![0usize];
            let mut indices = Vec::new();
            let mut data = Vec::new();
            let mut labels = Vec::new();
            for (label, row) in &rows {
                labels.push(*label);
                for (&j, &v) in row {
                    indices.push(j);
                    data.push(v);
                }
                indptr.push(indices.len());
            }
            let x = CsrMatrix::new((rows.len(), 50), indptr, indices, data);
            let mut buf = Vec::new();
            write_libsvm(&mut buf, &labels, &x).unwrap();
            let back = read_libsvm(&buf[..]).unwrap();
            prop_assert_eq!(&back.labels, &labels);
            prop_assert_eq!(back.x.indices(), x.indices());
            prop_assert_eq!(back.x.data(), x.data());
            prop_assert_eq!(
                back.x.indptr().raw_storage().to_vec(),
                x.indptr().raw_storage().to_vec()
            );
            Ok(())
        },
    );
}

/// The model reader on arbitrary bytes, and on bytes spliced into a valid
/// model: an error or a model, never a panic; a model it returns scores
/// every row of a small matrix without panicking (fixed seed and count).
#[test]
fn the_model_reader_never_panics_on_arbitrary_bytes() {
    use steihaug::io::LinearModel;
    let valid =
        b"solver_type L2R_LR\nnr_class 2\nlabel 1 -1\nnr_feature 3\nbias 1\nw\n0.5\n-1\n2\n0.25\n"
            .to_vec();
    let x = read_libsvm(&b"1 1:1 3:2\n-1 2:1 5:1\n"[..]).unwrap().x;
    let strategy = (
        proptest::collection::vec(any::<u8>(), 0..200),
        0..valid.len(),
        any::<bool>(),
    );
    check_cases(512, &strategy, |(bytes, at, splice)| {
        let doc = if splice {
            let mut d = valid.clone();
            let end = (at + bytes.len() / 8).min(d.len());
            d.splice(at..end, bytes.iter().copied().take(12));
            d
        } else {
            bytes
        };
        if let Ok(m) = LinearModel::read(&doc[..]) {
            prop_assert_eq!(m.w.len(), m.nr_feature() + usize::from(m.bias >= 0.0));
            let _ = m.predict(&x);
        }
        Ok(())
    });
}

#[test]
fn model_headers_are_strict_and_minus_zero_is_zero() {
    use steihaug::io::LinearModel;
    let read = |t: &str| LinearModel::read(t.as_bytes());
    let h = "solver_type L2R_LR\nnr_class 2\n";
    assert!(read(&format!(
        "{h}label 1 junk -1\nnr_feature 1\nbias -1\nw\n1\n"
    ))
    .is_err());
    assert!(read(&format!(
        "{h}label 1 -1\nnr_feature 18446744073709551615\nbias 1\nw\n"
    ))
    .is_err());
    assert!(read(&format!("{h}label 0 -0\nnr_feature 1\nbias -1\nw\n1\n")).is_err());
    let m = read(&format!("{h}label -0 1\nnr_feature 1\nbias -1\nw\n1\n")).unwrap();
    assert_eq!(m.label_pos.to_bits(), 0.0f64.to_bits());
    let d = read_libsvm(&b"-0 1:1\n"[..]).unwrap();
    assert_eq!(d.labels[0].to_bits(), 0.0f64.to_bits());
    // A line without an end, longer than the bound: a parse error on line 1.
    let zeros = vec![0u8; steihaug::io::model::MODEL_MAX_LINE_BYTES + 10];
    match LinearModel::read(&zeros[..]) {
        Err(Error::Parse { line: 1, reason }) => {
            assert!(reason.contains("longer than"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    match steihaug::io::libsvm::read_libsvm_bounded(&b"1 1:1\n1 2:1 3:1 4:1\n"[..], 8) {
        Err(Error::Parse { line: 2, reason }) => {
            assert!(reason.contains("longer than 8"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}
