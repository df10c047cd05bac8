#!/usr/bin/env python3
"""The peers' side of the harness: one engine per process, the operations of ops.json.

Each engine loads the data file its usual way (timed apart as `load_ms`), then runs every
operation under the timing rule of `measure` (warm-ups, then the median of timed runs),
the result materialised as an array or a table. Every engine is also checked on a sample (the first rows of the data, in their own
file) against pandas with object dtype, i.e. Python's `str` semantics, so the report can
say where a peer itself differs from Python. The `pandas_object` engine additionally
checks spindle's full results (written by benches/compare/spindle.rs) against its own.

    python peers.py --engine polars --file data.arrow --sample sample.arrow \
        --data text --out polars.json [--spindle-results DIR] [--runs 5] [--budget 3]

An operation an engine has no function for is recorded as missing, never dropped.
"""
import argparse
import gc
import json
import os
import re
import statistics
import sys
import time

import pyarrow as pa
import pyarrow.compute as pc

HERE = os.path.dirname(os.path.abspath(__file__))



# ---------------------------------------------------------------- loading


def rows_of(path):
    with pa.memory_map(path) as source:
        reader = pa.ipc.open_file(source)
        return sum(reader.get_record_batch(i).num_rows for i in range(reader.num_record_batches))


def read_arrow(path, columns):
    """The Arrow IPC file as a pyarrow Table, memory-mapped, only `columns`."""
    with pa.memory_map(path) as source:
        table = pa.ipc.open_file(source).read_all()
    return table.select(columns)


# ---------------------------------------------------------------- engines
# Each engine: load(path, columns) -> data; ops(data, p) -> {op: callable() -> result}.


def pandas_ops(df, p):
    """pandas' .str methods; the same code runs on object dtype and on pandas 3's str."""
    c, o, k, v = (df[p[x]] for x in ("column", "other", "key", "value"))
    s = c.str
    w = p["width"]
    a, b = p["slice"]
    return {
        "capitalize": lambda: s.capitalize(),
        "cat": lambda: s.cat(o, sep=" "),
        "contains": lambda: s.contains(p["literal"], regex=False),
        "contains_regex": lambda: s.contains(p["regex"], regex=True),
        "count": lambda: s.count(re.escape(p["count"])),
        "endswith": lambda: s.endswith(p["suffix"]),
        "find": lambda: s.find(p["find"]),
        "get": lambda: s.get(p["get"]),
        "split_join": lambda: s.split(p["split"]).str.join(p["join"]),
        "len": lambda: s.len(),
        "ljust": lambda: s.ljust(w),
        "lower": lambda: s.lower(),
        "lstrip": lambda: s.lstrip(p["lstrip"]),
        "match": lambda: s.match(p["match"]),
        "pad": lambda: s.pad(w),
        "repeat": lambda: s.repeat(p["repeat"]),
        "replace": lambda: s.replace(*p["replace"], regex=False),
        "replace_regex": lambda: s.replace(*p["replace_regex"], regex=True),
        "rfind": lambda: s.rfind(p["rfind"]),
        "rjust": lambda: s.rjust(w),
        "rstrip": lambda: s.rstrip(p["rstrip"]),
        "slice": lambda: s.slice(a, b),
        "split": lambda: s.split(p["split"]),
        "startswith": lambda: s.startswith(p["prefix"]),
        "strip": lambda: s.strip(p["strip"]),
        "title": lambda: s.title(),
        "upper": lambda: s.upper(),
        "zfill": lambda: s.zfill(w),
        "extract": lambda: s.extract(p["extract"], expand=False),
        "fullmatch": lambda: s.fullmatch(p["fullmatch"]),
        "isdigit": lambda: s.isdigit(),
        "filter_count": lambda: len(df[s.contains(p["literal"], regex=False, na=False)]),
        "value_counts": lambda: k.value_counts(dropna=False),
        # SQL's sum: null for a group with no values (pandas' own default would say 0).
        "groupby": lambda: _pandas_groupby(df, p),
        "sort": lambda: c.sort_values(na_position="last", ignore_index=True),
        "join": _pandas_join(df, p),
    }


def _pandas_join(df, p):
    import pandas as pd

    keys = df[p["key"]].dropna().unique()
    dim = pd.DataFrame({p["key"]: keys})
    dim["payload"] = dim[p["key"]].str.len()
    pair = df[[p["key"], p["value"]]]
    return lambda: pair.merge(dim, on=p["key"], how="inner")


