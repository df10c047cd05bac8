//! Frames: `DataFrame` (a materialised table) and `LazyFrame` (a query), `Session` (frames
//! registered for SQL), and the functions that open files or take Arrow data.

use std::path::PathBuf;

use arrow_array::RecordBatch;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyTuple};

use spindle::{
    CsvOptions, DataFrame, Expr, FileFormat, JoinType, LazyFrame, SortOptions, WriteOptions,
};

use crate::arrow;
use crate::errors::to_py;
use crate::expr::{data_type, to_column, to_expr};
use crate::run::run;

/// A table of Arrow data, chunked by batch; from a mapped file, a query, or Arrow data.
#[pyclass(name = "DataFrame", module = "spindle._spindle", frozen)]
#[derive(Clone)]
pub(crate) struct PyDataFrame {
    pub inner: DataFrame,
}

/// A query over frames: built by `filter`, `select`, ..., run by `collect()`.
#[pyclass(name = "LazyFrame", module = "spindle._spindle", frozen)]
#[derive(Clone)]
pub(crate) struct PyLazyFrame {
    pub inner: LazyFrame,
}

fn lazy(inner: LazyFrame) -> PyLazyFrame {
    PyLazyFrame { inner }
}

/// Expressions from a tuple of arguments, each a column name, an expression, or a list of
/// them (`select("a", col("b"))` and `select(["a", "b"])` alike).
fn exprs(args: &Bound<'_, PyTuple>, what: &str) -> PyResult<Vec<Expr>> {
    let mut out = Vec::new();
    for a in args.iter() {
        if let Ok(items) = a.cast::<pyo3::types::PyList>() {
            for item in items.iter() {
                out.push(to_column(&item, what)?);
            }
        } else {
            out.push(to_column(&a, what)?);
        }
    }
    Ok(out)
}

fn flags(value: &Bound<'_, PyAny>, n: usize, what: &str) -> PyResult<Vec<bool>> {
    if let Ok(b) = value.extract::<bool>() {
        return Ok(vec![b; n]);
    }
    let v: Vec<bool> = value
        .extract()
        .map_err(|_| PyTypeError::new_err(format!("{what}: a bool or a list of bools")))?;
    if v.len() != n {
        return Err(PyValueError::new_err(format!(
            "{what}: {} values for {n} sort keys",
            v.len()
        )));
    }
    Ok(v)
}

#[pymethods]
impl PyDataFrame {
    /// A lazy query over this frame.
    fn lazy(&self) -> PyLazyFrame {
        lazy(self.inner.lazy())
    }

    /// Number of rows.
    #[getter]
    fn height(&self) -> usize {
        self.inner.num_rows()
    }

    fn __len__(&self) -> usize {
        self.inner.num_rows()
    }

    /// The column names.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.inner
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// The frame as an `arrow_array_stream` capsule: `pyarrow.table(df)`,
    /// `polars.DataFrame(df)` and duckdb read it with no copy.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let frame = self.inner.clone();
        let batches = run(py, move |_| frame.to_batches())?;
        arrow::stream_capsule(py, self.inner.schema(), batches, requested_schema)
    }

    /// The schema as an `arrow_schema` capsule.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        arrow::schema_capsule(py, &self.inner.schema())
    }

    /// The first `n` rows as a text table, and the row count (at most 60 characters a
    /// cell).
    #[pyo3(signature = (n = 10))]
    fn _table(&self, py: Python<'_>, n: usize) -> PyResult<String> {
        let frame = self.inner.clone();
        let head = run(py, move |_| frame.lazy().head(n).collect()?.to_batches())?;
        let mut text = Vec::new();
        spindle::write::write_table_to(&mut text, &self.inner.schema(), &head, 60)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let mut text = String::from_utf8_lossy(&text).into_owned();
        // write_table_to ends with its own row count (of the rows shown).
        if let Some(i) = text.trim_end().rfind('\n') {
            text.truncate(i + 1);
        }
        let rows = self.inner.num_rows();
        text.push_str(&format!(
            "{rows} row{}{}",
            if rows == 1 { "" } else { "s" },
            if rows > head.iter().map(RecordBatch::num_rows).sum() {
                format!(
                    " ({} shown)",
                    head.iter().map(RecordBatch::num_rows).sum::<usize>()
                )
            } else {
                String::new()
            }
        ));
        Ok(text)
    }

    /// Writes the frame atomically in the format its extension names (`.arrow`, `.parquet`,
    /// `.csv`, ...); `compression` is `lz4` or `zstd` (Arrow) or `snappy`/`zstd`
    /// (Parquet).
    #[pyo3(signature = (path, compression = None))]
    fn write(&self, py: Python<'_>, path: PathBuf, compression: Option<String>) -> PyResult<()> {
        let options = write_options(compression)?;
        let frame = self.inner.clone();
        run(py, move |_| frame.write(&path, &options))
    }

    /// Writes the frame atomically as `format` (`arrow`, `parquet` or `csv`).
    #[pyo3(signature = (path, format, compression = None))]
    fn write_as(
        &self,
        py: Python<'_>,
        path: PathBuf,
        format: &str,
        compression: Option<String>,
    ) -> PyResult<()> {
        let format = match format {
            "arrow" | "ipc" | "feather" => FileFormat::Arrow,
            "parquet" => FileFormat::Parquet,
            "csv" => FileFormat::Csv,
            other => {
                return Err(PyValueError::new_err(format!(
                    "format must be 'arrow', 'parquet' or 'csv', not {other:?}"
                )))
            }
        };
        let options = write_options(compression)?;
        let frame = self.inner.clone();
        run(py, move |_| frame.write_as(&path, format, &options))
    }

    /// True when the column's arrays point into a mapped file (no copy was made).
    fn column_is_mapped(&self, name: &str) -> PyResult<bool> {
        self.inner.column_is_mapped(name).map_err(to_py)
    }

    /// How the frame's storage is held: `mapped (zero-copy)`, `read (...)`, `in memory`.
    #[getter]
    fn storage(&self) -> String {
        self.inner.table().mode().to_string()
    }
}

