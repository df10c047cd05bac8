#!/usr/bin/env python3
"""Turns one harness run (spindle.json and one JSON per peer) into the results.

Writes <results>/<date>.json (everything measured, with the machine), <results>/REPORT.md
(the table, the machine's bandwidth, where spindle is not the fastest, where peers differ
from Python) and <results>/speedup.svg (spindle's speed-up over the fastest peer and over
pandas object dtype, log scale); prints the table. Exit status 1 when any of spindle's
answers differs from pandas object dtype's.
"""
import argparse
import datetime
import json
import math
import os
import statistics
import platform
import sys

PEERS = ["pandas", "polars", "pyarrow", "duckdb", "vaex"]
LABEL = {
    "spindle_python": "spindle (Python)",
    "pandas_object": "pandas obj",
    "pandas": "pandas 3",
    "polars": "polars",
    "pyarrow": "pyarrow",
    "duckdb": "duckdb",
    "vaex": "vaex",
}


def machine():
    cpu = platform.processor() or ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem, "os": platform.platform()}


def fmt_ms(x):
    if x is None:
        return "—"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def fmt_ratio(x):
    if x is None:
        return "—"
    return f"{x:.0f}x" if x >= 100 else f"{x:.1f}x"


def load(run):
    runs = {}
    for name in os.listdir(run):
        if name.endswith(".json"):
            runs[name[:-5]] = json.load(open(os.path.join(run, name)))
    return runs


def cell(engine_ops, op):
    """(median ms or None, text) of one engine's operation."""
    e = engine_ops.get(op)
    if e is None:
        return None, "—"
    if e.get("missing"):
        return None, "missing"
    if "error" in e:
        return None, "error"
    text = fmt_ms(e["median_ms"])
    check = e.get("sample_check", {})
    if check.get("mismatches") or check.get("error"):
        text += " †"
    return e["median_ms"], text


def svg(rows, path):
    """Horizontal bars, log scale: spindle's speed-up over the fastest peer and pandas object."""
    bar_h, gap, left, width = 9, 8, 150, 520
    top = 40
    height = top + len(rows) * (2 * bar_h + gap) + 40
    lo, hi = 0.1, 1000.0
    scale = lambda v: left + width * (math.log10(max(min(v, hi), lo)) - math.log10(lo)) / (
        math.log10(hi) - math.log10(lo)
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">spindle speed-up (all threads), log scale</text>',
        f'<rect x="{left}" y="22" width="10" height="8" fill="#2b6cb0"/><text x="{left + 14}" y="30">over the fastest peer</text>',
        f'<rect x="{left + 170}" y="22" width="10" height="8" fill="#a0aec0"/><text x="{left + 184}" y="30">over pandas object dtype</text>',
        f'<rect x="{left + 350}" y="22" width="10" height="8" fill="#e53e3e"/><text x="{left + 364}" y="30">answer differs from pandas</text>',
    ]
    for v in (0.1, 1, 10, 100, 1000):
        x = scale(v)
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 30}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 16}" text-anchor="middle">{v:g}x</text>')
    one = scale(1)
    out.append(f'<line x1="{one:.1f}" y1="{top - 4}" x2="{one:.1f}" y2="{height - 30}" stroke="#333"/>')
    y = top
    for r in rows:
        out.append(f'<text x="{left - 6}" y="{y + bar_h + 3}" text-anchor="end">{r["op"]}</text>')
        for value, colour in ((r["vs_fastest"], "#2b6cb0"), (r["vs_object"], "#a0aec0")):
            if r["bad"]:
                colour = "#e53e3e"
            if value is not None:
                x = scale(value)
                x0, x1 = min(one, x), max(one, x)
                out.append(
                    f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{bar_h}" fill="{colour}"/>'
                )
                out.append(f'<text x="{x1 + 3:.1f}" y="{y + bar_h - 1}" font-size="9">{fmt_ratio(value)}</text>')
            y += bar_h
        y += gap
    out.append("</svg>")
    open(path, "w").write("\n".join(out))


RELATIONAL = ("value_counts", "groupby", "sort", "join")


