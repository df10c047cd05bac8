"""Shared fixtures: the repository's paths and small tables."""

import pathlib

import pyarrow as pa
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def root():
    return ROOT


@pytest.fixture
def people():
    """A small table with nulls and non-ASCII text."""
    return pa.table({
        "id": pa.array([1, 2, 3, 4, 5], pa.int64()),
        "name": pa.array(["Ana", "straße", None, "Çelik", "ǅemal"], pa.string()),
        "city": pa.array(["Lisbon", "Kraków", "Lisbon", None, "Tōkyō"], pa.large_string()),
        "score": pa.array([1.5, None, 3.0, 4.25, -2.0], pa.float64()),
    })
