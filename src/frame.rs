//! Frames: [`DataFrame`] (a table) and [`LazyFrame`] (a plan over one), Polars-style.
//!
//! Owns: the user-facing API. A lazy frame builds a [`LogicalPlan`] and nothing more;
//! [`LazyFrame::collect`] hands it to the optimizer ([`crate::plan::optimizer`]), lowers it
//! to a physical plan ([`crate::exec`]) and runs it. Results stay chunked: one batch per
//! partition output.
//!
//! May import: `plan`, `exec` (the pool), `storage`, `expr`. Never `sql`.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::SchemaRef;

use crate::error::{Error, Result};
use crate::exec::join::JoinSpec;
use crate::exec::physical::ExecContext;
use crate::exec::{CancelFlag, PartitionLimits, Runtime};
use crate::expr::Expr;
use crate::plan::lower::lower;
use crate::plan::optimizer::Optimizer;
use crate::plan::LogicalPlan;
pub use crate::plan::{JoinType, SortOptions};
use crate::storage::csv::{CsvOptions, CsvReport};
use crate::storage::write::WriteOptions;
use crate::storage::{FileFormat, StorageMode, Table};

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
        LazyFrame::from_plan(LogicalPlan::scan(self.table.clone()))
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
        let index = crate::expr::physical::find_column(self.table.schema(), name)?;
        Ok(self.table.column(index)?.to_vec())
    }

    /// True when the named column's arrays point into the mapped file (nothing copied).
    ///
    /// # Errors
    /// [`Error::ColumnNotFound`], or a validation failure.
    pub fn column_is_mapped(&self, name: &str) -> Result<bool> {
        let index = crate::expr::physical::find_column(self.table.schema(), name)?;
        if *self.table.mode() != StorageMode::Mapped {
            return Ok(false);
        }
        self.table.column_is_mapped(index)
    }

    /// Writes the frame as an Arrow IPC file, atomically (see [`crate::storage::write`]).
    ///
    /// # Errors
    /// I/O errors, or a target that this process has mapped.
    pub fn write_ipc(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::storage::write::write_ipc(path.as_ref(), &self.schema(), &self.to_batches()?)
    }

    /// Writes the frame atomically in the format `path`'s extension names (Arrow IPC,
    /// Parquet or CSV; see [`crate::storage::write::write_file`]).
    ///
    /// # Errors
    /// An extension that names no format, and [`crate::storage::write::write_file`]'s errors.
    pub fn write(&self, path: impl AsRef<Path>, options: &WriteOptions) -> Result<()> {
        let path = path.as_ref();
        self.write_as(path, FileFormat::for_output(path)?, options)
    }

    /// Writes the frame atomically in `format`.
    ///
    /// # Errors
    /// See [`crate::storage::write::write_file`].
    pub fn write_as(
        &self,
        path: impl AsRef<Path>,
        format: FileFormat,
        options: &WriteOptions,
    ) -> Result<()> {
        crate::storage::write::write_file(
            path.as_ref(),
            format,
            &self.schema(),
            &self.to_batches()?,
            options,
        )
    }
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
        let mut exprs: Vec<Expr> = self.keys.clone();
        exprs.extend(aggs);
        let GroupBy { frame, keys } = self;
        frame.map_plan(|plan| crate::plan::aggregate(plan, keys, exprs, None, Vec::new()))
    }
}

/// A query: a logical plan over one or more tables, run by [`LazyFrame::collect`].
#[derive(Debug, Clone)]
pub struct LazyFrame {
    plan: LogicalPlan,
    runtime: Option<Runtime>,
    limits: PartitionLimits,
    optimizer: Option<Arc<Optimizer>>,
    cancel: CancelFlag,
}

impl LazyFrame {
    /// A lazy frame over `plan`, on the global pool.
    pub(crate) fn from_plan(plan: LogicalPlan) -> LazyFrame {
        LazyFrame {
            plan,
            runtime: None,
            limits: PartitionLimits::default(),
            optimizer: None,
            cancel: CancelFlag::new(),
        }
    }

    /// The logical plan as built, before optimization.
    pub fn logical_plan(&self) -> &LogicalPlan {
        &self.plan
    }

    pub(crate) fn into_plan(self) -> LogicalPlan {
        self.plan
    }

