//! Structs and lists that string functions make, reached from SQL as DuckDB reaches them:
//! `s['field']`, `s.field`, `struct_extract`, `list[i]` (1-based), and grouped or sorted by.
//! (DuckDB has no `str_extract`, so these are checked here rather than in the differential
//! suite, which holds the list and string subscripts.)

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{ArrayRef, RecordBatch, StringArray};
use spindle::sql::Session;
use std::sync::Arc;

fn session() -> Session {
    let emails = StringArray::from(vec![
        Some("ana@uni.edu"),
        Some("bo@mail.org"),
        None,
        Some("eve@uni.edu"),
    ]);
    let batch = RecordBatch::try_from_iter([("email", Arc::new(emails) as ArrayRef)]).unwrap();
    let frame = spindle::DataFrame::from_batches(batch.schema(), vec![batch]).unwrap();
    let mut s = Session::new();
    s.register("t", frame);
    s
}

fn strings(s: &Session, q: &str, column: usize) -> Vec<Option<String>> {
    let out = s.sql(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    out.to_batches()
        .unwrap()
        .iter()
        .flat_map(|b| {
            let c = arrow_cast::cast(b.column(column), &arrow_schema::DataType::Utf8).unwrap();
            c.as_string::<i32>()
                .iter()
                .map(|v| v.map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect()
}

const EXTRACT: &str =
    "(SELECT str_extract(email, '(?P<user>[^@]+)@(?P<host>.+)') AS e FROM t) AS x";

#[test]
fn struct_fields_by_subscript_dot_and_struct_extract() {
    let s = session();
    let want = vec![
        Some("ana".to_string()),
        Some("bo".into()),
        None,
        Some("eve".into()),
    ];
    for q in [
        format!("SELECT e['user'] FROM {EXTRACT}"),
        format!("SELECT e.user FROM {EXTRACT}"),
        format!("SELECT x.e.user FROM {EXTRACT}"),
        format!("SELECT struct_extract(e, 'USER') FROM {EXTRACT}"),
    ] {
        assert_eq!(strings(&s, &q, 0), want, "{q}");
    }
    let e = s
        .sql(&format!("SELECT e['nope'] FROM {EXTRACT}"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("e.nope") && e.contains("user, host"), "{e}");
    let e = s
        .sql(&format!("SELECT e[1] FROM {EXTRACT}"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("a field name"), "{e}");
}

#[test]
fn lists_and_strings_by_position() {
    let s = session();
    assert_eq!(
        strings(&s, "SELECT string_split(email, '@')[2], email[1] FROM t", 0),
        vec![
            Some("uni.edu".into()),
            Some("mail.org".into()),
            None,
            Some("uni.edu".into())
        ]
    );
    assert_eq!(
        strings(&s, "SELECT email[1] FROM t", 0),
        vec![Some("a".into()), Some("b".into()), None, Some("e".into())]
    );
}

#[test]
fn group_and_sort_by_a_struct() {
    let s = session();
    let out = s
        .sql(&format!(
            "SELECT e, count(*) AS n FROM {EXTRACT} GROUP BY e ORDER BY e NULLS FIRST"
        ))
        .unwrap();
    let batches = out.to_batches().unwrap();
    let n: Vec<i64> = batches
        .iter()
        .flat_map(|b| b.column(1).as_primitive::<Int64Type>().values().to_vec())
        .collect();
    assert_eq!(n, vec![1, 1, 1, 1]);
    let hosts = strings(
        &s,
        &format!("SELECT e.host FROM (SELECT DISTINCT e FROM {EXTRACT}) ORDER BY ALL"),
        0,
    );
    assert_eq!(
        hosts,
        vec![
            Some("mail.org".into()),
            Some("uni.edu".into()),
            Some("uni.edu".into()),
            None
        ]
    );
}
