//! The concurrency stress test: many threads run different queries at once over one
//! mapped file and one shared frame, through SQL and the lazy API, on the global pool and
//! on private pools, for a fixed time. Every result must equal the same query run alone;
//! the whole run must end (no deadlock) and its memory must stay flat (no growth from one
//! half of the run to the other).

mod common;

use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::RecordBatch;
use common::{scratch, write_sample};
use spindle::sql::Session;
use spindle::{col, lit, DataFrame, Runtime, SortOptions};

/// How long the threads run together.
const RUN: Duration = Duration::from_secs(6);
const THREADS: usize = 8;

type Query = Box<dyn Fn(&Session, &DataFrame) -> spindle::Result<DataFrame> + Send + Sync>;

fn queries() -> Vec<(&'static str, Query)> {
    let sql = |q: &'static str| -> Query { Box::new(move |s: &Session, _: &DataFrame| s.sql(q)) };
    vec![
        (
            "filter and count",
            sql("SELECT count(*) FROM t WHERE text LIKE '%memory%' AND score > 100"),
        ),
        (
            "value_counts",
            sql("SELECT cat, count(*) AS n FROM t GROUP BY cat ORDER BY n DESC, cat"),
        ),
        (
            "string kernels",
            sql(
                "SELECT id, upper(text), length(large), replace(view, 'a', 'xy') FROM t \
                 WHERE id % 97 = 0 ORDER BY id",
            ),
        ),
        (
            "group by aggregates",
            sql(
                "SELECT flag, count(*), sum(score), min(text), max(large) FROM t \
                 GROUP BY flag ORDER BY flag NULLS FIRST",
            ),
        ),
        (
            "top-k",
            sql("SELECT id, text FROM t ORDER BY text DESC NULLS LAST, id LIMIT 20"),
        ),
        (
            "self join",
            sql(
                "SELECT a.cat, count(*) FROM t a JOIN (SELECT DISTINCT cat FROM t) b \
                 ON a.cat = b.cat GROUP BY a.cat ORDER BY a.cat",
            ),
        ),
        (
            "regex contains (lazy, shared frame)",
            Box::new(|_: &Session, df: &DataFrame| {
                df.lazy()
                    .filter(col("text").str().contains(r"Σ\d+5 "))
                    .select([col("id"), col("text").str().len()])
                    .sort([col("id")], SortOptions::default())
                    .collect()
            }),
        ),
        (
            "value_counts (lazy, shared frame)",
            Box::new(|_: &Session, df: &DataFrame| {
                df.lazy()
                    .filter(col("id").gt(lit(1000i64)))
                    .value_counts(col("view").str().slice(Some(0), Some(5)))
                    .sort([col("count"), col("view")], SortOptions::default())
                    .collect()
            }),
        ),
    ]
}

fn batches(df: &DataFrame) -> Vec<RecordBatch> {
    let batches = df.to_batches().unwrap();
    vec![arrow_select::concat::concat_batches(&df.schema(), &batches).unwrap()]
}

fn rss_kb() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn concurrent_queries_equal_solo_runs() {
    let dir = scratch("stress");
    let path = write_sample(&dir, 6, 4000);
    let mapped = spindle::open(&path).unwrap();
    assert_eq!(
        *mapped.table().mode(),
        spindle::StorageMode::Mapped,
        "the file is mapped"
    );
    let shared = DataFrame::from_batches(mapped.schema(), mapped.to_batches().unwrap()).unwrap();
    let mut session = Session::new();
    session.register("t", mapped);
    let queries = Arc::new(queries());

    // Alone, one at a time.
    let solo: Arc<Vec<Vec<RecordBatch>>> = Arc::new(
        queries
            .iter()
            .map(|(name, q)| {
                batches(&q(&session, &shared).unwrap_or_else(|e| panic!("{name}: {e}")))
            })
            .collect(),
    );

    let (done, finished) = mpsc::channel();
    let start = Instant::now();
    let rss_start = rss_kb();
    let rss_half = Arc::new(std::sync::Mutex::new(None));
    for thread in 0..THREADS {
        let (queries, solo, done) = (queries.clone(), solo.clone(), done.clone());
        let (shared, rss_half) = (shared.clone(), rss_half.clone());
        // Half the threads run on private pools of their own.
        let session = if thread % 2 == 0 {
            session.clone()
        } else {
            session.clone().with_runtime(Runtime::new(2).unwrap())
        };
        std::thread::spawn(move || {
            let mut runs = 0usize;
            let mut i = thread;
            while start.elapsed() < RUN {
                let (name, query) = &queries[i % queries.len()];
                let got = batches(&query(&session, &shared).unwrap());
                assert_eq!(got, solo[i % queries.len()], "{name} on thread {thread}");
                runs += 1;
                i += 1 + thread % 3;
                if thread == 0 && start.elapsed() > RUN / 2 {
                    rss_half.lock().unwrap().get_or_insert_with(rss_kb);
                }
            }
            done.send(runs).unwrap();
        });
    }
    drop(done);
    let mut runs = Vec::new();
    for _ in 0..THREADS {
        // A deadlock or a panicked thread shows up here.
        runs.push(
            finished
                .recv_timeout(RUN + Duration::from_secs(120))
                .expect("every thread finishes (no deadlock, no panic)"),
        );
    }
    let rss_end = rss_kb();
    let rss_half = rss_half.lock().unwrap().unwrap_or(rss_end);
    eprintln!(
        "stress: {} queries on {THREADS} threads in {:.1} s ({runs:?} per thread); \
         RSS {} MB at start, {} MB at half time, {} MB at the end",
        runs.iter().sum::<usize>(),
        start.elapsed().as_secs_f64(),
        rss_start / 1024,
        rss_half / 1024,
        rss_end / 1024
    );
    assert!(runs.iter().all(|&n| n > 0), "every thread ran queries");
    assert!(
        rss_end < rss_half + 200 * 1024,
        "memory grew from {rss_half} kB to {rss_end} kB in the second half"
    );
}
