#!/usr/bin/env python3
"""The SQL differential suite: every query in queries.sql, run by spindle and by DuckDB on
the same Arrow files, and the answers compared.

    python tests/duckdb/differential.py --spindle target/debug/spindle

Needs `duckdb` and `pyarrow` (benches/compare/requirements.txt; .ci/run makes the venv).

The data (`data/t1.arrow`, `data/t2.arrow`) is committed; `--regen` remakes it from a
fixed seed. DuckDB reads the files through pyarrow (registered as t1 and t2); spindle
reads the same files by path: in queries.sql a table is written `{t1}`.

Results are compared as multisets of rows, or in order for queries marked `ordered`
(their ORDER BY is total). Numbers are compared as floats with a relative tolerance of
1e-9 (DuckDB's sum of integers is a 128-bit decimal, spindle's an Int64). A query listed
in known_differences.json must differ, and the reason is printed; any other difference
or error fails the run.

`--frame-expected` also writes DuckDB's answers to the queries named in
frame_expected.json's `queries`, which tests/duckdb_frame.rs checks the frame API
against (`--check` fails when that file is stale).
"""
import argparse
import datetime
import decimal
import json
import re
import math
import os
import random
import subprocess
import sys
import tempfile

import duckdb
import pyarrow as pa
import pyarrow.ipc as ipc

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")

NAMES = ["Ana", "Bo", "Çelik", "Zoë", "ana", "Łukasz", "Ømar", "Ñandú", "Σοφία", "東京",
         "José", "Ama", "Abe", "Bob", "bob", "Chloé", "Dmitri", "Émile", "Eve", "Fay", "",
         "Gus", "Hana", "Iñigo", "Jürgen", "Kai", "Lea", "Mo", "Nia", "Olu", "Pia", "Quin",
         "Rui", "Sam", "Tao", "Uma", "Vic", "Wen", "Xiu", "Yan", "Zed", "straße", "ǅemal"]
CITIES = ["Lisbon", "Porto", "Kraków", "Zürich", "São Paulo", "Tōkyō", "Oslo", "Austin",
          "Cairo", "Lima", "Quito", "Reykjavík"]
GROUPS = ["a", "b", "c", "d"]


def gen():
    """Two tables with nulls in every column: t1 (3000 rows, facts) and t2 (dimensions)."""
    r = random.Random(20261125)

    def maybe(v, p=0.06):
        return None if r.random() < p else v

    n = 3000
    t1 = pa.table({
        "id": pa.array(range(n), pa.int64()),
        "name": pa.array([maybe(r.choice(NAMES)) for _ in range(n)], pa.string()),
        "city": pa.array([maybe(r.choice(CITIES)) for _ in range(n)], pa.large_string()),
        "grp": pa.array([maybe(r.choice(GROUPS))
                         for _ in range(n)], pa.string()).dictionary_encode(),
        "email": pa.array([maybe(f"{r.choice(NAMES).lower()}{r.randint(1, 99)}@"
                                 f"{r.choice(['example.com', 'mail.org', 'uni.edu'])}")
                           for _ in range(n)], pa.string()),
        "qty": pa.array([maybe(r.randint(-5, 50)) for _ in range(n)], pa.int64()),
        "score": pa.array([maybe(round(r.uniform(-100, 100), 3)) for _ in range(n)],
                          pa.float64()),
        "active": pa.array([maybe(r.random() < 0.6) for _ in range(n)], pa.bool_()),
        "day": pa.array([maybe(datetime.date(2026, 1, 1) + datetime.timedelta(r.randint(0, 300)))
                         for _ in range(n)], pa.date32()),
    })
    cities = CITIES[:10] + ["Lisbon", "Atlantis", None]  # Lisbon twice; Atlantis unmatched
    m = len(cities) * 2
    t2 = pa.table({
        "city": pa.array([cities[i % len(cities)] for i in range(m)], pa.string()),
        "grp": pa.array([GROUPS[i % 3] if i % 7 else None for i in range(m)], pa.string()),
        "country": pa.array([f"C{(i * 7) % 9}" for i in range(m)], pa.string()),
        "pop": pa.array([maybe(r.randint(1, 5000) * 1000, 0.1) for _ in range(m)], pa.int64()),
    })
    return t1, t2


