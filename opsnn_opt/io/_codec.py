"""Lossless JSON encoding of neo annotation values.

Neo annotations may hold numpy scalars and arrays, quantities, datetimes and tuples, which
plain JSON cannot represent. They are written as small tagged objects, e.g.
``{"__ndarray__": [1, 2], "dtype": "int64", "shape": [2]}``, and decoded back to the same
type. Plain ``None``/``bool``/``int``/``float``/``str``/``list``/``dict`` pass through untouched,
so the JSON stays readable by any tool.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import quantities as pq

from opsnn_opt.errors import ResultsFileError

__all__ = ["decode_value", "dumps", "encode_value", "loads"]

_TAGS = frozenset(
    {
        "__ndarray__",
        "__quantity__",
        "__datetime__",
        "__date__",
        "__time__",
        "__timedelta__",
        "__tuple__",
        "__dict__",
        "__complex__",
        "__bytes__",
        "__decimal__",
    }
)
_SUPPORTED = (
    "None, bool, int, float, complex, str, bytes, Decimal, list, tuple, dict, numpy scalars and "
    "arrays, quantities.Quantity, datetime.datetime/date/time/timedelta"
)


def _encode_array(value: np.ndarray, where: str) -> dict[str, Any]:
    if value.dtype.kind not in "biufUScO":
        raise ResultsFileError(
            f"annotation {where} is an array of dtype {value.dtype}, which cannot be written; "
            "supported dtypes are bool, int, float, complex, str, bytes and object"
        )
    if value.dtype.kind == "c":
        data: Any = [[float(x.real), float(x.imag)] for x in value.ravel()]
    elif value.dtype.kind in "OS":  # objects, and bytes (which JSON has no type for)
        data = [encode_value(x, f"{where}[{i}]") for i, x in enumerate(value.ravel().tolist())]
    else:
        data = value.ravel().tolist()
    return {"__ndarray__": data, "dtype": value.dtype.str, "shape": list(value.shape)}


def encode_value(value: Any, where: str = "value") -> Any:
    """Turn one annotation value into a JSON-compatible object that :func:`decode_value` inverts.

    Parameters
    ----------
    value
        The annotation value (unitless unless it is a ``quantities.Quantity``).
    where
        Name of the value for error messages, e.g. ``"segment 0 annotation 'trial'"``.

    Raises
    ------
    ResultsFileError
        If the type is not one of the supported ones; the message lists them.
    """
    if value is None:
        return None
    # np.float64 subclasses float: keep it tagged so that it is decoded as np.float64 again.
    if isinstance(value, (bool, int, float, str)) and not isinstance(value, np.generic):
        return value
    if isinstance(value, pq.Quantity):
        return {
            "__quantity__": _encode_array(np.asarray(value.magnitude), where),
            "units": value.dimensionality.string,
        }
    if isinstance(value, (np.ndarray, np.generic)):
        return _encode_array(np.asarray(value), where)
    if isinstance(value, dt.datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    if isinstance(value, dt.time):
        return {"__time__": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"__timedelta__": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, complex):
        return {"__complex__": [value.real, value.imag]}
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, decimal.Decimal):
        return {"__decimal__": str(value)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode_value(v, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [encode_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        items = [(k, encode_value(v, f"{where}[{k!r}]")) for k, v in value.items()]
        if all(isinstance(k, str) for k, _ in items) and not _TAGS.intersection(value):
            return dict(items)
        return {"__dict__": [[encode_value(k, where), v] for k, v in items]}
    raise ResultsFileError(
        f"annotation {where} has type {type(value).__name__}, which cannot be written; supported types are {_SUPPORTED}"
    )


def _decode_array(obj: Mapping[str, Any]) -> np.ndarray | np.generic:
    dtype = np.dtype(obj["dtype"])
    data = obj["__ndarray__"]
    if dtype.kind == "c":
        data = [complex(re, im) for re, im in data]
    elif dtype.kind in "OS":
        data = [decode_value(x) for x in data]
    flat = np.empty(len(data), dtype=dtype)
    flat[:] = data
    arr = flat.reshape(obj["shape"])
    return arr[()] if arr.ndim == 0 else arr


def decode_value(obj: Any) -> Any:
    """Invert :func:`encode_value`."""
    if isinstance(obj, list):
        return [decode_value(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__ndarray__" in obj:
        return _decode_array(obj)
    if "__quantity__" in obj:
        return pq.Quantity(_decode_array(obj["__quantity__"]), obj["units"])
    if "__datetime__" in obj:
        return dt.datetime.fromisoformat(obj["__datetime__"])
    if "__date__" in obj:
        return dt.date.fromisoformat(obj["__date__"])
    if "__time__" in obj:
        return dt.time.fromisoformat(obj["__time__"])
    if "__timedelta__" in obj:
        return dt.timedelta(*obj["__timedelta__"])
    if "__complex__" in obj:
        return complex(*obj["__complex__"])
    if "__bytes__" in obj:
        return base64.b64decode(obj["__bytes__"])
    if "__decimal__" in obj:
        return decimal.Decimal(obj["__decimal__"])
    if "__tuple__" in obj:
        return tuple(decode_value(v) for v in obj["__tuple__"])
    if "__dict__" in obj:
        return {_hashable(decode_value(k)): decode_value(v) for k, v in obj["__dict__"]}
    return {k: decode_value(v) for k, v in obj.items()}


def _hashable(key: Any) -> Any:
    return key.item() if isinstance(key, np.generic) else key


def dumps(value: Any, where: str = "value") -> str:
    """Encode ``value`` with :func:`encode_value` and serialise it to a compact JSON string."""
    return json.dumps(encode_value(value, where), separators=(",", ":"), allow_nan=True)


def loads(text: str) -> Any:
    """Invert :func:`dumps`."""
    return decode_value(json.loads(text))
