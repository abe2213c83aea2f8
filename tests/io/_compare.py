"""Field-by-field comparison of neo Blocks, with messages that say where they differ."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import neo
import numpy as np
import quantities as pq

__all__ = ["assert_blocks_equal", "assert_values_equal"]


def _ms(q: pq.Quantity) -> np.ndarray:
    return np.asarray(q.rescale(pq.ms).magnitude)


def assert_values_equal(expected: Any, actual: Any, where: str, *, loose_types: bool = False) -> None:
    """Equal annotation values, recursively; NaN equals NaN.

    ``loose_types`` compares by value only (a tuple equals a list, an array equals a list, a
    numpy scalar equals a Python one), which is what neo's NixIO preserves.
    """
    if isinstance(expected, pq.Quantity) or isinstance(actual, pq.Quantity):
        assert isinstance(actual, pq.Quantity) and isinstance(expected, pq.Quantity), (
            f"{where}: {expected!r} != {actual!r}"
        )
        assert actual.dimensionality.string == expected.dimensionality.string, f"{where}: units differ"
        np.testing.assert_array_equal(actual.magnitude, expected.magnitude, err_msg=where)
        return
    if isinstance(expected, np.ndarray) or isinstance(actual, np.ndarray):
        if not loose_types:
            assert isinstance(actual, np.ndarray) and isinstance(expected, np.ndarray), (
                f"{where}: {type(expected).__name__} != {type(actual).__name__}"
            )
            assert actual.dtype == expected.dtype, f"{where}: dtype {expected.dtype} != {actual.dtype}"
        np.testing.assert_array_equal(np.asarray(actual), np.asarray(expected), err_msg=where)
        return
    if isinstance(expected, Mapping):
        assert isinstance(actual, Mapping), f"{where}: expected a mapping, got {actual!r}"
        assert set(actual) == set(expected), f"{where}: keys {sorted(expected)} != {sorted(actual)}"
        for key in expected:
            assert_values_equal(expected[key], actual[key], f"{where}[{key!r}]", loose_types=loose_types)
        return
    if isinstance(expected, (list, tuple)):
        if not loose_types:
            assert type(actual) is type(expected), f"{where}: {type(expected)} != {type(actual)}"
        assert len(actual) == len(expected), f"{where}: length {len(expected)} != {len(actual)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            assert_values_equal(e, a, f"{where}[{i}]", loose_types=loose_types)
        return
    if isinstance(expected, float) and isinstance(actual, float) and math.isnan(expected):
        assert math.isnan(actual), f"{where}: nan != {actual!r}"
        return
    if not loose_types:
        assert _kind(actual) is _kind(expected), f"{where}: type {type(expected).__name__} != {type(actual).__name__}"
    assert actual == expected, f"{where}: {expected!r} != {actual!r}"


def _kind(value: Any) -> type:
    """bool, int or float for Python and numpy scalars alike; the type otherwise."""
    for kind, types in ((bool, (bool, np.bool_)), (int, (int, np.integer)), (float, (float, np.floating))):
        if isinstance(value, types):
            return kind
    return type(value)


def _assert_attrs(expected: Any, actual: Any, where: str, names: Iterable[str], none_is_empty: bool) -> None:
    for name in names:
        e, a = getattr(expected, name, None), getattr(actual, name, None)
        if none_is_empty:
            e, a = e or None, a or None
        assert a == e, f"{where}.{name}: {e!r} != {a!r}"


def _annotations(obj: Any, ignore: Iterable[str]) -> dict[str, Any]:
    return {k: v for k, v in obj.annotations.items() if k not in set(ignore)}


def _assert_spiketrain(e: neo.SpikeTrain, a: neo.SpikeTrain, where: str, opts: dict[str, Any]) -> None:
    assert a.shape == e.shape, f"{where}: {e.size} spikes != {a.size}"
    np.testing.assert_allclose(_ms(a), _ms(e), rtol=1e-12, atol=1e-12, err_msg=f"{where} times (ms)")
    np.testing.assert_allclose(_ms(a.t_start), _ms(e.t_start), rtol=1e-12, atol=1e-12, err_msg=f"{where} t_start")
    np.testing.assert_allclose(_ms(a.t_stop), _ms(e.t_stop), rtol=1e-12, atol=1e-12, err_msg=f"{where} t_stop")
    _assert_attrs(e, a, where, ("name", "description"), opts["none_is_empty"])
    assert_values_equal(
        _annotations(e, ()), _annotations(a, ()), f"{where}.annotations", loose_types=opts["loose_types"]
    )
    assert_values_equal(
        dict(e.array_annotations),
        dict(a.array_annotations),
        f"{where}.array_annotations",
        loose_types=opts["loose_types"],
    )


def _assert_signal(e: neo.AnalogSignal, a: neo.AnalogSignal, where: str, opts: dict[str, Any]) -> None:
    assert a.shape == e.shape, f"{where}: shape {e.shape} != {a.shape}"
    assert a.units.dimensionality.string == e.units.dimensionality.string, f"{where}: units differ"
    np.testing.assert_array_equal(a.magnitude, e.magnitude, err_msg=f"{where} values")
    np.testing.assert_allclose(
        _ms(a.sampling_period), _ms(e.sampling_period), rtol=1e-12, err_msg=f"{where} sampling_period"
    )
    np.testing.assert_allclose(_ms(a.t_start), _ms(e.t_start), rtol=1e-12, atol=1e-12, err_msg=f"{where} t_start")
    _assert_attrs(e, a, where, ("name", "description"), opts["none_is_empty"])
    assert_values_equal(
        _annotations(e, ()), _annotations(a, ()), f"{where}.annotations", loose_types=opts["loose_types"]
    )
    assert_values_equal(
        dict(e.array_annotations),
        dict(a.array_annotations),
        f"{where}.array_annotations",
        loose_types=opts["loose_types"],
    )


def assert_blocks_equal(
    expected: neo.Block,
    actual: neo.Block,
    *,
    ignore_annotations: Iterable[str] = (),
    check_rec_datetime: bool = True,
    none_is_empty: bool = False,
    loose_types: bool = False,
) -> None:
    """Assert that ``actual`` holds the same data as ``expected``, field by field.

    Times are compared in ms (a train written in s and read back in ms is equal). Spike
    trains and signals are compared in order.

    Parameters
    ----------
    ignore_annotations
        Block annotation keys not compared (e.g. ``"opsnn_metadata"``).
    check_rec_datetime
        Compare ``rec_datetime`` of block and segments (neo's NixIO replaces it by the file
        creation time).
    none_is_empty
        Treat a None name/description as "" (neo's NixIO does).
    loose_types
        Compare annotation values by value only (see :func:`assert_values_equal`).
    """
    opts = {"none_is_empty": none_is_empty, "loose_types": loose_types}
    _assert_attrs(expected, actual, "block", ("name", "description"), none_is_empty)
    if check_rec_datetime:
        _assert_attrs(expected, actual, "block", ("rec_datetime",), False)
    assert_values_equal(
        _annotations(expected, ignore_annotations),
        _annotations(actual, ignore_annotations),
        "block.annotations",
        loose_types=loose_types,
    )
    assert len(actual.segments) == len(expected.segments), "number of segments differs"
    for i, (es, as_) in enumerate(zip(expected.segments, actual.segments)):
        where = f"segment {i}"
        _assert_attrs(es, as_, where, ("name", "description"), none_is_empty)
        if check_rec_datetime:
            _assert_attrs(es, as_, where, ("rec_datetime",), False)
        assert_values_equal(
            _annotations(es, ()), _annotations(as_, ()), f"{where}.annotations", loose_types=loose_types
        )
        assert len(as_.spiketrains) == len(es.spiketrains), f"{where}: number of spike trains differs"
        for j, (e, a) in enumerate(zip(es.spiketrains, as_.spiketrains)):
            _assert_spiketrain(e, a, f"{where} spiketrain {j}", opts)
        assert len(as_.analogsignals) == len(es.analogsignals), f"{where}: number of signals differs"
        for j, (e, a) in enumerate(zip(es.analogsignals, as_.analogsignals)):
            _assert_signal(e, a, f"{where} analogsignal {j}", opts)


def assert_recordings_equal(a, b) -> None:
    """Two :class:`opsnn_opt.io.Recording` hold the same populations (in order), arrays and annotations."""
    assert list(a.populations) == list(b.populations)
    assert (a.t_start_ms, a.t_stop_ms) == (b.t_start_ms, b.t_stop_ms)
    assert a.annotations.keys() == b.annotations.keys()
    for name, pa in a.populations.items():
        pb = b.populations[name]
        for field in ("size", "v_dt_ms", "v_t_start_ms"):
            assert getattr(pa, field) == getattr(pb, field), (name, field)
        for field in ("times_ms", "index", "cell_ids", "v_mv", "v_index", "positions_mm"):
            x, y = getattr(pa, field), getattr(pb, field)
            assert (x is None) == (y is None), (name, field)
            if x is not None:
                np.testing.assert_array_equal(x, y, err_msg=f"{name}.{field}")
