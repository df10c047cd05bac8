//! Frames: [`DataFrame`] (a table) and [`LazyFrame`] (a plan over one), Polars-style.
//!
//! A lazy frame records operations; [`LazyFrame::collect`] type-checks them against the
//! schema, works out which source columns the plan reads (only those are decoded),
//! compiles every expression once, cuts the input into partitions and runs the whole plan
//! on each partition in parallel. Results stay chunked: one batch per partition output.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{Field, Schema, SchemaRef};

use crate::agg::Aggregate;
use crate::error::{Error, Result};
use crate::exec::{partition, Partition, PartitionLimits, Runtime};
use crate::expr::Expr;
use crate::plan::{compile, evaluate, PhysicalExpr};
use crate::sort::Sort;
pub use crate::sort::SortOptions;
use crate::storage::{StorageMode, Table};

/// Opens an Arrow IPC file (Feather v2) by mapping it; reads only metadata.
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened, [`Error::Corrupt`] when it is not a
/// well-formed Arrow IPC file or stream.
pub fn open(path: impl AsRef<Path>) -> Result<DataFrame> {
    Ok(DataFrame {
        table: Arc::new(Table::open(path.as_ref())?),
    })
}

/// A table of data: columns of Arrow arrays, chunked by batch.
#[derive(Debug, Clone)]
pub struct DataFrame {
    table: Arc<Table>,
}

impl DataFrame {
    /// A frame over record batches that share `schema`.
    ///
    /// # Errors
    /// When a batch's schema differs from `schema`.
    pub fn from_batches(schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<DataFrame> {
        for (i, b) in batches.iter().enumerate() {
            if b.schema().fields() != schema.fields() {
                return Err(Error::invalid(
                    "from_batches",
                    format!("batch {i} has schema {}, expected {}", b.schema(), schema),
                ));
            }
        }
        Ok(DataFrame {
            table: Arc::new(Table::from_batches(schema, batches)),
        })
    }

    /// The storage behind this frame (mode, batch sizes, bytes per column).
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The schema.
    pub fn schema(&self) -> SchemaRef {
        self.table.schema().clone()
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.table.num_rows()
    }

    /// A lazy plan over this frame, run on the global pool.
    pub fn lazy(&self) -> LazyFrame {
        LazyFrame {
            table: self.table.clone(),
            ops: Vec::new(),
            runtime: None,
            limits: PartitionLimits::default(),
        }
    }

    /// The frame as record batches (decodes every column not yet touched).
    ///
    /// # Errors
    /// When a column fails validation.
    pub fn to_batches(&self) -> Result<Vec<RecordBatch>> {
        let all: Vec<usize> = (0..self.table.schema().fields().len()).collect();
        self.table.batches(&all)
    }

    /// One column's arrays, one per batch.
    ///
    /// # Errors
    /// [`Error::ColumnNotFound`], or a validation failure.
    pub fn column(&self, name: &str) -> Result<Vec<ArrayRef>> {
        let index = crate::plan::find_column(self.table.schema(), name)?;
        Ok(self.table.column(index)?.to_vec())
    }

    /// True when the named column's arrays point into the mapped file (nothing copied).
    ///
    /// # Errors
    /// [`Error::ColumnNotFound`], or a validation failure.
    pub fn column_is_mapped(&self, name: &str) -> Result<bool> {
        let index = crate::plan::find_column(self.table.schema(), name)?;
        if *self.table.mode() != StorageMode::Mapped {
            return Ok(false);
        }
        self.table.column_is_mapped(index)
    }

    /// Writes the frame as an Arrow IPC file, atomically (see [`crate::write`]).
    ///
    /// # Errors
    /// I/O errors, or a target that this process has mapped.
    pub fn write_ipc(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::write::write_ipc(path.as_ref(), &self.schema(), &self.to_batches()?)
    }
}

#[derive(Debug, Clone)]
enum Op {
    Filter(Expr),
    Select(Vec<Expr>),
    WithColumns(Vec<Expr>),
    Head(usize),
    /// `group_by(keys).agg(aggs)`; no keys: one row of global aggregates.
    Aggregate {
        keys: Vec<Expr>,
        aggs: Vec<Expr>,
    },
    Sort(Vec<(Expr, SortOptions)>),
}

/// A grouping in progress: [`LazyFrame::group_by`] then [`GroupBy::agg`].
#[derive(Debug, Clone)]
pub struct GroupBy {
    frame: LazyFrame,
    keys: Vec<Expr>,
}

impl GroupBy {
    /// One row per distinct key (nulls form their own group), with the keys and then
    /// `aggs` (each an aggregate such as `col("x").sum()` or [`len()`](crate::len),
    /// optionally aliased). Groups come in no particular order; sort to fix one.
    pub fn agg(self, aggs: impl IntoIterator<Item = Expr>) -> LazyFrame {
        let mut frame = self.frame;
        frame.ops.push(Op::Aggregate {
            keys: self.keys,
            aggs: aggs.into_iter().collect(),
        });
        frame
    }
}

/// A plan: operations recorded over a source table, run by [`LazyFrame::collect`].
#[derive(Debug, Clone)]
pub struct LazyFrame {
    table: Arc<Table>,
    ops: Vec<Op>,
    runtime: Option<Runtime>,
    limits: PartitionLimits,
}

/// A compiled operation.
#[derive(Debug)]
enum PhysicalOp {
    /// The predicate, and the columns to keep when later operations need fewer than the
    /// predicate reads (a filter then count keeps none, so no string is copied).
    Filter(PhysicalExpr, Option<Vec<usize>>),
    /// Output columns, each an expression, and the schema they make.
    Project(Vec<PhysicalExpr>, SchemaRef),
    Head(usize),
    Aggregate(Aggregate),
    Sort(Sort),
}

impl PhysicalOp {
    /// True for operations that need all their input before giving any output.
    fn is_breaker(&self) -> bool {
        matches!(
            self,
            PhysicalOp::Head(_) | PhysicalOp::Aggregate(_) | PhysicalOp::Sort(_)
        )
    }
}

impl LazyFrame {
    /// Keeps the rows where `predicate` is true (null counts as false).
    pub fn filter(mut self, predicate: Expr) -> LazyFrame {
        self.ops.push(Op::Filter(predicate));
        self
    }

