"""``python -m spindle demo [--rows N]``: the demo's Python twin.

Makes (or reuses) the seeded text data set that ``spindle demo`` uses, maps it, and runs a
showcase of string queries from Python, each beside pandas' object dtype on the same data
when pandas is installed (pandas' answer is checked equal to spindle's on every row).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time

import spindle
from spindle import col

QUERIES = [
    ("lower (Python's full mapping)", lambda s: s.str.lower(), lambda p: p.str.lower()),
    ("upper (Python's full mapping)", lambda s: s.str.upper(), lambda p: p.str.upper()),
    ("length in characters", lambda s: s.str.len(), lambda p: p.str.len()),
    ("literal contains", lambda s: s.str.contains("data", regex=False),
     lambda p: p.str.contains("data", regex=False)),
    ("regex contains", lambda s: s.str.contains(r"\d{3}"), lambda p: p.str.contains(r"\d{3}")),
    ("title (Python's rules)", lambda s: s.str.title(), lambda p: p.str.title()),
    ("regex replace with groups", lambda s: s.str.replace(r"(\w+)@(\w+)", r"\2 at \1", regex=True),
     lambda p: p.str.replace(r"(\w+)@(\w+)", r"\2 at \1", regex=True)),
    ("split, then get", lambda s: s.str.split(" ").str.get(1), lambda p: p.str.split(" ").str.get(1)),
]


def data_path(rows: int) -> pathlib.Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "spindle" / f"text-{rows}.arrow"


def timed(f, runs):
    samples = []
    result = None
    for _ in range(runs):
        t = time.perf_counter()
        result = f()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples), result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m spindle", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="string queries on 2M rows, beside pandas when installed")
    demo.add_argument("--rows", type=int, default=2_000_000)
    demo.add_argument("--runs", type=int, default=3, help="timed runs of spindle (the median)")
    args = ap.parse_args(argv)

    path = data_path(args.rows)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"making {args.rows} rows of text in {path} ...", file=sys.stderr)
        spindle._spindle.generate(str(path), args.rows)
    frame = spindle.open(path)
    try:
        import pandas as pd

        text = frame.select("text").to_arrow().column("text").to_pandas().astype(object)
    except ImportError:
        pd, text = None, None

    print(f"{args.rows} rows of text, {frame.storage}; spindle {spindle.__version__}"
          + (f", pandas {pd.__version__} (object dtype)" if pd else " (pandas not installed)"))
    print(f"{'query':<32} {'spindle':>10} {'pandas':>10} {'speed-up':>9}  answers")
    for title, make, make_pandas in QUERIES:
        query = frame.lazy().select(make(col("text")).alias("r"))
        seconds, out = timed(query.collect, args.runs)
        line = f"{title:<32} {seconds * 1e3:>8.1f}ms"
        if pd is not None:
            p_seconds, expected = timed(lambda: make_pandas(text), 1)
            got = out.to_arrow().column("r").to_pylist()
            want = [None if v is None or (isinstance(v, float) and v != v) else v
                    for v in expected.tolist()]
            same = "equal" if got == want else "DIFFER"
            line += f" {p_seconds * 1e3:>8.1f}ms {p_seconds / seconds:>8.1f}x  {same}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
