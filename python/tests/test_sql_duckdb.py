"""Every query of the SQL differential suite (tests/duckdb/queries.sql) through
spindle.sql from Python, with the tables registered as frames, against DuckDB on the same
Arrow tables."""

import importlib.util

import duckdb
import pytest

import spindle

from conftest import ROOT

spec = importlib.util.spec_from_file_location("differential", ROOT / "tests/duckdb/differential.py")
differential = importlib.util.module_from_spec(spec)
spec.loader.exec_module(differential)

QUERIES = differential.parse_queries(ROOT / "tests/duckdb/queries.sql")
DATA = ROOT / "tests/duckdb/data"


@pytest.fixture(scope="module")
def engines():
    t1 = spindle.open(DATA / "t1.arrow")
    t2 = spindle.open(DATA / "t2.arrow")
    session = spindle.Session(t1=t1, t2=t2)
    con = duckdb.connect()
    con.execute("SET threads = 1")  # first() and last() follow row order on one thread
    con.register("t1", differential.read(str(DATA / "t1.arrow")))
    con.register("t2", differential.read(str(DATA / "t2.arrow")))
    return session, con


@pytest.mark.parametrize("name,ordered,query", QUERIES, ids=[q[0] for q in QUERIES])
def test_query_matches_duckdb(engines, name, ordered, query):
    session, con = engines
    for table in ["t1", "t2"]:
        query = query.replace("{" + table + "}", table)
    for file in ["t1.csv", "t1.parquet"]:
        query = query.replace("{file:" + file + "}", "'" + str(DATA / file) + "'")
    expected = con.sql(query).arrow()
    if hasattr(expected, "read_all"):
        expected = expected.read_all()
    got = session.sql(query).to_arrow()
    difference = differential.compare(expected, got, ordered)
    assert difference is None, f"{name}: {difference}"
