//! `spindle gen` and `spindle demo`: write a seeded data set, then map it and run a
//! showcase of string queries on one thread and on all threads.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use spindle::sql::Session;
use spindle::{Error, Result, Runtime};

use crate::progress::Progress;
use spindle_datasets::{batch, batch_ranges, schema, Kind};

/// Writes `rows` rows of `kind` to `out` atomically, building batches in parallel; a
/// progress bar on stderr when it is a terminal and the data set has several batches.
pub fn generate(kind: Kind, rows: u64, seed: u64, batch_rows: usize, out: &Path) -> Result<()> {
    let mut bar = Progress::new(rows, "rows", std::io::stderr().is_terminal());
    let schema = schema(kind);
    let mut file = spindle::write::AtomicFile::create(out)?;
    let arrow_err = |e| Error::Arrow {
        context: format!("writing {}", out.display()),
        source: e,
    };
    let mut writer =
        arrow_ipc::writer::FileWriter::try_new(file.writer(), &schema).map_err(arrow_err)?;
    let ranges: Vec<(u64, usize)> = batch_ranges(rows, batch_rows).collect();
    let wave = rayon::current_num_threads().max(1) * 2;
    for chunk in ranges.chunks(wave) {
        let batches: Vec<_> = chunk
            .par_iter()
            .map(|&(start, len)| batch(kind, seed, rows, start, len))
            .collect();
        for b in &batches {
            writer.write(b).map_err(arrow_err)?;
            bar.advance(b.num_rows() as u64);
        }
    }
    bar.finish();
    writer.finish().map_err(arrow_err)?;
    drop(writer);
    file.commit()
}

/// Where the demo keeps its data: `datasets/generated/` in the source tree when run from
/// it, else in the current directory.
fn default_path(rows: u64) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets");
    let base = if manifest.is_dir() {
        manifest
    } else {
        PathBuf::from("datasets")
    };
    base.join("generated")
        .join(format!("text-{rows}-single-batch.arrow"))
}

struct Showcase {
    title: &'static str,
    /// The query, with `{file}` for the path.
    sql: &'static str,
    /// Columns the query reads (for throughput).
    reads: &'static [&'static str],
}

const SHOWCASE: &[Showcase] = &[
    Showcase {
        title: "lower (Python's full mapping)",
        sql: "SELECT str_lower(text) FROM '{file}'",
        reads: &["text"],
    },
    Showcase {
        title: "upper (Python's full mapping)",
        sql: "SELECT str_upper(text) FROM '{file}'",
        reads: &["text"],
    },
    Showcase {
        title: "length in characters",
        sql: "SELECT str_len(text) FROM '{file}'",
        reads: &["text"],
    },
    Showcase {
        title: "literal contains",
        sql: "SELECT contains(text, 'data') FROM '{file}'",
        reads: &["text"],
    },
    Showcase {
        title: "regex contains",
        sql: "SELECT str_contains(text, 'caf[eé]|\\d+') FROM '{file}'",
        reads: &["text"],
    },
    Showcase {
        title: "starts_with",
        sql: "SELECT starts_with(url, 'https://docs.') FROM '{file}'",
        reads: &["url"],
    },
    Showcase {
        title: "title (Python's rules)",
        sql: "SELECT str_title(text) FROM '{file}'",
        reads: &["text"],
    },
    Showcase {
        title: "regex replace with groups",
        sql: r"SELECT str_replace(email, '(\w+)\.(\w+)@', '\2.\1 at ', regex => true) FROM '{file}'",
        reads: &["email"],
    },
    Showcase {
        title: "extract named groups",
        sql: "SELECT str_extract(url, '//(?P<host>[^/]+)/(?P<first>[^/?]+)') FROM '{file}'",
        reads: &["url"],
    },
    Showcase {
        title: "split, then get",
        sql: "SELECT str_get(str_split(url, '/'), 2) FROM '{file}'",
        reads: &["url"],
    },
    Showcase {
        title: "filter LIKE, project",
        sql: "SELECT id, name FROM '{file}' WHERE text LIKE '%memory%'",
        reads: &["text", "id", "name"],
    },
    Showcase {
        title: "caseless filter, upper",
        sql: "SELECT str_upper(name) FROM '{file}' WHERE email ILIKE '%@EXAMPLE.COM'",
        reads: &["email", "name"],
    },
];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(runs: usize, session: &Session, sql: &str) -> Result<(Duration, usize)> {
    let mut times = Vec::with_capacity(runs);
    let mut rows = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        rows = session.sql(sql)?.num_rows();
        times.push(started.elapsed());
    }
    Ok((median(times), rows))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The main job: generate (if missing), map, and run the showcase.