def _pandas_groupby(df, p):
    import pandas as pd

    g = df.groupby(p["key"], dropna=False, sort=False)[p["value"]]
    return pd.DataFrame({"sum": g.sum(min_count=1), "mean": g.mean()})


def load_pandas(path, columns, dtype):
    import pandas as pd

    df = read_arrow(path, columns).to_pandas()
    for name in columns:
        if df[name].dtype == object or str(df[name].dtype) in ("str", "string"):
            df[name] = df[name].astype(object if dtype == "object" else pd.StringDtype("pyarrow", na_value=float("nan")))
    return df


def polars_ops(df, p):
    import polars as pl

    c = pl.col(p["column"])
    s = c.str
    w = p["width"]
    a, b = p["slice"]
    sel = lambda e: lambda: df.select(e.alias("result")).to_series()
    py_repl = p["replace_regex"][1]
    repl = re.sub(r"\\(\d)", r"${\1}", py_repl)
    return {
        "capitalize": None,
        "cat": sel(pl.concat_str([c, pl.col(p["other"])], separator=" ")),
        "contains": sel(s.contains(p["literal"], literal=True)),
        "contains_regex": sel(s.contains(p["regex"])),
        "count": sel(s.count_matches(p["count"], literal=True)),
        "endswith": sel(s.ends_with(p["suffix"])),
        # pandas' -1 for "not found"; polars says null, which a user fills.
        "find": sel(pl.when(c.is_null()).then(None).otherwise(s.find(p["find"], literal=True).fill_null(-1))),
        "get": sel(s.slice(p["get"], 1)),
        "split_join": sel(s.split(p["split"]).list.join(p["join"])),
        "len": sel(s.len_chars()),
        "ljust": sel(s.pad_end(w)),
        "lower": sel(s.to_lowercase()),
        "lstrip": sel(s.strip_chars_start(p["lstrip"])),
        "match": sel(s.contains("^(?:" + p["match"] + ")")),
        "pad": sel(s.pad_start(w)),
        "repeat": None,
        "replace": sel(s.replace_all(*p["replace"], literal=True)),
        "replace_regex": sel(s.replace_all(p["replace_regex"][0], repl)),
        "rfind": None,
        "rjust": sel(s.pad_start(w)),
        "rstrip": sel(s.strip_chars_end(p["rstrip"])),
        "slice": sel(s.slice(a, b - a)),
        "split": sel(s.split(p["split"])),
        "startswith": sel(s.starts_with(p["prefix"])),
        "strip": sel(s.strip_chars(p["strip"])),
        "title": sel(s.to_titlecase()),
        "upper": sel(s.to_uppercase()),
        "zfill": sel(s.zfill(w)),
        "extract": sel(s.extract(p["extract"], 1)),
        "fullmatch": sel(s.contains("^(?:" + p["fullmatch"] + ")$")),
        "isdigit": sel(s.contains(r"^\d+$")),
        "filter_count": lambda: df.filter(s.contains(p["literal"], literal=True)).height,
        "value_counts": lambda: df.get_column(p["key"]).value_counts(sort=True),
        "groupby": lambda: df.group_by(p["key"]).agg(
            pl.col(p["value"]).sum().alias("sum"), pl.col(p["value"]).mean().alias("mean")
        ),
        "sort": lambda: df.get_column(p["column"]).sort(nulls_last=True),
        "join": _polars_join(df, p),
    }


def _polars_join(df, p):
    import polars as pl

    k = p["key"]
    dim = df.select(pl.col(k).drop_nulls().unique()).with_columns(
        pl.col(k).str.len_chars().cast(pl.Int64).alias("payload")
    )
    return lambda: df.select(k, p["value"]).join(dim, on=k, how="inner")


def load_polars(path, columns):
    import polars as pl

    return pl.read_ipc(path, columns=columns)


