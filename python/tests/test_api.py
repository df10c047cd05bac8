"""The package's API as a user meets it: queries, SQL with frames by keyword, display,
EXPLAIN, files, errors as exceptions, the GIL released, Ctrl-C cancelling."""

import os
import signal
import threading
import time

import pyarrow as pa
import pytest

import spindle
from spindle import col, lit


def test_lazy_queries(people):
    df = spindle.from_arrow(people)
    out = (df.lazy()
           .filter(col("city").str.contains("kr[aá]", case=False) | (col("id") > 4))
           .select(col("name").str.title(), col("city").str.len().alias("n"))
           .collect())
    assert out.to_arrow().to_pylist() == [{"name": "Straße", "n": 6}, {"name": "ǅemal", "n": 5}]
    groups = df.lazy().group_by("city").agg(spindle.len().alias("rows"), col("score").sum())
    got = sorted(groups.collect().to_arrow().to_pylist(), key=lambda r: str(r["city"]))
    assert got[0] == {"city": "Kraków", "rows": 1, "score": None}
    assert df.lazy().value_counts("city").head(1).collect().to_arrow().to_pylist() == [
        {"city": "Lisbon", "count": 2}]
    top = df.sort("score", descending=True).head(2)
    assert top.to_arrow().column("id").to_pylist() == [4, 3]
    assert df.with_columns((col("id") * 10).alias("id")).to_arrow().column("id").to_pylist()[0] == 10
    joined = df.join(df.select("id", col("name").alias("other")), on="id")
    assert joined.columns == ["id", "name", "city", "score", "other"]
    assert len(df.select("city").unique()) == 4


def test_sql_with_frames_by_keyword(people):
    out = spindle.sql("SELECT upper(name) AS u, str_upper(name) AS p FROM people WHERE id < 3",
                      people=people)
    assert out.to_arrow().to_pylist() == [{"u": "ANA", "p": "ANA"},
                                          {"u": "STRAẞE", "p": "STRASSE"}]
    frame = spindle.from_arrow(people)
    n = spindle.sql("SELECT count(*) AS n FROM a JOIN b USING (id)", a=frame, b=frame.lazy())
    assert n.to_arrow().to_pylist() == [{"n": 5}]


def test_display_and_explain(people):
    df = spindle.from_arrow(people)
    text = repr(df)
    assert "straße" in text and text.endswith("5 rows")
    assert "<table>" in df._repr_html_()
    plan = df.lazy().filter(col("id") > 1).select("name").head(2).explain()
    assert "optimized_logical_plan:" in plan and "physical_plan:" in plan
    assert "rows=" in df.lazy().select("name").explain(analyze=True)


def test_files_round_trip(tmp_path, people):
    df = spindle.from_arrow(people)
    for name in ["p.arrow", "p.parquet", "p.csv"]:
        df.write(tmp_path / name)
        back = spindle.open(tmp_path / name)
        assert back.height == 5, name
    df.write_parquet(tmp_path / "z.parquet", compression="zstd")
    assert spindle.read_parquet(tmp_path / "z.parquet").height == 5
    (tmp_path / "semi.csv").write_text("a;b\n1;x\n2;NA\n")
    semi = spindle.read_csv(tmp_path / "semi.csv", sep=";", null_values=["NA"])
    assert semi.to_arrow().column("b").to_pylist() == ["x", None]


def test_errors_are_exceptions(people, tmp_path):
    df = spindle.from_arrow(people)
    with pytest.raises(spindle.ColumnNotFoundError, match="nope"):
        df.select("nope")
    with pytest.raises(spindle.SqlError, match="line 1"):
        spindle.sql("SELEC 1")
    with pytest.raises(spindle.InvalidFileError):
        spindle.open(tmp_path / "missing.arrow")
    with pytest.raises(spindle.ComputeError, match="regex"):
        df.select(col("name").str.contains("(")).height
    with pytest.raises(spindle.ComputeError):
        spindle.sql("SELECT 'abc' > 10")
    assert issubclass(spindle.SqlError, spindle.SpindleError)
    with pytest.raises(TypeError, match="no truth value"):
        bool(col("a") > 1)


def big_frame(chunks):
    """`chunks` copies of one 100,000-row chunk of text (no memory per copy)."""
    chunk = pa.array([f"row {i} aaaa bbbb Straße café {i % 97}" for i in range(100_000)])
    return spindle.from_arrow(pa.table({"s": pa.chunked_array([chunk] * chunks)}))


def slow_query(frame):
    return frame.lazy().select(col("s").str.replace("(a+)(b*)", r"\2\1", regex=True).str.len().sum())


def test_the_gil_is_released_while_a_query_runs():
    frame = big_frame(60)
    done = threading.Event()
    started = time.perf_counter()

    def query():
        slow_query(frame).collect()
        done.set()

    t = threading.Thread(target=query)
    t.start()
    ticks = 0
    while not done.is_set():
        ticks += 1  # pure Python, needs the GIL
        time.sleep(0)
    t.join()
    elapsed = time.perf_counter() - started
    assert elapsed > 0.2, "the query was too short to tell"
    # Python ran all along: thousands of iterations a second.
    assert ticks > 1000 * elapsed, (ticks, elapsed)


def test_a_query_on_workers_of_its_own_gives_the_same_answer():
    frame = big_frame(3)
    q = frame.lazy().select(col("s").str.upper().str.len().sum())
    assert q.collect(threads=1).to_arrow().equals(q.collect().to_arrow())


def test_ctrl_c_cancels_a_query_and_the_session_goes_on():
    frame = big_frame(400)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    started = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        slow_query(frame).collect()
    stopped = time.perf_counter() - started
    assert stopped < 1.5, f"stopped after {stopped:.2f} s"
    # Usable afterwards.
    assert frame.lazy().head(3).collect().height == 3
