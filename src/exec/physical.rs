//! The physical plan: operators with everything compiled (expressions, patterns, sort
//! and group keys), run by [`PhysicalPlan::execute`].
//!
//! Filters and projections are *streaming* operators: consecutive ones form one
//! [`Node::Stream`], which cuts its input into partitions and runs all its operators on
//! each partition serially, the partitions in parallel on the pool. Aggregate, sort,
//! top-k, join and limit need their input first (*breakers*); each materialises its input,
//! runs on the pool itself, and hands its output batches up. A limit over a stream runs
//! the partitions in waves and stops when it has its rows.
//!
//! Every operator counts the rows it outputs and the time it takes, for EXPLAIN ANALYZE;
//! a streaming operator's time is summed over the workers. The cancel flag is checked
//! before each operator and each partition of a stream; the memory budget will be checked
//! here too.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use arrow_array::{RecordBatch, RecordBatchOptions};
use arrow_schema::SchemaRef;

use crate::error::{Error, Result};
use crate::exec::aggregate::Aggregate;
use crate::exec::join::{JoinOutput, JoinSpec};
use crate::exec::sort::Sort;
use crate::exec::{partition, CancelFlag, Partition, PartitionLimits, Runtime};
use crate::expr::physical::{evaluate, PhysicalExpr};
use crate::storage::Table;

/// Where a plan runs: the pool and the partition bounds.
#[derive(Debug, Clone)]
pub(crate) struct ExecContext {
    pub runtime: Runtime,
    pub limits: PartitionLimits,
    /// Checked before each operator and each partition of a stream.
    pub cancel: CancelFlag,
}

/// Rows out and time taken by one operator.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    rows: AtomicU64,
    nanos: AtomicU64,
    /// Partitions a stream ran (0 for other operators).
    partitions: AtomicU64,
}

impl Metrics {
    fn add(&self, rows: usize, started: Instant) {
        self.rows.fetch_add(rows as u64, Ordering::Relaxed);
        self.nanos
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }

    fn millis(&self) -> f64 {
        self.nanos.load(Ordering::Relaxed) as f64 / 1e6
    }
}

/// A node of the physical plan, with its output schema and metrics.
#[derive(Debug)]
pub(crate) struct PhysicalPlan {
    pub node: Node,
    pub schema: SchemaRef,
    pub metrics: Metrics,
}

/// The operators.
#[derive(Debug)]
pub(crate) enum Node {
    /// The columns `columns` of a table (validated or decoded on first use), all batches.
    Scan {
        table: Arc<Table>,
        columns: Vec<usize>,
    },
    /// Streaming operators, run per partition of the input, first to last.
    Stream {
        input: Box<PhysicalPlan>,
        ops: Vec<StreamOp>,
    },
    /// Rows `offset..offset + len`.
    Limit {
        input: Box<PhysicalPlan>,
        offset: usize,
        len: Option<usize>,
    },
    /// Hash aggregation (and distinct, as an aggregation with no aggregates).
    Aggregate {
        input: Box<PhysicalPlan>,
        aggregate: Aggregate,
        label: String,
    },
    /// A sort; with `limit`, a top-k.
    Sort {
        input: Box<PhysicalPlan>,
        sort: Sort,
        limit: Option<usize>,
        label: String,
    },
    /// The inputs' rows one after the other, under the union's schema.
    Union { inputs: Vec<PhysicalPlan> },
    /// A hash join.
    Join {
        left: Box<PhysicalPlan>,
        right: Box<PhysicalPlan>,
        spec: JoinSpec,
        output: JoinOutput,
    },
}

/// A streaming operator.
#[derive(Debug)]
pub(crate) struct StreamOp {
    pub kind: StreamKind,
    /// The logical expression(s), for EXPLAIN.
    pub label: String,
    pub metrics: Metrics,
}

#[derive(Debug)]
pub(crate) enum StreamKind {
    /// Keep the rows where the predicate holds, then (when `keep` is set) only these
    /// columns: a filter then count copies no column.
    Filter {
        predicate: PhysicalExpr,
        keep: Option<Vec<usize>>,
        schema: SchemaRef,
    },
    /// One column per expression.
    Project {
        exprs: Vec<PhysicalExpr>,
        schema: SchemaRef,
    },
}

