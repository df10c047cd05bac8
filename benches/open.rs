//! Opening a multi-GB Arrow file costs milliseconds and maps it: resident memory stays small
//! until a query touches data. Also measures the one-time validation of a column on first
//! touch (offsets and UTF-8).
//!
//! `cargo bench --bench open` (file size: SPINDLE_BENCH_ROWS rows of the vaex data set,
//! default 100 million, about 2 GB, generated once under target/bench-data).

use std::path::PathBuf;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use spindle_datasets::{batch, batch_ranges, schema, Kind};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn big_file() -> PathBuf {
    let rows: u64 = std::env::var("SPINDLE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("vaex-{rows}.arrow"));
    if !path.exists() {
        eprintln!("generating {rows} rows into {} ...", path.display());
        let schema = schema(Kind::Vaex);
        let mut file = spindle::write::AtomicFile::create(&path).unwrap();
        let mut w = arrow_ipc::writer::FileWriter::try_new(file.writer(), &schema).unwrap();
        for (start, len) in batch_ranges(rows, 1 << 22) {
            w.write(&batch(Kind::Vaex, 42, rows, start, len)).unwrap();
        }
        w.finish().unwrap();
        drop(w);
        file.commit().unwrap();
    }
    path
}

fn open(c: &mut Criterion) {
    let path = big_file();
    let size = std::fs::metadata(&path).unwrap().len();
    let before = rss_mb();
    let started = Instant::now();
    let frame = spindle::open(&path).unwrap();
    let opened = started.elapsed();
    let after_open = rss_mb();
    let started = Instant::now();
    frame.column("s").unwrap();
    let touched = started.elapsed();
    let after_touch = rss_mb();
    eprintln!(
        "file {:.2} GB, {} batches, {:?}: open {:.2} ms, RSS {before:.0} -> {after_open:.0} MB after open; \
         first touch of column s (validation) {:.0} ms, RSS {after_touch:.0} MB",
        size as f64 / 1e9,
        frame.table().batch_rows().len(),
        frame.table().mode(),
        opened.as_secs_f64() * 1e3,
        touched.as_secs_f64() * 1e3,
    );
    drop(frame);

    let mut group = c.benchmark_group("open");
    group.bench_function("open multi-GB file (metadata only)", |b| {
        b.iter(|| spindle::open(&path).unwrap())
    });
    group.sample_size(10);
    group.bench_function(
        "first touch of a string column (offsets + UTF-8 validation)",
        |b| {
            b.iter_batched(
                || spindle::open(&path).unwrap(),
                |f| f.column("s").unwrap().len(),
                BatchSize::PerIteration,
            )
        },
    );
    group.finish();
}

criterion_group!(benches, open);
criterion_main!(benches);
