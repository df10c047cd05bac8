//! Hostile parameters: sizes that would exhaust memory, regexes that compile too big or
//! backtrack without end, SQL nested past any sensible depth, limits past `u64`. Each
//! gives a clear error, decided before the work (from the computed output size, the
//! compiled size, the nesting depth) or promptly during it (the backtrack limit), and
//! never a crash. Reasonable values still run.

mod common;

use std::time::{Duration, Instant};

use common::{scratch, write_sample};
use spindle::{col, DataFrame, Side};

fn frame(test: &str) -> DataFrame {
    let dir = scratch(&format!("hostile-{test}"));
    spindle::open(write_sample(&dir, 2, 500)).unwrap()
}

fn error_of(result: spindle::Result<DataFrame>) -> String {
    match result {
        Ok(df) => panic!("expected an error, got {} rows", df.num_rows()),
        Err(e) => e.to_string(),
    }
}

/// The output size is that of the rows a kernel gets. The rows `head` keeps (and a
/// partition of a big batch) are a slice that shares the batch's buffers, and only the
/// slice's own bytes count: five short rows of a 64 MiB batch repeat 40 times, though
/// the batch's 64 MiB repeated would pass the limit.
#[test]
fn a_slice_is_sized_by_its_own_rows() {
    let big = "x".repeat(1 << 20);
    let text: arrow_array::StringArray = (0..69)
        .map(|i| Some(if i < 5 { "abc" } else { big.as_str() }))
        .collect();
    let batch = arrow_array::RecordBatch::try_from_iter([(
        "text",
        std::sync::Arc::new(text) as arrow_array::ArrayRef,
    )])
    .unwrap();
    let df = DataFrame::from_batches(batch.schema(), vec![batch]).unwrap();
    let head = df
        .lazy()
        .head(5)
        .select([col("text").str().repeat(40)])
        .collect()
        .unwrap();
    let batches = head.to_batches().unwrap();
    let out = arrow_array::cast::AsArray::as_string::<i32>(batches[0].column(0));
    assert_eq!(arrow_array::Array::len(out), 5);
    assert!(out.iter().all(|v| v == Some("abc".repeat(40).as_str())));
}

#[test]
fn huge_widths_and_counts_are_refused_from_the_output_size() {
    let df = frame("widths");
    let cases = [
        ("repeat", col("text").str().repeat(i64::MAX)),
        ("repeat", col("text").str().repeat(10_000_000)),
        ("rjust", col("text").str().pad(i64::MAX, Side::Left, '*')),
        ("ljust", col("text").str().ljust(1 << 40, ' ')),
        ("center", col("text").str().center(4_000_000_000, '·')),
        ("zfill", col("text").str().zfill(i64::MAX)),
    ];
    for (op, expr) in cases {
        let start = Instant::now();
        let e = error_of(df.lazy().select([expr]).collect());
        assert!(e.contains(op) && e.contains("bytes"), "{op}: {e}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{op} was refused only after {:?}",
            start.elapsed()
        );
    }
    // Sizes that fit still run, and a huge split count is only a bound.
    let ok = df
        .lazy()
        .select([
            col("text").str().repeat(3).alias("r"),
            col("text").str().center(40, '·').alias("c"),
            col("text").str().zfill(30).alias("z"),
            col("text")
                .str()
                .split_with(Some(" ".into()), i64::MAX, None)
                .alias("s"),
            col("text")
                .str()
                .split_with(Some(" ".into()), i64::MIN, None)
                .alias("s2"),
        ])
        .collect()
        .unwrap();
    assert_eq!(ok.num_rows(), 1000);
    let huge_sql = spindle::sql::Session::new();
    let mut session = huge_sql;
    session.register("t", df);
    let e = error_of(session.sql("SELECT repeat(text, 9223372036854775807) FROM t"));
    assert!(e.contains("repeat"), "{e}");
}

