//! The Python oracle's cases (kernels/tests/python/expected.json) through the engine: each
//! case as a SQL call of `str_<name>` with pandas' keyword arguments, and as a frame-API
//! expression, over a table of the oracle's hard strings cut into several batches. The
//! kernels' own suite checks the layouts; this one checks that the SQL names, argument
//! binding, planning and partitioned execution give Python's answers too.

#[path = "../kernels/tests/common/mod.rs"]
mod kernel_common;

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use kernel_common::cases::{corpus, op_of, without_raised, EXPECTED};
use kernel_common::json_rows;
use serde_json::Value;
use spindle::sql::Session;
use spindle::{col, DataFrame, Expr, Runtime};

const KNOWN: &str = include_str!("../kernels/tests/python/known_differences.json");

/// A frame of the strings (`s`) and the same strings in reverse order (`r`, for `cat`), in
/// batches of 5 rows, so partitions cut through the corpus.
fn frame(values: &[Option<String>]) -> DataFrame {
    let schema = Arc::new(Schema::new(vec![
        Field::new("s", DataType::Utf8, true),
        Field::new("r", DataType::Utf8, true),
    ]));
    let mirrored: Vec<Option<String>> = values.iter().rev().cloned().collect();
    let batches = values
        .chunks(5)
        .zip(mirrored.chunks(5))
        .map(|(c, m)| {
            let a: ArrayRef = Arc::new(StringArray::from(c.to_vec()));
            let b: ArrayRef = Arc::new(StringArray::from(m.to_vec()));
            RecordBatch::try_new(schema.clone(), vec![a, b]).unwrap()
        })
        .collect();
    DataFrame::from_batches(schema, batches).unwrap()
}

fn sql_literal(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{}'", s.replace('\'', "''")),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => "NULL".into(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(sql_literal).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(_) => panic!("no SQL literal for {v}"),
    }
}

/// `str_<op>(s, name => value, ...)` for one case (`cat` joins `s` and `r`).
fn sql_call(op: &str, args: &Value) -> String {
    if op == "byte_length" {
        return "strlen(s)".into();
    }
    let mut call = if op == "cat" {
        "str_cat(s, r".to_string()
    } else {
        format!("str_{op}(s")
    };
    for (name, value) in args.as_object().unwrap() {
        let (name, value) = match name.as_str() {
            "flags" => (
                "flags".to_string(),
                kernel_common::cases::re_flags(args).to_string(),
            ),
            "frm" => ("x".to_string(), sql_literal(value)),
            "to" => ("y".to_string(), sql_literal(value)),
            "delete" => ("z".to_string(), sql_literal(value)),
            other => (other.to_string(), sql_literal(value)),
        };
        // Quoted: some of pandas' names (`end`) are SQL keywords.
        call.push_str(&format!(", \"{name}\" => {value}"));
    }
    call.push(')');
    call
}

/// The rows of one expression over `frame`, run on `runtime`.
fn select(frame: &DataFrame, expr: Expr, runtime: &Runtime) -> Vec<Value> {
    let out = frame
        .lazy()
        .select([expr.alias("out")])
        .with_runtime(runtime.clone())
        .collect()
        .unwrap_or_else(|e| panic!("{e}"));
    rows(&out)
}

fn rows(frame: &DataFrame) -> Vec<Value> {
    frame
        .to_batches()
        .unwrap()
        .iter()
        .flat_map(|b| json_rows(b.column(0).as_ref()))
        .collect()
}

