"""Ingest benchmark: CSV -> Arrow IPC, Parquet reads and Parquet writes, spindle beside
pyarrow, polars and duckdb on the same files, measured side by side in one run (medians).

    benches/compare/ingest.sh [--rows 10000000] [--runs 3]   (makes the venv and the build)

- CSV -> IPC: spindle runs `spindle convert data.csv out.arrow` (the wall time of the whole
  process, which includes its final fsync; the others do not sync); pyarrow runs
  `pyarrow.csv.read_csv` and writes an IPC file; polars `read_csv` and `write_ipc`;
  duckdb `read_csv` into an Arrow table written with pyarrow.
- Parquet read: every column of the same Parquet file (written by pyarrow, snappy, its
  default row groups) into memory: spindle's `open: + query:` times of
  `SELECT * FROM 'data.parquet'` (the query materialises every column), pyarrow's
  `parquet.read_table`, polars' `read_parquet`, duckdb's `read_parquet` to Arrow.
- Parquet write: the data set's Arrow IPC file to Parquet (snappy, row groups of 2^20
  rows): spindle's whole `spindle convert data.arrow out.parquet` process (mapped input,
  final fsync included); pyarrow's `parquet.write_table` and polars' `write_parquet` of the
  table already in memory; duckdb's `COPY ... TO` from that Arrow table.
- Answers checked: the row count of every result, spindle's IPC file equal to pyarrow's
  table read from the same CSV, and every Parquet file read back equal in rows.
"""
import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq


