"""spindle: a columnar dataframe engine whose strength is text.

spindle maps Arrow IPC files with no copy, runs pandas' ``.str`` catalogue (with Python's
semantics) on all cores with the GIL released, speaks SQL with DuckDB's function names, and
exchanges Arrow with pyarrow, pandas, polars and duckdb through the Arrow PyCapsule
interface, with no copy either way.

>>> import spindle
>>> from spindle import col
>>> df = spindle.from_arrow(pyarrow.table({"name": ["Ana", "straße"]}))   # doctest: +SKIP
>>> df.lazy().select(col("name").str.upper()).collect()                    # doctest: +SKIP
"""

from __future__ import annotations

import builtins
from typing import Any

from . import _spindle
from ._spindle import (  # noqa: F401  (re-exported)
    CancelledError,
    ColumnNotFoundError,
    ComputeError,
    InvalidFileError,
    SpindleError,
    SqlError,
    __version__,
)
from ._str import install as _install_str

__all__ = [
    "DataFrame",
    "LazyFrame",
    "Expr",
    "Session",
    "col",
    "lit",
    "len",
    "coalesce",
    "open",
    "read_csv",
    "read_parquet",
    "from_arrow",
    "sql",
    "functions",
    "SpindleError",
    "ColumnNotFoundError",
    "SqlError",
    "ComputeError",
    "InvalidFileError",
    "CancelledError",
]

Expr = _spindle.Expr
_install_str(Expr)


def col(name: str) -> Expr:
    """The column ``name``."""
    return _spindle.col(name)


def lit(value: Any) -> Expr:
    """A constant: None, a bool, an int, a float, a str, or a tuple of str."""
    return _spindle.lit(value)


def len() -> Expr:  # noqa: A001  (polars' name)
    """The number of rows (of each group, in an aggregation)."""
    return _spindle.len()


def coalesce(*exprs: Any) -> Expr:
    """The first non-null value among ``exprs``, row by row."""
    return _spindle.coalesce(*exprs)


def _keys(args: tuple) -> tuple:
    """``f("a", "b")`` and ``f(["a", "b"])`` alike."""
    if builtins.len(args) == 1 and isinstance(args[0], (list, tuple)):
        return tuple(args[0])
    return args


class GroupBy:
    """A grouping in progress: ``lazy.group_by(keys).agg(aggs)``."""

    def __init__(self, frame: "LazyFrame", keys: tuple):
        self._frame = frame
        self._keys = keys

    def agg(self, *aggs: Any) -> "LazyFrame":
        """One row per distinct key (null is a group), with the keys and ``aggs``."""
        return LazyFrame(self._frame._inner._group_by_agg(_keys(self._keys), _keys(aggs)))


class LazyFrame:
    """A query: built by ``filter``, ``select``, ... and run by :meth:`collect`, on all
    cores, with the GIL released (Ctrl-C cancels it)."""

    def __init__(self, inner: "_spindle.LazyFrame"):
        self._inner = inner

    def filter(self, predicate: Expr) -> "LazyFrame":
        """The rows where ``predicate`` is true (null counts as false)."""
        return LazyFrame(self._inner.filter(predicate))

    def select(self, *exprs: Any) -> "LazyFrame":
        """The columns ``exprs`` (names or expressions); all aggregates make one row."""
        return LazyFrame(self._inner.select(*_keys(exprs)))

    def with_columns(self, *exprs: Any) -> "LazyFrame":
        """Adds columns, or replaces those of the same name."""
        return LazyFrame(self._inner.with_columns(*_keys(exprs)))

    def group_by(self, *keys: Any) -> GroupBy:
        """Groups by ``keys``; finish with ``.agg(...)``."""
        return GroupBy(self, keys)

    def value_counts(self, expr: Any) -> "LazyFrame":
        """Each distinct value and how many rows have it (``count``), most frequent first."""
        return LazyFrame(self._inner.value_counts(expr))

    def sort(self, by: Any, *, descending: Any = False, nulls_last: Any = True) -> "LazyFrame":
        """Sorts by ``by`` (a name, an expression, or a list); stable."""
        return LazyFrame(self._inner.sort(by, descending, nulls_last))

    def join(self, other: Any, on: Any = None, *, left_on: Any = None, right_on: Any = None,
             how: str = "inner") -> "LazyFrame":
        """Joins ``other`` on equal keys; ``how`` is inner, left, semi or anti."""
        if isinstance(other, (LazyFrame, DataFrame)):
            other = other._inner
        return LazyFrame(self._inner.join(other, on, left_on, right_on, how))

    def unique(self) -> "LazyFrame":
        """One row per distinct row."""
        return LazyFrame(self._inner.unique())

    def head(self, n: int = 5) -> "LazyFrame":
        """The first ``n`` rows (after a sort, a top-k)."""
        return LazyFrame(self._inner.head(n))

    def slice(self, offset: int, length: int | None = None) -> "LazyFrame":
        """``length`` rows from ``offset``."""
        return LazyFrame(self._inner.slice(offset, length))

    def collect(self, threads: int | None = None) -> "DataFrame":
        """Runs the query and returns its result: on all cores, or on ``threads`` workers
        of its own (so that queries from several Python threads run side by side)."""
        return DataFrame(self._inner.collect(threads))

    def explain(self, analyze: bool = False) -> str:
        """The plan as built, the optimized plan and the physical plan; with ``analyze``,
        runs it and shows each operator's rows and time."""
        return self._inner.explain(analyze)

    def __arrow_c_schema__(self):
        return self._inner.__arrow_c_schema__()

    @property
    def schema(self):
        """The result's schema, as a ``pyarrow.Schema`` (checks the query, reads no data)."""
        import pyarrow

        return pyarrow.schema(self._inner)

    def __repr__(self) -> str:
        return "<spindle.LazyFrame>\n" + self._inner.explain(False).split("\n\n")[0]


