//! The executor: physical operators (`physical`), the hash aggregate, sort and top-k,
//! and hash join operators, one named rayon pool, and the split of batches into
//! partitions that keep both cores busy.
//!
//! Owns: running plans. May import `expr` (compiled expressions), `storage` (the tables a
//! scan reads) and the kernels; never `plan`, `frame` or `sql`: the executor runs
//! physical plans, not logical ones or text.
//!
//! A partition is a list of zero-copy batch slices, bounded in rows and bytes. A big batch
//! is cut into several partitions (so a single 10-million-row batch still uses every
//! thread); small consecutive batches are grouped into one (so a file of a thousand tiny
//! batches does not pay a task per batch). Each partition runs the whole plan serially on
//! one worker; kernels never call into rayon themselves.

use std::sync::{Arc, OnceLock};

use arrow_array::RecordBatch;
use rayon::prelude::*;
use rayon::ThreadPool;

use crate::error::{Error, Result};
pub(crate) use crate::storage::batch_bytes;

pub(crate) mod aggregate;
pub(crate) mod join;
pub(crate) mod keys;
pub(crate) mod physical;
pub(crate) mod sort;

/// Stops a running query: [`LazyFrame::with_cancel`](crate::LazyFrame::with_cancel)
/// gives a query a flag, and [`CancelFlag::cancel`] (from any thread) makes it end with
/// [`Error::Cancelled`] at its next check: before each operator, and each partition of a
/// stream, an aggregation or a join's probe. Cheap to clone; clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<std::sync::atomic::AtomicBool>);

impl CancelFlag {
    /// A flag not raised.
    pub fn new() -> CancelFlag {
        CancelFlag::default()
    }

    /// Raises the flag: the queries that hold it stop.
    pub fn cancel(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// True once [`CancelFlag::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `Err(Error::Cancelled)` once raised.
    pub(crate) fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Environment variables that size the default pool, in order of precedence.
pub const THREAD_ENV: [&str; 2] = ["SPINDLE_THREADS", "RAYON_NUM_THREADS"];

/// Each worker's stack. Planning and evaluating an expression recurse once per level, and
/// SQL allows [`crate::sql::MAX_EXPRESSION_DEPTH`] levels, so plans are made and run on
/// the workers (never on the caller's thread, whose stack may be small). The stack is
/// address space: only the pages a deep expression touches are ever committed.
const WORKER_STACK: usize = 64 << 20;

/// A thread pool that runs partitions. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Runtime {
    pool: Arc<ThreadPool>,
}

impl Runtime {
    /// A pool of `threads` workers named `spindle-N` (`0` means one per core).
    ///
    /// # Errors
    /// When the operating system refuses to start the threads.
    pub fn new(threads: usize) -> Result<Runtime> {
        let threads = if threads == 0 {
            default_threads()
        } else {
            threads
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("spindle-{i}"))
            .stack_size(WORKER_STACK)
            .build()
            .map_err(|e| Error::invalid("thread pool", e.to_string()))?;
        Ok(Runtime {
            pool: Arc::new(pool),
        })
    }

    /// The process-wide pool, sized by `SPINDLE_THREADS`, then `RAYON_NUM_THREADS`, then the
    /// number of cores. Built on first use.
    pub fn global() -> Result<Runtime> {
        static GLOBAL: OnceLock<Runtime> = OnceLock::new();
        if let Some(rt) = GLOBAL.get() {
            return Ok(rt.clone());
        }
        let rt = Runtime::new(threads_from_env()?)?;
        Ok(GLOBAL.get_or_init(|| rt).clone())
    }

    /// Number of worker threads.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Runs `f` inside the pool (so nested `par_iter`s use it).
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        self.pool.install(f)
    }

