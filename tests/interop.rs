//! Files written by pyarrow (datasets/fixtures, made by make_fixtures.py) read back with
//! the values pyarrow recorded: IPC file (string_view makes its buffers misaligned, so it is
//! read, not mapped), IPC stream, and LZ4-compressed IPC.

mod common;
#[path = "../kernels/tests/common/mod.rs"]
mod kernel_common;

use arrow_array::Array;
use kernel_common::json_row;
use serde_json::Value;

fn check(file: &str, mode: &str) {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(common::fixture("pyarrow_mixed.json")).unwrap(),
    )
    .unwrap();
    let frame = spindle::open(common::fixture(file)).unwrap();
    assert!(
        frame.table().mode().to_string().contains(mode),
        "{file}: {}",
        frame.table().mode()
    );
    let rows: Vec<usize> = expected["batch_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(frame.table().batch_rows(), &rows[..], "{file}");
    for field in frame.schema().fields() {
        let got: Vec<Value> = frame
            .column(field.name())
            .unwrap()
            .iter()
            .flat_map(|a| {
                (0..a.len())
                    .map(|i| json_row(a.as_ref(), i))
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(
            &Value::Array(got),
            &expected[field.name()],
            "{file}: column {}",
            field.name()
        );
    }
    // And a query over it.
    let q = format!(
        "SELECT str_upper(s) AS u, length(sv) AS n FROM '{}' WHERE i IS NOT NULL",
        common::fixture(file).display()
    );
    let out = spindle::sql(&q).unwrap();
    let nonnull = expected["i"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| !v.is_null())
        .count();
    assert_eq!(out.num_rows(), nonnull);
}

#[test]
fn pyarrow_file_reads_back() {
    check("pyarrow_mixed.arrow", "misaligned");
}

#[test]
fn pyarrow_stream_reads_back() {
    check("pyarrow_stream.arrows", "stream");
}

#[test]
fn pyarrow_lz4_file_reads_back() {
    check("pyarrow_lz4.arrow", "LZ4");
}
