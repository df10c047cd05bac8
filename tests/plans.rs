//! The logical plan, its optimization and EXPLAIN, end to end: what `explain()` and SQL's
//! `EXPLAIN [ANALYZE] [VERBOSE]` show, that the optimized plan reads only the columns a
//! query needs, and the defects the old linear plan had (DISTINCT under a projection, a
//! join's renamed right column) as regressions.

mod common;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use common::{scratch, write_sample};
use spindle::plan::optimizer::Optimizer;
use spindle::sql::Session;
use spindle::{col, len, lit, SortOptions};

fn session(name: &str) -> (Session, spindle::DataFrame) {
    let dir = scratch(name);
    let frame = spindle::open(write_sample(&dir, 3, 1000)).unwrap();
    let mut s = Session::new();
    s.register("t", frame.clone());
    (s, frame)
}

fn count(frame: &spindle::DataFrame) -> i64 {
    let batches = frame.to_batches().unwrap();
    batches[0].column(0).as_primitive::<Int64Type>().value(0)
}

#[test]
fn explain_shows_the_three_plans_and_the_columns_read() {
    let (_, frame) = session("plans_explain");
    let lazy = frame
        .lazy()
        .filter(col("flag") & col("text").str().contains_literal("Data"))
        .select([col("text").str().upper().alias("shout")])
        .sort([col("shout")], SortOptions::descending())
        .head(3);
    let text = lazy.explain().unwrap();
    let sections: Vec<&str> = text.lines().filter(|l| l.ends_with("plan:")).collect();
    assert_eq!(
        sections,
        ["logical_plan:", "optimized_logical_plan:", "physical_plan:"],
        "{text}"
    );
    let optimized = text
        .split("optimized_logical_plan:\n")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap();
    // A top-k over the projection; the filter in the scan, which reads two columns.
    assert!(
        optimized.starts_with("TopK: k=3, shout DESC"),
        "{optimized}"
    );
    assert!(
        optimized.contains("Scan: ") && optimized.contains(" [text] filter=(flag AND "),
        "{optimized}"
    );
    assert!(text.contains("columns read [text, flag]"), "{text}");
    assert!(text.contains("threads: "), "{text}");
    // The answer does not depend on the optimizer.
    let optimized = lazy.clone().collect().unwrap().to_batches().unwrap();
    let as_built = lazy
        .with_optimizer(Optimizer::with_rules(Vec::new()))
        .collect()
        .unwrap()
        .to_batches()
        .unwrap();
    assert_eq!(optimized, as_built);
}

#[test]
fn explain_analyze_counts_rows_per_operator() {
    let (_, frame) = session("plans_analyze");
    let text = frame
        .lazy()
        .filter(col("id").lt(lit(100)))
        .group_by([col("cat")])
        .agg([len()])
        .explain_analyze()
        .unwrap();
    // 3000 rows scanned, 100 kept, grouped into 4 groups (three colours and null).
    assert!(text.contains("(rows=3000, time="), "{text}");
    assert!(text.contains("(rows=100, cpu="), "{text}");
    assert!(text.contains("(rows=4, time="), "{text}");
    assert!(text.contains("total: 4 rows in "), "{text}");
}