def timed(fn, runs):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arrow", required=True, help="the text data set as Arrow IPC")
    ap.add_argument("--spindle", required=True)
    ap.add_argument("--work", required=True, help="a directory for the CSV, Parquet and outputs")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--results", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.results, exist_ok=True)
    w = lambda name: os.path.join(args.work, name)
    csv, parquet = w("data.csv"), w("data.parquet")
    if not os.path.exists(csv):
        subprocess.run([args.spindle, "convert", args.arrow, csv], check=True)
    if not os.path.exists(parquet):
        with pa.memory_map(args.arrow) as source:
            pq.write_table(ipc.open_file(source).read_all(), parquet)
    with pa.memory_map(args.arrow) as source:
        rows = ipc.open_file(source).read_all().num_rows
    results = {"csv_to_ipc": {}, "parquet_read": {}, "parquet_write": {}}

    def spindle_convert():
        out = w("spindle.arrow")
        if os.path.exists(out):
            os.remove(out)
        subprocess.run([args.spindle, "convert", csv, out], check=True, capture_output=True)
        with pa.memory_map(out) as source:
            return ipc.open_file(source).read_all().num_rows

    def pyarrow_convert():
        table = pacsv.read_csv(csv)
        with ipc.new_file(w("pyarrow.arrow"), table.schema) as writer:
            writer.write_table(table)
        return table.num_rows

    def polars_convert():
        df = pl.read_csv(csv)
        df.write_ipc(w("polars.arrow"), compression="uncompressed")
        return df.height

    def duckdb_convert():
        table = duckdb.sql(f"SELECT * FROM read_csv('{csv}')").to_arrow_table()
        with ipc.new_file(w("duckdb.arrow"), table.schema) as writer:
            writer.write_table(table)
        return table.num_rows

    engines = [("spindle", spindle_convert), ("pyarrow", pyarrow_convert), ("polars", polars_convert), ("duckdb", duckdb_convert)]
    for name, fn in engines:
        fn()  # warm the page cache and the libraries
        median, n = timed(fn, args.runs)
        results["csv_to_ipc"][name] = {"seconds": median, "rows": n}
        print(f"csv -> ipc  {name:<8} {median:7.2f} s  ({n} rows)", flush=True)
    # spindle's answer against pyarrow's, column by column.
    with pa.memory_map(w("spindle.arrow")) as a, pa.memory_map(w("pyarrow.arrow")) as b:
        ours, theirs = ipc.open_file(a).read_all(), ipc.open_file(b).read_all()
        # An empty field is null in spindle (as in DuckDB and Polars) and "" in pyarrow's
        # string columns; compare strings with nulls as "".
        def norm(col, t):
            col = col.cast(t)
            return (col.fill_null("") if pa.types.is_string(t) else col).to_pylist()
        same = ours.num_rows == theirs.num_rows and all(
            norm(ours.column(c), ours.schema.field(c).type) == norm(theirs.column(c), ours.schema.field(c).type)
            for c in ours.column_names
        )
    results["csv_to_ipc_equal"] = same
    print(f"spindle's IPC file equals pyarrow's table: {same}")

    def spindle_parquet():
        p = subprocess.run([args.spindle, "sql", f"SELECT * FROM '{parquet}'", "--timing", "--format", "arrow"],
                           check=True, capture_output=True)
        t = dict(re.findall(r"(open|query): ([0-9.]+) ms", p.stderr.decode()))
        spindle_parquet.seconds = (float(t["open"]) + float(t["query"])) / 1e3
        with pa.ipc.open_file(pa.py_buffer(p.stdout)) as r:
            return r.read_all().num_rows

    def in_process(fn):
        def run():
            started = time.perf_counter()
            n = fn()
            run.seconds = time.perf_counter() - started
            return n
        return run

    readers = [
        ("spindle", spindle_parquet),
        ("pyarrow", in_process(lambda: pq.read_table(parquet).num_rows)),
        ("polars", in_process(lambda: pl.read_parquet(parquet).height)),
        ("duckdb", in_process(lambda: duckdb.sql(f"SELECT * FROM read_parquet('{parquet}')").to_arrow_table().num_rows)),
    ]
    for name, fn in readers:
        fn()
        times, n = [], 0
        for _ in range(args.runs):
            n = fn()
            times.append(fn.seconds)
        median = statistics.median(times)
        results["parquet_read"][name] = {"seconds": median, "rows": n}
        print(f"parquet read {name:<8} {median:7.3f} s  ({n} rows)", flush=True)

    with pa.memory_map(args.arrow) as source:
        table = ipc.open_file(source).read_all()
    frame = pl.from_arrow(table)
    con = duckdb.connect()
    con.register("t", table)

    def spindle_write():
        out = w("spindle.parquet")
        if os.path.exists(out):
            os.remove(out)
        subprocess.run([args.spindle, "convert", args.arrow, out], check=True, capture_output=True)
        return pq.ParquetFile(out).metadata.num_rows

    def pyarrow_write():
        pq.write_table(table, w("pyarrow.parquet"), row_group_size=1 << 20)
        return pq.ParquetFile(w("pyarrow.parquet")).metadata.num_rows

    def polars_write():
        frame.write_parquet(w("polars.parquet"), compression="snappy", row_group_size=1 << 20)
        return pq.ParquetFile(w("polars.parquet")).metadata.num_rows

    def duckdb_write():
        con.execute(f"COPY t TO '{w('duckdb.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE {1 << 20})")
        return pq.ParquetFile(w("duckdb.parquet")).metadata.num_rows

    for name, fn in [("spindle", spindle_write), ("pyarrow", pyarrow_write), ("polars", polars_write), ("duckdb", duckdb_write)]:
        fn()
        median, n = timed(fn, args.runs)
        results["parquet_write"][name] = {"seconds": median, "rows": n}
        print(f"parquet write {name:<8} {median:7.3f} s  ({n} rows)", flush=True)
    back = pq.read_table(w("spindle.parquet"))
    same_parquet = back.num_rows == table.num_rows and all(
        back.column(c).to_pylist() == table.column(c).to_pylist() for c in table.column_names
    )
    print(f"spindle's Parquet file equals the data: {same_parquet}")

    parts = ("csv_to_ipc", "parquet_read", "parquet_write")
    ok = same and same_parquet and all(r["rows"] == rows for part in parts for r in results[part].values())
    results.update({
        "rows": rows,
        "csv_bytes": os.path.getsize(csv),
        "parquet_bytes": os.path.getsize(parquet),
        "runs": args.runs,
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "versions": {"pyarrow": pa.__version__, "polars": pl.__version__, "duckdb": duckdb.__version__},
        "answers_checked": ok,
    })
    with open(os.path.join(args.results, "ingest.json"), "w") as f:
        json.dump(results, f, indent=1)
    lines = [
        "# Ingest: CSV -> Arrow IPC, Parquet reads and Parquet writes",
        "",
        f"{rows:,} rows of the harness's text data; CSV {results['csv_bytes'] / 1e9:.2f} GB, Parquet "
        f"{results['parquet_bytes'] / 1e9:.2f} GB (pyarrow, snappy). {results['machine']}; median of "
        f"{args.runs} runs after a warm-up, all engines in one run ({results['date']}). Versions: "
        + ", ".join(f"{k} {v}" for k, v in results["versions"].items()) + ".",
        "",
        "| engine | CSV -> IPC (s) | vs spindle | Parquet read (s) | vs spindle | Parquet write (s) | vs spindle |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in ("spindle", "pyarrow", "polars", "duckdb"):
        cells = []
        for part in parts:
            t, base = results[part][name]["seconds"], results[part]["spindle"]["seconds"]
            cells.append(f"{t:.3f} | {t / base:.2f}x")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "spindle's CSV -> IPC and Parquet write times are whole `spindle convert` processes, "
        "including the final fsync; the others write without syncing, and their Parquet writes "
        "start from a table already in memory. Answers checked: "
        + ("every row count, spindle's IPC file equal to pyarrow's, spindle's Parquet file equal to the data." if ok else "**FAILED**."),
    ]
    with open(os.path.join(args.results, "REPORT.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
