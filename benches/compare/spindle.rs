//! spindle's side of the comparison harness (`benches/compare/run.sh` runs it).
//!
//! Maps the data file (and the sample: its first rows) once, validates the columns the
//! operations read (timed apart, as `first_touch_ms`), then runs every operation of
//! `ops.json` on one thread and on all threads under the rule of [`time`], each run
//! collecting the result into Arrow arrays in memory. It
//! also measures the machine's memory bandwidth in the same process, and writes each
//! operation's result (from the all-threads run) to `--results DIR/<op>.arrow` for the
//! harness to check against pandas.
//!
//! ```text
//! cargo bench --bench compare -- --file F --sample S --data text --out spindle.json
//!     --results DIR [--runs 5] [--budget 2] [--ops a,b,c]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use spindle::{col, len, DataFrame, Expr, JoinType, LazyFrame, Runtime, Side, SortOptions};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    file: PathBuf,
    sample: PathBuf,
    data: String,
    out: PathBuf,
    results: Option<PathBuf>,
    runs: usize,
    budget: Duration,
    ops: Option<Vec<String>>,
    memory: bool,
}

fn args() -> Args {
    let mut a = Args {
        file: PathBuf::new(),
        sample: PathBuf::new(),
        data: "text".into(),
        out: PathBuf::from("spindle.json"),
        results: None,
        runs: 5,
        budget: Duration::from_secs(2),
        ops: None,
        memory: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| die(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--file" => a.file = value().into(),
            "--sample" => a.sample = value().into(),
            "--data" => a.data = value(),
            "--out" => a.out = value().into(),
            "--results" => a.results = Some(value().into()),
            "--runs" => a.runs = value().parse().unwrap_or_else(|_| die("--runs N")),
            "--budget" => {
                a.budget = Duration::from_secs_f64(
                    value().parse().unwrap_or_else(|_| die("--budget SECONDS")),
                )
            }
            "--ops" => a.ops = Some(value().split(',').map(str::to_string).collect()),
            "--memory" => a.memory = true,
            "--bench" => {} // added by `cargo bench`
            other => die(&format!("unknown argument {other}")),
        }
    }
    if a.file.as_os_str().is_empty() || a.sample.as_os_str().is_empty() {
        die("--file and --sample are required");
    }
    a
}

fn die(message: &str) -> ! {
    eprintln!("compare: {message}");
    std::process::exit(2)
}

/// The arguments of one data set, from `ops.json`.
struct Params(Value);

impl Params {
    fn s(&self, key: &str) -> String {
        self.0[key]
            .as_str()
            .unwrap_or_else(|| die(&format!("ops.json: {key} is not a string")))
            .to_string()
    }
    fn i(&self, key: &str) -> i64 {
        self.0[key]
            .as_i64()
            .unwrap_or_else(|| die(&format!("ops.json: {key} is not an integer")))
    }
    fn pair(&self, key: &str) -> (Value, Value) {
        (self.0[key][0].clone(), self.0[key][1].clone())
    }
}

/// The second table of the `join` operation, made from the data (not timed): each
/// distinct non-null key once, with its length as `payload`.
fn dimension(frame: &DataFrame, p: &Params) -> DataFrame {
    let k = p.s("key");
    frame
        .lazy()
        .select([col(&k)])
        .unique()
        .filter(col(&k).is_not_null())
        .with_columns([col(&k).str().len().alias("payload")])
        .collect()
        .unwrap_or_else(|e| die(&format!("join dimension: {e}")))
}