class DataFrame:
    """A table of Arrow data. It exports Arrow with no copy: ``pyarrow.table(df)``,
    ``polars.DataFrame(df)``, ``duckdb.sql("SELECT * FROM df")``."""

    def __init__(self, inner: "_spindle.DataFrame"):
        self._inner = inner

    # Arrow out.
    def __arrow_c_stream__(self, requested_schema=None):
        return self._inner.__arrow_c_stream__(requested_schema)

    def __arrow_c_schema__(self):
        return self._inner.__arrow_c_schema__()

    def to_arrow(self):
        """A ``pyarrow.Table`` over the same buffers (no copy)."""
        import pyarrow

        return pyarrow.table(self)

    def to_pandas(self, *, arrow_dtypes: bool = True):
        """A pandas DataFrame with Arrow-backed dtypes (``pd.ArrowDtype``); with
        ``arrow_dtypes=False``, pandas' own dtypes (strings become objects)."""
        import pandas

        table = self.to_arrow()
        if arrow_dtypes:
            return table.to_pandas(types_mapper=pandas.ArrowDtype)
        return table.to_pandas()

    def to_polars(self):
        """A polars DataFrame over the same buffers."""
        import polars

        return polars.DataFrame(self)

    # Shape.
    @property
    def height(self) -> int:
        return self._inner.height

    def __len__(self) -> int:
        return self._inner.height

    @property
    def columns(self) -> list[str]:
        return self._inner.columns

    @property
    def schema(self):
        """The schema, as a ``pyarrow.Schema``."""
        import pyarrow

        return pyarrow.schema(self._inner)

    @property
    def storage(self) -> str:
        """``mapped (zero-copy)``, ``read (...)`` or ``in memory``."""
        return self._inner.storage

    def column_is_mapped(self, name: str) -> bool:
        """True when the column's arrays point into the mapped file."""
        return self._inner.column_is_mapped(name)

    def lazy(self) -> LazyFrame:
        """A lazy query over this frame."""
        return LazyFrame(self._inner.lazy())

    # Eager shortcuts, as polars' DataFrame has them.
    def filter(self, predicate: Expr) -> "DataFrame":
        return self.lazy().filter(predicate).collect()

    def select(self, *exprs: Any) -> "DataFrame":
        return self.lazy().select(*exprs).collect()

    def with_columns(self, *exprs: Any) -> "DataFrame":
        return self.lazy().with_columns(*exprs).collect()

    def sort(self, by: Any, *, descending: Any = False, nulls_last: Any = True) -> "DataFrame":
        return self.lazy().sort(by, descending=descending, nulls_last=nulls_last).collect()

    def head(self, n: int = 5) -> "DataFrame":
        return self.lazy().head(n).collect()

    def unique(self) -> "DataFrame":
        return self.lazy().unique().collect()

    def value_counts(self, expr: Any) -> "DataFrame":
        return self.lazy().value_counts(expr).collect()

    def group_by(self, *keys: Any) -> "_EagerGroupBy":
        return _EagerGroupBy(self.lazy().group_by(*keys))

    def join(self, other: Any, on: Any = None, *, left_on: Any = None, right_on: Any = None,
             how: str = "inner") -> "DataFrame":
        return self.lazy().join(other, on, left_on=left_on, right_on=right_on, how=how).collect()

    # Files out (atomic).
    def write(self, path: str, *, compression: str | None = None) -> None:
        """Writes the frame in the format its extension names, atomically."""
        self._inner.write(str(path), compression)

    def write_ipc(self, path: str, *, compression: str | None = None) -> None:
        """Writes an Arrow IPC file (uncompressed by default, so it maps back)."""
        self._inner.write_as(str(path), "arrow", compression)

    def write_parquet(self, path: str, *, compression: str | None = None) -> None:
        """Writes a Parquet file (snappy by default)."""
        self._inner.write_as(str(path), "parquet", compression)

    def write_csv(self, path: str) -> None:
        """Writes a CSV file."""
        self._inner.write_as(str(path), "csv", None)

    # Display.
    def __repr__(self) -> str:
        return self._inner._table(10)

    def _repr_html_(self) -> str:
        import html

        head = self.head(10).to_arrow()
        cells = ["<tr>" + "".join(f"<th>{html.escape(n)}<br><small>{html.escape(str(t))}</small></th>"
                                  for n, t in zip(head.schema.names, head.schema.types)) + "</tr>"]
        for row in head.to_pylist():
            cells.append("<tr>" + "".join(
                "<td>" + ("<i>null</i>" if v is None else html.escape(str(v))) + "</td>"
                for v in row.values()) + "</tr>")
        shown = head.num_rows
        total = self.height
        note = f"{total} rows" + (f" ({shown} shown)" if total > shown else "")
        return f"<table>{''.join(cells)}</table><p>{note}</p>"


