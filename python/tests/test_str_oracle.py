"""Every .str case of the kernels' Python oracle (kernels/tests/python/expected.json, made
by Python's own str and re), through the Python package, on three string layouts: the
answers must be Python's, except the differences listed on purpose."""

import json
import re

import pyarrow as pa
import pytest

import spindle
from spindle import col

from conftest import ROOT

DATA = json.loads((ROOT / "kernels/tests/python/expected.json").read_text())
KNOWN = json.loads((ROOT / "kernels/tests/python/known_differences.json").read_text())["differences"]


def kwargs_of(op, args):
    """The oracle's arguments as pandas' keywords (flags by name become re's integer)."""
    args = dict(args)
    if "flags" in args:
        flags = 0
        for name in args["flags"]:
            flags |= getattr(re, name)
        args["flags"] = int(flags)
    if op == "translate":
        return {"x": args["frm"], "y": args["to"], "z": args.get("delete", "")}
    if "pat" in args and isinstance(args["pat"], list):
        args["pat"] = tuple(args["pat"])
    return args


def rows(values):
    """Struct rows as lists of values, as the oracle writes them."""
    out = []
    for v in values:
        if isinstance(v, dict):
            v = list(v.values())
        elif isinstance(v, list):
            v = [list(x.values()) if isinstance(x, dict) else x for x in v]
        out.append(v)
    return out


def known(op, args, value, got, want):
    return any(k["op"] == op and k["args"] == args and k["input"] == value
               and k["spindle"] == got and k["python"] == want for k in KNOWN)


CASES = [c for c in DATA["cases"] if c["op"] != "byte_length"]  # not a pandas method


@pytest.mark.parametrize("layout", [pa.string(), pa.large_string(), pa.string_view()])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['op']}{json.dumps(c['args'], ensure_ascii=False)}")
def test_case_matches_python(case, layout):
    op, args = case["op"], case["args"]
    corpus = DATA["corpus"]
    expected = case["expected"]
    raised = [isinstance(e, dict) and "error" in e for e in expected]
    keep = [i for i, r in enumerate(raised) if not r]
    values = [corpus[i] for i in keep]
    mirrored = list(reversed(corpus))
    table = pa.table({"s": pa.array(values, layout),
                      "m": pa.array([mirrored[i] for i in keep], pa.string())})
    frame = spindle.from_arrow(table)
    kwargs = kwargs_of(op, args)
    if op == "cat":
        expr = col("s").str.cat(col("m"), **kwargs)
    else:
        expr = getattr(col("s").str, op)(**kwargs)
    if any(raised):
        whole = spindle.from_arrow(pa.table({"s": pa.array(corpus, layout)}))
        with pytest.raises(spindle.ComputeError):
            whole.lazy().select(getattr(col("s").str, op)(**kwargs)).collect()
    got = rows(frame.lazy().select(expr.alias("r")).collect().to_arrow().column("r").to_pylist())
    want = [expected[i] for i in keep]
    bad = [(v, g, w) for v, g, w in zip(values, got, want)
           if g != w and not known(op, args, v, g, w)]
    assert not bad, f"{op}{args}: {bad[:5]}"


def test_every_pandas_method_has_a_str_method_with_a_docstring():
    names = {m["name"] for m in spindle._spindle.str_methods()}
    assert {"contains", "title", "extract", "normalize", "cat", "zfill"} <= names
    for name in names:
        method = getattr(col("x").str, name)
        assert "Python's ``str``" in method.__doc__, name
    import inspect
    sig = inspect.signature(spindle._str.StrNamespace.contains)
    assert list(sig.parameters) == ["self", "pat", "case", "flags", "na", "regex"]
    assert sig.parameters["case"].default is True


def test_wrong_arguments_are_type_errors_naming_them():
    with pytest.raises(TypeError, match="unknown argument \"bogus\""):
        col("s").str.contains("a", bogus=1)
    with pytest.raises(TypeError, match="pat must be a string"):
        col("s").str.contains(3)
    with pytest.raises(TypeError, match="missing argument pat"):
        col("s").str.contains()
