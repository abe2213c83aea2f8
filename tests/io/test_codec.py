"""The JSON encoding of annotation values gives back the same types and values."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pytest
import quantities as pq

from opsnn_opt.errors import ResultsFileError
from opsnn_opt.io._codec import dumps, loads

from ._compare import assert_values_equal

VALUES = [
    None,
    True,
    3,
    -2.5,
    "text",
    b"\x00\xffbytes",
    1 + 2j,
    decimal.Decimal("1.10"),
    np.float32(1.5),
    np.int16(-3),
    np.bool_(False),
    np.complex128(1 - 1j),
    np.arange(6, dtype=np.int32).reshape(2, 3),
    np.array(["a", "bc"]),
    np.array([b"a", b"bc"]),
    np.zeros((0, 3)),
    np.array([1 + 1j, 2]),
    np.array([1.5, None], dtype=object),
    pq.Quantity([1.0, 2.0], "mV"),
    3.0 * pq.ms,
    dt.datetime(2024, 1, 2, 3, 4, 5, 6),
    dt.date(2024, 1, 2),
    dt.time(3, 4, 5),
    dt.timedelta(1, 2, 3),
    (1, "a", (2.0,)),
    [1, [2, {"x": None}]],
    {"a": {"b": [1, 2]}},
    {1: "int key", (1, 2): "tuple key"},
    {"__ndarray__": "looks like a tag"},
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_values_round_trip_with_their_types(value):
    back = loads(dumps(value))
    assert_values_equal(value, back, "value")
    assert type(back) is type(value)


def test_unknown_types_are_refused_with_the_supported_ones():
    with pytest.raises(ResultsFileError, match=r"annotation x has type object, .* supported types are None, bool"):
        dumps(object(), "x")
