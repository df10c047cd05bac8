"""`import spindle.pandas`: s.spindle.str.<method> equals s.str.<method> on object dtype."""

import pandas as pd
import pytest

import spindle.pandas  # noqa: F401

TEXT = ["Ana", "straße", None, "ǅemal ΟΔΟΣ", "café 42", "  padded  ", ""]


@pytest.mark.parametrize("method,args,kwargs", [
    ("title", (), {}), ("upper", (), {}), ("lower", (), {}), ("capitalize", (), {}),
    ("len", (), {}), ("strip", (), {}), ("contains", ("a",), {}),
    ("contains", ("CAF",), {"case": False, "regex": False}), ("find", ("a",), {}),
    ("replace", ("a", "A"), {}), ("zfill", (12,), {}), ("isalpha", (), {}),
    ("startswith", (("A", "s"),), {}), ("slice", (1, 4), {}),
])
def test_the_accessor_equals_object_dtype(method, args, kwargs):
    s = pd.Series(TEXT, dtype=object, index=list("abcdefg"), name="t")
    want = getattr(s.str, method)(*args, **kwargs)
    got = getattr(s.spindle.str, method)(*args, **kwargs)
    assert list(got.index) == list(s.index) and got.name == "t"
    assert isinstance(got.dtype, pd.ArrowDtype)
    norm = lambda v: None if v is None or (isinstance(v, float) and v != v) or v is pd.NA else v  # noqa: E731
    assert [norm(v) for v in got.tolist()] == [norm(v) for v in want.tolist()]


def test_an_arrow_backed_series_and_errors():
    s = pd.Series(["a", "b"], dtype=pd.ArrowDtype(__import__("pyarrow").string()))
    assert s.spindle.str.upper().tolist() == ["A", "B"]
    with pytest.raises(AttributeError):
        s.spindle.str.nope()
