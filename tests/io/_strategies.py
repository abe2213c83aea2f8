"""Hypothesis strategies for neo Blocks shaped like PyNN output, plus the odd corners.

``rich=True`` adds values that only the compact NIX and pickle formats keep exactly (None
and array annotations, tuples, datetimes, float32 signals); neo's NixIO gets ``rich=False``.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

import neo
import numpy as np
import quantities as pq
from hypothesis import strategies as st

__all__ = ["blocks", "json_like"]

_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " _-.", max_size=8)
# A prefix keeps generated keys clear of the ones neo and PyNN give a meaning to.
_KEYS = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=6).map(lambda k: f"a_{k}")
_FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)
_SCALARS = st.one_of(st.booleans(), st.integers(-(2**40), 2**40), _FLOATS, _TEXT)
_RICH_VALUES = st.one_of(
    _SCALARS,
    st.none(),
    st.lists(st.integers(-5, 5), max_size=3).map(lambda v: np.array(v, dtype=np.int64)),
    st.tuples(st.integers(), _TEXT),
    st.dictionaries(_KEYS, _SCALARS, max_size=2),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.floats(-1e3, 1e3).map(lambda x: x * pq.mV),
)
_POPULATIONS = st.sampled_from(["exc", "inh", "pop/1", "unlabelled", "pop0", None])


def json_like(max_leaves: int = 20) -> st.SearchStrategy[dict[str, Any]]:
    """JSON-like metadata: nested dicts of str/int/float/bool/None and lists of those."""
    leaves = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), _FLOATS, _TEXT)
    values = st.recursive(
        leaves,
        lambda children: st.lists(children, max_size=3) | st.dictionaries(_TEXT, children, max_size=3),
        max_leaves=max_leaves,
    )
    return st.dictionaries(_TEXT, values, max_size=5)


def _annotations(draw: st.DrawFn, rich: bool, max_size: int = 2) -> dict[str, Any]:
    return draw(st.dictionaries(_KEYS, _RICH_VALUES if rich else _SCALARS, max_size=max_size))


@st.composite
def _spiketrain(draw: st.DrawFn, rich: bool, index: int) -> neo.SpikeTrain:
    unit = draw(st.sampled_from(["ms", "s"]))
    t_start = draw(st.floats(0.0, 100.0))
    t_stop = t_start + draw(st.floats(0.5, 100.0))
    n = draw(st.integers(0, 6))
    times = sorted(draw(st.lists(st.floats(t_start, t_stop), min_size=n, max_size=n)))
    annotations = _annotations(draw, rich)
    population = draw(_POPULATIONS)
    if population is not None:
        annotations["source_population"] = population
    if draw(st.booleans()):
        annotations["source_id"] = draw(st.integers(0, 10**6))
    if draw(st.booleans()):
        annotations["source_index"] = index
    if draw(st.booleans()):
        annotations["channel_id"] = draw(st.integers(0, 10**6))
    return neo.SpikeTrain(
        np.array(times, dtype=np.float64),
        t_stop=t_stop,
        units=unit,
        t_start=t_start,
        name=draw(st.none() | _TEXT) if rich else draw(_TEXT),
        **annotations,
    )


@st.composite
def _signal(draw: st.DrawFn, rich: bool) -> neo.AnalogSignal:
    n_samples = draw(st.integers(1, 12))
    n_channels = draw(st.integers(1, 3))
    dtype = draw(st.sampled_from([np.float64, np.float32])) if rich else np.float64
    values = draw(
        st.lists(st.floats(-100.0, 100.0, width=32), min_size=n_samples * n_channels, max_size=n_samples * n_channels)
    )
    data = np.array(values, dtype=dtype).reshape(n_samples, n_channels)
    timing: dict[str, Any] = draw(
        st.sampled_from(
            [
                {"sampling_period": 0.1 * pq.ms},
                {"sampling_period": 1.0 * pq.ms},
                {"sampling_rate": 40.0 * pq.kHz},
                {"sampling_rate": 1000.0 * pq.Hz},
            ]
        )
    )
    array_annotations = {"channel_index": np.arange(n_channels)} if draw(st.booleans()) else None
    return neo.AnalogSignal(
        data,
        units=draw(st.sampled_from(["mV", "nA", "uS"])),
        t_start=draw(st.floats(0.0, 100.0)) * pq.ms,
        name=draw(st.none() | _TEXT) if rich else draw(_TEXT),
        array_annotations=array_annotations,
        **timing,
        **_annotations(draw, rich),
    )


@st.composite
def blocks(draw: st.DrawFn, rich: bool = True) -> neo.Block:
    """A Block with 1-3 segments of 0-8 spike trains and 0-2 analog signals each."""
    when = dt.datetime(2024, 5, 17, 10, 30, 15, 123456) if rich else None
    block = neo.Block(
        name=draw(st.none() | _TEXT) if rich else draw(_TEXT),
        description=draw(st.none() | _TEXT) if rich else draw(_TEXT),
        rec_datetime=when,
        **_annotations(draw, rich, max_size=3),
    )
    for _ in range(draw(st.integers(1, 3))):
        seg = neo.Segment(
            name=draw(st.none() | _TEXT) if rich else draw(_TEXT), rec_datetime=when, **_annotations(draw, rich)
        )
        n_trains = draw(st.integers(0, 8))
        seg.spiketrains.extend([draw(_spiketrain(rich, i)) for i in range(n_trains)])
        seg.analogsignals.extend([draw(_signal(rich)) for _ in range(draw(st.integers(0, 2)))])
        block.segments.append(seg)
    if draw(st.booleans()):
        sizes = draw(st.dictionaries(st.sampled_from(["exc", "inh", "pop/1"]), st.integers(0, 4), max_size=2))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        block.annotations["positions_mm"] = {pop: rng.uniform(-1.0, 1.0, size=(n, 3)) for pop, n in sizes.items()}
    block.check_relationships()
    return block
