//! Every crash the fuzz targets (`fuzz/`) found, as a named test over the input that
//! found it (kept in `tests/fuzz_regressions/`, or written out in the test), with a line
//! on its root cause. A damaged file must now give a clear error that names it; an input
//! that was read or computed two ways must give one answer.

mod common;

use std::path::PathBuf;

fn input(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(name)
}

/// Writes `bytes` to a temporary file named `name` and reads it as CSV with `options`
/// once per chunk size (0: automatic), giving each read's frame or error message.
fn read_csv_in_chunks(
    name: &str,
    bytes: &[u8],
    options: &spindle::CsvOptions,
    chunk_sizes: &[usize],
) -> Vec<(usize, Result<spindle::DataFrame, String>)> {
    let path = common::scratch(&format!("fuzz-regression-{name}")).join(name);
    std::fs::write(&path, bytes).unwrap();
    chunk_sizes
        .iter()
        .map(|&chunk_bytes| {
            let options = spindle::CsvOptions {
                chunk_bytes,
                ..options.clone()
            };
            let read = spindle::read_csv(&path, &options).map_err(|e| e.to_string());
            (chunk_bytes, read)
        })
        .collect()
}

/// Reads `bytes` as CSV in chunks of each size, each of which must fail with an error
/// that says `expected`.
fn assert_csv_error(name: &str, bytes: &[u8], chunk_sizes: &[usize], expected: &[&str]) {
    for (chunk_bytes, read) in
        read_csv_in_chunks(name, bytes, &spindle::CsvOptions::default(), chunk_sizes)
    {
        match read {
            Ok(df) => panic!("chunks of {chunk_bytes}: read {} rows", df.num_rows()),
            Err(e) => assert!(
                expected.iter().all(|x| e.contains(x)),
                "chunks of {chunk_bytes}: {e}"
            ),
        }
    }
}

fn open_error(name: &str) -> String {
    match spindle::open(input(name)) {
        Ok(df) => panic!("{name} opened ({} rows)", df.num_rows()),
        Err(e) => e.to_string(),
    }
}

/// ipc_open: a stream whose LargeUtf8 offsets buffer is 53 bytes, not a whole number of
/// 8-byte offsets. arrow's validation views the buffer as `&[i64]` and asserts that it
/// has no ragged tail (a panic). Root cause: spindle bounded each buffer but did not
/// check that a fixed-width buffer holds whole values; it now does, in files and streams
/// (whose messages it now checks as it checks a file's blocks) and for the declared
/// length of compressed buffers.
#[test]
fn stream_with_a_ragged_offsets_buffer() {
    let e = open_error("stream_ragged_offsets.arrows");
    assert!(
        e.contains("stream_ragged_offsets.arrows")
            && e.contains("not a whole number of 8-byte values"),
        "{e}"
    );
}

/// csv_ingest: a file with an invalid UTF-8 record (line 3) and, later, a quote that never
/// closes (line 5). Read whole, it reported the quote; cut into small chunks, the UTF-8
/// record. Root cause: the last chunk checked for an unterminated quote before decoding
/// its earlier records. The records before the open quote are now decoded first, so both
/// reads report line 3, the first error in the file.
#[test]
fn csv_reports_its_first_bad_record_whole_or_in_chunks() {
    let mut csv = b"a,b\n1,x\n2,\xff\xfe\n3,y\n4,\"never closes\n5,z\n".to_vec();
    csv.extend(b"6,w\n".repeat(20));
    assert_csv_error(
        "two_errors.csv",
        &csv,
        &[0, 7, 16],
        &["line 3", "invalid UTF-8"],
    );
}

/// ipc_open (in CI's smoke run): a record batch whose string-view column claims
/// 3,003,121,665 variadic data buffers. Root cause: the count sized the layout's list of
/// buffer specs before anything bounded it, a 24 GB allocation. The counts must now add
/// up to no more than the message's buffers.
#[test]
fn view_column_with_a_huge_variadic_buffer_count() {
    let e = open_error("variadic_count_huge.arrow");
    assert!(
        e.contains("variadic_count_huge.arrow") && e.contains("exceed the message's 17 buffers"),
        "{e}"
    );
}