#[pymethods]
impl PyLazyFrame {
    /// Keeps the rows where `predicate` is true (null counts as false).
    fn filter(&self, predicate: &Bound<'_, PyAny>) -> PyResult<PyLazyFrame> {
        Ok(lazy(
            self.inner.clone().filter(to_expr(predicate, "filter")?),
        ))
    }

    /// The columns `exprs` (names or expressions); all aggregates make one row.
    #[pyo3(signature = (*exprs))]
    fn select(&self, exprs: &Bound<'_, PyTuple>) -> PyResult<PyLazyFrame> {
        Ok(lazy(
            self.inner.clone().select(self::exprs(exprs, "select")?),
        ))
    }

    /// Adds columns, or replaces those of the same name.
    #[pyo3(signature = (*exprs))]
    fn with_columns(&self, exprs: &Bound<'_, PyTuple>) -> PyResult<PyLazyFrame> {
        Ok(lazy(
            self.inner
                .clone()
                .with_columns(self::exprs(exprs, "with_columns")?),
        ))
    }

    /// `group_by(keys).agg(aggs)`: one row per distinct key, with the keys and `aggs`.
    fn _group_by_agg(
        &self,
        keys: &Bound<'_, PyTuple>,
        aggs: &Bound<'_, PyTuple>,
    ) -> PyResult<PyLazyFrame> {
        let keys = self::exprs(keys, "group_by")?;
        let aggs = self::exprs(aggs, "agg")?;
        Ok(lazy(self.inner.clone().group_by(keys).agg(aggs)))
    }

    /// Each distinct value of `expr` and how many rows have it (`count`), most frequent
    /// first.
    fn value_counts(&self, expr: &Bound<'_, PyAny>) -> PyResult<PyLazyFrame> {
        Ok(lazy(
            self.inner
                .clone()
                .value_counts(to_column(expr, "value_counts")?),
        ))
    }