    /// Replaces the columns by `exprs`. When every expression is an aggregate, the result
    /// is one row of aggregates over all rows (as in Polars and SQL).
    pub fn select(mut self, exprs: impl IntoIterator<Item = Expr>) -> LazyFrame {
        let exprs: Vec<Expr> = exprs.into_iter().collect();
        if !exprs.is_empty()
            && exprs
                .iter()
                .all(|e| matches!(e.unaliased(), Expr::Agg { .. }))
        {
            self.ops.push(Op::Aggregate {
                keys: Vec::new(),
                aggs: exprs,
            });
        } else {
            self.ops.push(Op::Select(exprs));
        }
        self
    }

    /// Groups rows by `keys` (expressions of any sortable type); finish with
    /// [`GroupBy::agg`].
    pub fn group_by(self, keys: impl IntoIterator<Item = Expr>) -> GroupBy {
        GroupBy {
            frame: self,
            keys: keys.into_iter().collect(),
        }
    }

    /// pandas' `value_counts`: each distinct value of `expr` (null included, as its own
    /// row) and how many rows have it, in a column `count`, most frequent first.
    pub fn value_counts(self, expr: Expr) -> LazyFrame {
        self.group_by([expr])
            .agg([crate::expr::len().alias("count")])
            .sort([crate::col("count")], SortOptions::descending())
    }

    /// Sorts by `by`, all in one direction; stable (rows with equal keys keep their
    /// order). Strings sort by code point.
    pub fn sort(self, by: impl IntoIterator<Item = Expr>, options: SortOptions) -> LazyFrame {
        self.sort_by(by.into_iter().map(|e| (e, options)))
    }

    /// Sorts by keys that each have their own direction and null placement.
    pub fn sort_by(mut self, by: impl IntoIterator<Item = (Expr, SortOptions)>) -> LazyFrame {
        self.ops.push(Op::Sort(by.into_iter().collect()));
        self
    }

    /// Adds columns, or replaces those of the same name.
    pub fn with_columns(mut self, exprs: impl IntoIterator<Item = Expr>) -> LazyFrame {
        self.ops.push(Op::WithColumns(exprs.into_iter().collect()));
        self
    }

    /// Keeps the first `n` rows.
    pub fn head(mut self, n: usize) -> LazyFrame {
        self.ops.push(Op::Head(n));
        self
    }

    /// Runs on `runtime` instead of the global pool.
    pub fn with_runtime(mut self, runtime: Runtime) -> LazyFrame {
        self.runtime = Some(runtime);
        self
    }

    /// The schema the plan produces (checks the plan; reads no data).
    ///
    /// # Errors
    /// Unknown columns, type mismatches, bad patterns.
    pub fn schema(&self) -> Result<SchemaRef> {
        let mut schema = self.table.schema().clone();
        for op in &self.ops {
            schema = compile_op(op, &schema)?.1;
        }
        Ok(schema)
    }