#[test]
fn sql_explain_returns_duckdbs_columns() {
    let (s, _) = session("plans_sql");
    let out = s
        .sql("EXPLAIN SELECT text FROM t WHERE id > 5 LIMIT 2")
        .unwrap();
    let schema = out.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["explain_key", "explain_value"]);
    let batches = out.to_batches().unwrap();
    let keys: Vec<&str> = batches[0]
        .column(0)
        .as_string::<i32>()
        .iter()
        .flatten()
        .collect();
    assert_eq!(
        keys,
        ["logical_plan", "optimized_logical_plan", "physical_plan"]
    );
    let verbose = s
        .sql("EXPLAIN VERBOSE SELECT text FROM t WHERE id > 5")
        .unwrap()
        .to_batches()
        .unwrap();
    let keys: Vec<&str> = verbose[0]
        .column(0)
        .as_string::<i32>()
        .iter()
        .flatten()
        .collect();
    assert!(
        keys.contains(&"logical_plan after push_down_filter"),
        "{keys:?}"
    );
    assert!(
        keys.contains(&"logical_plan after push_down_projection"),
        "{keys:?}"
    );
    let analyzed = s
        .sql("EXPLAIN ANALYZE SELECT count(*) FROM t WHERE id > 5")
        .unwrap()
        .to_batches()
        .unwrap();
    let physical = analyzed[0].column(1).as_string::<i32>().value(2);
    assert!(physical.contains("rows=2994"), "{physical}");
    let e = s
        .sql("EXPLAIN (FORMAT JSON) SELECT 1")
        .unwrap_err()
        .to_string();
    assert!(e.contains("EXPLAIN [ANALYZE] [VERBOSE] SELECT"), "{e}");
}

#[test]
fn distinct_under_a_projection_keeps_every_column() {
    let (s, frame) = session("plans_distinct");
    // Distinct rows of (cat, flag), then one of their columns: a row per distinct pair.
    let pairs = count(
        &s.sql("SELECT count(*) FROM (SELECT DISTINCT cat, flag FROM t)")
            .unwrap(),
    );
    let grouped = count(
        &s.sql("SELECT count(*) FROM (SELECT cat, flag FROM t GROUP BY cat, flag)")
            .unwrap(),
    );
    assert_eq!(pairs, grouped);
    // More pairs than cats (three colours and null), or the test could not tell.
    assert!(pairs > 4, "{pairs}");
    let column = s
        .sql("SELECT cat FROM (SELECT DISTINCT cat, flag FROM t)")
        .unwrap();
    assert_eq!(column.num_rows() as i64, pairs);
    let all = count(
        &s.sql("SELECT count(*) FROM (SELECT DISTINCT * FROM t)")
            .unwrap(),
    );
    assert_eq!(all, 3000);
    // The frame API had the same defect.
    let unique = frame
        .lazy()
        .select([col("cat"), col("flag")])
        .unique()
        .select([col("cat")])
        .collect()
        .unwrap();
    assert_eq!(unique.num_rows() as i64, pairs);
}

#[test]
fn a_right_column_keeps_its_join_name_when_the_left_one_is_not_read() {
    let (s, _) = session("plans_join");
    let q = |sql: &str| s.sql(sql).unwrap();
    // Both sides have `score`; only the right one is read.
    let out = q("SELECT r.score FROM t l JOIN t r ON l.id = r.id WHERE r.score > 100");
    assert_eq!(
        out.num_rows(),
        q("SELECT score FROM t WHERE score > 100").num_rows()
    );
    let left = q("SELECT r.score FROM t l LEFT JOIN t r ON l.id = r.id");
    assert_eq!(left.num_rows(), 3000);
}

#[test]
fn group_by_errors_name_group_by_through_having_and_order_by() {
    let (s, _) = session("plans_group_errors");
    for q in [
        "SELECT cat, id FROM t GROUP BY cat",
        "SELECT cat FROM t GROUP BY cat HAVING id > 1",
        "SELECT cat FROM t GROUP BY cat ORDER BY id",
    ] {
        let e = s.sql(q).unwrap_err().to_string();
        assert!(e.contains("must appear in GROUP BY"), "{q}: {e}");
    }
}

#[test]
fn a_raised_cancel_flag_stops_the_query() {
    let (_, frame) = session("plans_cancel");
    let flag = spindle::CancelFlag::new();
    let query = frame
        .lazy()
        .select([col("text").str().upper()])
        .with_cancel(flag.clone());
    assert!(query.clone().collect().is_ok());
    flag.cancel();
    let e = query.collect().unwrap_err();
    assert!(matches!(e, spindle::Error::Cancelled), "{e}");
    assert_eq!(e.to_string(), "the query was cancelled");
}