def write(table, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # Several batches, so the engine sees more than one chunk per column.
    with ipc.new_file(path, table.schema) as w:
        for batch in table.to_batches(max_chunksize=700):
            w.write_batch(batch)


def read(path):
    with pa.memory_map(path) as f:
        return ipc.open_file(f).read_all()


def parse_queries(path):
    """`-- name [ordered]` then the query, up to a line ending in `;`."""
    out, name, ordered, lines = [], None, False, []
    for line in open(path, encoding="utf-8"):
        s = line.rstrip("\n")
        if s.startswith("-- ") and name is None and not lines:
            parts = s[3:].split()
            name, ordered = parts[0], "ordered" in parts[1:]
        elif s.startswith("--") and not lines:
            continue
        elif s.strip():
            lines.append(s)
            if s.rstrip().endswith(";"):
                q = "\n".join(lines).rstrip().rstrip(";")
                if name is None:
                    raise SystemExit(f"query without a name line: {q}")
                out.append((name, ordered, q))
                name, lines = None, []
    return out


def norm(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float, decimal.Decimal)):
        return float(v)
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return tuple(norm(x) for x in v)
    if isinstance(v, dict):
        return tuple(norm(x) for x in v.values())
    return v


def rows_of(table):
    cols = [c.to_pylist() for c in table.columns]
    return [tuple(norm(c[i]) for c in cols) for i in range(table.num_rows)]


def sort_key(row):
    # None first, then by type name, then value; floats rounded so that near-equal values
    # from the two engines sort alike.
    def k(v):
        if v is None:
            return (0, "", "")
        if isinstance(v, float):
            return (1, "float", float(f"{v:.6g}") if math.isfinite(v) else str(v))
        return (1, type(v).__name__, v)
    return tuple(k(v) for v in row)


def same_value(a, b):
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    return a == b


def compare(expected, got, ordered):
    """None when equal, else a short description of the first difference."""
    if expected.num_columns != got.num_columns:
        return f"{got.num_columns} columns, DuckDB has {expected.num_columns}"
    e, g = rows_of(expected), rows_of(got)
    if len(e) != len(g):
        return f"{len(g)} rows, DuckDB has {len(e)}"
    if not ordered:
        e.sort(key=sort_key)
        g.sort(key=sort_key)
    for i, (x, y) in enumerate(zip(e, g)):
        if len(x) != len(y) or not all(same_value(a, b) for a, b in zip(x, y)):
            return f"row {i}: spindle {y!r}, DuckDB {x!r}"
    return None