def pyarrow_ops(t, p):
    c = t[p["column"]]
    w = p["width"]
    a, b = p["slice"]
    named = _named_groups(p["extract"])
    return {
        "capitalize": lambda: pc.utf8_capitalize(c),
        "cat": lambda: pc.binary_join_element_wise(c, t[p["other"]], " "),
        "contains": lambda: pc.match_substring(c, p["literal"]),
        "contains_regex": lambda: pc.match_substring_regex(c, p["regex"]),
        "count": lambda: pc.count_substring(c, p["count"]),
        "endswith": lambda: pc.ends_with(c, p["suffix"]),
        "find": lambda: pc.find_substring(c, p["find"]),
        "get": lambda: pc.utf8_slice_codeunits(c, p["get"], p["get"] + 1),
        "split_join": lambda: pc.binary_join(pc.split_pattern(c, p["split"]), p["join"]),
        "len": lambda: pc.utf8_length(c),
        "ljust": lambda: pc.utf8_rpad(c, w),
        "lower": lambda: pc.utf8_lower(c),
        "lstrip": lambda: pc.utf8_ltrim(c, p["lstrip"]),
        "match": lambda: pc.match_substring_regex(c, "^(?:" + p["match"] + ")"),
        "pad": lambda: pc.utf8_lpad(c, w),
        "repeat": lambda: pc.binary_repeat(c, p["repeat"]),
        "replace": lambda: pc.replace_substring(c, *p["replace"]),
        "replace_regex": lambda: pc.replace_substring_regex(c, *p["replace_regex"]),
        "rfind": None,
        "rjust": lambda: pc.utf8_lpad(c, w),
        "rstrip": lambda: pc.utf8_rtrim(c, p["rstrip"]),
        "slice": lambda: pc.utf8_slice_codeunits(c, a, b),
        "split": lambda: pc.split_pattern(c, p["split"]),
        "startswith": lambda: pc.starts_with(c, p["prefix"]),
        "strip": lambda: pc.utf8_trim(c, p["strip"]),
        "title": lambda: pc.utf8_title(c),
        "upper": lambda: pc.utf8_upper(c),
        "zfill": (lambda: pc.utf8_zero_fill(c, w)) if hasattr(pc, "utf8_zero_fill") else None,
        "extract": lambda: pc.struct_field(pc.extract_regex(c, named), [0]),
        "fullmatch": lambda: pc.match_substring_regex(c, "^(?:" + p["fullmatch"] + ")$"),
        "isdigit": lambda: pc.utf8_is_digit(c),
        "filter_count": lambda: t.filter(pc.match_substring(c, p["literal"])).num_rows,
        "value_counts": lambda: pc.value_counts(t[p["key"]]),
        "groupby": lambda: t.group_by(p["key"]).aggregate([(p["value"], "sum"), (p["value"], "mean")]),
        "sort": lambda: pc.take(c, pc.sort_indices(c, null_placement="at_end")),
        "join": _pyarrow_join(t, p),
    }


def _pyarrow_join(t, p):
    k = p["key"]
    keys = pc.unique(pc.drop_null(t[k]))
    dim = pa.table({k: keys, "payload": pc.utf8_length(keys).cast(pa.int64())})
    pair = t.select([k, p["value"]])
    return lambda: pair.join(dim, keys=k, join_type="inner")


def _named_groups(pattern):
    """RE2's extract_regex wants named groups: `(x)` -> `(?P<g0>x)`."""
    n = iter(range(100))
    return re.sub(r"\((?!\?)", lambda m: f"(?P<g{next(n)}>", pattern)


def load_pyarrow(path, columns):
    return read_arrow(path, columns)


