"""Interop with pyarrow, polars and duckdb: files each of them writes are read by spindle
with equal values, files spindle writes are read back by each of them with equal values
and types, and CSV -> IPC -> Parquet -> IPC through spindle is lossless.

Run by .ci/run from the harness's venv:
    python tests/interop/interop.py --spindle target/debug/spindle
Exits 1 and names every file that differs.
"""
import argparse
import datetime
import os
import subprocess
import sys
import tempfile

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

FAILURES = []


def check(name, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else ': ' + detail}")
    if not ok:
        FAILURES.append(name)


def source_table(rows=5000, batch=700):
    """Every layout pyarrow and polars write, with nulls, in many batches."""
    def text(i):
        if i % 11 == 3:
            return None
        return ["Ana", "straße", "ΟΔΟΣ x", "東京 😀", "comma, quote \" here", "two\nlines", "plain"][i % 7] + f" {i}"

    strings = [text(i) for i in range(rows)]
    table = pa.table({
        "id": pa.array(range(rows), pa.int64()),
        "small": pa.array([None if i % 13 == 5 else i % 1000 - 500 for i in range(rows)], pa.int32()),
        "score": pa.array([None if i % 9 == 4 else i * 0.25 for i in range(rows)], pa.float64()),
        "flag": pa.array([None if i % 17 == 2 else i % 2 == 0 for i in range(rows)], pa.bool_()),
        "s": pa.array(strings, pa.string()),
        "ls": pa.array(strings, pa.large_string()),
        "sv": pa.array(strings, pa.string_view()),
        "cat": pa.array([None if i % 10 == 0 else ["red", "Grün", "blue"][i % 3] for i in range(rows)]).dictionary_encode(),
        "day": pa.array([None if i % 19 == 7 else datetime.date(2020, 1, 1) + datetime.timedelta(days=i) for i in range(rows)], pa.date32()),
        "ts": pa.array([None if i % 23 == 1 else datetime.datetime(2021, 5, 1) + datetime.timedelta(seconds=37 * i) for i in range(rows)], pa.timestamp("us")),
    })
    return pa.Table.from_batches(table.to_batches(max_chunksize=batch))


