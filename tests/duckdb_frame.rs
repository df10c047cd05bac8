//! A sample of the SQL differential corpus (tests/duckdb/queries.sql), written with the
//! frame API and checked against DuckDB's answers, which `differential.py
//! --frame-expected` recorded in tests/duckdb/frame_expected.json from the same files.

use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::Array;
use arrow_schema::DataType;
use serde_json::Value;
use spindle::{coalesce, col, len, lit, when, DataFrame, JoinType, LazyFrame, SortOptions};

fn data(name: &str) -> DataFrame {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/duckdb/data/{name}.arrow"));
    spindle::open(path).unwrap()
}

/// The frame's rows as JSON values, as differential.py normalises DuckDB's: numbers as
/// floats, dates as ISO text.
fn rows(frame: &DataFrame) -> Vec<Vec<Value>> {
    let mut out: Vec<Vec<Value>> = Vec::new();
    for batch in frame.to_batches().unwrap() {
        let columns: Vec<Vec<Value>> = batch
            .columns()
            .iter()
            .map(|c| {
                let t = c.data_type();
                if t.is_numeric() {
                    let f = arrow_cast::cast(c, &DataType::Float64).unwrap();
                    f.as_primitive::<Float64Type>()
                        .iter()
                        .map(|v| v.map_or(Value::Null, |v| serde_json::json!(v)))
                        .collect()
                } else if *t == DataType::Boolean {
                    c.as_boolean()
                        .iter()
                        .map(|v| v.map_or(Value::Null, Value::Bool))
                        .collect()
                } else {
                    let s = arrow_cast::cast(c, &DataType::Utf8).unwrap();
                    s.as_string::<i32>()
                        .iter()
                        .map(|v| v.map_or(Value::Null, |v| Value::String(v.to_string())))
                        .collect()
                }
            })
            .collect();
        for r in 0..batch.num_rows() {
            out.push(columns.iter().map(|c| c[r].clone()).collect());
        }
    }
    out
}

fn sort_key(row: &[Value]) -> String {
    row.iter()
        .map(|v| match v {
            Value::Number(n) => format!("{:.6e}", n.as_f64().unwrap()),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\u{1}")
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
        }
        _ => a == b,
    }
}

#[test]
fn frame_api_gives_duckdbs_answers() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/duckdb/frame_expected.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let (t1, t2) = (data("t1").lazy(), data("t2").lazy());
    let t1c = || t1.clone();
    let asc = SortOptions::ascending();
    let desc = SortOptions::descending();
    let cases: Vec<(&str, bool, LazyFrame)> = vec![
        (
            "group_count_large_string",
            false,
            t1c()
                .group_by([col("city")])
                .agg([len(), col("name").count()]),
        ),
        (
            "group_two_keys",
            false,
            t1c()
                .group_by([col("city"), col("grp")])
                .agg([len(), col("qty").sum()]),
        ),
        (
            "group_count_distinct",
            false,
            t1c().group_by([col("city")]).agg([
                col("name").count_distinct(),
                col("grp").count_distinct().alias("g"),
            ]),
        ),
        (
            "group_min_max_strings",
            false,
            t1c().group_by([col("grp")]).agg([
                col("name").min(),
                col("name").max().alias("max_name"),
                col("email").min(),
            ]),
        ),
        (
            "group_first_last",
            false,
            t1c().group_by([col("grp")]).agg([
                col("name").first(),
                col("name").last().alias("last"),
                col("qty").first(),
            ]),
        ),
        (
            "having_count",
            false,
            t1c()
                .group_by([col("name")])
                .agg([len().alias("n")])
                .filter(col("n").gt(lit(70))),
        ),
        (
            "order_limit_offset",
            true,
            t1c()
                .select([col("id"), col("email")])
                .sort_by([(col("email"), desc), (col("id"), asc)])
                .slice(20, Some(7)),
        ),
        (
            "distinct_two",
            false,
            t1c().select([col("city"), col("active")]).unique(),
        ),
        (
            "join_left_unmatched",
            false,
            t1c()
                .join(t2.clone(), [col("city")], [col("city")], JoinType::Left)
                .filter(col("country").is_null())
                .select([col("id")]),
        ),
        (
            "join_anti",
            false,
            t1c()
                .join(t2.clone(), [col("city")], [col("city")], JoinType::Anti)
                .select([col("id"), col("city")]),
        ),
        (
            "join_group_by",
            false,
            t1c()
                .join(t2.clone(), [col("city")], [col("city")], JoinType::Inner)
                .group_by([col("country")])
                .agg([len(), col("qty").sum()]),
        ),
        (
            "group_case_on_aggregate",
            false,
            t1c().group_by([col("grp")]).agg([when(len().gt(lit(700)))
                .then(lit("big"))
                .otherwise(lit("small"))
                .alias("size")]),
        ),
        (
            "group_aggregate_of_coalesce",
            false,
            t1c()
                .group_by([col("city")])
                .agg([coalesce([col("qty"), lit(100)]).sum().alias("s")]),
        ),
        (
            "global_aggregates_empty",
            false,
            t1c().filter(col("qty").gt(lit(1000))).select([
                len(),
                col("qty").sum(),
                col("score").mean(),
                col("name").min(),
                col("day").max(),
            ]),
        ),
        (
            "value_counts_style",
            true,
            t1c()
                .group_by([col("city")])
                .agg([len().alias("count")])
                .sort_by([(col("count"), desc), (col("city"), asc.nulls_first(true))]),
        ),
        (
            "group_arith_on_aggregates",
            false,
            t1c().group_by([col("city")]).agg([
                (col("qty").sum() / len()).alias("per_row"),
                (col("qty").max() - col("qty").min()).alias("spread"),
            ]),
        ),
    ];
    let listed: Vec<&str> = expected["queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(listed, cases.iter().map(|c| c.0).collect::<Vec<_>>());
    for (name, ordered, plan) in cases {
        let mut want: Vec<Vec<Value>> = expected["answers"][name]
            .as_array()
            .unwrap_or_else(|| panic!("no answer for {name}"))
            .iter()
            .map(|r| r.as_array().unwrap().clone())
            .collect();
        let mut got = rows(&plan.collect().unwrap_or_else(|e| panic!("{name}: {e}")));
        if !ordered {
            want.sort_by_key(|r| sort_key(r));
            got.sort_by_key(|r| sort_key(r));
        }
        assert_eq!(got.len(), want.len(), "{name}: row count");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                g.len() == w.len() && g.iter().zip(w).all(|(a, b)| same(a, b)),
                "{name} row {i}: spindle {g:?}, DuckDB {w:?}"
            );
        }
    }
}
