//! Every `.str` operation through the engine, on one thread and on all threads, beside a
//! memcpy of the same bytes, on the two generated data sets: `text` (mixed-script
//! sentences, about 8% non-ASCII rows, 2% nulls; column `text`) and `vaex` (Vaex's
//! benchmark column: `str` of shuffled integers, ASCII; column `s`). Reports bytes of the
//! input column per second; the result is materialised as Arrow arrays.
//!
//! `cargo bench --bench strings` (all), `cargo bench --bench strings -- 'text/lower'` (one).
//! `SPINDLE_BENCH_ROWS` sets the rows (default 2,000,000).

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use spindle::{col, CharClass, Expr, Form, Runtime, Side};
use spindle_datasets::{batch, batch_ranges, schema, Kind};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn rows() -> u64 {
    std::env::var("SPINDLE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000_000)
}

/// The data set as a mapped Arrow file in batches of 64 Ki rows, written once.
fn file(kind: Kind, rows: u64) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}-{rows}.arrow", kind.name()));
    if !path.exists() {
        let batches = batch_ranges(rows, 1 << 16)
            .map(|(start, len)| batch(kind, 42, rows, start, len))
            .collect();
        spindle::DataFrame::from_batches(schema(kind), batches)
            .unwrap()
            .write_ipc(&path)
            .unwrap();
    }
    path
}

/// The operations, by pandas name, on column `c`; `needle` is a literal that occurs in
/// many of its values (`"the"` in text, `"9"` in Vaex's digits).
fn operations(c: &str, needle: &str) -> Vec<(&'static str, Expr)> {
    let s = || col(c).str();
    vec![
        ("len", s().len()),
        ("lower", s().lower()),
        ("upper", s().upper()),
        ("title", s().title()),
        ("capitalize", s().capitalize()),
        ("swapcase", s().swapcase()),
        ("casefold", s().casefold()),
        ("contains literal", s().contains_literal(needle)),
        ("contains regex", s().contains(r"[0-9]{2}|da[a-z]a")),
        (
            "contains caseless",
            s().contains_with(
                "DATA",
                spindle::ContainsOptions {
                    case: false,
                    regex: false,
                    ..Default::default()
                },
            ),
        ),
        ("match", s().match_(r"1[0-9]")),
        ("fullmatch", s().fullmatch(r"[0-9]+")),
        ("startswith", s().startswith("1")),
        ("endswith", s().endswith("9")),
        ("find", s().find(needle)),
        ("rfind", s().rfind(needle)),
        ("count", s().count(needle)),
        ("count regex", s().count(r"[0-9]")),
        ("replace literal", s().replace(needle, "NINE")),
        (
            "replace regex",
            s().replace_regex(r"([0-9])([0-9])", r"\2\1"),
        ),
        ("removeprefix", s().removeprefix("1")),
        (
            "translate",
            s().translate(spindle::TranslateTable::maketrans("19", "ab", "0").unwrap()),
        ),
        ("repeat", s().repeat(2)),
        ("slice", s().slice(Some(1), Some(5))),
        ("slice step", s().slice_step(None, None, Some(-1))),
        ("slice_replace", s().slice_replace(Some(1), Some(3), "XY")),
        ("get", s().get(1)),
        ("strip", s().strip()),
        ("lstrip chars", s().lstrip_chars("1 ")),
        ("rstrip", s().rstrip()),
        ("pad", s().pad(20, Side::Left, ' ')),
        ("ljust", s().ljust(20, '.')),
        ("center", s().center(20, '*')),
        ("zfill", s().zfill(12)),
        ("split", s().split(" ")),
        ("split regex", s().split(r"\s+")),
        ("rsplit", s().rsplit(Some(" ".into()), 1)),
        ("partition", s().partition(" ")),
        ("split + join", s().split("1").str().join("-")),
        ("split + get", s().split(" ").str().get(1)),
        ("cat", s().cat([col(c)], "-", None)),
        ("extract", s().extract(r"([0-9])([0-9])")),
        ("extractall", s().extractall(r"([0-9])([0-9])")),
        ("findall", s().findall(r"[0-9]{2}")),
        ("isdigit", s().isdigit()),
        ("isalpha", s().is(CharClass::Alpha)),
        ("isupper", s().isupper()),
        ("istitle", s().istitle()),
        ("isascii", s().isascii()),
        ("normalize NFC", s().normalize(Form::Nfc)),
        ("normalize NFKD", s().normalize(Form::Nfkd)),
    ]
}

fn strings(c: &mut Criterion) {
    let rows = rows();
    let one = Runtime::new(1).unwrap();
    let all = Runtime::new(0).unwrap();
    for (kind, column, needle) in [(Kind::Text, "text", "the"), (Kind::Vaex, "s", "9")] {
        let frame = spindle::open(file(kind, rows)).unwrap();
        let bytes = frame.table().column_bytes()[frame.schema().index_of(column).unwrap()];
        let chunks = frame.column(column).unwrap(); // validated once, outside the timings
        let mut group = c.benchmark_group(kind.name());
        group.throughput(Throughput::Bytes(bytes));
        group.sample_size(10);
        group.warm_up_time(std::time::Duration::from_millis(500));
        group.measurement_time(std::time::Duration::from_secs(2));
        // The yardstick: copying the column's value bytes once, on one thread.
        let values: Vec<&[u8]> = chunks
            .iter()
            .map(|a| {
                use arrow_array::cast::AsArray;
                a.as_string::<i32>().value_data()
            })
            .collect();
        let mut dest = vec![0u8; values.iter().map(|v| v.len()).sum()];
        group.bench_function("memcpy", |b| {
            b.iter(|| {
                let mut at = 0;
                for v in &values {
                    dest[at..at + v.len()].copy_from_slice(v);
                    at += v.len();
                }
                std::hint::black_box(&dest);
            })
        });
        for (name, expr) in operations(column, needle) {
            for (label, rt) in [("1 thread", &one), ("all threads", &all)] {
                group.bench_with_input(BenchmarkId::new(name, label), &expr, |b, expr| {
                    b.iter(|| {
                        frame
                            .lazy()
                            .select([expr.clone()])
                            .with_runtime(rt.clone())
                            .collect()
                            .unwrap()
                            .num_rows()
                    })
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, strings);
criterion_main!(benches);