    /// Sorts by `by` (a name, an expression, or a list); `descending` and `nulls_last` are
    /// one bool or one per key. Stable.
    #[pyo3(signature = (by, descending = None, nulls_last = None))]
    fn sort(
        &self,
        by: &Bound<'_, PyAny>,
        descending: Option<&Bound<'_, PyAny>>,
        nulls_last: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyLazyFrame> {
        let keys = self::exprs(&PyTuple::new(by.py(), [by])?, "sort")?;
        let n = keys.len();
        let descending = match descending {
            Some(d) => flags(d, n, "descending")?,
            None => vec![false; n],
        };
        let nulls_last = match nulls_last {
            Some(d) => flags(d, n, "nulls_last")?,
            None => vec![true; n],
        };
        let by = keys
            .into_iter()
            .zip(descending.into_iter().zip(nulls_last))
            .map(|(e, (descending, nulls_last))| {
                (
                    e,
                    SortOptions {
                        descending,
                        nulls_last,
                    },
                )
            });
        Ok(lazy(self.inner.clone().sort_by(by)))
    }

    /// Joins `other` where `left_on` equals `right_on` (or `on`, both sides); `how` is
    /// `inner`, `left`, `semi` or `anti`.
    #[pyo3(signature = (other, on = None, left_on = None, right_on = None, how = "inner"))]
    fn join(
        &self,
        other: &Bound<'_, PyAny>,
        on: Option<&Bound<'_, PyAny>>,
        left_on: Option<&Bound<'_, PyAny>>,
        right_on: Option<&Bound<'_, PyAny>>,
        how: &str,
    ) -> PyResult<PyLazyFrame> {
        let other = lazy_of(other)?;
        let keys = |v: &Bound<'_, PyAny>, what| exprs(&PyTuple::new(v.py(), [v])?, what);
        let (l, r) = match (on, left_on, right_on) {
            (Some(on), None, None) => (keys(on, "on")?, keys(on, "on")?),
            (None, Some(l), Some(r)) => (keys(l, "left_on")?, keys(r, "right_on")?),
            _ => {
                return Err(PyTypeError::new_err(
                    "join takes on=..., or left_on=... and right_on=...",
                ))
            }
        };
        let how = match how {
            "inner" => JoinType::Inner,
            "left" => JoinType::Left,
            "semi" => JoinType::Semi,
            "anti" => JoinType::Anti,
            other => {
                return Err(PyValueError::new_err(format!(
                    "how must be 'inner', 'left', 'semi' or 'anti', not {other:?}"
                )))
            }
        };
        Ok(lazy(self.inner.clone().join(other, l, r, how)))
    }

    /// One row per distinct row.
    fn unique(&self) -> PyLazyFrame {
        lazy(self.inner.clone().unique())
    }

    /// The first `n` rows (after a sort: a top-k).
    #[pyo3(signature = (n = 5))]
    fn head(&self, n: usize) -> PyLazyFrame {
        lazy(self.inner.clone().head(n))
    }

    /// `length` rows from `offset` (the rest when `None`).
    #[pyo3(signature = (offset, length = None))]
    fn slice(&self, offset: usize, length: Option<usize>) -> PyLazyFrame {
        lazy(self.inner.clone().slice(offset, length))
    }

    /// Runs the query with the GIL released (Ctrl-C cancels it): on the shared pool (all
    /// cores), or on a pool of its own of `threads` workers.
    #[pyo3(signature = (threads = None))]
    fn collect(&self, py: Python<'_>, threads: Option<usize>) -> PyResult<PyDataFrame> {
        let query = self.inner.clone();
        let inner = run(py, move |cancel| {
            let query = match threads {
                Some(n) => query.with_runtime(spindle::Runtime::new(n)?),
                None => query,
            };
            query.with_cancel(cancel).collect()
        })?;
        Ok(PyDataFrame { inner })
    }

    /// The plans: as built, optimized, and physical; with `analyze`, it runs and shows
    /// each operator's rows and time.
    #[pyo3(signature = (analyze = false))]
    fn explain(&self, py: Python<'_>, analyze: bool) -> PyResult<String> {
        let query = self.inner.clone();
        run(py, move |cancel| {
            let query = query.with_cancel(cancel);
            if analyze {
                query.explain_analyze()
            } else {
                query.explain()
            }
        })
    }

    /// The result's schema, as an `arrow_schema` capsule (checks the query; reads no
    /// data).
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let query = self.inner.clone();
        let schema = run(py, move |_| query.schema())?;
        arrow::schema_capsule(py, &schema)
    }
}

/// The writers' options, with `compression` (`lz4`, `zstd`, `snappy`) when given.
fn write_options(compression: Option<String>) -> PyResult<WriteOptions> {
    let mut options = WriteOptions::default();
    if let Some(c) = compression {
        options.compression = Some(c.parse().map_err(to_py)?);
    }
    Ok(options)
}

/// A lazy frame from a `LazyFrame`, a `DataFrame`, or Arrow data.
fn lazy_of(value: &Bound<'_, PyAny>) -> PyResult<LazyFrame> {
    if let Ok(l) = value.cast::<PyLazyFrame>() {
        return Ok(l.get().inner.clone());
    }
    if let Ok(d) = value.cast::<PyDataFrame>() {
        return Ok(d.get().inner.lazy());
    }
    Ok(from_arrow(value)?.inner.lazy())
}

/// Frames registered by name for SQL, as DataFusion's `SessionContext`.
#[pyclass(name = "Session", module = "spindle._spindle")]
pub(crate) struct PySession {
    inner: spindle::Session,
}