def duckdb_ops(con, p):
    q = lambda name: '"' + name + '"'
    c, o, k, v = q(p["column"]), q(p["other"]), q(p["key"]), q(p["value"])
    lit = lambda s: "'" + s.replace("'", "''") + "'"
    w = p["width"]
    a, b = p["slice"]

    def sql(expr):
        return lambda: con.sql(f"SELECT {expr} AS result FROM t").to_arrow_table()

    def pad(fn):
        # DuckDB's lpad/rpad cut longer strings; pandas' pads never do.
        return sql(f"CASE WHEN length({c}) >= {w} THEN {c} ELSE {fn}({c}, {w}, ' ') END")

    n = lit(p["count"])
    return {
        "capitalize": None,
        "cat": sql(f"{c} || ' ' || {o}"),
        "contains": sql(f"contains({c}, {lit(p['literal'])})"),
        "contains_regex": sql(f"regexp_matches({c}, {lit(p['regex'])})"),
        # No substring count in DuckDB: the usual idiom.
        "count": sql(f"(length({c}) - length(replace({c}, {n}, ''))) // length({n})"),
        "endswith": sql(f"ends_with({c}, {lit(p['suffix'])})"),
        "find": sql(f"strpos({c}, {lit(p['find'])}) - 1"),
        "get": sql(f"substring({c}, {p['get'] + 1}, 1)"),
        "split_join": sql(f"array_to_string(string_split({c}, {lit(p['split'])}), {lit(p['join'])})"),
        "len": sql(f"length({c})"),
        "ljust": pad("rpad"),
        "lower": sql(f"lower({c})"),
        "lstrip": sql(f"ltrim({c}, {lit(p['lstrip'])})"),
        "match": sql(f"regexp_matches({c}, {lit('^(?:' + p['match'] + ')')})"),
        "pad": pad("lpad"),
        "repeat": sql(f"repeat({c}, {p['repeat']})"),
        "replace": sql(f"replace({c}, {lit(p['replace'][0])}, {lit(p['replace'][1])})"),
        "replace_regex": sql(
            f"regexp_replace({c}, {lit(p['replace_regex'][0])}, {lit(p['replace_regex'][1])}, 'g')"
        ),
        "rfind": None,
        "rjust": pad("lpad"),
        "rstrip": sql(f"rtrim({c}, {lit(p['rstrip'])})"),
        "slice": sql(f"substring({c}, {a + 1}, {b - a})"),
        "split": sql(f"string_split({c}, {lit(p['split'])})"),
        "startswith": sql(f"starts_with({c}, {lit(p['prefix'])})"),
        "strip": sql(f"trim({c}, {lit(p['strip'])})"),
        "title": None,
        "upper": sql(f"upper({c})"),
        "zfill": None,
        "extract": sql(f"regexp_extract({c}, {lit(p['extract'])}, 1)"),
        "fullmatch": sql(f"regexp_full_match({c}, {lit(p['fullmatch'])})"),
        "isdigit": sql(f"regexp_full_match({c}, '\\d+')"),
        "filter_count": lambda: con.sql(
            f"SELECT count(*) FROM t WHERE contains({c}, {lit(p['literal'])})"
        ).fetchall()[0][0],
        "value_counts": lambda: con.sql(
            f"SELECT {k}, count(*) AS count FROM t GROUP BY {k} ORDER BY count DESC"
        ).to_arrow_table(),
        "groupby": lambda: con.sql(
            f"SELECT {k}, sum({v}) AS sum, avg({v}) AS mean FROM t GROUP BY {k}"
        ).to_arrow_table(),
        "sort": lambda: con.sql(f"SELECT {c} FROM t ORDER BY {c} NULLS LAST").to_arrow_table(),
        "join": _duckdb_join(con, k, v),
    }


def _duckdb_join(con, k, v):
    con.execute(
        f"CREATE OR REPLACE TABLE dim AS SELECT DISTINCT {k}, length({k})::BIGINT AS payload "
        f"FROM t WHERE {k} IS NOT NULL"
    )
    return lambda: con.sql(
        f"SELECT t.{k}, t.{v}, dim.payload FROM t JOIN dim ON t.{k} = dim.{k}"
    ).to_arrow_table()


def load_duckdb(path, columns):
    import duckdb

    con = duckdb.connect()
    source = read_arrow(path, columns)
    con.register("source", source)
    con.execute("CREATE TABLE t AS SELECT * FROM source")
    con.unregister("source")
    return con