/// The plan of operation `op`: a one-column result for row-wise operations, a table for
/// the others. Each uses pandas' meaning of the operation; `dim` is `join`'s right side.
fn plan(frame: &DataFrame, dim: Option<&DataFrame>, op: &str, p: &Params) -> LazyFrame {
    let c = p.s("column");
    let s = || col(&c).str();
    let width = p.i("width");
    let row = |e: Expr| frame.lazy().select([e.alias("result")]);
    match op {
        "capitalize" => row(s().capitalize()),
        "cat" => row(s().cat([col(p.s("other"))], " ", None)),
        "contains" => row(s().contains_literal(p.s("literal"))),
        "contains_regex" => row(s().contains(p.s("regex"))),
        // pandas' `str.count` takes a regex; the harness counts a literal word.
        "count" => row(s().count(regex::escape(&p.s("count")))),
        "endswith" => row(s().endswith(p.s("suffix"))),
        "find" => row(s().find(p.s("find"))),
        "get" => row(s().get(p.i("get"))),
        "split_join" => row(s().split(p.s("split")).str().join(p.s("join"))),
        "len" => row(s().len()),
        "ljust" => row(s().ljust(width, ' ')),
        "lower" => row(s().lower()),
        "lstrip" => row(s().lstrip_chars(p.s("lstrip"))),
        "match" => row(s().match_(p.s("match"))),
        "pad" => row(s().pad(width, Side::Left, ' ')),
        "repeat" => row(s().repeat(p.i("repeat"))),
        "replace" => {
            let (a, b) = p.pair("replace");
            row(s().replace(a.as_str().unwrap(), b.as_str().unwrap()))
        }
        "replace_regex" => {
            let (a, b) = p.pair("replace_regex");
            row(s().replace_regex(a.as_str().unwrap(), b.as_str().unwrap()))
        }
        "rfind" => row(s().rfind(p.s("rfind"))),
        "rjust" => row(s().rjust(width, ' ')),
        "rstrip" => row(s().rstrip_chars(p.s("rstrip"))),
        "slice" => {
            let (a, b) = p.pair("slice");
            row(s().slice(a.as_i64(), b.as_i64()))
        }
        "split" => row(s().split(p.s("split"))),
        "startswith" => row(s().startswith(p.s("prefix"))),
        "strip" => row(s().strip_chars(p.s("strip"))),
        "title" => row(s().title()),
        "upper" => row(s().upper()),
        "zfill" => row(s().zfill(width)),
        "extract" => row(s().extract_with(p.s("extract"), 0, false)),
        "fullmatch" => row(s().fullmatch(p.s("fullmatch"))),
        "isdigit" => row(s().isdigit()),
        "filter_count" => frame
            .lazy()
            .filter(s().contains_literal(p.s("literal")))
            .select([len()]),
        "value_counts" => frame.lazy().value_counts(col(p.s("key"))),
        "groupby" => {
            let v = p.s("value");
            frame
                .lazy()
                .group_by([col(p.s("key"))])
                .agg([col(&v).sum().alias("sum"), col(&v).mean().alias("mean")])
        }
        "sort" => frame
            .lazy()
            .select([col(&c)])
            .sort([col(&c)], SortOptions::ascending()),
        "join" => {
            let k = p.s("key");
            frame.lazy().select([col(&k), col(p.s("value"))]).join(
                dim.expect("the join's table is made when join is asked for")
                    .lazy(),
                [col(&k)],
                [col(&k)],
                JoinType::Inner,
            )
        }
        other => die(&format!("no operation {other:?}")),
    }
}

/// The columns an operation reads, for its input bytes.
fn inputs(op: &str, p: &Params) -> Vec<String> {
    match op {
        "cat" => vec![p.s("column"), p.s("other")],
        "value_counts" => vec![p.s("key")],
        "groupby" | "join" => vec![p.s("key"), p.s("value")],
        _ => vec![p.s("column")],
    }
}