impl StreamOp {
    pub fn new(kind: StreamKind, label: String) -> StreamOp {
        StreamOp {
            kind,
            label,
            metrics: Metrics::default(),
        }
    }

    fn schema(&self) -> &SchemaRef {
        match &self.kind {
            StreamKind::Filter { schema, .. } | StreamKind::Project { schema, .. } => schema,
        }
    }

    fn run(&self, batch: RecordBatch) -> Result<RecordBatch> {
        let started = Instant::now();
        let out = match &self.kind {
            StreamKind::Filter {
                predicate, keep, ..
            } => {
                let mask = evaluate(predicate, &batch)?.into_array(batch.num_rows())?;
                let mask = arrow_cast::cast(&mask, &arrow_schema::DataType::Boolean)
                    .map_err(|e| Error::arrow("filter", e))?;
                let mask = arrow_array::cast::AsArray::as_boolean(mask.as_ref());
                let batch = match keep {
                    Some(columns) => batch
                        .project(columns)
                        .map_err(|e| Error::arrow("filter", e))?,
                    None => batch,
                };
                arrow_select::filter::filter_record_batch(&batch, mask)
                    .map_err(|e| Error::arrow("filter", e))?
            }
            StreamKind::Project { exprs, schema } => {
                let rows = batch.num_rows();
                let columns = exprs
                    .iter()
                    .map(|e| evaluate(e, &batch)?.into_array(rows))
                    .collect::<Result<Vec<_>>>()?;
                let options = RecordBatchOptions::new().with_row_count(Some(rows));
                RecordBatch::try_new_with_options(schema.clone(), columns, &options)
                    .map_err(|e| Error::arrow("select", e))?
            }
        };
        self.metrics.add(out.num_rows(), started);
        Ok(out)
    }
}

impl PhysicalPlan {
    pub fn new(node: Node, schema: SchemaRef) -> PhysicalPlan {
        PhysicalPlan {
            node,
            schema,
            metrics: Metrics::default(),
        }
    }

    /// A stream of `op` over `input`: appended to `input` when it is a stream already.
    pub fn stream(input: PhysicalPlan, op: StreamOp) -> PhysicalPlan {
        let schema = op.schema().clone();
        match input.node {
            Node::Stream { input, mut ops } => {
                ops.push(op);
                PhysicalPlan::new(Node::Stream { input, ops }, schema)
            }
            node => {
                let input = PhysicalPlan {
                    node,
                    schema: input.schema,
                    metrics: input.metrics,
                };
                PhysicalPlan::new(
                    Node::Stream {
                        input: Box::new(input),
                        ops: vec![op],
                    },
                    schema,
                )
            }
        }
    }

    /// Runs the plan and materialises its output.
    pub fn execute(&self, ctx: &ExecContext) -> Result<Vec<RecordBatch>> {
        self.execute_capped(ctx, None)
    }

