//! The Rust API end to end: write, map, query lazily, compare with the obvious answer.

mod common;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, RecordBatch};
use common::{scratch, text, write_sample};
use spindle::{col, lit, Runtime, StorageMode};

fn ids(batches: &[RecordBatch], column: usize) -> Vec<i64> {
    batches
        .iter()
        .flat_map(|b| {
            b.column(column)
                .as_primitive::<Int64Type>()
                .values()
                .to_vec()
        })
        .collect()
}

fn strings(batches: &[RecordBatch], column: usize) -> Vec<Option<String>> {
    batches
        .iter()
        .flat_map(|b| {
            b.column(column)
                .as_string::<i32>()
                .iter()
                .map(|s| s.map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn a_file_spindle_writes_maps_back_without_copying() {
    let dir = scratch("api_zero_copy");
    let path = write_sample(&dir, 3, 1000);
    let frame = spindle::open(&path).unwrap();
    assert_eq!(*frame.table().mode(), StorageMode::Mapped);
    assert_eq!(frame.num_rows(), 3000);
    assert_eq!(frame.table().batch_rows(), &[1000, 1000, 1000]);
    for column in ["id", "text", "large", "view", "cat", "score", "flag"] {
        assert!(
            frame.column_is_mapped(column).unwrap(),
            "{column} was copied"
        );
    }
    let again = frame.to_batches().unwrap();
    assert_eq!(again[1], common::batch(1000, 1000));
}

#[test]
fn only_the_columns_a_query_names_are_decoded() {
    let dir = scratch("api_projection");
    let path = write_sample(&dir, 2, 100);
    let frame = spindle::open(&path).unwrap();
    let schema = frame.schema();
    let out = frame
        .lazy()
        .filter(col("id").lt(lit(10)))
        .select([col("large").str().len()])
        .collect()
        .unwrap();
    assert_eq!(out.num_rows(), 10);
    let decoded: Vec<&str> = schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(i, _)| frame.table().is_decoded(*i))
        .map(|(_, f)| f.name().as_str())
        .collect();
    assert_eq!(decoded, vec!["id", "large"]);
}

#[test]
fn filter_select_matches_the_obvious_answer() {
    let dir = scratch("api_filter_select");
    let path = write_sample(&dir, 5, 30_000);
    let frame = spindle::open(&path).unwrap();
    let out = frame
        .lazy()
        .filter(col("text").str().contains_literal("memory") & col("id").gt_eq(lit(100)))
        .select([
            col("id"),
            col("text").str().upper().alias("u"),
            col("view").str().len().alias("n"),
        ])
        .collect()
        .unwrap();
    let batches = out.to_batches().unwrap();
    let expected: Vec<usize> = (0..150_000)
        .filter(|&i| i >= 100 && text(i).is_some_and(|t| t.contains("memory")))
        .collect();
    assert_eq!(
        ids(&batches, 0),
        expected.iter().map(|&i| i as i64).collect::<Vec<_>>()
    );
    let upper: Vec<Option<String>> = expected
        .iter()
        .map(|&i| text(i).map(|t| t.to_uppercase()))
        .collect();
    assert_eq!(strings(&batches, 1), upper);
    let lens: Vec<i64> = batches
        .iter()
        .flat_map(|b| b.column(2).as_primitive::<Int64Type>().values().to_vec())
        .collect();
    assert_eq!(
        lens,
        expected
            .iter()
            .map(|&i| text(i).unwrap().chars().count() as i64)
            .collect::<Vec<_>>()
    );
    assert!(batches.len() > 1, "results stay chunked");
}

#[test]
fn parallel_equals_sequential() {
    let dir = scratch("api_parallel");
    let path = write_sample(&dir, 1, 200_000);
    let frame = spindle::open(&path).unwrap();
    let plan = frame
        .lazy()
        .filter(col("text").str().contains("Σ[0-9]+5 ").not_())
        .with_columns([
            col("large").str().lower(),
            col("cat").str().upper().alias("CAT"),
        ]);
    let one = plan
        .clone()
        .with_runtime(Runtime::new(1).unwrap())
        .collect()
        .unwrap()
        .to_batches()
        .unwrap();
    let four = plan
        .with_runtime(Runtime::new(4).unwrap())
        .collect()
        .unwrap()
        .to_batches()
        .unwrap();
    let concat =
        |b: &[RecordBatch]| arrow_select::concat::concat_batches(&b[0].schema(), b).unwrap();
    assert_eq!(concat(&one), concat(&four));
    assert!(
        one.len() > 4,
        "a single batch is cut into partitions ({} chunks)",
        one.len()
    );
}

trait NotExt {
    fn not_(self) -> Self;
}
impl NotExt for spindle::Expr {
    fn not_(self) -> Self {
        !self
    }
}

#[test]
fn head_stops_in_order_across_partitions() {
    let dir = scratch("api_head");
    let path = write_sample(&dir, 5, 30_000);
    let frame = spindle::open(&path).unwrap();
    let out = frame.lazy().head(100_005).collect().unwrap();
    assert_eq!(
        ids(&out.to_batches().unwrap(), 0),
        (0..100_005).collect::<Vec<i64>>()
    );
    let out = frame
        .lazy()
        .filter(col("id").gt(lit(10)))
        .head(3)
        .select([col("id")])
        .collect()
        .unwrap();
    assert_eq!(ids(&out.to_batches().unwrap(), 0), vec![11, 12, 13]);
}

#[test]
fn expressions_follow_sql_semantics() {
    let dir = scratch("api_exprs");
    let path = write_sample(&dir, 1, 30);
    let frame = spindle::open(&path).unwrap();
    let out = frame
        .lazy()
        .select([
            (col("id") * lit(2) + lit(1)).alias("odd"),
            (col("id") / lit(0)).alias("div0"),
            (col("id") % lit(4)).alias("m"),
            col("score").is_null().alias("no_score"),
            (col("flag") | col("id").eq(lit(0))).alias("either"),
            col("cat").eq(lit("Grün")).alias("is_gruen"),
            col("id").eq(lit("7")).alias("is_seven"),
            col("text").like("row 1%").alias("like"),
            col("text").ilike("%STRAßE%").alias("ilike"),
        ])
        .collect()
        .unwrap()
        .to_batches()
        .unwrap();
    let b = &out[0];
    assert_eq!(b.column(0).as_primitive::<Int64Type>().value(5), 11);
    let div0 = b
        .column(1)
        .as_primitive::<arrow_array::types::Float64Type>();
    assert!(
        div0.value(0).is_nan() && div0.value(3).is_infinite(),
        "IEEE division"
    );
    assert_eq!(b.column(2).as_primitive::<Int64Type>().value(7), 3);
    assert!(b.column(3).as_boolean().value(13));
    let either = b.column(4).as_boolean();
    assert!(either.value(0));
    assert!(either.is_null(9), "null OR false is null");
    assert!(b.column(5).as_boolean().value(4));
    assert_eq!(b.column(6).as_boolean().true_count(), 1);
    let like = b.column(7).as_boolean();
    assert!(like.value(1) && like.value(11) && !like.value(2));
    assert!(like.is_null(3));
    assert!(b.column(8).as_boolean().value(5), "ILIKE is caseless");
}

#[test]
fn sql_and_the_frame_api_agree() {
    let dir = scratch("api_sql");
    let path = write_sample(&dir, 4, 5_000);
    let frame = spindle::open(&path).unwrap();
    let api = frame
        .lazy()
        .filter(col("text").str().contains_literal("Data") & col("id").lt(lit(12_000)))
        .select([col("id"), col("text").str().lower().alias("l")])
        .collect()
        .unwrap()
        .to_batches()
        .unwrap();
    let query = format!(
        "SELECT id, str_lower(text) AS l FROM '{}' WHERE contains(text, 'Data') AND id < 12000",
        path.display()
    );
    let sql = spindle::sql(&query).unwrap().to_batches().unwrap();
    assert_eq!(ids(&api, 0), ids(&sql, 0));
    assert_eq!(strings(&api, 1), strings(&sql, 1));
    let mut session = spindle::sql::Session::new();
    session.register("t", frame);
    let out = session
        .sql("SELECT t.id FROM t WHERE text IS NULL LIMIT 2")
        .unwrap()
        .to_batches()
        .unwrap();
    assert_eq!(ids(&out, 0), vec![3, 10]);
}

#[test]
fn sql_names_follow_duckdb_and_pandas() {
    let dir = scratch("api_sql_names");
    let path = write_sample(&dir, 1, 10);
    let q = |select: &str| {
        let frame = spindle::sql(&format!(
            "SELECT {select} FROM '{}' WHERE id = 5",
            path.display()
        ))
        .unwrap();
        let b = frame.to_batches().unwrap();
        (
            frame.schema().field(0).name().clone(),
            b[0].column(0).clone(),
        )
    };
    let (name, upper) = q("upper(text)");
    assert_eq!(name, "upper(text)");
    assert_eq!(
        upper.as_string::<i32>().value(0),
        "STRAẞE Σ5 ΟΔΟΣ",
        "DuckDB's upper maps one code point at a time"
    );
    let (_, upper) = q("str_upper(text)");
    assert_eq!(
        upper.as_string::<i32>().value(0),
        "STRASSE Σ5 ΟΔΟΣ",
        "pandas' upper is Python's"
    );
    let (_, lower) = q("str_lower(text)");
    assert_eq!(lower.as_string::<i32>().value(0), "straße σ5 οδο\u{3c2}");
    let (_, n) = q("length(text) + strlen(text) AS n");
    assert_eq!(n.as_primitive::<Int64Type>().value(0), 14 + 20);
    let (_, c) = q("str_contains(text, 'STRASSE', case => false, regex => false)");
    assert!(c.as_boolean().value(0));
    let (_, c) = q("str_contains(text, 's.r', flags => 2)");
    assert!(c.as_boolean().value(0));
    let (_, c) = q("regexp_matches(text, '^str', 'i')");
    assert!(c.as_boolean().value(0));
    let (_, c) = q("starts_with(text, 'Stra') AND ends_with(text, 'ΟΣ') AND prefix(text, 'S')");
    assert!(c.as_boolean().value(0));
}

#[test]
fn writing_is_atomic() {
    let dir = scratch("api_atomic");
    let path = write_sample(&dir, 1, 10);
    let before = std::fs::read(&path).unwrap();
    // A failing write (the directory does not exist) leaves nothing behind.
    let frame = spindle::open(&path).unwrap();
    let missing = dir.join("no/such/dir/out.arrow");
    assert!(frame.write_ipc(&missing).is_err());
    assert!(!missing.exists());
    // Overwriting a file this process has mapped is refused (a result sliced from it
    // keeps it mapped too); once nothing reads it, a new file replaces it whole.
    let smaller = frame.lazy().head(3).collect().unwrap();
    assert!(smaller.write_ipc(&path).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    drop((frame, smaller));
    let fresh = common::batch(0, 3);
    let fresh = spindle::DataFrame::from_batches(fresh.schema(), vec![fresh]).unwrap();
    fresh.write_ipc(&path).unwrap();
    assert_eq!(spindle::open(&path).unwrap().num_rows(), 3);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}