/// csv_ingest: a record that starts with a byte-order mark in the middle of a file kept
/// it when the file was read whole and lost it when a chunk started there. Root cause:
/// csv-core drops a mark at the start of a fresh reader's input, and every chunk's
/// decoder was fresh. Decoders are now primed with an empty line; the file's own mark is
/// still skipped.
#[test]
fn csv_byte_order_mark_inside_the_file_is_data_whole_or_in_chunks() {
    let options = spindle::CsvOptions {
        delimiter: b';',
        ..spindle::CsvOptions::default()
    };
    let csv = "\u{feff}a;b\nx;1\n\u{feff}y;2\nz;3\n";
    for (chunk_bytes, read) in
        read_csv_in_chunks("bom.csv", csv.as_bytes(), &options, &[0, 1, 5, 9])
    {
        let df = read.unwrap();
        assert_eq!(
            df.schema().field(0).name(),
            "a",
            "the file's own mark is skipped"
        );
        let batches = df.to_batches().unwrap();
        let a: Vec<String> = batches
            .iter()
            .flat_map(|b| {
                let col = b
                    .column(0)
                    .as_any()
                    .downcast_ref::<arrow_array::StringArray>()
                    .unwrap();
                col.iter()
                    .map(|v| v.unwrap().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(a, ["x", "\u{feff}y", "z"], "chunks of {chunk_bytes}");
    }
}

/// csv_ingest: every record but the header had invalid UTF-8, so none was in the
/// inference sample and both columns were inferred as Null. Read whole, the file then
/// decoded without error (arrow-csv checks UTF-8 only in the columns it parses, and a
/// Null column is not parsed); read in chunks, it failed. Root cause: nothing checked
/// the bytes of Null-typed columns. With such a column the chunk's bytes are now checked,
/// so both reads report line 2.
#[test]
fn csv_invalid_utf8_in_null_typed_columns_is_an_error() {
    assert_csv_error(
        "null_utf8.csv",
        b"a,b\n\"x,e!\",2\xc9\n,\xac\n",
        &[0, 8],
        &["line 2", "invalid UTF-8"],
    );
}

/// str_kernels (in CI's smoke run): `repeat(4294967295)` over no rows succeeded on a
/// plain array and failed on an empty slice of a longer one ("the result would take
/// 38654705655 bytes"). Root cause: the output size was computed from the bytes of the
/// buffers a slice shares (the 9 bytes of the rows around it), not from its own rows. A
/// partition of a big batch, or the rows `head` keeps, is such a slice; both were refused
/// sizes they could hold. Sizes now count the slice's rows only.
#[test]
fn repeat_over_an_empty_slice_is_sized_by_the_slice() {
    use arrow_array::{Array, StringArray};
    let compiled = spindle::StrOp::Repeat(u32::MAX.into()).compile().unwrap();
    let longer = StringArray::from(vec![Some("front"), None, Some("back")]);
    let out = compiled.apply(&longer.slice(2, 0)).unwrap();
    assert_eq!(out.len(), 0);
    let plain = compiled
        .apply(&StringArray::from(Vec::<&str>::new()))
        .unwrap();
    assert_eq!(plain.len(), 0);
    // Rows of its own still count: "back" alone is 4 × 4294967295 bytes.
    let e = compiled.apply(&longer.slice(2, 1)).unwrap_err().to_string();
    assert!(e.contains("17179869180 bytes"), "{e}");
}

/// ipc_open (a 90 s run from the seed corpora): a batch with no columns that declares
/// 6,148,914,691,231,055,898 rows. Nothing bounds such a length (a Null-typed column has
/// no buffers either), and cutting the batch into partitions of 64 Ki rows asked for
/// 800 MB, then more, until the process ran out of memory. Root cause: no bound was put
/// on a batch's length. A batch may now declare at most u32::MAX rows, as spindle's row
/// indices are u32.
#[test]
fn batch_declaring_more_rows_than_a_batch_can_index() {
    let e = open_error("batch_rows_huge.arrow");
    assert!(
        e.contains("batch_rows_huge.arrow")
            && e.contains("6148914691231055898 rows in one batch, more than the 4294967295"),
        "{e}"
    );
}