#[test]
fn python_cases_through_sql_and_the_frame_api() {
    let data: Value = serde_json::from_str(EXPECTED).unwrap();
    let known: Value = serde_json::from_str(KNOWN).unwrap();
    let is_known = |op: &str, args: &Value, input: &Option<String>, got: &Value| {
        known["differences"].as_array().unwrap().iter().any(|k| {
            k["op"] == op
                && k["args"] == *args
                && k["input"] == serde_json::json!(input)
                && k["spindle"] == *got
        })
    };
    let corpus = corpus(&data);
    let runtime = Runtime::new(2).unwrap();
    let mut failures = Vec::new();
    for case in data["cases"].as_array().unwrap() {
        let (op, args) = (case["op"].as_str().unwrap(), &case["args"]);
        let expected = case["expected"].as_array().unwrap();
        let (any_raised, values, want) = without_raised(&corpus, expected);
        let query = format!("SELECT {} AS out FROM t", sql_call(op, args));
        if any_raised {
            let mut session = Session::new();
            session.register("t", frame(&corpus));
            let err = session.sql(&query).err();
            assert!(
                err.as_ref()
                    .is_some_and(|e| e.to_string().contains("not found")),
                "{query} must fail with 'not found', got {err:?}"
            );
        }
        let mut session = Session::new().with_runtime(runtime.clone());
        session.register("t", frame(&values));
        let by_sql = rows(
            &session
                .sql(&query)
                .unwrap_or_else(|e| panic!("{query}: {e}")),
        );
        let expr = if op == "cat" {
            let sep = args["sep"].as_str().unwrap();
            let na_rep = args.get("na_rep").and_then(Value::as_str).map(String::from);
            col("s").str().cat([col("r")], sep, na_rep).alias("out")
        } else {
            Expr::Str(Box::new(col("s")), op_of(op, args)).alias("out")
        };
        let by_api = select(&frame(&values), expr, &runtime);
        for (route, got) in [("SQL", &by_sql), ("API", &by_api)] {
            for ((g, w), input) in got.iter().zip(&want).zip(&values) {
                if g != *w && !is_known(op, args, input, g) {
                    failures.push(format!("{route} {query} on {input:?}: {g}, python {w}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The namespace methods build the ops the oracle's cases name.
#[test]
fn namespace_methods_build_pandas_ops() {
    use serde_json::json;
    let s = || col("s").str();
    let cases: Vec<(Expr, &str, Value)> = vec![
        (s().title(), "title", json!({})),
        (s().casefold(), "casefold", json!({})),
        (
            s().find_in("l", -4, Some(-1)),
            "find",
            json!({"sub": "l", "start": -4, "end": -1}),
        ),
        (s().rfind("Σ"), "rfind", json!({"sub": "Σ"})),
        (s().count("x*"), "count", json!({"pat": "x*"})),
        (
            s().replace("a", "XY"),
            "replace",
            json!({"pat": "a", "repl": "XY"}),
        ),
        (
            s().replace_regex(r"(\w)(\w)", r"\2\1"),
            "replace",
            json!({"pat": r"(\w)(\w)", "repl": r"\2\1", "regex": true}),
        ),
        (
            s().slice_step(None, None, Some(-1)),
            "slice",
            json!({"step": -1}),
        ),
        (s().get(-1), "get", json!({"i": -1})),
        (s().strip(), "strip", json!({})),
        (s().strip_chars("a\n"), "strip", json!({"to_strip": "a\n"})),
        (s().center(6, ' '), "center", json!({"width": 6})),
        (s().zfill(6), "zfill", json!({"width": 6})),
        (s().split(","), "split", json!({"pat": ","})),
        (s().split_whitespace(), "split", json!({})),
        (s().rpartition("ß"), "rpartition", json!({"sep": "ß"})),
        (s().join("-"), "join", json!({"sep": "-"})),
        (s().findall(r"\w+"), "findall", json!({"pat": r"\w+"})),
        (
            s().extractall(r"(\w)(\d)?"),
            "extractall",
            json!({"pat": r"(\w)(\d)?"}),
        ),
        (s().fullmatch(r"\d+"), "fullmatch", json!({"pat": r"\d+"})),
        (s().match_(r"\w"), "match", json!({"pat": r"\w"})),
        (
            s().startswith_any(["Σ", "ΑΣ", ""]),
            "startswith",
            json!({"pat": ["Σ", "ΑΣ", ""]}),
        ),
        (s().isnumeric(), "isnumeric", json!({})),
        (s().istitle(), "istitle", json!({})),
        (
            s().normalize(spindle::Form::Nfkc),
            "normalize",
            json!({"form": "NFKC"}),
        ),
    ];
    for (expr, op, args) in cases {
        assert_eq!(
            expr,
            Expr::Str(Box::new(col("s")), op_of(op, &args)),
            "{op}{args}"
        );
    }
}

/// `str_cat`, `||` and `concat` join columns row by row, with pandas' and DuckDB's null
/// rules.
#[test]
fn cat_joins_columns() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Utf8, true),
        Field::new("b", DataType::Utf8, true),
    ]));
    let a: ArrayRef = Arc::new(StringArray::from(vec![Some("x"), None, Some("ß")]));
    let b: ArrayRef = Arc::new(StringArray::from(vec![Some("1"), Some("2"), None]));
    let batch = RecordBatch::try_new(schema.clone(), vec![a, b]).unwrap();
    let mut session = Session::new();
    session.register("t", DataFrame::from_batches(schema, vec![batch]).unwrap());
    let q = |select: &str| -> Vec<Value> {
        rows(&session.sql(&format!("SELECT {select} FROM t")).unwrap())
    };
    use serde_json::json;
    assert_eq!(
        q("str_cat(a, b, sep => '-')"),
        [json!("x-1"), json!(null), json!(null)]
    );
    assert_eq!(
        q("str_cat(a, b, sep => '-', na_rep => '?')"),
        [json!("x-1"), json!("?-2"), json!("ß-?")]
    );
    assert_eq!(q("a || '/' || b"), [json!("x/1"), json!(null), json!(null)]);
    assert_eq!(
        q("concat(a, b, 7)"),
        [json!("x17"), json!("27"), json!("ß7")]
    );
    let by_api = col("a")
        .str()
        .cat([col("b")], ":", Some("_".into()))
        .alias("c");
    let frame = session.sql("SELECT a, b FROM t").unwrap();
    let out = select(&frame, by_api, &Runtime::new(1).unwrap());
    assert_eq!(out, [json!("x:1"), json!("_:2"), json!("ß:_")]);
}

/// `split(..).get(i)` and `split(..).join(sep)` run fused (the lists are never built); their
/// answers must still be Python's, computed here from the oracle's split lists.
#[test]
fn fused_split_get_and_join_match_python() {
    let data: Value = serde_json::from_str(EXPECTED).unwrap();
    let corpus = corpus(&data);
    let runtime = Runtime::new(2).unwrap();
    let mut checked = 0;
    for case in data["cases"].as_array().unwrap() {
        if case["op"] != "split" {
            continue;
        }
        let args = &case["args"];
        let split = || Expr::Str(Box::new(col("s")), op_of("split", args));
        let lists = case["expected"].as_array().unwrap();
        for i in [0i64, 1, 2, -1, -2, 7] {
            let want: Vec<Value> = lists
                .iter()
                .map(|l| match l.as_array() {
                    None => Value::Null,
                    Some(items) => {
                        let k = if i < 0 { items.len() as i64 + i } else { i };
                        usize::try_from(k)
                            .ok()
                            .and_then(|k| items.get(k))
                            .cloned()
                            .unwrap_or(Value::Null)
                    }
                })
                .collect();
            let got = select(&frame(&corpus), split().str().get(i), &runtime);
            assert_eq!(got, want, "split{args}.get({i})");
            checked += 1;
        }
        let want: Vec<Value> = lists
            .iter()
            .map(|l| match l.as_array() {
                Some(items) if items.iter().all(Value::is_string) => Value::String(
                    items
                        .iter()
                        .map(|v| v.as_str().unwrap())
                        .collect::<Vec<_>>()
                        .join("-"),
                ),
                _ => Value::Null,
            })
            .collect();
        let got = select(&frame(&corpus), split().str().join("-"), &runtime);
        assert_eq!(got, want, "split{args}.join('-')");
    }
    assert!(checked > 50);
}

/// Every string op over a generated text table large enough to be cut into several
/// partitions gives the same answer on one thread and on two: partitions never change a
/// result.
#[test]
fn parallel_equals_sequential_on_generated_text() {
    use spindle_datasets::{batch, batch_ranges, schema, Kind};
    let total = 150_000;
    let batches = batch_ranges(total, 100_000)
        .map(|(start, len)| batch(Kind::Text, 7, total, start, len))
        .collect();
    let frame = DataFrame::from_batches(schema(Kind::Text), batches).unwrap();
    let one = Runtime::new(1).unwrap();
    let two = Runtime::new(2).unwrap();
    let t = || col("text").str();
    let exprs = [
        t().lower(),
        t().title(),
        t().casefold(),
        t().contains(r"\b[Tt]he\b"),
        t().contains_literal("the"),
        t().count("e"),
        t().find("the"),
        t().replace_regex(r"(\w+) (\w+)", r"\2 \1"),
        t().slice_step(Some(-5), None, Some(-1)),
        t().strip_chars(".?! "),
        t().center(40, '~'),
        t().split_whitespace(),
        t().split(" ").str().get(-1),
        t().partition(" "),
        t().extract(r"(\w+)\W+(?P<second>\w+)?"),
        t().findall(r"\w{5,}"),
        t().istitle(),
        t().normalize(spindle::Form::Nfkd),
        t().cat([col("name")], " / ", Some("-".into())),
    ];
    for e in exprs {
        let (a, b) = (
            select(&frame, e.clone(), &one),
            select(&frame, e.clone(), &two),
        );
        assert_eq!(a.len(), total as usize);
        assert!(a == b, "{e}: 1 and 2 threads differ");
    }
}
