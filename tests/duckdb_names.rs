//! spindle's DuckDB-named string functions against DuckDB's own answers, which
//! `tests/duckdb/gen_expected.py` recorded (duckdb from PyPI) in `tests/duckdb/expected.json`.

#[path = "../kernels/tests/common/mod.rs"]
mod kernel_common;

use std::sync::Arc;

use arrow_array::{ArrayRef, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use kernel_common::json_rows;
use serde_json::Value;
use spindle::sql::Session;
use spindle::DataFrame;

const EXPECTED: &str = include_str!("duckdb/expected.json");

#[test]
fn duckdb_names_keep_duckdbs_meaning() {
    let data: Value = serde_json::from_str(EXPECTED).unwrap();
    let strings: Vec<Option<&str>> = data["strings"]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::as_str)
        .collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("i", DataType::Int32, false),
        Field::new("s", DataType::Utf8, true),
    ]));
    let ids: ArrayRef = Arc::new(Int32Array::from_iter_values(0..strings.len() as i32));
    let s: ArrayRef = Arc::new(StringArray::from(strings));
    let batch = RecordBatch::try_new(schema.clone(), vec![ids, s]).unwrap();
    let mut session = Session::new();
    session.register("t", DataFrame::from_batches(schema, vec![batch]).unwrap());
    let mut failures = Vec::new();
    for case in data["cases"].as_array().unwrap() {
        let expr = case["expr"].as_str().unwrap();
        let out = session
            .sql(&format!("SELECT {expr} FROM t"))
            .unwrap_or_else(|e| panic!("{expr}: {e}"));
        let got: Vec<Value> = out
            .to_batches()
            .unwrap()
            .iter()
            .flat_map(|b| json_rows(b.column(0).as_ref()))
            .collect();
        let want = case["expected"].as_array().unwrap();
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            if g != w {
                failures.push(format!("{expr} on row {i}: spindle {g}, duckdb {w}"));
            }
        }
        assert_eq!(got.len(), want.len(), "{expr}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