    /// Runs `f` on every partition in parallel; results keep the partitions' order.
    pub(crate) fn map_partitions<T: Send>(
        &self,
        partitions: &[Partition],
        f: impl Fn(&Partition) -> Result<T> + Sync,
    ) -> Result<Vec<T>> {
        self.install(|| partitions.par_iter().map(&f).collect())
    }
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Threads asked for by the environment (`0` when none is set).
fn threads_from_env() -> Result<usize> {
    for var in THREAD_ENV {
        if let Ok(value) = std::env::var(var) {
            return value.trim().parse::<usize>().map_err(|_| {
                Error::invalid(var, format!("expected a number of threads, got {value:?}"))
            });
        }
    }
    Ok(0)
}

/// A unit of parallel work: consecutive row ranges of the input, as batch slices.
#[derive(Debug, Clone)]
pub(crate) struct Partition {
    pub batches: Vec<RecordBatch>,
}

impl Partition {
    #[cfg(test)]
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// Bounds on a partition's size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PartitionLimits {
    /// At most this many rows.
    pub max_rows: usize,
    /// At most about this many bytes of column data.
    pub max_bytes: usize,
    /// A batch is cut only into pieces of at least this many rows.
    pub min_rows: usize,
}

impl Default for PartitionLimits {
    fn default() -> Self {
        // 64 Ki rows or 4 MiB keep a partition's input and output within a core's L2/L3
        // reach, and give a 2-million-row column 31+ tasks: enough for rayon to balance.
        PartitionLimits {
            max_rows: 64 * 1024,
            max_bytes: 4 << 20,
            min_rows: 4 * 1024,
        }
    }
}

/// Splits batches into partitions within `limits`.
pub(crate) fn partition(batches: &[RecordBatch], limits: PartitionLimits) -> Vec<Partition> {
    let mut out = Vec::new();
    let mut current = Partition {
        batches: Vec::new(),
    };
    let (mut rows, mut bytes) = (0usize, 0usize);
    for batch in batches.iter().filter(|b| b.num_rows() > 0) {
        let n = batch.num_rows();
        let batch_bytes = batch_bytes(batch);
        let row_bytes = batch_bytes.div_ceil(n).max(1);
        let target = (limits.max_bytes / row_bytes).clamp(limits.min_rows, limits.max_rows);
        if n > target {
            // A big batch: flush what is pending, then cut it into even slices.
            flush(&mut out, &mut current);
            (rows, bytes) = (0, 0);
            let pieces = n.div_ceil(target);
            let step = n.div_ceil(pieces);
            for start in (0..n).step_by(step) {
                out.push(Partition {
                    batches: vec![batch.slice(start, step.min(n - start))],
                });
            }
            continue;
        }
        if rows + n > target || bytes + batch_bytes > limits.max_bytes.max(batch_bytes) {
            flush(&mut out, &mut current);
            (rows, bytes) = (0, 0);
        }
        current.batches.push(batch.clone());
        rows += n;
        bytes += batch_bytes;
    }
    flush(&mut out, &mut current);
    out
}

/// Ends the partition being filled, if it has any batch.
fn flush(out: &mut Vec<Partition>, current: &mut Partition) {
    if !current.batches.is_empty() {
        out.push(Partition {
            batches: std::mem::take(&mut current.batches),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray};
    use std::sync::Arc;

    fn batch(rows: usize) -> RecordBatch {
        let ints = Int64Array::from_iter_values(0..rows as i64);
        let strs = StringArray::from_iter_values((0..rows).map(|i| format!("row {i}")));
        RecordBatch::try_from_iter([("i", Arc::new(ints) as _), ("s", Arc::new(strs) as _)])
            .unwrap()
    }

    fn rows(parts: &[Partition]) -> Vec<usize> {
        parts.iter().map(Partition::num_rows).collect()
    }

    #[test]
    fn one_big_batch_is_cut_for_every_core() {
        let parts = partition(&[batch(1_000_000)], PartitionLimits::default());
        assert!(parts.len() >= 8, "{} partitions", parts.len());
        assert_eq!(rows(&parts).iter().sum::<usize>(), 1_000_000);
        let limits = PartitionLimits::default();
        assert!(rows(&parts).iter().all(|&r| r <= limits.max_rows));
    }

    #[test]
    fn many_tiny_batches_are_grouped() {
        let batches: Vec<_> = (0..1000).map(|_| batch(10)).collect();
        let parts = partition(&batches, PartitionLimits::default());
        assert!(parts.len() <= 2, "{} partitions for 10k rows", parts.len());
        assert_eq!(rows(&parts).iter().sum::<usize>(), 10_000);
    }

    #[test]
    fn byte_bound_cuts_wide_rows() {
        let limits = PartitionLimits {
            max_rows: 1 << 20,
            max_bytes: 1 << 16,
            min_rows: 16,
        };
        let parts = partition(&[batch(100_000)], limits);
        assert!(parts.len() > 10, "{} partitions", parts.len());
    }

    #[test]
    fn runtime_sizes() {
        assert_eq!(Runtime::new(3).unwrap().threads(), 3);
        assert!(Runtime::new(0).unwrap().threads() >= 1);
    }
}
