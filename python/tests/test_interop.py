"""Arrow both ways with pyarrow, pandas, polars and duckdb, with no copy: buffer addresses
prove it, and exported data outlives the frame (and its mapped file's frame)."""

import gc

import pandas as pd
import polars as pl
import pyarrow as pa
import duckdb
import pytest

import spindle
from spindle import col


def data_address(chunked):
    """The address of the first chunk's value buffer (strings) or data buffer."""
    chunk = chunked.chunk(0)
    return chunk.buffers()[-1].address


def test_pyarrow_in_and_out_share_buffers(people):
    frame = spindle.from_arrow(people)
    out = frame.to_arrow()
    assert out.equals(people)
    for name in ["name", "city", "score"]:
        assert data_address(out.column(name)) == data_address(people.column(name)), name


def test_a_record_batch_and_a_reader_come_in(people):
    batch = people.to_batches()[0]
    assert spindle.from_arrow(batch).to_arrow().equals(pa.Table.from_batches([batch]))
    reader = pa.RecordBatchReader.from_batches(people.schema, people.to_batches())
    assert spindle.from_arrow(reader).height == 5


def test_a_mapped_file_outlives_its_frame(tmp_path, people):
    path = tmp_path / "people.arrow"
    spindle.from_arrow(people).write_ipc(path)
    frame = spindle.open(path)
    assert frame.storage == "mapped (zero-copy)"
    assert frame.column_is_mapped("name")
    exported = frame.lazy().select("name", "city").collect().to_arrow()
    first = exported.column("name").chunk(0)
    del frame
    gc.collect()
    # The exported arrays still read the mapped pages.
    assert exported.column("name").to_pylist() == people.column("name").to_pylist()
    assert first.to_pylist()[1] == "straße"


def test_pandas_both_ways(people):
    df = people.to_pandas(types_mapper=pd.ArrowDtype)
    frame = spindle.from_arrow(df)
    assert frame.to_arrow().select(["id", "name"]).equals(people.select(["id", "name"]))
    back = frame.to_pandas()
    assert isinstance(back["name"].dtype, pd.ArrowDtype)
    assert back["name"].tolist()[:2] == ["Ana", "straße"]


def test_polars_both_ways(people):
    pdf = pl.from_arrow(people)
    frame = spindle.from_arrow(pdf)
    assert frame.height == 5
    out = pl.DataFrame(frame.lazy().select(col("name").str.upper()).collect())
    assert out["name"].to_list() == ["ANA", "STRASSE", None, "ÇELIK", "ǄEMAL"]


def test_duckdb_both_ways(people):
    frame = spindle.from_arrow(people)
    got = duckdb.sql("SELECT count(*) FROM frame WHERE name IS NOT NULL").fetchall()[0][0]
    assert got == 4
    rel = duckdb.sql("SELECT 42 AS x, 'é' AS s")
    back = spindle.from_arrow(rel)
    assert back.to_arrow().to_pylist() == [{"x": 42, "s": "é"}]


def test_objects_without_arrow_are_type_errors():
    with pytest.raises(TypeError, match="Arrow PyCapsule interface"):
        spindle.from_arrow(42)
    with pytest.raises(TypeError, match="Arrow PyCapsule interface"):
        spindle.sql("SELECT * FROM t", t=[1, 2, 3])
