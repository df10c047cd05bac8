"""``import spindle.pandas`` registers the ``.spindle`` accessor on pandas Series:
``s.spindle.str.title()`` runs spindle's kernel on the Series' Arrow data (no copy for an
Arrow-backed Series) and returns a Series with the same index and name and an Arrow-backed
dtype. Its answers equal ``s.str.title()`` on object dtype (Python's ``str`` semantics).
"""

from __future__ import annotations

import pandas as _pd
import pyarrow as _pa

from . import _str, col, from_arrow


class _SeriesStr:
    def __init__(self, series: _pd.Series):
        self._series = series

    def __getattr__(self, name: str):
        method = getattr(_str.StrNamespace, name, None)
        if method is None or name.startswith("_"):
            raise AttributeError(f"spindle has no str.{name}")

        def run(*args, **kwargs):
            s = self._series
            try:
                array = _pa.array(s, from_pandas=True)
            except (_pa.ArrowInvalid, _pa.ArrowTypeError) as e:
                raise TypeError(f"str.{name}: the Series is not strings: {e}") from None
            frame = from_arrow(_pa.table({"s": array}))
            expr = method(col("s").str, *args, **kwargs)
            out = frame.lazy().select(expr.alias("s")).collect().to_arrow()
            values = _pd.arrays.ArrowExtensionArray(out.column("s"))
            return _pd.Series(values, index=s.index, name=s.name)

        run.__name__ = name
        run.__doc__ = method.__doc__
        return run

    def __dir__(self):
        return [m["name"] for m in _str.METHODS]


@_pd.api.extensions.register_series_accessor("spindle")
class SpindleAccessor:
    """``s.spindle.str.<method>(...)``: spindle's kernels on a pandas Series."""

    def __init__(self, series: _pd.Series):
        self._series = series

    @property
    def str(self) -> _SeriesStr:
        return _SeriesStr(self._series)