def load_memory(run):
    """{engine: {op: median peak MB}} from run.sh's memory/<engine>-<op>-<rep>.json files
    (a peak of a few MB varies by several MB from process to process)."""
    peaks = {}
    folder = os.path.join(run, "memory")
    if not os.path.isdir(folder):
        return {}
    for name in sorted(os.listdir(folder)):
        d = json.load(open(os.path.join(folder, name)))
        for op, e in d["ops"].items():
            peaks.setdefault(d["engine"], {}).setdefault(op, []).append(e["peak_mb"])
    return {e: {op: statistics.median(v) for op, v in ops.items()} for e, ops in peaks.items()}


def memory_table(mem, peers):
    """Markdown rows: peak MB of each relational operation per engine, and spindle's
    peak over DuckDB's."""
    engines = [e for e in peers if e in mem]
    header = ["operation", "spindle"] + [LABEL[e] for e in engines] + ["spindle / duckdb"]
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for op in RELATIONAL:
        mine = mem.get("spindle", {}).get(op)
        if mine is None:
            continue
        theirs = [mem[e].get(op) for e in engines]
        duck = mem.get("duckdb", {}).get(op)
        ratio = f"{mine / duck:.2f}" if duck else "—"
        cells = [f"{m:,.1f}" if m is not None else "—" for m in [mine] + theirs]
        out.append("| " + " | ".join([op] + cells + [ratio]) + " |")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--run", required=True)
    ap.add_argument("--data", default="text")
    ap.add_argument("--results", required=True)
    ap.add_argument("--elapsed", type=int, default=None)
    args = ap.parse_args()

    runs = load(args.run)
    sp = runs["spindle"]
    all_t = sp["threads_all"]
    bw = sp["bandwidth"]
    obj = runs.get("pandas_object", {}).get("ops", {})
    peers = [p for p in PEERS if p in runs]
    # spindle from Python sits beside spindle in process (the binding's cost); it is not
    # a peer in "fastest".
    engines = (
        (["spindle_python"] if "spindle_python" in runs else [])
        + (["pandas_object"] if "pandas_object" in runs else [])
        + peers
    )

    table, rows, slower, differs, failures = [], [], [], [], []
    for op, s in sp["ops"].items():
        t1 = s["threads_1"]["median_ms"]
        tn = s[f"threads_{all_t}"]["median_ms"]
        cells = {e: cell(runs[e]["ops"], op) for e in engines}
        times = {e: cells[e][0] for e in peers if cells[e][0] is not None}
        fastest = min(times, key=times.get) if times else None
        vs_fastest = times[fastest] / tn if fastest else None
        obj_t = cells.get("pandas_object", (None,))[0]
        vs_object = obj_t / tn if obj_t else None
        gbps = s["bytes"] / (tn / 1e3) / 1e9
        pct = 100 * gbps / bw["read_scan_gbps_all"]
        check = obj.get(op, {}).get("spindle_check")
        if check is None:
            verdict, bad = "not checked", False
        elif check["mismatches"] == 0:
            verdict, bad = "ok", False
        else:
            verdict, bad = f"❌ **MISMATCH {check['mismatches']}/{check['rows']}**", True
            failures.append((op, check))
        if fastest and times[fastest] < tn:
            slower.append((op, fastest, times[fastest], tn))
        for e in engines:
            c = runs[e]["ops"].get(op, {}).get("sample_check", {})
            if c.get("mismatches") or c.get("error"):
                differs.append((e, op, c))
        table.append(
            [op, f"{s['bytes'] / 1e6:.0f}", fmt_ms(t1), fmt_ms(tn)]
            + [cells[e][1] for e in engines]
            + [
                f"{LABEL[fastest]}" if fastest else "—",
                fmt_ratio(vs_fastest),
                fmt_ratio(vs_object),
                f"{pct:.0f}%",
                verdict,
            ]
        )
        rows.append({"op": op, "vs_fastest": vs_fastest, "vs_object": vs_object, "bad": bad})

    header = (
        ["operation", "MB in", "spindle 1T", f"spindle {all_t}T"]
        + [LABEL[e] for e in engines]
        + ["fastest peer", "vs fastest", "vs pandas obj", "% of bw", "check"]
    )
    md_table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    md_table += ["| " + " | ".join(r) + " |" for r in table]

    date = datetime.date.today().isoformat()
    versions = {e: runs[e].get("version") for e in engines}
    versions = {
        e: ", ".join(f"{k} {x}" for k, x in v.items()) if isinstance(v, dict) else v
        for e, v in versions.items()
    }
    loads = {e: runs[e].get("load_ms") for e in engines}
    m = machine()
    lines = [
        f"# spindle beside pandas and its peers — {date}",
        "",
        f"Data set `{args.data}`, {sp['rows']:,} rows; times are medians in milliseconds, result "
        "materialised; spindle maps the file, peers load it first (load times below). "
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB. "
        f"Memory bandwidth measured in the same run: memcpy {bw['memcpy_gbps']:.1f} GB/s (1 thread), "
        f"read-scan {bw['read_scan_gbps_1']:.1f} GB/s (1 thread), {bw['read_scan_gbps_all']:.1f} GB/s "
        f"({all_t} threads). `% of bw` is spindle's input bytes per second over the {all_t}-thread "
        "read-scan bandwidth.",
        "",
        "`vs fastest` is the fastest peer's time over spindle's all-threads time (above 1x: spindle "
        "is faster); pandas object dtype is the classic baseline and not counted as a peer. "
        "`check` compares spindle's full result with pandas object dtype's (values and null "
        "positions; groups as sets, floats to 1e-6). `†` marks a peer whose answer differs from "
        "Python's on the sample (see below); `missing` is an operation the peer has no function for.",
        "",
        *md_table,
        "",
        "![speed-ups](speedup.svg)",
        "",
        "## Peak memory of the relational operations",
        "",
        "One fresh process per engine and operation: the data loaded (spindle: mapped, and the "
        "columns read made resident), warmed up with the operation on the sample and a parallel "
        "scan of the full data (`filter_count`), then one run; the peak resident memory of that "
        "run (Linux's VmHWM, reset before "
        f"it) above the resident size before it, in MB; the median of three processes. spindle "
        f"on {all_t} threads.",
        "",
        *memory_table(load_memory(args.run), peers),
        "",
        "## Versions and load times",
        "",
        "| engine | version | load ms |",
        "|---|---|---|",
        f"| spindle | {sp['version']} | {sp['open_ms']:.2f} to map; "
        f"{sp.get('first_touch_ms', 0):.0f} to validate the columns read, once |",
        *[f"| {LABEL[e]} | {versions[e]} | {fmt_ms(loads[e])} |" for e in engines],
        "",
        "## Where spindle is not the fastest",
        "",
    ]
    if slower:
        lines += [
            f"- `{op}`: {LABEL[f]} {fmt_ms(tf)} ms, spindle {fmt_ms(ts)} ms" for op, f, tf, ts in slower
        ]
    else:
        lines.append("Nowhere in this run.")
    lines += ["", "## Where an engine's answer differs from Python's (sample of the first rows)", ""]
    if differs:
        for e, op, c in differs:
            if "error" in c:
                lines.append(f"- {LABEL[e]} `{op}`: check failed: {c['error']}")
            else:
                lines.append(
                    f"- {LABEL[e]} `{op}`: {c['mismatches']} of {c['rows']} rows, e.g. {c['example']}"
                )
    else:
        lines.append("None.")
    errors = [
        (e, op, v["error"]) for e in engines for op, v in runs[e]["ops"].items() if "error" in v
    ]
    if errors:
        lines += ["", "## Errors raised by peers", ""]
        lines += [f"- {LABEL[e]} `{op}`: {msg}" for e, op, msg in errors]
    if failures:
        lines += ["", "## ❌ spindle answers that differ from pandas object dtype", ""]
        lines += [f"- `{op}`: {c['mismatches']} of {c['rows']}: {c['example']}" for op, c in failures]
    if args.elapsed is not None:
        lines += ["", f"The whole run took {args.elapsed // 60} min {args.elapsed % 60} s."]

    os.makedirs(args.results, exist_ok=True)
    json.dump(
        {"date": date, "data": args.data, "machine": m, "elapsed_s": args.elapsed, "engines": runs},
        open(os.path.join(args.results, f"{date}.json"), "w"),
        indent=1,
    )
    open(os.path.join(args.results, "REPORT.md"), "w").write("\n".join(lines) + "\n")
    svg(rows, os.path.join(args.results, "speedup.svg"))
    red = "\033[31m{}\033[0m" if sys.stdout.isatty() else "{}"
    for line in md_table:
        print(red.format(line) if "MISMATCH" in line else line)
    print(f"\nwrote {args.results}/REPORT.md, speedup.svg and {date}.json")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