#[pymethods]
impl PySession {
    #[new]
    fn new() -> PySession {
        PySession {
            inner: spindle::Session::new(),
        }
    }

    /// Makes `frame` (a DataFrame, a LazyFrame, which is collected, or Arrow data)
    /// available to SQL as `name`.
    fn register(&mut self, py: Python<'_>, name: String, frame: &Bound<'_, PyAny>) -> PyResult<()> {
        let frame = frame_of(py, frame)?;
        self.inner.register(name, frame);
        Ok(())
    }

    /// Runs a query with the GIL released and returns its result.
    fn sql(&self, py: Python<'_>, query: String) -> PyResult<PyDataFrame> {
        let session = self.inner.clone();
        let inner = run(py, move |cancel| {
            session.plan(&query)?.with_cancel(cancel).collect()
        })?;
        Ok(PyDataFrame { inner })
    }

    /// The query's lazy frame, not run.
    fn plan(&self, py: Python<'_>, query: String) -> PyResult<PyLazyFrame> {
        let session = self.inner.clone();
        Ok(lazy(run(py, move |_| session.plan(&query))?))
    }
}

fn frame_of(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<DataFrame> {
    if let Ok(d) = value.cast::<PyDataFrame>() {
        return Ok(d.get().inner.clone());
    }
    if let Ok(l) = value.cast::<PyLazyFrame>() {
        let query = l.get().inner.clone();
        return run(py, move |cancel| query.with_cancel(cancel).collect());
    }
    Ok(from_arrow(value)?.inner)
}

/// Opens a file by its extension: Arrow IPC is mapped (metadata only), Parquet's footer
/// read, CSV read in parallel.
#[pyfunction]
pub(crate) fn open(py: Python<'_>, path: PathBuf) -> PyResult<PyDataFrame> {
    let inner = run(py, move |_| spindle::open(&path))?;
    Ok(PyDataFrame { inner })
}

/// Reads a CSV file in parallel: `sep`, `has_header`, `quote_char`, `escape_char`,
/// `null_values`, `schema_overrides` ({name: type}), `infer_schema_length`,
/// `ignore_errors`, as polars names them.
#[pyfunction]
#[pyo3(signature = (path, sep = ",", has_header = true, quote_char = "\"", escape_char = None, null_values = None, schema_overrides = None, infer_schema_length = None, ignore_errors = false))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_csv(
    py: Python<'_>,
    path: PathBuf,
    sep: &str,
    has_header: bool,
    quote_char: &str,
    escape_char: Option<&str>,
    null_values: Option<Vec<String>>,
    schema_overrides: Option<&Bound<'_, PyDict>>,
    infer_schema_length: Option<usize>,
    ignore_errors: bool,
) -> PyResult<PyDataFrame> {
    let byte = |s: &str, what: &str| {
        spindle::storage::csv::parse_byte(s).ok_or_else(|| {
            PyValueError::new_err(format!("{what} must be one ASCII character, not {s:?}"))
        })
    };
    let mut options = CsvOptions::for_path(&path);
    options.delimiter = byte(sep, "sep")?;
    options.header = has_header;
    options.quote = byte(quote_char, "quote_char")?;
    options.escape = escape_char.map(|e| byte(e, "escape_char")).transpose()?;
    if let Some(nulls) = null_values {
        options.null_values = nulls;
    }
    if let Some(types) = schema_overrides {
        for (k, v) in types.iter() {
            let name: String = k.extract()?;
            let ty: String = v.extract()?;
            options.schema_overrides.push((name, data_type(&ty)?));
        }
    }
    if let Some(n) = infer_schema_length {
        options.infer_rows = n.max(1);
    }
    options.skip_bad_rows = ignore_errors;
    let inner = run(py, move |_| spindle::read_csv(&path, &options))?;
    Ok(PyDataFrame { inner })
}

/// Opens a Parquet file: its footer now, each column when a query first reads it.
#[pyfunction]
pub(crate) fn read_parquet(py: Python<'_>, path: PathBuf) -> PyResult<PyDataFrame> {
    let inner = run(py, move |_| spindle::read_parquet(&path))?;
    Ok(PyDataFrame { inner })
}

/// A frame over Arrow data from any object with the Arrow PyCapsule interface, with no
/// copy: the buffers stay the producer's.
#[pyfunction]
pub(crate) fn from_arrow(obj: &Bound<'_, PyAny>) -> PyResult<PyDataFrame> {
    let (schema, batches) = arrow::import(obj)?;
    let inner = DataFrame::from_batches(schema, batches).map_err(to_py)?;
    Ok(PyDataFrame { inner })
}