    /// Source columns the plan reads, in schema order.
    fn projection(&self, output: &Schema) -> Vec<usize> {
        let needed = needed_before(&self.ops, output);
        columns_named(self.table.schema(), &needed)
    }

    /// Runs the plan and materialises the result (chunked, one batch per partition).
    ///
    /// # Errors
    /// Planning errors (unknown column, type mismatch, bad pattern) before any data is
    /// read; validation errors for columns first touched; kernel errors.
    pub fn collect(self) -> Result<DataFrame> {
        let output = self.schema()?;
        let projection = self.projection(&output);
        let source: SchemaRef = Arc::new(
            self.table
                .schema()
                .project(&projection)
                .map_err(|e| Error::arrow("projection", e))?,
        );
        let mut schema = source;
        let mut ops = Vec::with_capacity(self.ops.len());
        for (i, op) in self.ops.iter().enumerate() {
            let (mut physical, mut next) = compile_op(op, &schema)?;
            if let PhysicalOp::Filter(_, keep) = &mut physical {
                let wanted = columns_named(&schema, &needed_before(&self.ops[i + 1..], &output));
                if wanted.len() < schema.fields().len() {
                    next = Arc::new(
                        schema
                            .project(&wanted)
                            .map_err(|e| Error::arrow("projection", e))?,
                    );
                    *keep = Some(wanted);
                }
            }
            ops.push(physical);
            schema = next;
        }
        let runtime = match self.runtime {
            Some(rt) => rt,
            None => Runtime::global()?,
        };
        let batches = runtime.install(|| self.table.batches(&projection))?;
        let batches = run_plan(&runtime, self.limits, batches, &ops)?;
        DataFrame::from_batches(schema, batches)
    }
}

/// The names of the columns that `ops` read from their input to make `output`.
fn needed_before(ops: &[Op], output: &Schema) -> HashSet<String> {
    let mut needed: HashSet<String> = output.fields().iter().map(|f| f.name().clone()).collect();
    for op in ops.iter().rev() {
        match op {
            Op::Head(_) => {}
            Op::Filter(e) => needed.extend(e.columns().into_iter().map(str::to_string)),
            Op::Sort(by) => {
                needed.extend(by.iter().flat_map(|(e, _)| e.columns()).map(str::to_string))
            }
            Op::Aggregate { keys, aggs } => {
                needed = keys
                    .iter()
                    .chain(aggs)
                    .flat_map(|e| e.columns())
                    .map(str::to_string)
                    .collect();
            }
            Op::Select(exprs) => {
                needed = exprs
                    .iter()
                    .flat_map(|e| e.columns())
                    .map(str::to_string)
                    .collect();
            }
            Op::WithColumns(exprs) => {
                for e in exprs {
                    needed.remove(&e.output_name());
                }
                needed.extend(exprs.iter().flat_map(|e| e.columns()).map(str::to_string));
            }
        }
    }
    needed
}

/// Indices of `schema`'s columns named in `names` (ASCII case-insensitively, as
/// [`find_column`](crate::plan::find_column) resolves them).
fn columns_named(schema: &Schema, names: &HashSet<String>) -> Vec<usize> {
    (0..schema.fields().len())
        .filter(|&i| {
            let name = schema.field(i).name();
            names.contains(name) || names.iter().any(|n| n.eq_ignore_ascii_case(name))
        })
        .collect()
}

fn compile_op(op: &Op, schema: &SchemaRef) -> Result<(PhysicalOp, SchemaRef)> {
    let project = |exprs: &[Expr], keep: bool| -> Result<(PhysicalOp, SchemaRef)> {
        let mut columns: Vec<PhysicalExpr> = Vec::new();
        let mut fields: Vec<Field> = Vec::new();
        if keep {
            for (i, f) in schema.fields().iter().enumerate() {
                columns.push(PhysicalExpr::Column(i));
                fields.push(f.as_ref().clone());
            }
        }
        for e in exprs {
            let (p, field) = compile(e, schema)?;
            match fields.iter().position(|f| f.name() == field.name()) {
                Some(i) if keep => {
                    columns[i] = p;
                    fields[i] = field;
                }
                Some(_) => {
                    return Err(Error::invalid(
                        "select",
                        format!("duplicate output column {:?}; use .alias()", field.name()),
                    ))
                }
                None => {
                    columns.push(p);
                    fields.push(field);
                }
            }
        }
        let schema = Arc::new(Schema::new(fields));
        Ok((PhysicalOp::Project(columns, schema.clone()), schema))
    };
    match op {
        Op::Filter(e) => {
            let (p, field) = compile(e, schema)?;
            if !matches!(
                field.data_type(),
                arrow_schema::DataType::Boolean | arrow_schema::DataType::Null
            ) {
                return Err(Error::TypeMismatch {
                    context: format!("filter {e}"),
                    expected: "a boolean".into(),
                    found: field.data_type().clone(),
                });
            }
            Ok((PhysicalOp::Filter(p, None), schema.clone()))
        }
        Op::Select(exprs) => project(exprs, false),
        Op::WithColumns(exprs) => project(exprs, true),
        Op::Head(n) => Ok((PhysicalOp::Head(*n), schema.clone())),
        Op::Aggregate { keys, aggs } => {
            let a = Aggregate::compile(keys, aggs, schema)?;
            let out = a.schema().clone();
            Ok((PhysicalOp::Aggregate(a), out))
        }
        Op::Sort(by) => Ok((PhysicalOp::Sort(Sort::compile(by, schema)?), schema.clone())),
    }
}

/// Runs compiled operations over batches. Streaming operations (filter, select) up to the
/// first breaker run on all partitions in parallel; then the breaker runs: a `Head` runs
/// partitions in waves until it has its rows, an aggregate or a sort takes all of its
/// input; what follows runs on the breaker's output.
fn run_plan(
    runtime: &Runtime,
    limits: PartitionLimits,
    batches: Vec<RecordBatch>,
    ops: &[PhysicalOp],
) -> Result<Vec<RecordBatch>> {
    let breaker = ops.iter().position(PhysicalOp::is_breaker);
    let (before, rest) = ops.split_at(breaker.unwrap_or(ops.len()));
    let partitions = partition(&batches, limits);
    let run = |p: &Partition| -> Result<Vec<RecordBatch>> {
        let mut out = Vec::with_capacity(p.batches.len());
        for b in &p.batches {
            let b = run_ops(b.clone(), before)?;
            if b.num_rows() > 0 {
                out.push(b);
            }
        }
        Ok(out)
    };
    let Some((op, after)) = rest.split_first() else {
        return Ok(runtime
            .map_partitions(&partitions, run)?
            .into_iter()
            .flatten()
            .collect());
    };
    let out = match op {
        PhysicalOp::Head(n) => head(runtime, &partitions, run, *n)?,
        breaker => {
            let input: Vec<RecordBatch> = if before.is_empty() {
                batches
            } else {
                runtime
                    .map_partitions(&partitions, run)?
                    .into_iter()
                    .flatten()
                    .collect()
            };
            match breaker {
                PhysicalOp::Aggregate(a) => a.run(runtime, limits, input)?,
                PhysicalOp::Sort(s) => s.run(runtime, input)?,
                _ => unreachable!("is_breaker lists the breakers"),
            }
        }
    };
    if after.is_empty() {
        Ok(out)
    } else {
        run_plan(runtime, limits, out, after)
    }
}

/// The first `n` rows: partitions run in waves of twice the threads until enough rows came.
fn head(
    runtime: &Runtime,
    partitions: &[Partition],
    run: impl Fn(&Partition) -> Result<Vec<RecordBatch>> + Sync,
    n: usize,
) -> Result<Vec<RecordBatch>> {
    let mut out: Vec<RecordBatch> = Vec::new();
    let mut rows = 0;
    let wave = (runtime.threads() * 2).max(1);
    for chunk in partitions.chunks(wave) {
        if rows >= n {
            break;
        }
        for b in runtime.map_partitions(chunk, &run)?.into_iter().flatten() {
            if rows >= n {
                break;
            }
            let take = (n - rows).min(b.num_rows());
            rows += take;
            out.push(b.slice(0, take));
        }
    }
    Ok(out)
}

fn run_ops(mut batch: RecordBatch, ops: &[PhysicalOp]) -> Result<RecordBatch> {
    for op in ops {
        batch = match op {
            PhysicalOp::Filter(e, keep) => {
                let mask = evaluate(e, &batch)?.into_array(batch.num_rows())?;
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
            PhysicalOp::Project(exprs, schema) => {
                let rows = batch.num_rows();
                let columns = exprs
                    .iter()
                    .map(|e| evaluate(e, &batch)?.into_array(rows))
                    .collect::<Result<Vec<_>>>()?;
                let options = RecordBatchOptions::new().with_row_count(Some(rows));
                RecordBatch::try_new_with_options(schema.clone(), columns, &options)
                    .map_err(|e| Error::arrow("select", e))?
            }
            PhysicalOp::Head(n) => batch.slice(0, (*n).min(batch.num_rows())),
            PhysicalOp::Aggregate(_) | PhysicalOp::Sort(_) => {
                unreachable!("run_plan stops streaming at a breaker")
            }
        };
    }
    Ok(batch)
}