/// The harness's timing rule (peers.py has the same): a warm-up on the sample (the data's
/// first rows: code paths, compiled patterns, the pool), then a warm-up on the full data
/// when the sample's time predicts a run under `budget` (`scale`: full rows over sample
/// rows), then timed runs on the full data: at least one, at most `runs`, while within
/// `budget`. The warm-ups are never samples.
fn time(
    mut full: impl FnMut() -> DataFrame,
    mut sample: impl FnMut() -> DataFrame,
    scale: f64,
    runs: usize,
    budget: Duration,
) -> (Vec<f64>, DataFrame) {
    let started = Instant::now();
    sample();
    if started.elapsed().mul_f64(scale) < budget {
        full();
    }
    let mut samples = Vec::new();
    let mut result = None;
    let begun = Instant::now();
    while samples.len() < runs.max(1) && (samples.is_empty() || begun.elapsed() < budget) {
        drop(result.take()); // free the previous result first, as a fresh run would
        let t = Instant::now();
        result = Some(full());
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    (samples, result.expect("at least one run"))
}

/// `--memory`: the peak resident memory of one run of each operation on all threads,
/// above the resident size before it (the pages of the columns read are made resident
/// first). run.sh gives one operation per process, so no memory an
/// earlier operation left with the allocator hides this one's.
fn memory(
    (frame, dim): (&DataFrame, Option<&DataFrame>),
    (sample, sample_dim): (&DataFrame, Option<&DataFrame>),
    ops: &[String],
    params: &Params,
    out: &Path,
) {
    let rt = Runtime::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
        .unwrap_or_else(|e| die(&e.to_string()));
    // The peers hold their data in memory before they run: bring every page of the
    // columns read in, so that only the operation's own memory is counted.
    let mut touched = 0u64;
    for name in ["column", "other", "key", "value"] {
        for array in frame
            .column(&params.s(name))
            .unwrap_or_else(|e| die(&e.to_string()))
        {
            let data = array.to_data();
            for buffer in data
                .buffers()
                .iter()
                .chain(data.nulls().map(|n| n.buffer()))
            {
                touched += buffer
                    .as_slice()
                    .iter()
                    .step_by(4096)
                    .map(|&b| b as u64)
                    .sum::<u64>();
            }
        }
    }
    std::hint::black_box(touched);
    let mut results = serde_json::Map::new();
    for op in ops {
        // Warm-ups: the operation on the sample (as in the timing rule), and a parallel
        // scan of the full data (`filter_count`), so that every worker thread has its heap
        // before the measured run (a thread's first run otherwise counts the heap's
        // set-up, about 12 MB) without this operation's own memory being left behind by
        // an earlier run of it. The peers get the same two warm-ups.
        for (f, d, o) in [
            (sample, sample_dim, op.as_str()),
            (frame, dim, "filter_count"),
        ] {
            plan(f, d, o, params)
                .with_runtime(rt.clone())
                .collect()
                .unwrap_or_else(|e| die(&format!("{o}: {e}")));
        }
        let start = peak_start();
        let result = plan(frame, dim, op, params)
            .with_runtime(rt.clone())
            .collect()
            .unwrap_or_else(|e| die(&format!("{op}: {e}")));
        let peak = peak_mb(start);
        eprintln!(
            "spindle {op:<15} peak {peak:>9.1} MB above {:.1} MB",
            start as f64 / 1024.0
        );
        drop(result);
        results.insert(
            op.clone(),
            json!({ "peak_mb": peak, "rss_before_mb": start as f64 / 1024.0 }),
        );
    }
    let out_json = json!({ "engine": "spindle", "ops": results });
    std::fs::write(out, serde_json::to_string_pretty(&out_json).unwrap())
        .unwrap_or_else(|e| die(&format!("{}: {e}", out.display())));
}

/// A line of /proc/self/status, in KiB (0 where there is no such file).
fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Starts measuring peak memory: resets the peak resident size (Linux) and returns the
/// resident size now.
fn peak_start() -> u64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    status_kib("VmRSS:")
}

