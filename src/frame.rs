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
pub use crate::join::JoinType;
use crate::join::{JoinSpec, Side};
use crate::plan::{compile, evaluate, PhysicalExpr};
use crate::sort::Sort;
pub use crate::sort::SortOptions;
use crate::storage::csv::{CsvOptions, CsvReport};
use crate::storage::{FileFormat, StorageMode, Table};
use crate::write::WriteOptions;

/// Opens a file by its extension (`.arrow`/`.feather`/`.ipc`, `.parquet`, `.csv`), else by
/// its first bytes. An Arrow IPC file is mapped and only its metadata read; a Parquet file's
/// footer is read and each column decoded when a query first touches it; an IPC stream is
/// decoded whole, and a CSV file read in parallel with [`CsvOptions::default`].
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened, [`Error::Corrupt`] when it is not a
/// well-formed Arrow IPC file or stream, [`Error::BadFile`] for a CSV or Parquet file that
/// does not read.
pub fn open(path: impl AsRef<Path>) -> Result<DataFrame> {
    Ok(DataFrame {
        table: Arc::new(Table::open(path.as_ref())?),
    })
}

/// Opens a Parquet file whatever its name: reads its footer; each column decodes when a
/// query first touches it, its row groups in parallel.
///
/// # Errors
/// [`Error::BadFile`] for a file that is not Parquet, is truncated, or holds a type with no
/// Arrow mapping.
pub fn read_parquet(path: impl AsRef<Path>) -> Result<DataFrame> {
    open_as(path, FileFormat::Parquet)
}

/// Opens a file as `format`, whatever its name (a CSV file with
/// [`CsvOptions::for_path`]); see [`open`].
///
/// # Errors
/// As [`open`].
pub fn open_as(path: impl AsRef<Path>, format: FileFormat) -> Result<DataFrame> {
    Ok(DataFrame {
        table: Arc::new(Table::open_as(path.as_ref(), format)?),
    })
}

/// Reads a CSV file in parallel (see [`crate::storage::csv`]).
///
/// # Errors
/// [`Error::BadFile`] naming the line (and column) of the first record that does not
/// decode: wrong number of fields, a value that does not parse as its column's type,
/// invalid UTF-8, an unterminated quote. With [`CsvOptions::skip_bad_rows`] such records
/// are dropped instead; [`read_csv_with_report`] says how many.
pub fn read_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<DataFrame> {
    read_csv_with_report(path, options).map(|(frame, _)| frame)
}