    /// Runs the plan; a stream stops once it has made `cap` rows (it may make more).
    fn execute_capped(&self, ctx: &ExecContext, cap: Option<usize>) -> Result<Vec<RecordBatch>> {
        ctx.cancel.check()?;
        let started = Instant::now();
        let out = match &self.node {
            Node::Scan { table, columns } => ctx.runtime.install(|| table.batches(columns))?,
            Node::Stream { input, ops } => {
                let batches = input.execute(ctx)?;
                let partitions = partition(&batches, ctx.limits);
                self.metrics
                    .partitions
                    .fetch_add(partitions.len() as u64, Ordering::Relaxed);
                stream(ctx, &partitions, ops, cap)?
            }
            Node::Limit { input, offset, len } => {
                let need = len.map(|n| offset.saturating_add(n));
                let rows = input.execute_capped(ctx, need)?;
                slice(rows, *offset, *len)
            }
            Node::Aggregate {
                input, aggregate, ..
            } => {
                let batches = input.execute(ctx)?;
                aggregate.run(&ctx.runtime, ctx.limits, batches, &ctx.cancel)?
            }
            Node::Sort {
                input, sort, limit, ..
            } => {
                let batches = input.execute(ctx)?;
                sort.run(&ctx.runtime, batches, *limit)?
            }
            Node::Union { inputs } => {
                let mut out = Vec::new();
                for input in inputs {
                    for b in input.execute(ctx)? {
                        let options = RecordBatchOptions::new().with_row_count(Some(b.num_rows()));
                        out.push(
                            RecordBatch::try_new_with_options(
                                self.schema.clone(),
                                b.columns().to_vec(),
                                &options,
                            )
                            .map_err(|e| Error::arrow("union", e))?,
                        );
                    }
                }
                out
            }
            Node::Join {
                left,
                right,
                spec,
                output,
            } => {
                let l = left.execute(ctx)?;
                let r = right.execute(ctx)?;
                crate::exec::join::run(
                    spec,
                    output,
                    (&ctx.runtime, &ctx.cancel),
                    ctx.limits,
                    (&left.schema, l),
                    (&right.schema, r),
                )?
            }
        };
        self.metrics
            .add(out.iter().map(RecordBatch::num_rows).sum(), started);
        Ok(out)
    }

    /// The node's inputs.
    fn inputs(&self) -> Vec<&PhysicalPlan> {
        match &self.node {
            Node::Scan { .. } => Vec::new(),
            Node::Stream { input, .. }
            | Node::Limit { input, .. }
            | Node::Aggregate { input, .. }
            | Node::Sort { input, .. } => vec![input],
            Node::Join { left, right, .. } => vec![left, right],
            Node::Union { inputs } => inputs.iter().collect(),
        }
    }

    /// The plan as text; with `analyze`, each operator's rows and time (after a run).
    pub fn display(&self, ctx: &ExecContext, analyze: bool) -> String {
        let mut out = format!(
            "threads: {}, partitions of at most {} rows or {} KiB\n",
            ctx.runtime.threads(),
            ctx.limits.max_rows,
            ctx.limits.max_bytes >> 10
        );
        self.write_tree(&mut out, 0, analyze)
            .expect("writing to a String");
        out
    }