/// MB of resident memory at the peak since `peak_start` above its resident size then.
fn peak_mb(start_kib: u64) -> f64 {
    status_kib("VmHWM:").saturating_sub(start_kib) as f64 / 1024.0
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// memcpy and read-scan bandwidth over a buffer much larger than the caches, in GB/s.
fn bandwidth(threads: usize) -> Value {
    const BYTES: usize = 512 << 20;
    let src: Vec<u64> = (0..BYTES / 8).map(|i| i as u64).collect();
    let mut dst: Vec<u64> = vec![0; BYTES / 8];
    let gbps = |d: Duration| BYTES as f64 / d.as_secs_f64() / 1e9;
    let best = |f: &mut dyn FnMut()| {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .min()
            .unwrap()
    };
    let memcpy = best(&mut || dst.copy_from_slice(&src));
    std::hint::black_box(&dst);
    let scan1 = best(&mut || {
        std::hint::black_box(scan(&src, 1));
    });
    let scan_all = best(&mut || {
        std::hint::black_box(scan(&src, threads));
    });
    json!({
        "bytes": BYTES,
        "memcpy_gbps": gbps(memcpy),
        "read_scan_gbps_1": gbps(scan1),
        "read_scan_gbps_all": gbps(scan_all),
    })
}

/// Sums `data` on `parts` threads: a pure read of every byte.
fn scan(data: &[u64], parts: usize) -> u64 {
    let chunk = data.len().div_ceil(parts);
    std::thread::scope(|s| {
        let handles: Vec<_> = data
            .chunks(chunk)
            .map(|c| s.spawn(move || c.iter().fold(0u64, |a, &x| a.wrapping_add(x))))
            .collect();
        handles
            .into_iter()
            .fold(0u64, |a, h| a.wrapping_add(h.join().unwrap()))
    })
}

fn main() {
    let a = args();
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/compare/ops.json"),
        )
        .unwrap_or_else(|e| die(&format!("ops.json: {e}"))),
    )
    .unwrap_or_else(|e| die(&format!("ops.json: {e}")));
    let params = Params(spec["data"][&a.data].clone());
    if params.0.is_null() {
        die(&format!("ops.json has no data set {:?}", a.data));
    }
    let ops: Vec<String> = a.ops.clone().unwrap_or_else(|| {
        spec["ops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    });
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    let started = Instant::now();
    let frame = spindle::open(&a.file).unwrap_or_else(|e| die(&e.to_string()));
    let open_ms = started.elapsed().as_secs_f64() * 1e3;
    let sample = spindle::open(&a.sample).unwrap_or_else(|e| die(&e.to_string()));
    // The join's second tables, made (untimed) only when the join runs.
    let dims = ops
        .iter()
        .any(|o| o == "join")
        .then(|| (dimension(&frame, &params), dimension(&sample, &params)));
    let (dim, sample_dim) = match &dims {
        Some((d, s)) => (Some(d), Some(s)),
        None => (None, None),
    };
    let scale = frame.num_rows() as f64 / sample.num_rows().max(1) as f64;
    // The one-time UTF-8 and offsets validation of every column an operation reads.
    let started = Instant::now();
    for name in ["column", "other", "key", "value"] {
        frame
            .column(&params.s(name))
            .unwrap_or_else(|e| die(&e.to_string()));
    }
    let first_touch_ms = started.elapsed().as_secs_f64() * 1e3;
    let column_bytes: BTreeMap<String, u64> = frame
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .zip(frame.table().column_bytes().iter().copied())
        .collect();
    if a.memory {
        return memory((&frame, dim), (&sample, sample_dim), &ops, &params, &a.out);
    }
    eprintln!("spindle: measuring memory bandwidth");
    let bw = bandwidth(all);
    if let Some(dir) = &a.results {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| die(&format!("{}: {e}", dir.display())));
    }
    let mut results = serde_json::Map::new();
    for op in &ops {
        let bytes: u64 = inputs(op, &params)
            .iter()
            .map(|c| column_bytes.get(c).copied().unwrap_or(0))
            .sum();
        let mut entry = json!({ "bytes": bytes });
        let mut last = None;
        for threads in [1, all] {
            let rt = Runtime::new(threads).unwrap_or_else(|e| die(&e.to_string()));
            let run = |f: &DataFrame, dim: Option<&DataFrame>| {
                plan(f, dim, op, &params)
                    .with_runtime(rt.clone())
                    .collect()
                    .unwrap_or_else(|e| die(&format!("{op}: {e}")))
            };
            let (samples, result) = time(
                || run(&frame, dim),
                || run(&sample, sample_dim),
                scale,
                a.runs,
                a.budget,
            );
            eprintln!(
                "spindle {op:<15} {threads} thread(s): {:>9.2} ms (median of {})",
                median(&samples),
                samples.len()
            );
            entry[format!("threads_{threads}")] =
                json!({ "median_ms": median(&samples), "samples_ms": samples });
            last = Some(result);
        }
        if let (Some(dir), Some(result)) = (&a.results, last) {
            write_result(&dir.join(format!("{op}.arrow")), &result);
        }
        results.insert(op.clone(), entry);
    }
    let out = json!({
        "engine": "spindle",
        "version": env!("CARGO_PKG_VERSION"),
        "threads_all": all,
        "rows": frame.num_rows(),
        "open_ms": open_ms,
        "first_touch_ms": first_touch_ms,
        "bandwidth": bw,
        "ops": results,
    });
    std::fs::write(&a.out, serde_json::to_string_pretty(&out).unwrap())
        .unwrap_or_else(|e| die(&format!("{}: {e}", a.out.display())));
}

/// The result as a zstd-compressed Arrow IPC file (small on disk; pyarrow reads it).
fn write_result(path: &Path, frame: &DataFrame) {
    let options = arrow_ipc::writer::IpcWriteOptions::default()
        .try_with_compression(Some(arrow_ipc::CompressionType::ZSTD))
        .unwrap();
    let file =
        std::fs::File::create(path).unwrap_or_else(|e| die(&format!("{}: {e}", path.display())));
    let mut w = arrow_ipc::writer::FileWriter::try_new_with_options(
        std::io::BufWriter::new(file),
        &frame.schema(),
        options,
    )
    .unwrap();
    for b in frame.to_batches().unwrap() {
        w.write(&b).unwrap();
    }
    w.finish().unwrap();
}