def run_spindle(binary, query, out):
    p = subprocess.run([binary, "sql", query, "--format", "arrow", "--out", out],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip()
    return read(out), None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spindle", default="target/debug/spindle")
    ap.add_argument("--regen", action="store_true", help="remake data/*.arrow")
    ap.add_argument("--frame-expected", action="store_true",
                    help="rewrite frame_expected.json from DuckDB")
    ap.add_argument("--check", action="store_true",
                    help="fail when frame_expected.json is not DuckDB's current answer")
    ap.add_argument("--only", help="run only queries whose name contains this")
    args = ap.parse_args()

    paths = {"t1": os.path.join(DATA, "t1.arrow"), "t2": os.path.join(DATA, "t2.arrow")}
    if args.regen:
        for table, name in zip(gen(), ["t1", "t2"]):
            write(table, paths[name])
    con = duckdb.connect()
    con.execute("SET threads = 1")  # first() and last() follow row order on one thread
    tables = {name: read(p) for name, p in paths.items()}
    for name, t in tables.items():
        con.register(name, t)
    # t1 as CSV (';'-separated, NA for null) and Parquet, for DuckDB's read_csv and
    # read_parquet, which both engines run on the same file ({file:NAME} in a query).
    csv_path, parquet_path = os.path.join(DATA, "t1.csv"), os.path.join(DATA, "t1.parquet")
    if args.regen or not os.path.exists(csv_path) or not os.path.exists(parquet_path):
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq
        options = pacsv.WriteOptions(delimiter=";", null_string="NA")
        pacsv.write_csv(tables["t1"], csv_path, write_options=options)
        pq.write_table(tables["t1"], parquet_path, row_group_size=1000)

    known = json.load(open(os.path.join(HERE, "known_differences.json"), encoding="utf-8"))
    queries = parse_queries(os.path.join(HERE, "queries.sql"))
    names = [n for n, _, _ in queries]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise SystemExit(f"duplicate query names: {sorted(dupes)}")
    failures, differ, answers = [], [], {}
    tmp = tempfile.mkdtemp(prefix="spindle-diff-")
    for name, ordered, q in queries:
        if args.only and args.only not in name:
            continue
        duck_q, spin_q = q, q
        for table, path in paths.items():
            duck_q = duck_q.replace("{" + table + "}", table)
            spin_q = spin_q.replace("{" + table + "}", f"'{path}'")
        for file in re.findall(r"\{file:([^}]+)\}", q):
            quoted = "'" + os.path.join(DATA, file) + "'"
            duck_q = duck_q.replace("{file:" + file + "}", quoted)
            spin_q = spin_q.replace("{file:" + file + "}", quoted)
        try:
            expected = con.sql(duck_q).to_arrow_table()
        except duckdb.Error as e:
            failures.append((name, f"DuckDB failed: {e}"))
            continue
        answers[name] = [list(r) for r in rows_of(expected)]
        got, err = run_spindle(args.spindle, spin_q, os.path.join(tmp, "out.arrow"))
        problem = err and f"spindle failed: {err}" or compare(expected, got, ordered)
        if name in known:
            if problem is None:
                failures.append((name, "listed in known_differences.json but now equal"))
            else:
                differ.append((name, known[name], problem))
        elif problem is not None:
            failures.append((name, problem))
    ran = len([1 for n, _, _ in queries if not args.only or args.only in n])
    print(f"{ran} queries (duckdb {duckdb.__version__}, {os.path.basename(args.spindle)}): "
          f"{ran - len(failures) - len(differ)} equal, {len(differ)} known differences, "
          f"{len(failures)} failures")
    for name, reason, problem in differ:
        print(f"  known  {name}: {reason} ({problem})")
    for name, problem in failures:
        print(f"  FAIL   {name}: {problem}")

    frame_path = os.path.join(HERE, "frame_expected.json")
    frame = json.load(open(frame_path, encoding="utf-8"))
    fresh = {n: answers[n] for n in frame["queries"] if n in answers}
    if args.frame_expected:
        # One row per line, so that a change reads well in a diff.
        with open(frame_path, "w", encoding="utf-8") as f:
            f.write('{"queries": ' + json.dumps(frame["queries"], ensure_ascii=False))
            f.write(',\n "answers": {')
            for i, (name, rows) in enumerate(fresh.items()):
                f.write(("," if i else "") + f"\n  {json.dumps(name)}: [")
                f.write(",".join("\n   " + json.dumps(r, ensure_ascii=False) for r in rows))
                f.write("]")
            f.write("}}\n")
    elif args.check and not args.only:
        stale = [n for n in frame["queries"] if json.loads(json.dumps(fresh.get(n)))
                 != frame["answers"].get(n)]
        if stale:
            failures.append(("frame_expected.json", f"stale for {stale}; rerun with "
                             "--frame-expected"))
            print(f"  FAIL   frame_expected.json is stale for {stale}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
