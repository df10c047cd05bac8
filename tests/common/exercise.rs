//! Runs a fixed set of queries over every column of a frame, whatever its schema: the
//! work a user's first queries do on a file. Shared by the corruption suite
//! (`tests/corruption.rs`) and the fuzz targets (`fuzz/`), which include this file.

use arrow_schema::DataType;
use spindle::sql::Session;
use spindle::{col, DataFrame};

/// Is `t` a type the `.str` kernels read (a dictionary over one included)?
pub fn is_text(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_text(v),
        _ => false,
    }
}

fn is_number(t: &DataType) -> bool {
    t.is_integer() || t.is_floating()
}

/// Materialises every column, then runs counts, sorts, string kernels, group-bys and
/// aggregates column by column, through SQL and the lazy API. Returns each query's
/// outcome (its row count, or its error): a damaged file may fail any of them, and none
/// may panic.
pub fn exercise(df: &DataFrame) -> Vec<spindle::Result<usize>> {
    let mut out = vec![df
        .to_batches()
        .map(|b| b.iter().map(|b| b.num_rows()).sum())];
    let mut session = Session::new();
    session.register("t", df.clone());
    let mut run = |q: String| out.push(session.sql(&q).map(|r| r.num_rows()));
    run("SELECT count(*) FROM t".into());
    let schema = df.schema();
    let mut lazy = Vec::new();
    for field in schema.fields() {
        let name = field.name();
        let c = format!("\"{}\"", name.replace('"', "\"\""));
        run(format!("SELECT count({c}) FROM t"));
        let t = field.data_type();
        if is_text(t) || is_number(t) || matches!(t, DataType::Boolean | DataType::Date32) {
            run(format!("SELECT count(DISTINCT {c}) FROM t"));
            run(format!(
                "SELECT {c} FROM t ORDER BY {c} NULLS FIRST LIMIT 3"
            ));
        }
        if is_text(field.data_type()) {
            run(format!(
                "SELECT upper({c}), length({c}), {c} LIKE '%a_%', replace({c}, 'a', 'bc') FROM t"
            ));
            run(format!(
                "SELECT {c}, count(*) FROM t GROUP BY {c} ORDER BY 2 DESC, 1 LIMIT 5"
            ));
            lazy.push(
                df.lazy()
                    .select([
                        col(name).str().lower(),
                        col(name).str().contains("[0-9]+").alias("digits"),
                    ])
                    .collect(),
            );
            lazy.push(df.lazy().value_counts(col(name)).collect());
        } else if is_number(field.data_type()) {
            run(format!(
                "SELECT sum({c}), min({c}), max({c}), avg({c}) FROM t WHERE {c} IS NOT NULL"
            ));
        }
    }
    out.extend(lazy.into_iter().map(|r| r.map(|f| f.num_rows())));
    out
}
