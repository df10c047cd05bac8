"""Two Python threads, two queries: the GIL is released while the engine works, so two
queries started from two Python threads run side by side.

Each query runs on one worker of its own (``collect(threads=1)``), so the machine's two
cores can serve both at once. Printed: one query alone, the two one after the other, and
the two from two Python threads (medians of 5).

    python python/benches/threads.py [--rows 4000000]
"""

import argparse
import statistics
import threading
import time

import pyarrow as pa

import spindle
from spindle import col


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=4_000_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    chunk = pa.array([f"row {i} aaaa bbbb Straße café {i % 97}" for i in range(100_000)])
    frame = spindle.from_arrow(pa.table({"s": pa.chunked_array([chunk] * (args.rows // 100_000))}))
    query = frame.lazy().select(col("s").str.upper().str.len().sum())

    def one():
        query.collect(threads=1)

    def sequential():
        one()
        one()

    def threaded():
        ts = [threading.Thread(target=one) for _ in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    def median(f):
        f()  # warm-up
        samples = []
        for _ in range(args.runs):
            t = time.perf_counter()
            f()
            samples.append(time.perf_counter() - t)
        return statistics.median(samples) * 1e3

    alone, seq, par = median(one), median(sequential), median(threaded)
    print(f"{args.rows} rows, upper then len then sum, one worker per query (medians of {args.runs})")
    print(f"one query alone                      {alone:8.1f} ms")
    print(f"two queries, one after the other     {seq:8.1f} ms")
    print(f"two queries from two Python threads  {par:8.1f} ms  ({par / alone:.2f}x one query)")


if __name__ == "__main__":
    main()