def vaex_ops(df, p):
    import vaex

    c = df[p["column"]]
    s = c.str
    w = p["width"]
    a, b = p["slice"]
    val = lambda f: lambda: f().values
    named = _named_groups(p["extract"])
    return {
        "capitalize": val(lambda: s.capitalize()),
        "cat": val(lambda: c + " " + df[p["other"]]),
        "contains": val(lambda: s.contains(p["literal"], regex=False)),
        "contains_regex": val(lambda: s.contains(p["regex"], regex=True)),
        "count": val(lambda: s.count(p["count"], regex=False)),
        "endswith": val(lambda: s.endswith(p["suffix"])),
        "find": val(lambda: s.find(p["find"])),
        "get": val(lambda: s.get(p["get"])),
        "split_join": val(lambda: s.split(p["split"]).str.join(p["join"])),
        "len": val(lambda: s.len()),
        "ljust": val(lambda: s.ljust(w)),
        "lower": val(lambda: s.lower()),
        "lstrip": val(lambda: s.lstrip(p["lstrip"])),
        "match": val(lambda: s.match(p["match"])),
        "pad": val(lambda: s.pad(w)),
        "repeat": val(lambda: s.repeat(p["repeat"])),
        "replace": val(lambda: s.replace(*p["replace"], regex=False)),
        "replace_regex": val(lambda: s.replace(*p["replace_regex"], regex=True)),
        "rfind": val(lambda: s.rfind(p["rfind"])),
        "rjust": val(lambda: s.rjust(w)),
        "rstrip": val(lambda: s.rstrip(p["rstrip"])),
        "slice": val(lambda: s.slice(a, b)),
        "split": val(lambda: s.split(p["split"])),
        "startswith": val(lambda: s.startswith(p["prefix"])),
        "strip": val(lambda: s.strip(p["strip"])),
        "title": val(lambda: s.title()),
        "upper": val(lambda: s.upper()),
        "zfill": val(lambda: s.zfill(w)),
        "extract": lambda: pc.struct_field(pa.array(s.extract_regex(named).tolist()), [0]),
        "fullmatch": None,
        "isdigit": val(lambda: s.isdigit()),
        "filter_count": lambda: int(len(df[s.contains(p["literal"], regex=False)])),
        "value_counts": lambda: df[p["key"]].value_counts(),
        "groupby": lambda: df.groupby(
            p["key"], agg={"sum": vaex.agg.sum(p["value"]), "mean": vaex.agg.mean(p["value"])}
        ),
        "sort": lambda: df.sort(p["column"])[p["column"]].values,
        "join": None,
    }


def load_vaex(path, columns):
    import vaex

    return vaex.open(path)[columns]


def spindle_python_ops(df, p):
    """spindle called from Python (the package), the same plans as benches/compare/spindle.rs:
    its figures include the binding's cost (the call, the GIL release, the Arrow export)."""
    import re as _re

    import spindle
    from spindle import col

    s = col(p["column"]).str
    w = p["width"]
    a, b = p["slice"]
    sel = lambda e: lambda: df.lazy().select(e.alias("result")).collect().to_arrow().column(0)
    k, v = p["key"], p["value"]
    dim = (df.lazy().select(k).unique().filter(col(k).is_not_null())
           .with_columns(col(k).str.len().alias("payload")).collect())
    return {
        "capitalize": sel(s.capitalize()),
        "cat": sel(s.cat(col(p["other"]), sep=" ")),
        "contains": sel(s.contains(p["literal"], regex=False)),
        "contains_regex": sel(s.contains(p["regex"])),
        "count": sel(s.count(_re.escape(p["count"]))),
        "endswith": sel(s.endswith(p["suffix"])),
        "find": sel(s.find(p["find"])),
        "get": sel(s.get(p["get"])),
        "split_join": sel(s.split(p["split"]).str.join(p["join"])),
        "len": sel(s.len()),
        "ljust": sel(s.ljust(w)),
        "lower": sel(s.lower()),
        "lstrip": sel(s.lstrip(p["lstrip"])),
        "match": sel(s.match(p["match"])),
        "pad": sel(s.pad(w)),
        "repeat": sel(s.repeat(p["repeat"])),
        "replace": sel(s.replace(*p["replace"])),
        "replace_regex": sel(s.replace(*p["replace_regex"], regex=True)),
        "rfind": sel(s.rfind(p["rfind"])),
        "rjust": sel(s.rjust(w)),
        "rstrip": sel(s.rstrip(p["rstrip"])),
        "slice": sel(s.slice(a, b)),
        "split": sel(s.split(p["split"])),
        "startswith": sel(s.startswith(p["prefix"])),
        "strip": sel(s.strip(p["strip"])),
        "title": sel(s.title()),
        "upper": sel(s.upper()),
        "zfill": sel(s.zfill(w)),
        "extract": sel(s.extract(p["extract"], expand=False)),
        "fullmatch": sel(s.fullmatch(p["fullmatch"])),
        "isdigit": sel(s.isdigit()),
        "filter_count": lambda: df.lazy().filter(s.contains(p["literal"], regex=False))
        .select(spindle.len()).collect().to_arrow().column(0)[0].as_py(),
        "value_counts": lambda: df.lazy().value_counts(k).collect().to_arrow(),
        "groupby": lambda: df.lazy().group_by(k).agg(col(v).sum().alias("sum"),
                                                     col(v).mean().alias("mean")).collect().to_arrow(),
        "sort": lambda: df.lazy().select(p["column"]).sort(p["column"]).collect().to_arrow().column(0),
        "join": lambda: df.lazy().select(k, v).join(dim, on=k).collect().to_arrow(),
    }