class _EagerGroupBy:
    def __init__(self, grouping: GroupBy):
        self._grouping = grouping

    def agg(self, *aggs: Any) -> DataFrame:
        return self._grouping.agg(*aggs).collect()


def _wrap(inner) -> DataFrame:
    return DataFrame(inner)


def open(path: str) -> DataFrame:  # noqa: A001  (the engine's name)
    """Opens a file by its extension: Arrow IPC is mapped (metadata only, no copy),
    Parquet's footer read, CSV read in parallel."""
    return _wrap(_spindle.open(str(path)))


def read_csv(path: str, **options: Any) -> DataFrame:
    """Reads a CSV file in parallel; options as polars names them: ``sep``,
    ``has_header``, ``quote_char``, ``escape_char``, ``null_values``,
    ``schema_overrides``, ``infer_schema_length``, ``ignore_errors``."""
    return _wrap(_spindle.read_csv(str(path), **options))


def read_parquet(path: str) -> DataFrame:
    """Opens a Parquet file; columns decode when a query first reads them."""
    return _wrap(_spindle.read_parquet(str(path)))


def from_arrow(obj: Any) -> DataFrame:
    """A frame over Arrow data, with no copy, from anything with the Arrow PyCapsule
    interface: a pyarrow Table, RecordBatch or RecordBatchReader, a pandas or polars
    DataFrame, a duckdb relation."""
    if isinstance(obj, DataFrame):
        return obj
    if isinstance(obj, LazyFrame):
        return obj.collect()
    return _wrap(_spindle.from_arrow(obj))


def _frame(obj: Any):
    if isinstance(obj, (DataFrame, LazyFrame)):
        return obj._inner
    return obj


class Session:
    """Frames registered by name for SQL; a registered frame keeps its mapped file and
    its validated columns across queries."""

    def __init__(self, **frames: Any):
        self._inner = _spindle.Session()
        for name, frame in frames.items():
            self.register(name, frame)

    def register(self, name: str, frame: Any) -> "Session":
        """Makes ``frame`` (a spindle frame or any Arrow data) available as ``name``."""
        self._inner.register(name, _frame(frame))
        return self

    def sql(self, query: str) -> DataFrame:
        """Runs a query (DuckDB's function names; pandas' as ``str_<name>``)."""
        return _wrap(self._inner.sql(query))


def sql(query: str, **frames: Any) -> DataFrame:
    """Runs a SQL query; ``frames`` are the tables it names (spindle frames or any Arrow
    data: pyarrow, pandas, polars, duckdb); a quoted path in FROM opens that file."""
    return Session(**frames).sql(query)


def functions() -> list[tuple[str, str]]:
    """SQL's string functions with a line each."""
    return _spindle.sql_functions()
