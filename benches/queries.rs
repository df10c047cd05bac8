//! Queries over a single-batch, 2-million-row mixed-text column, on one thread and on all
//! threads, side by side: the executor must cut one big batch into partitions that keep
//! every core busy. Reports bytes of the `text` column per second.
//!
//! `cargo bench --bench queries`

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use spindle::{col, Runtime};
use spindle_datasets::{batch, schema, Kind};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROWS: u64 = 2_000_000;

fn text_file() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("text-{ROWS}-single-batch.arrow"));
    if !path.exists() {
        let b = batch(Kind::Text, 42, ROWS, 0, ROWS as usize);
        spindle::DataFrame::from_batches(schema(Kind::Text), vec![b])
            .unwrap()
            .write_ipc(&path)
            .unwrap();
    }
    path
}

fn queries(c: &mut Criterion) {
    let frame = spindle::open(text_file()).unwrap();
    let text = frame.schema().index_of("text").unwrap();
    let bytes = frame.table().column_bytes()[text];
    frame.column("text").unwrap(); // validate once, outside the timings
    let one = Runtime::new(1).unwrap();
    let all = Runtime::new(0).unwrap();
    let threads = all.threads();
    let mut group = c.benchmark_group("queries");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(20);
    let plans: [(&str, spindle::Expr); 4] = [
        ("lower", col("text").str().lower()),
        (
            "contains literal",
            col("text").str().contains_literal("data"),
        ),
        ("contains regex", col("text").str().contains("caf[eé]|\\d+")),
        ("len", col("text").str().len()),
    ];
    for (name, expr) in plans {
        for (label, rt) in [
            ("1 thread".to_string(), &one),
            (format!("{threads} threads"), &all),
        ] {
            group.bench_function(format!("{name} / {label}"), |b| {
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

criterion_group!(benches, queries);
criterion_main!(benches);