#[test]
fn regexes_too_big_or_backtracking_without_end_are_errors() {
    let df = frame("regex");
    let mut session = spindle::sql::Session::new();
    session.register("t", df.clone());
    // Compiles past the regex size limit.
    for pat in ["a{1000}{1000}", "((a{100}){100}){100}", r"\w{50000}"] {
        let e = error_of(
            df.lazy()
                .select([col("text").str().contains(pat)])
                .collect(),
        );
        assert!(e.contains("size limit"), "{pat}: {e}");
    }
    // Catastrophic backtracking: `regex` has no backtracking, so these are linear...
    let linear = Instant::now();
    session
        .sql("SELECT count(*) FROM t WHERE regexp_matches(repeat('a', 30) || text, '(a*)*b')")
        .unwrap();
    session
        .sql("SELECT count(*) FROM t WHERE regexp_matches(repeat('a', 30) || text, '(a|aa)+$x')")
        .unwrap();
    assert!(linear.elapsed() < Duration::from_secs(20));
    // ...and a backreference runs on the backtracking engine under its limit: the first
    // value past it fails the query at once, without running the rest of the rows.
    let start = Instant::now();
    let e = error_of(session.sql(
        r"SELECT count(*) FROM t WHERE regexp_matches(repeat('a', 40) || coalesce(text, ''), '(a|a)*\1b')",
    ));
    assert!(e.contains("backtrack"), "{e}");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "the backtracking error took {:?}",
        start.elapsed()
    );
}

#[test]
fn deeply_nested_sql_is_an_error_not_a_stack_overflow() {
    let mut session = spindle::sql::Session::new();
    session.register("t", frame("nested"));
    // Parentheses: the parser's own recursion limit.
    let parens = format!("SELECT {}1{} FROM t", "(".repeat(5000), ")".repeat(5000));
    assert!(error_of(session.sql(&parens)).contains("nested too deeply"));
    // A left-deep chain the parser takes without recursing: spindle's depth limit.
    for n in [1_001, 20_000, 200_000] {
        let chain = format!("SELECT {} FROM t", vec!["id"; n].join(" + "));
        let e = error_of(session.sql(&chain));
        assert!(
            e.contains("nested too deeply") && e.contains("1000"),
            "{n}: {e}"
        );
    }
    let ors = format!(
        "SELECT count(*) FROM t WHERE {}",
        (0..5000)
            .map(|i| format!("id = {i}"))
            .collect::<Vec<_>>()
            .join(" OR ")
    );
    assert!(error_of(session.sql(&ors)).contains("nested too deeply"));
    // Just under the limit runs, on the workers' stacks, in a debug build too.
    let deep = format!(
        "SELECT count(*) FROM t WHERE {}",
        (0..990)
            .map(|i| format!("id = {i}"))
            .collect::<Vec<_>>()
            .join(" OR ")
    );
    let df = session.sql(&deep).unwrap();
    let n = df.to_batches().unwrap()[0]
        .column(0)
        .as_any()
        .downcast_ref::<arrow_array::Int64Array>()
        .unwrap()
        .value(0);
    assert_eq!(n, 990);
    let sum = format!(
        "SELECT {} AS s FROM t",
        vec!["length(text)"; 999].join(" + ")
    );
    assert_eq!(session.sql(&sum).unwrap().num_rows(), 1000);
}

#[test]
fn limits_past_u64_and_negative_limits_are_errors() {
    let mut session = spindle::sql::Session::new();
    session.register("t", frame("limits"));
    for (q, want) in [
        (
            "SELECT * FROM t LIMIT 99999999999999999999999",
            "fits in 64 bits",
        ),
        (
            "SELECT * FROM t LIMIT 18446744073709551616",
            "fits in 64 bits",
        ),
        (
            "SELECT * FROM t OFFSET 99999999999999999999999",
            "fits in 64 bits",
        ),
        ("SELECT * FROM t LIMIT -1", "non-negative"),
    ] {
        let e = error_of(session.sql(q));
        assert!(e.contains(want), "{q}: {e}");
    }
    // The largest u64 is a limit like any other.
    let all = session
        .sql("SELECT * FROM t LIMIT 18446744073709551615")
        .unwrap();
    assert_eq!(all.num_rows(), 1000);
}