def run(spindle, *args):
    p = subprocess.run([spindle, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"spindle {' '.join(args)}: {p.stderr.strip()}")
    return p


def read_back(spindle, path, tmp):
    """What spindle reads from `path`, as a pyarrow table (through an IPC file it writes)."""
    out = os.path.join(tmp, "readback-" + os.path.basename(path) + ".arrow")
    run(spindle, "convert", path, out)
    with pa.memory_map(out) as source:
        return ipc.open_file(source).read_all()


def values(table):
    """Columns as Python values: str for every string layout, dictionaries decoded."""
    # to_pylist decodes dictionaries and gives str for every string layout.
    return {name: table.column(name).to_pylist() for name in table.column_names}


def same_values(name, got, want, columns=None):
    g, w = values(got), values(want)
    columns = columns or list(w)
    bad = [c for c in columns if g.get(c) != w[c]]
    check(name, not bad, f"columns differ: {bad}; got names {list(g)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--spindle", default="target/debug/spindle")
    args = ap.parse_args()
    spindle = os.path.abspath(args.spindle)
    src = source_table()
    csv_columns = ["id", "small", "score", "flag", "s", "day"]
    with tempfile.TemporaryDirectory() as tmp:
        p = lambda name: os.path.join(tmp, name)

        # 1. Files the others write, read by spindle.
        written = {}
        with ipc.new_file(p("pa.arrow"), src.schema) as w:
            w.write_table(src)
        written["pyarrow IPC file"] = ("pa.arrow", src)
        with ipc.new_stream(p("pa.arrows"), src.schema) as w:
            w.write_table(src)
        written["pyarrow IPC stream"] = ("pa.arrows", src)
        for codec in ("lz4", "zstd"):
            opts = ipc.IpcWriteOptions(compression=codec)
            with ipc.new_file(p(f"pa_{codec}.arrow"), src.schema, options=opts) as w:
                w.write_table(src)
            written[f"pyarrow IPC {codec}"] = (f"pa_{codec}.arrow", src)
        for codec in ("snappy", "zstd"):
            pq.write_table(src, p(f"pa_{codec}.parquet"), compression=codec, row_group_size=1200)
            written[f"pyarrow Parquet {codec}"] = (f"pa_{codec}.parquet", src)
        pacsv.write_csv(src.select(csv_columns), p("pa.csv"))
        written["pyarrow CSV"] = ("pa.csv", src.select(csv_columns))

        df = pl.from_arrow(src)
        for codec in ("uncompressed", "lz4", "zstd"):
            df.write_ipc(p(f"pl_{codec}.arrow"), compression=codec)
            written[f"polars IPC {codec}"] = (f"pl_{codec}.arrow", src)
        df.write_ipc_stream(p("pl.arrows"))
        written["polars IPC stream"] = ("pl.arrows", src)
        df.write_parquet(p("pl.parquet"), row_group_size=1500)
        written["polars Parquet"] = ("pl.parquet", src)
        df.select(csv_columns).write_csv(p("pl.csv"))
        written["polars CSV"] = ("pl.csv", src.select(csv_columns))

        con = duckdb.connect()
        con.register("src", src)
        con.execute(f"COPY (SELECT * FROM src) TO '{p('duck.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 2048)")
        written["duckdb Parquet"] = ("duck.parquet", src)
        cols = ", ".join(csv_columns)
        con.execute(f"COPY (SELECT {cols} FROM src) TO '{p('duck.csv')}' (FORMAT csv, HEADER)")
        written["duckdb CSV"] = ("duck.csv", src.select(csv_columns))

        for name, (file, want) in written.items():
            try:
                got = read_back(spindle, p(file), tmp)
            except RuntimeError as e:
                check(f"spindle reads {name}", False, str(e))
                continue
            same_values(f"spindle reads {name}", got, want)

        # 2. Files spindle writes, read by the others with equal values and types.
        with ipc.new_file(p("source.arrow"), src.schema) as w:
            w.write_table(src)
        outputs = {
            "spindle.arrow": [],
            "spindle_lz4.arrow": ["--compression", "lz4"],
            "spindle_zstd.arrow": ["--compression", "zstd"],
            "spindle.parquet": [],
            "spindle_zstd.parquet": ["--compression", "zstd"],
            "spindle.csv": [],
        }
        for out, extra in outputs.items():
            run(spindle, "convert", p("source.arrow"), p(out), *extra)
        def pyarrow_and_polars_read(out, pa_table, pl_frame):
            check(f"pyarrow reads {out}: types", pa_table.schema.equals(src.schema), f"{pa_table.schema}")
            same_values(f"pyarrow reads {out}: values", pa_table, src)
            want = pl.from_arrow(src)
            check(f"polars reads {out}: types", pl_frame.schema == want.schema, f"{pl_frame.schema}")
            check(f"polars reads {out}: values", pl_frame.equals(want))

        for out in [o for o in outputs if o.endswith(".arrow")]:
            with pa.memory_map(p(out)) as source:
                back = ipc.open_file(source).read_all()
            pyarrow_and_polars_read(out, back, pl.read_ipc(p(out)))
        for out in [o for o in outputs if o.endswith(".parquet")]:
            pyarrow_and_polars_read(out, pq.read_table(p(out)), pl.read_parquet(p(out)))
            got = con.execute(f"SELECT * FROM read_parquet('{p(out)}') ORDER BY id").fetchall()
            want_rows = con.execute("SELECT * FROM src ORDER BY id").fetchall()
            check(f"duckdb reads {out}: values", got == want_rows)
            types = [r[1] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{p(out)}')").fetchall()]
            want_types = [r[1] for r in con.execute("DESCRIBE SELECT * FROM src").fetchall()]
            check(f"duckdb reads {out}: types", types == want_types, f"{types} vs {want_types}")
        # CSV carries text: every reader sees the same values (strings, numbers, dates).
        # An empty field is null (pyarrow's default reads it as "" in a string column).
        back = pacsv.read_csv(p("spindle.csv"), convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
        same_values("pyarrow reads spindle.csv", back, src, ["id", "small", "score", "flag", "s", "day"])
        back = pl.read_csv(p("spindle.csv"), try_parse_dates=True)
        want = pl.from_arrow(src.select(csv_columns))
        check("polars reads spindle.csv", back.select(csv_columns).equals(want))
        got = con.execute(f"SELECT {cols} FROM read_csv('{p('spindle.csv')}') ORDER BY id").fetchall()
        want_rows = con.execute(f"SELECT {cols} FROM src ORDER BY id").fetchall()
        check("duckdb reads spindle.csv", got == want_rows)

        # 3. CSV -> IPC -> Parquet -> IPC through spindle is lossless.
        pacsv.write_csv(src.select(csv_columns), p("chain.csv"))
        run(spindle, "convert", p("chain.csv"), p("chain1.arrow"))
        run(spindle, "convert", p("chain1.arrow"), p("chain2.parquet"))
        run(spindle, "convert", p("chain2.parquet"), p("chain3.arrow"))
        with pa.memory_map(p("chain1.arrow")) as a, pa.memory_map(p("chain3.arrow")) as b:
            first, last = ipc.open_file(a).read_all(), ipc.open_file(b).read_all()
        check("CSV -> IPC -> Parquet -> IPC: types", first.schema.equals(last.schema), f"{first.schema} vs {last.schema}")
        check("CSV -> IPC -> Parquet -> IPC: values", first.equals(last))
        check("CSV -> IPC types", [str(t) for t in first.schema.types] == ["int64", "int64", "double", "bool", "string", "date32[day]"], f"{first.schema.types}")
        same_values("CSV -> IPC values", first, src, csv_columns)

    if FAILURES:
        print(f"{len(FAILURES)} interop check(s) failed: {', '.join(FAILURES)}")
        sys.exit(1)
    print("all interop checks passed")


if __name__ == "__main__":
    main()