    fn map_plan(self, f: impl FnOnce(LogicalPlan) -> LogicalPlan) -> LazyFrame {
        LazyFrame {
            plan: f(self.plan),
            ..self
        }
    }

    /// Keeps the rows where `predicate` is true (null counts as false).
    pub fn filter(self, predicate: Expr) -> LazyFrame {
        self.map_plan(|p| p.filter(predicate))
    }

    /// Replaces the columns by `exprs`. When every expression is an aggregate, the result
    /// is one row of aggregates over all rows (as in Polars and SQL).
    pub fn select(self, exprs: impl IntoIterator<Item = Expr>) -> LazyFrame {
        let exprs: Vec<Expr> = exprs.into_iter().collect();
        if exprs.iter().any(Expr::has_agg) {
            return self
                .map_plan(|p| crate::plan::aggregate(p, Vec::new(), exprs, None, Vec::new()));
        }
        self.map_plan(|p| p.project(exprs))
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
    pub fn sort_by(self, by: impl IntoIterator<Item = (Expr, SortOptions)>) -> LazyFrame {
        let by = by.into_iter().collect();
        self.map_plan(|p| p.sort(by))
    }

    /// Adds columns, or replaces those of the same name.
    pub fn with_columns(self, exprs: impl IntoIterator<Item = Expr>) -> LazyFrame {
        let exprs = exprs.into_iter().collect();
        self.map_plan(|p| LogicalPlan::Project {
            input: Box::new(p),
            exprs,
            extend: true,
        })
    }

    /// Keeps the first `n` rows. After a sort this is a top-k: only the first `n` rows
    /// are ordered.
    pub fn head(self, n: usize) -> LazyFrame {
        self.slice(0, Some(n))
    }

    /// Skips `offset` rows and keeps the next `len` (the rest when `None`): SQL's
    /// `LIMIT len OFFSET offset`.
    pub fn slice(self, offset: usize, len: Option<usize>) -> LazyFrame {
        self.map_plan(|p| p.limit(offset, len))
    }

    /// The `k` first rows in the order of `by` (a top-k, without sorting every row), as
    /// Polars' `bottom_k`/`top_k` with one direction per key.
    pub fn top_k(self, k: usize, by: impl IntoIterator<Item = (Expr, SortOptions)>) -> LazyFrame {
        self.sort_by(by).head(k)
    }

    /// One row per distinct row, nulls equal to each other (SQL `DISTINCT`, Polars'
    /// `unique`); rows come in no particular order. For one column's distinct values,
    /// select it first: `.select([col("x")]).unique()`.
    pub fn unique(self) -> LazyFrame {
        self.map_plan(LogicalPlan::distinct)
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
        self.map_plan(|p| p.join(other.plan, spec))
    }

    /// Runs on `runtime` instead of the global pool.
    pub fn with_runtime(mut self, runtime: Runtime) -> LazyFrame {
        self.runtime = Some(runtime);
        self
    }

    /// Stops when `flag` is raised: the query ends with [`Error::Cancelled`] at its next
    /// check (before each operator and each partition).
    pub fn with_cancel(mut self, flag: CancelFlag) -> LazyFrame {
        self.cancel = flag;
        self
    }

    /// Optimizes with `optimizer`'s rules instead of [`Optimizer::default`]'s (an
    /// optimizer with no rules runs the plan as built).
    pub fn with_optimizer(mut self, optimizer: Optimizer) -> LazyFrame {
        self.optimizer = Some(Arc::new(optimizer));
        self
    }

    /// The schema the plan produces (checks the plan; reads no data).
    ///
    /// # Errors
    /// Unknown columns, type mismatches, bad patterns.
    pub fn schema(&self) -> Result<SchemaRef> {
        let (plan, runtime) = (&self.plan, self.runtime()?);
        // On a worker, whose stack is sized for the deepest expression allowed.
        runtime.install(|| plan.schema())
    }

    fn runtime(&self) -> Result<Runtime> {
        match &self.runtime {
            Some(rt) => Ok(rt.clone()),
            None => Runtime::global(),
        }
    }

    /// The optimized logical plan.
    ///
    /// # Errors
    /// As [`LazyFrame::schema`].
    pub fn optimized_plan(&self) -> Result<LogicalPlan> {
        let runtime = self.runtime()?;
        runtime.install(|| self.optimize())
    }

    fn optimize(&self) -> Result<LogicalPlan> {
        self.run_optimizer(Optimizer::optimize)
    }

    /// `run` with this frame's optimizer (the default one unless set) on the plan, once the
    /// plan as built checks, so that an error names what the user wrote.
    fn run_optimizer<T>(
        &self,
        run: impl FnOnce(&Optimizer, LogicalPlan) -> Result<T>,
    ) -> Result<T> {
        self.plan.schema()?;
        match &self.optimizer {
            Some(o) => run(o, self.plan.clone()),
            None => run(&Optimizer::default(), self.plan.clone()),
        }
    }

    fn context(&self, runtime: Runtime) -> ExecContext {
        ExecContext {
            runtime,
            limits: self.limits,
            cancel: self.cancel.clone(),
        }
    }

    /// Runs the plan and materialises the result (chunked, one batch per partition).
    ///
    /// # Errors
    /// Planning errors (unknown column, type mismatch, bad pattern) before any data is
    /// read; validation errors for columns first touched; kernel errors.
    pub fn collect(self) -> Result<DataFrame> {
        let runtime = self.runtime()?;
        let ctx = self.context(runtime.clone());
        // On a worker, whose stack is sized for the deepest expression allowed.
        runtime.install(|| {
            let physical = lower(&self.optimize()?)?;
            let batches = physical.execute(&ctx)?;
            DataFrame::from_batches(physical.schema.clone(), batches)
        })
    }

    /// What [`collect`](LazyFrame::collect) would run, as text: the logical plan as
    /// built, the optimized plan, and the physical plan (threads, partitions, the columns
    /// each scan reads), as Polars' `explain()` and DuckDB's `EXPLAIN` show them.
    ///
    /// # Errors
    /// As [`LazyFrame::schema`].
    pub fn explain(&self) -> Result<String> {
        Ok(explain_text(&self.explain_sections(false, false)?))
    }

    /// Runs the plan and returns [`explain`](LazyFrame::explain)'s text with each
    /// operator's rows out and time (DuckDB's `EXPLAIN ANALYZE`); a streaming operator's
    /// time is summed over the workers that ran it.
    ///
    /// # Errors
    /// As [`LazyFrame::collect`].
    pub fn explain_analyze(&self) -> Result<String> {
        Ok(explain_text(&self.explain_sections(true, false)?))
    }

    /// EXPLAIN's sections, each a title and its text: `logical_plan`,
    /// `optimized_logical_plan` and `physical_plan`; with `verbose`, the plan after each
    /// optimizer rule between the first two (DataFusion's `EXPLAIN VERBOSE`); with
    /// `analyze`, the plan runs and the physical plan has each operator's rows and time.
    pub(crate) fn explain_sections(
        &self,
        analyze: bool,
        verbose: bool,
    ) -> Result<Vec<(String, String)>> {
        let runtime = self.runtime()?;
        let ctx = self.context(runtime.clone());
        runtime.install(|| {
            let steps = self.run_optimizer(Optimizer::optimize_steps)?;
            let optimized = steps
                .last()
                .map_or_else(|| self.plan.clone(), |(_, p)| p.clone());
            let physical = lower(&optimized)?;
            let total = if analyze {
                let started = std::time::Instant::now();
                let rows: usize = physical
                    .execute(&ctx)?
                    .iter()
                    .map(RecordBatch::num_rows)
                    .sum();
                format!(
                    "total: {rows} rows in {:.2} ms\n",
                    started.elapsed().as_secs_f64() * 1e3
                )
            } else {
                String::new()
            };
            let mut sections = vec![("logical_plan".to_string(), self.plan.to_string())];
            if verbose {
                for (rule, plan) in &steps {
                    sections.push((format!("logical_plan after {rule}"), plan.to_string()));
                }
            }
            sections.push(("optimized_logical_plan".into(), optimized.to_string()));
            sections.push((
                "physical_plan".into(),
                physical.display(&ctx, analyze) + &total,
            ));
            Ok(sections)
        })
    }
}

/// EXPLAIN's sections as one text: each title on its own line, then its plan.
pub(crate) fn explain_text(sections: &[(String, String)]) -> String {
    sections
        .iter()
        .map(|(title, text)| format!("{title}:\n{text}"))
        .collect::<Vec<_>>()
        .join("\n")
}