/// [`read_csv`], with a report of the records it decoded and skipped.
///
/// # Errors
/// As [`read_csv`].
pub fn read_csv_with_report(
    path: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<(DataFrame, CsvReport)> {
    let (table, report) = Table::read_csv(path.as_ref(), options)?;
    Ok((
        DataFrame {
            table: Arc::new(table),
        },
        report,
    ))
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
            source: Source::Table(self.table.clone()),
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

    /// Writes the frame atomically in the format `path`'s extension names (Arrow IPC,
    /// Parquet or CSV; see [`crate::write::write_file`]).
    ///
    /// # Errors
    /// An extension that names no format, and [`crate::write::write_file`]'s errors.
    pub fn write(&self, path: impl AsRef<Path>, options: &WriteOptions) -> Result<()> {
        let path = path.as_ref();
        self.write_as(path, FileFormat::for_output(path)?, options)
    }

    /// Writes the frame atomically in `format`.
    ///
    /// # Errors
    /// See [`crate::write::write_file`].
    pub fn write_as(
        &self,
        path: impl AsRef<Path>,
        format: FileFormat,
        options: &WriteOptions,
    ) -> Result<()> {
        crate::write::write_file(
            path.as_ref(),
            format,
            &self.schema(),
            &self.to_batches()?,
            options,
        )
    }
}

#[derive(Debug, Clone)]
enum Op {
    Filter(Expr),
    Select(Vec<Expr>),
    WithColumns(Vec<Expr>),
    /// Rows `offset..offset + len` (SQL `LIMIT len OFFSET offset`).
    Slice {
        offset: usize,
        len: Option<usize>,
    },
    /// One row per distinct row (SQL `DISTINCT`).
    Distinct,
    /// `group_by(keys).agg(aggs)`; no keys: one row of global aggregates.
    Aggregate {
        keys: Vec<Expr>,
        aggs: Vec<Expr>,
    },
    Sort(Vec<(Expr, SortOptions)>),
    /// The projection after an aggregation: expressions over its keys and (hidden)
    /// aggregate columns; any other column is an error naming GROUP BY.
    Finish(Vec<Expr>),
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
    ///
    /// An expression may compute with aggregates and keys, as in Polars:
    /// `(col("x").sum() / len()).alias("mean_x")`.
    pub fn agg(self, aggs: impl IntoIterator<Item = Expr>) -> LazyFrame {
        let key_names: Vec<String> = self.keys.iter().map(Expr::output_name).collect();
        let mut out: Vec<Expr> = key_names.iter().map(|k| crate::col(k.clone())).collect();
        out.extend(aggs);
        self.frame.aggregate(self.keys, key_names, out, None)
    }
}

/// A plan: operations recorded over a source table, run by [`LazyFrame::collect`].
#[derive(Debug, Clone)]
pub struct LazyFrame {
    source: Source,
    ops: Vec<Op>,
    runtime: Option<Runtime>,
    limits: PartitionLimits,
}

/// Where a plan's rows come from.
#[derive(Debug, Clone)]
enum Source {
    Table(Arc<Table>),
    /// Two plans joined.
    Join(Box<(LazyFrame, LazyFrame, JoinSpec)>),
}

/// A compiled operation.
#[derive(Debug)]
enum PhysicalOp {
    /// The predicate, and the columns to keep when later operations need fewer than the
    /// predicate reads (a filter then count keeps none, so no string is copied).
    Filter(PhysicalExpr, Option<Vec<usize>>),
    /// Output columns, each an expression, and the schema they make.
    Project(Vec<PhysicalExpr>, SchemaRef),
    /// Skip `offset` rows, then keep `len` (all when `None`).
    Slice(usize, Option<usize>),
    Aggregate(Aggregate),
    /// A sort, and how many of its first rows are wanted (a top-k, when followed by a
    /// slice).
    Sort(Sort, Option<usize>),
}

impl PhysicalOp {
    /// True for operations that need all their input before giving any output.
    fn is_breaker(&self) -> bool {
        matches!(
            self,
            PhysicalOp::Slice(..) | PhysicalOp::Aggregate(_) | PhysicalOp::Sort(..)
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
        if exprs.iter().any(Expr::has_agg) {
            return self.aggregate(Vec::new(), Vec::new(), exprs, None);
        }
        self.ops.push(Op::Select(exprs));
        self
    }

    /// Groups by `keys` (whose output columns are `key_names`) and makes `exprs`, which
    /// read keys (under those names or as the key expressions) and aggregates; `having`
    /// (of keys and aggregates too) keeps the groups where it holds (SQL's HAVING).
    pub(crate) fn aggregate(
        mut self,
        keys: Vec<Expr>,
        key_names: Vec<String>,
        exprs: Vec<Expr>,
        having: Option<Expr>,
    ) -> LazyFrame {
        let keys: Vec<Expr> = keys
            .into_iter()
            .zip(&key_names)
            .map(|(k, name)| match k {
                Expr::Column(c) if &c == name => Expr::Column(c),
                k => k.alias(name.clone()),
            })
            .collect();
        // Plain aggregates with the keys first need no projection after.
        let plain = having.is_none()
            && exprs.len() >= keys.len()
            && exprs
                .iter()
                .zip(&key_names)
                .all(|(e, k)| matches!(e, Expr::Column(c) if c == k))
            && exprs[keys.len()..]
                .iter()
                .all(|e| matches!(e.unaliased(), Expr::Agg { .. }));
        if plain {
            let aggs = exprs[keys.len()..].to_vec();
            self.ops.push(Op::Aggregate { keys, aggs });
            return self;
        }
        let mut aggs = Vec::new();
        let finish = crate::agg::over_aggregates(exprs, &keys, &key_names, &mut aggs);
        let having = having.map(|h| {
            let mut h = crate::agg::over_aggregates(vec![h], &keys, &key_names, &mut aggs);
            h.pop()
                .expect("one expression in, one out")
                .unaliased()
                .clone()
        });
        self.ops.push(Op::Aggregate { keys, aggs });
        if let Some(h) = having {
            self.ops.push(Op::Filter(h));
        }
        self.ops.push(Op::Finish(finish));
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

    /// Keeps the first `n` rows. After a sort this is a top-k: only the first `n` rows
    /// are ordered.
    pub fn head(self, n: usize) -> LazyFrame {
        self.slice(0, Some(n))
    }

    /// Skips `offset` rows and keeps the next `len` (the rest when `None`): SQL's
    /// `LIMIT len OFFSET offset`.
    pub fn slice(mut self, offset: usize, len: Option<usize>) -> LazyFrame {
        self.ops.push(Op::Slice { offset, len });
        self
    }

    /// The `k` first rows in the order of `by` (a top-k, without sorting every row), as
    /// Polars' `bottom_k`/`top_k` with one direction per key.
    pub fn top_k(self, k: usize, by: impl IntoIterator<Item = (Expr, SortOptions)>) -> LazyFrame {
        self.sort_by(by).head(k)
    }

    /// One row per distinct row, nulls equal to each other (SQL `DISTINCT`, Polars'
    /// `unique`); rows come in no particular order. For one column's distinct values,
    /// select it first: `.select([col("x")]).unique()`.
    pub fn unique(mut self) -> LazyFrame {
        self.ops.push(Op::Distinct);
        self
    }

    /// Joins `other` on keys that are equal (`left_on[i] = right_on[i]`), as Polars'
    /// `join`: the output has the left columns, then (for inner and left joins) the right
    /// columns except right keys that are plain columns; a right column whose name the
    /// left has too gets the suffix `_right`. The smaller input is hashed; a null key
    /// matches nothing.
    pub fn join(
        self,
        other: LazyFrame,
        left_on: impl IntoIterator<Item = Expr>,
        right_on: impl IntoIterator<Item = Expr>,
        how: JoinType,
    ) -> LazyFrame {
        let spec = JoinSpec {
            how,
            left_on: left_on.into_iter().collect(),
            right_on: right_on.into_iter().collect(),
            suffix: "_right".into(),
            coalesce: true,
        };
        self.join_with(other, spec)
    }

    /// A join whose spec is given in full (SQL keeps both sides' keys).
    pub(crate) fn join_with(self, other: LazyFrame, spec: JoinSpec) -> LazyFrame {
        LazyFrame {
            runtime: self.runtime.clone(),
            limits: self.limits,
            source: Source::Join(Box::new((self, other, spec))),
            ops: Vec::new(),
        }
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
        let mut schema = self.source_schema()?;
        for op in &self.ops {
            schema = compile_op(op, &schema)?.1;
        }
        Ok(schema)
    }

    fn source_schema(&self) -> Result<SchemaRef> {
        match &self.source {
            Source::Table(t) => Ok(t.schema().clone()),
            Source::Join(j) => {
                let (left, right, spec) = j.as_ref();
                let (l, r) = (left.schema()?, right.schema()?);
                Ok(spec.output(&l, &r)?.schema)
            }
        }
    }

    /// Reads the source: only the columns the plan needs to make `output`.
    fn read_source(
        &self,
        runtime: &Runtime,
        output: &Schema,
    ) -> Result<(SchemaRef, Vec<RecordBatch>)> {
        let needed = needed_before(&self.ops, output);
        match &self.source {
            Source::Table(table) => {
                let projection = columns_named(table.schema(), &needed);
                let schema = Arc::new(
                    table
                        .schema()
                        .project(&projection)
                        .map_err(|e| Error::arrow("projection", e))?,
                );
                let batches = runtime.install(|| table.batches(&projection))?;
                Ok((schema, batches))
            }
            Source::Join(j) => {
                let (left, right, spec) = j.as_ref();
                let (ls, rs) = (left.schema()?, right.schema()?);
                let full = spec.output(&ls, &rs)?;
                // Each side reads the columns the join outputs that are needed, and its keys.
                let mut wanted: [HashSet<String>; 2] = Default::default();
                for (k, (side, i)) in full.columns.iter().enumerate() {
                    let name = full.schema.field(k).name();
                    if needed.contains(name) || needed.iter().any(|n| n.eq_ignore_ascii_case(name))
                    {
                        let (set, schema) = match side {
                            Side::Left => (&mut wanted[0], &ls),
                            Side::Right => (&mut wanted[1], &rs),
                        };
                        set.insert(schema.field(*i).name().clone());
                    }
                }
                for (set, on) in wanted.iter_mut().zip([&spec.left_on, &spec.right_on]) {
                    set.extend(on.iter().flat_map(|e| e.columns()).map(str::to_string));
                }
                let side = |frame: &LazyFrame, schema: &Schema, set: &HashSet<String>| {
                    let columns = columns_named(schema, set)
                        .into_iter()
                        .map(|i| crate::col(schema.field(i).name().clone()));
                    frame
                        .clone()
                        .select(columns)
                        .with_runtime(runtime.clone())
                        .collect()
                };
                let l = side(left, &ls, &wanted[0])?;
                let r = side(right, &rs, &wanted[1])?;
                crate::join::run(
                    spec,
                    runtime,
                    self.limits,
                    (&l.schema(), l.to_batches()?),
                    (&r.schema(), r.to_batches()?),
                )
            }
        }
    }

    /// Runs the plan and materialises the result (chunked, one batch per partition).
    ///
    /// # Errors
    /// Planning errors (unknown column, type mismatch, bad pattern) before any data is
    /// read; validation errors for columns first touched; kernel errors.
    pub fn collect(self) -> Result<DataFrame> {
        let runtime = match &self.runtime {
            Some(rt) => rt.clone(),
            None => Runtime::global()?,
        };
        // On a worker, whose stack is sized for the deepest expression allowed.
        runtime.install(|| self.collect_on(&runtime))
    }

    fn collect_on(self, runtime: &Runtime) -> Result<DataFrame> {
        let output = self.schema()?;
        let (source, batches) = self.read_source(runtime, &output)?;
        let mut schema = source;
        let mut ops: Vec<PhysicalOp> = Vec::with_capacity(self.ops.len());
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
            // A slice after a sort makes the sort a top-k; projections between them keep
            // rows as they are (SQL drops its hidden ORDER BY columns there).
            if let PhysicalOp::Slice(offset, Some(len)) = &physical {
                let sort = ops
                    .iter_mut()
                    .rev()
                    .find(|op| !matches!(op, PhysicalOp::Project(..)));
                if let Some(PhysicalOp::Sort(_, limit)) = sort {
                    *limit = Some(offset.saturating_add(*len));
                }
            }
            ops.push(physical);
            schema = next;
        }
        let batches = run_plan(runtime, self.limits, batches, &ops)?;
        DataFrame::from_batches(schema, batches)
    }
}

/// The names of the columns that `ops` read from their input to make `output`.
fn needed_before(ops: &[Op], output: &Schema) -> HashSet<String> {
    let mut needed: HashSet<String> = output.fields().iter().map(|f| f.name().clone()).collect();
    for op in ops.iter().rev() {
        match op {
            Op::Slice { .. } => {}
            Op::Distinct => {}
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
            Op::Select(exprs) | Op::Finish(exprs) => {
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
        Op::Finish(exprs) => project(exprs, false).map_err(|e| match e {
            Error::ColumnNotFound { name, .. } => Error::invalid(
                format!("column {name:?}"),
                "must appear in GROUP BY (group_by keys) or be inside an aggregate",
            ),
            other => other,
        }),
        Op::WithColumns(exprs) => project(exprs, true),
        Op::Slice { offset, len } => Ok((PhysicalOp::Slice(*offset, *len), schema.clone())),
        Op::Distinct => {
            let keys: Vec<Expr> = schema
                .fields()
                .iter()
                .map(|f| crate::col(f.name().clone()))
                .collect();
            let a = Aggregate::compile(&keys, &[], schema)?;
            let out = a.schema().clone();
            Ok((PhysicalOp::Aggregate(a), out))
        }
        Op::Aggregate { keys, aggs } => {
            let a = Aggregate::compile(keys, aggs, schema)?;
            let out = a.schema().clone();
            Ok((PhysicalOp::Aggregate(a), out))
        }
        Op::Sort(by) => Ok((
            PhysicalOp::Sort(Sort::compile(by, schema)?, None),
            schema.clone(),
        )),
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
        PhysicalOp::Slice(offset, len) => {
            let rows = match len {
                Some(n) => head(runtime, &partitions, run, offset.saturating_add(*n))?,
                None => runtime
                    .map_partitions(&partitions, run)?
                    .into_iter()
                    .flatten()
                    .collect(),
            };
            skip(rows, *offset)
        }
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
                PhysicalOp::Sort(s, limit) => s.run(runtime, input, *limit)?,
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

/// `batches` without their first `n` rows.
fn skip(batches: Vec<RecordBatch>, mut n: usize) -> Vec<RecordBatch> {
    let mut out = Vec::with_capacity(batches.len());
    for b in batches {
        if n >= b.num_rows() {
            n -= b.num_rows();
        } else {
            out.push(b.slice(n, b.num_rows() - n));
            n = 0;
        }
    }
    out
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
            PhysicalOp::Slice(..) | PhysicalOp::Aggregate(_) | PhysicalOp::Sort(..) => {
                unreachable!("run_plan stops streaming at a breaker")
            }
        };
    }
    Ok(batch)
}