def load_spindle_python(path, columns):
    import spindle

    return spindle.open(path)


ENGINES = {
    "spindle_python": (load_spindle_python, spindle_python_ops),
    "pandas_object": (lambda path, cols: load_pandas(path, cols, "object"), pandas_ops),
    "pandas": (lambda path, cols: load_pandas(path, cols, "str"), pandas_ops),
    "polars": (load_polars, polars_ops),
    "pyarrow": (load_pyarrow, pyarrow_ops),
    "duckdb": (load_duckdb, duckdb_ops),
    "vaex": (load_vaex, vaex_ops),
}


def version(engine):
    name = {"pandas_object": "pandas", "spindle_python": "spindle"}.get(engine, engine)
    v = __import__(name).__version__
    # vaex reports a dict of its packages.
    return ", ".join(f"{k} {x}" for k, x in v.items()) if isinstance(v, dict) else v


# ---------------------------------------------------------------- results in one shape


def to_arrow(result):
    """A row-wise result as one pyarrow Array."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        pd = None
    if isinstance(result, pa.ChunkedArray):
        return result.combine_chunks()
    if isinstance(result, pa.Array):
        return result
    if isinstance(result, pa.Table):
        return result.column(0).combine_chunks()
    if pd is not None and isinstance(result, pd.Series):
        if result.dtype == object:
            return pa.array(result, from_pandas=True)
        return pa.Array.from_pandas(result)
    if type(result).__module__.startswith("polars"):
        return result.to_arrow()
    import numpy as np

    if isinstance(result, np.ma.MaskedArray):
        return pa.array(result.data, mask=np.ma.getmaskarray(result))
    return pa.array(result, from_pandas=True)


def canonical(arr):
    """Types that compare across engines: large strings, float64 numbers, decoded dicts."""
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    if pa.types.is_struct(t):
        arr = arr.field(0)
        t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return arr.cast(pa.large_string())
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_list_view(t) or pa.types.is_large_list_view(t):
        return arr.cast(pa.large_list(pa.large_string()))
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        f = arr.cast(pa.float64())
        return pc.if_else(pc.is_nan(f), pa.scalar(None, pa.float64()), f)
    if pa.types.is_null(t):
        return arr
    return arr


def table_of(result, op):
    """value_counts and groupby results as {key: value or (sum, mean)}."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        pd = None
    if pd is not None and isinstance(result, pd.Series):  # value_counts
        return {_key(k): int(v) for k, v in result.items()}
    if pd is not None and isinstance(result, pd.DataFrame):  # pandas groupby
        return {_key(k): (_num(r["sum"]), _num(r["mean"])) for k, r in result.iterrows()}
    if type(result).__module__.startswith("polars"):
        result = result.to_arrow()
    if type(result).__module__.startswith("vaex"):
        result = result.to_arrow_table()
    if isinstance(result, pa.StructArray):  # pyarrow value_counts
        result = pa.Table.from_arrays(result.flatten(), names=["key", "count"])
    cols = result.column_names
    named = ("count", "sum", "mean")
    key = next(c for c in cols if c not in named and not c.endswith(("_sum", "_mean", "_count")))
    keys = result.column(key).to_pylist()
    if op == "value_counts":
        counts = result.column(next(c for c in cols if c != key)).to_pylist()
        return {_key(k): int(n) for k, n in zip(keys, counts)}
    sums = result.column(next(c for c in cols if c == "sum" or c.endswith("_sum"))).to_pylist()
    means = result.column(next(c for c in cols if c == "mean" or c.endswith("_mean"))).to_pylist()
    return {_key(k): (_num(s), _num(m)) for k, s, m in zip(keys, sums, means)}


