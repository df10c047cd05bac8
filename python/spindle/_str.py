"""The ``.str`` namespace, made from the engine's one list of operations.

Each pandas ``.str`` method the engine has becomes a method here, with pandas' name,
parameters and defaults (a real signature, so ``help()`` and editors show it) and a
docstring from the same list. No second list is kept: a method added to the engine
appears here.
"""

from __future__ import annotations

import inspect
from typing import Any

from . import _spindle

_FAMILY_NOTE = {
    "case": "Case mapping is Python's full mapping (``'straße'.upper()`` is ``'STRASSE'``).",
    "search": "Patterns are Python ``re`` regexes unless ``regex=False``.",
    "regex extraction": "Patterns are Python ``re`` regexes.",
}


def _default(text: str | None) -> Any:
    """A default as Python writes it, as a Python value."""
    if text is None:
        return inspect.Parameter.empty
    return eval(text, {"__builtins__": {}}, {"True": True, "False": False, "None": None})  # noqa: S307


def _translate_args(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """pandas' ``translate(table)`` with a ``str.maketrans`` table, as the engine's
    ``(x, y, z)`` strings."""
    table = kwargs.pop("table", None)
    if args and isinstance(args[0], dict):
        table, args = args[0], args[1:]
    if table is None:
        return args, kwargs
    x, y, z = [], [], []
    for key, value in table.items():
        key = chr(key) if isinstance(key, int) else key
        if value is None:
            z.append(key)
        else:
            value = chr(value) if isinstance(value, int) else value
            if len(value) != 1 or len(key) != 1:
                raise ValueError(
                    "str.translate: spindle maps one character to one character or to None; "
                    f"{key!r} -> {value!r} is not supported"
                )
            x.append(key)
            y.append(value)
    return ("".join(x), "".join(y), "".join(z)), kwargs


def _method(spec: dict):
    name = spec["name"]
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)]
    if spec["variadic"]:
        params.append(inspect.Parameter("others", inspect.Parameter.VAR_POSITIONAL))
    kind = (inspect.Parameter.KEYWORD_ONLY if spec["variadic"]
            else inspect.Parameter.POSITIONAL_OR_KEYWORD)
    for pname, default, ptype in spec["params"]:
        params.append(inspect.Parameter(pname, kind, default=_default(default),
                                        annotation=ptype))

    def method(self, *args: Any, **kwargs: Any):
        if name == "translate":
            args, kwargs = _translate_args(args, kwargs)
        return self._expr._str_call(name, *args, **kwargs)

    method.__name__ = name
    method.__qualname__ = f"StrNamespace.{name}"
    method.__signature__ = inspect.Signature(params)
    note = _FAMILY_NOTE.get(spec["family"], "")
    method.__doc__ = (
        f"``Series.str.{spec['signature']}``: {spec['doc']}.\n\n"
        f"Follows Python's ``str`` as pandas' object dtype applies it; a null in gives a "
        f"null out. {note}".rstrip()
    )
    return method


class StrNamespace:
    """pandas' ``.str`` methods on an expression, with Python's semantics, run by the
    engine's kernels on all cores."""

    def __init__(self, expr):
        self._expr = expr

    def __repr__(self) -> str:
        return f"<spindle str namespace of {self._expr!r}>"


METHODS = _spindle.str_methods()
for _spec in METHODS:
    setattr(StrNamespace, _spec["name"], _method(_spec))


def install(expr_class) -> None:
    """Gives ``Expr`` its ``.str`` property."""
    expr_class.str = property(StrNamespace, doc="pandas' ``.str`` methods.")