    fn write_tree(&self, out: &mut String, depth: usize, analyze: bool) -> fmt::Result {
        use fmt::Write;
        let pad = |d: usize| " ".repeat(2 * d);
        // Own time: this node's minus its inputs'.
        let own = |m: &Metrics, inputs: &[&PhysicalPlan]| {
            m.millis() - inputs.iter().map(|p| p.metrics.millis()).sum::<f64>()
        };
        let stats = |rows: u64, ms: f64| {
            if analyze {
                format!("  (rows={rows}, time={ms:.2} ms)")
            } else {
                String::new()
            }
        };
        // A stream's operators take a line each, so its input is below the last.
        let mut depth = depth;
        let inputs = self.inputs();
        let own_time = own(&self.metrics, &inputs);
        let rows = self.metrics.rows.load(Ordering::Relaxed);
        match &self.node {
            Node::Scan { table, columns } => {
                let schema = table.schema();
                let names: Vec<&str> = columns
                    .iter()
                    .map(|&i| schema.field(i).name().as_str())
                    .collect();
                let bytes: u64 = columns.iter().map(|&i| table.column_bytes()[i]).sum();
                let name = table
                    .path()
                    .map_or_else(|| "memory".to_string(), |p| p.display().to_string());
                writeln!(
                    out,
                    "{}Scan: {name}, {}, columns read [{}] ({:.1} MB), {} batches, {} rows{}",
                    pad(depth),
                    table.mode(),
                    names.join(", "),
                    bytes as f64 / 1e6,
                    table.batch_rows().len(),
                    table.num_rows(),
                    stats(rows, own_time)
                )?;
            }
            Node::Stream { ops, .. } => {
                // The operators top-down; the partitions they ran on with the first.
                let partitions = self.metrics.partitions.load(Ordering::Relaxed);
                for (i, op) in ops.iter().enumerate().rev() {
                    let name = match &op.kind {
                        StreamKind::Filter { keep: None, .. } => "Filter".to_string(),
                        StreamKind::Filter {
                            keep: Some(_),
                            schema,
                            ..
                        } => {
                            let kept: Vec<&str> =
                                schema.fields().iter().map(|f| f.name().as_str()).collect();
                            format!("Filter (then keep [{}])", kept.join(", "))
                        }
                        StreamKind::Project { .. } => "Project".to_string(),
                    };
                    let where_ = if i == 0 {
                        if analyze {
                            format!(" [per partition: {partitions} partitions]")
                        } else {
                            " [per partition, in parallel]".to_string()
                        }
                    } else {
                        String::new()
                    };
                    // A streaming operator's time is summed over the workers that ran it.
                    let cpu = if analyze {
                        format!(
                            "  (rows={}, cpu={:.2} ms)",
                            op.metrics.rows.load(Ordering::Relaxed),
                            op.metrics.millis()
                        )
                    } else {
                        String::new()
                    };
                    writeln!(out, "{}{name}: {}{where_}{cpu}", pad(depth), op.label)?;
                    depth += 1;
                }
                depth -= 1;
            }
            Node::Limit { offset, len, .. } => {
                let len = len.map_or_else(|| "all".to_string(), |n| n.to_string());
                writeln!(
                    out,
                    "{}Limit: offset={offset}, len={len}{}",
                    pad(depth),
                    stats(rows, own_time)
                )?;
            }
            Node::Aggregate { label, .. } | Node::Sort { label, .. } => {
                writeln!(out, "{}{label}{}", pad(depth), stats(rows, own_time))?;
            }
            Node::Union { inputs } => {
                writeln!(
                    out,
                    "{}Union: {} inputs{}",
                    pad(depth),
                    inputs.len(),
                    stats(rows, own_time)
                )?;
            }
            Node::Join { spec, output, .. } => {
                let names: Vec<&str> = output
                    .schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect();
                writeln!(
                    out,
                    "{}HashJoin: {:?} on {} keys, output [{}]{}",
                    pad(depth),
                    spec.how,
                    spec.left_on.len(),
                    names.join(", "),
                    stats(rows, own_time)
                )?;
            }
        }
        for input in inputs {
            input.write_tree(out, depth + 1, analyze)?;
        }
        Ok(())
    }
}

/// Runs `ops` on every partition in parallel; with a `cap`, in waves of twice the threads
/// until that many rows came.
fn stream(
    ctx: &ExecContext,
    partitions: &[Partition],
    ops: &[StreamOp],
    cap: Option<usize>,
) -> Result<Vec<RecordBatch>> {
    let run = |p: &Partition| -> Result<Vec<RecordBatch>> {
        ctx.cancel.check()?;
        let mut out = Vec::with_capacity(p.batches.len());
        for b in &p.batches {
            let mut b = b.clone();
            for op in ops {
                b = op.run(b)?;
            }
            if b.num_rows() > 0 {
                out.push(b);
            }
        }
        Ok(out)
    };
    let Some(n) = cap else {
        return Ok(ctx
            .runtime
            .map_partitions(partitions, run)?
            .into_iter()
            .flatten()
            .collect());
    };
    let mut out: Vec<RecordBatch> = Vec::new();
    let mut rows = 0;
    let wave = (ctx.runtime.threads() * 2).max(1);
    for chunk in partitions.chunks(wave) {
        if rows >= n {
            break;
        }
        for b in ctx
            .runtime
            .map_partitions(chunk, run)?
            .into_iter()
            .flatten()
        {
            rows += b.num_rows();
            out.push(b);
        }
    }
    Ok(out)
}

/// Rows `offset..offset + len` of `batches` (zero-copy slices).
fn slice(batches: Vec<RecordBatch>, mut offset: usize, len: Option<usize>) -> Vec<RecordBatch> {
    let mut left = len.unwrap_or(usize::MAX);
    let mut out = Vec::with_capacity(batches.len());
    for b in batches {
        if left == 0 {
            break;
        }
        if offset >= b.num_rows() {
            offset -= b.num_rows();
            continue;
        }
        let take = (b.num_rows() - offset).min(left);
        out.push(b.slice(offset, take));
        left -= take;
        offset = 0;
    }
    out
}