def join_summary(result):
    """A join's result as (rows, sum of payload, sum of the value column)."""
    if type(result).__module__.startswith("polars"):
        result = result.to_arrow()
    elif not isinstance(result, pa.Table):  # pandas
        result = pa.Table.from_pandas(result, preserve_index=False)
    payload = result.column("payload")
    value = next(c for c in result.column_names if c != "payload" and
                 (pa.types.is_floating(result.column(c).type) or
                  pa.types.is_integer(result.column(c).type)))
    return (result.num_rows, _num(pc.sum(payload).as_py() or 0),
            _num(pc.sum(result.column(value)).as_py() or 0))


def _key(k):
    return None if k is None or (isinstance(k, float) and k != k) else k


def _num(x):
    if x is None:
        return None
    x = float(x)
    return None if x != x else x


def _close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1.0)


def compare(op, got, want):
    """(mismatches, total, example) of `got` against the reference `want`."""
    if op == "filter_count":
        got, want = int(got), int(want)
        return (0 if got == want else 1), 1, (None if got == want else f"{got} != {want}")
    if op == "join":
        g, w = join_summary(got), join_summary(want)
        ok = g[0] == w[0] and all(_close(x, y) for x, y in zip(g[1:], w[1:]))
        return (0 if ok else 1), 1, (None if ok else f"(rows, sum of payload, sum of value) {g} != {w}")
    if op in ("value_counts", "groupby"):
        g, w = table_of(got, op), table_of(want, op)
        bad = [k for k in set(g) | set(w) if not _same(g.get(k, "missing"), w.get(k, "missing"))]
        example = None
        if bad:
            k = sorted(bad, key=repr)[0]
            example = f"key {k!r}: {g.get(k, 'missing')!r}, expected {w.get(k, 'missing')!r}"
        return len(bad), len(w), example
    a, b = canonical(to_arrow(got)), canonical(to_arrow(want))
    if len(a) != len(b):
        return max(len(a), len(b)), len(b), f"{len(a)} rows, expected {len(b)}"
    if a.type == b.type and a.equals(b):
        return 0, len(b), None
    la, lb = a.to_pylist(), b.to_pylist()
    bad = [i for i, (x, y) in enumerate(zip(la, lb)) if x != y]
    example = None
    if bad:
        i = bad[0]
        example = f"row {i}: {la[i]!r}, expected {lb[i]!r}"
    return len(bad), len(b), example


def _same(x, y):
    if isinstance(x, tuple) and isinstance(y, tuple):
        return all(_close(p, q) for p, q in zip(x, y))
    return x == y


# ---------------------------------------------------------------- timing


def measure(full, sample, scale, runs, budget):
    """The harness's timing rule (spindle.rs has the same): a warm-up on the sample (the
    data's first rows: code paths, compiled patterns, pools), then a warm-up on the full
    data when the sample's time predicts a run under `budget` (`scale`: full rows over
    sample rows), then timed runs on the full data: at least one, at most `runs`, while
    within `budget`. Returns the samples, the last full result and the sample's result."""
    t = time.perf_counter()
    sampled = sample()
    if (time.perf_counter() - t) * scale < budget:
        full()
    samples, result = [], None
    begun = time.perf_counter()
    while len(samples) < max(runs, 1) and (not samples or time.perf_counter() - begun < budget):
        result = None  # free the previous result first, as a fresh run would
        t = time.perf_counter()
        result = full()
        samples.append((time.perf_counter() - t) * 1e3)
    return samples, result, sampled