pub fn run(rows: u64, file: Option<PathBuf>, threads: Option<usize>, runs: usize) -> Result<()> {
    let path = match file {
        Some(p) => p,
        None => {
            let p = default_path(rows);
            if !p.exists() {
                if let Some(dir) = p.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| Error::Io {
                        path: dir.to_path_buf(),
                        action: "create",
                        source: e,
                    })?;
                }
                eprintln!(
                    "generating {rows} rows of mixed text into {} ...",
                    p.display()
                );
                let started = Instant::now();
                generate(Kind::Text, rows, 42, 0, &p)?;
                eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
            }
            p
        }
    };

    let started = Instant::now();
    let frame = spindle::open(&path)?;
    let opened = started.elapsed();
    let table = frame.table();
    let schema = frame.schema();
    let bytes_of = |cols: &[&str]| -> u64 {
        cols.iter()
            .filter_map(|c| schema.index_of(c).ok())
            .map(|i| table.column_bytes()[i])
            .sum()
    };
    println!(
        "spindle demo: {} rows in {} batch(es), {} ({:.0} MB)",
        table.num_rows(),
        table.batch_rows().len(),
        path.display(),
        bytes_of(&["id", "name", "email", "url", "text", "country", "score", "active"]) as f64
            / 1e6
    );
    println!(
        "open: {:.2} ms, {} ; nothing read yet",
        ms(opened),
        table.mode()
    );
    // Both sessions query the same mapped frame: columns are validated once and shared.
    let name = path.display().to_string();
    let mut one = Session::new().with_runtime(Runtime::new(1)?);
    let all_rt = Runtime::new(threads.unwrap_or(0))?;
    let mut all = Session::new().with_runtime(all_rt.clone());
    one.register(name.clone(), frame.clone());
    all.register(name.clone(), frame.clone());
    let started = Instant::now();
    all_rt.install(|| frame.column("text"))?;
    println!(
        "first touch of column text: {:.1} ms (offsets and UTF-8 validated once, then trusted)",
        ms(started.elapsed())
    );
    println!();
    let t = all_rt.threads();
    let header_all = format!("{t} threads");
    println!(
        "{:<32} {:>10} {:>11} {:>11} {:>8} {:>9}",
        "query", "rows out", "1 thread", header_all, "GB/s", "speed-up"
    );
    for s in SHOWCASE {
        let sql = s.sql.replace("{file}", &name);
        // Warm up: the first run decodes and validates the columns the query reads.
        all.sql(&sql)?;
        let (serial, rows_out) = time(runs, &one, &sql)?;
        let (parallel, _) = time(runs, &all, &sql)?;
        let gbps = bytes_of(s.reads) as f64 / parallel.as_secs_f64() / 1e9;
        println!(
            "{:<32} {:>10} {:>8.1} ms {:>8.1} ms {:>8.2} {:>8.2}x",
            s.title,
            rows_out,
            ms(serial),
            ms(parallel),
            gbps,
            serial.as_secs_f64() / parallel.as_secs_f64()
        );
    }
    println!();
    println!("times are medians of {runs} runs, planning plus execution to a materialised result;");
    println!("GB/s is bytes of the columns read per second on {t} threads. Queries:");
    for s in SHOWCASE {
        println!("  {}", s.sql.replace("{file}", "FILE"));
    }
    Ok(())
}