def _status_kib(key):
    try:
        for line in open("/proc/self/status"):
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_start():
    """Resets the peak resident size (Linux) and returns the resident size now (KiB)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return _status_kib("VmRSS:")


def peak_mb(start_kib):
    """MB of resident memory at the peak since `peak_start` above its resident size then."""
    return max(_status_kib("VmHWM:") - start_kib, 0) / 1024


def memory(args, table, sample_ops, ops):
    """The peak resident memory of one run of each operation, above the resident size
    before it (the data loaded; warmed up with the operation on the sample and a scan of
    the full data, as spindle is). run.sh gives one operation per process."""
    out = {"engine": args.engine, "ops": {}}
    for op in ops:
        fn = table.get(op)
        if fn is None:
            continue
        sample_ops[op]()
        table["filter_count"]()  # a parallel scan of the full data, as spindle's warm-up
        gc.collect()
        start = peak_start()
        result = fn()
        peak = peak_mb(start)
        del result
        out["ops"][op] = {"peak_mb": peak, "rss_before_mb": start / 1024}
        print(f"{args.engine:<14} {op:<15} peak {peak:>9.1f} MB above {start / 1024:.1f} MB",
              file=sys.stderr)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", required=True, choices=sorted(ENGINES))
    ap.add_argument("--file", required=True)
    ap.add_argument("--sample", required=True, help="the first rows of --file, for the semantic check")
    ap.add_argument("--data", default="text")
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--budget", type=float, default=2.0)
    ap.add_argument("--ops", default=None, help="comma-separated subset")
    ap.add_argument("--spindle-results", default=None, help="check spindle's results here (pandas_object)")
    ap.add_argument("--resume", action="store_true", help="keep the operations already in --out")
    ap.add_argument("--memory", action="store_true",
                    help="only measure each operation's peak resident memory over one run")
    args = ap.parse_args()

    spec = json.load(open(os.path.join(HERE, "ops.json")))
    p = spec["data"][args.data]
    ops = args.ops.split(",") if args.ops else spec["ops"]
    columns = sorted({p["column"], p["other"], p["key"], p["value"]})
    load, make_ops = ENGINES[args.engine]

    t = time.perf_counter()
    data = load(args.file, columns)
    load_ms = (time.perf_counter() - t) * 1e3
    table = make_ops(data, p)
    if args.memory:
        return memory(args, table, make_ops(load(args.sample, columns), p), ops)

    # The semantic check: this engine and pandas object dtype on the sample.
    sample = load(args.sample, columns)
    sample_ops = make_ops(sample, p)
    scale = rows_of(args.file) / max(rows_of(args.sample), 1)
    reference = pandas_ops(load_pandas(args.sample, columns, "object"), p)

    out = {"engine": args.engine, "version": version(args.engine), "load_ms": load_ms, "ops": {}}
    if args.resume and os.path.exists(args.out):
        out["ops"] = json.load(open(args.out))["ops"]

    def save():
        with open(args.out + ".tmp", "w") as f:
            json.dump(out, f, indent=1)
        os.replace(args.out + ".tmp", args.out)

    for op in ops:
        if op in out["ops"]:
            continue
        # Written before the operation runs: if the engine kills the process (vaex can
        # segfault on its own output), the run goes on and this is what the report shows.
        out["ops"][op] = {"error": "the engine crashed the process in this operation"}
        save()
        entry = {}
        fn = table.get(op, None)
        if fn is None:
            entry["missing"] = True
            out["ops"][op] = entry
            save()
            print(f"{args.engine:<14} {op:<15} missing", file=sys.stderr)
            continue
        try:
            samples, result, sampled = measure(fn, sample_ops[op], scale, args.runs, args.budget)
        except Exception as e:  # a peer's failure is reported, not fatal
            entry["error"] = f"{type(e).__name__}: {e}"[:300]
            out["ops"][op] = entry
            save()
            print(f"{args.engine:<14} {op:<15} error: {entry['error']}", file=sys.stderr)
            continue
        entry["median_ms"] = statistics.median(samples)
        entry["samples_ms"] = samples
        print(f"{args.engine:<14} {op:<15} {entry['median_ms']:>10.2f} ms (median of {len(samples)})", file=sys.stderr)
        try:
            bad, total, example = compare(op, sampled, reference[op]())
            entry["sample_check"] = {"rows": total, "mismatches": bad, "example": example}
        except Exception as e:
            entry["sample_check"] = {"error": f"{type(e).__name__}: {e}"[:300]}
        if args.spindle_results:
            path = os.path.join(args.spindle_results, op + ".arrow")
            if os.path.exists(path):
                with pa.memory_map(path) as f:
                    theirs = pa.ipc.open_file(f).read_all()
                spindle_result = theirs if op in ("value_counts", "groupby", "join") else (
                    theirs.column(0).to_pylist()[0] if op == "filter_count" else theirs.column(0)
                )
                bad, total, example = compare(op, spindle_result, result)
                entry["spindle_check"] = {"rows": total, "mismatches": bad, "example": example}
                state = "ok" if bad == 0 else f"\033[31mMISMATCH {bad} of {total}: {example}\033[0m"
                print(f"{'':<14} spindle check: {state}", file=sys.stderr)
                del theirs, spindle_result
        del result
        gc.collect()
        out["ops"][op] = entry
        save()


if __name__ == "__main__":
    main()
