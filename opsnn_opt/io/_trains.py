"""Flatten the spike trains of one segment into a few arrays per population, and back.

This is the boundary between neo objects and flat numpy arrays: times are converted to ms
once here. Per-train integer and float annotations that every train of a population has
become columns of two tables; anything irregular (names, strings, arrays, keys that only
some trains have) goes to small per-train JSON records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import neo
import numpy as np
import quantities as pq

from opsnn_opt.errors import ResultsFileError

__all__ = ["PopulationTrains", "pack_trains", "unpack_trains"]

#: Annotation that names a spike train's population (set by PyNN).
POPULATION_KEY = "source_population"
#: Int annotations that give a spike train's neuron id, by preference; the first one that
#: every train of a population has becomes the sender id of its spikes (PyNN 0.13 sets
#: only ``channel_id``, the simulator's cell id). Without any, a train's position in its
#: segment is used.
SENDER_KEYS = ("source_id", "channel_id")
#: Fixed leading columns of the tables; annotation columns follow.
INT_BASE_COLUMNS = ("count", "order")
FLOAT_BASE_COLUMNS = ("t_start_ms", "t_stop_ms")
#: Per-train attributes other than annotations that are kept in the JSON records.
_TRAIN_ATTRS = ("name", "description", "file_origin")
_MS_FACTORS: dict[tuple[Any, ...], tuple[float, list[Any]]] = {}
_MISSING = object()


def to_ms_factor(quantity: pq.Quantity) -> float:
    """Factor that converts the magnitude of ``quantity`` to ms (cached per unit).

    This runs three times per spike train, so the cache key avoids the public
    ``dimensionality`` (a copy, then Python-level hashing of unit objects): it is the ids of
    the unit objects and their powers. The cache keeps those units alive, so ids stay unique.
    """
    dim = getattr(quantity, "_dimensionality", None)
    if dim is None:  # not a quantities.Quantity as we know it: no caching
        return float(pq.Quantity(1.0, quantity.dimensionality).rescale(pq.ms).magnitude)
    key = (*map(id, dim), *dim.values())
    hit = _MS_FACTORS.get(key)
    if hit is None:
        factor = float(pq.Quantity(1.0, quantity.dimensionality).rescale(pq.ms).magnitude)
        hit = _MS_FACTORS[key] = (factor, list(dim))
    return hit[0]


@dataclass
class PopulationTrains:
    """The spike trains of one population in one segment, as flat arrays.

    Attributes
    ----------
    label
        Population name (the ``source_population`` annotation), or None for the trains
        that have no str ``source_population``.
    spike_times_ms
        float64 (n_spikes,), all spike times in ms, train after train.
    senders
        int64 (n_spikes,), the id of each spike's train (see :data:`SENDER_KEYS`).
    sender_key
        Which annotation ``senders`` comes from, or ``"order"`` for the train positions.
    int_table
        int64 (n_trains, len(int_columns)): spike count, position in the segment's
        ``spiketrains`` list, then int annotations.
    int_columns
        Column names of ``int_table``.
    float_table
        float64 (n_trains, len(float_columns)): t_start and t_stop in ms, then float
        annotations.
    float_columns
        Column names of ``float_table``.
    records
        Per-train JSON-able data that fits no column: ``{"name": [...], ...}``; a key is
        present only if some train has a non-default value for it.
    """

    label: str | None
    spike_times_ms: np.ndarray
    senders: np.ndarray
    sender_key: str
    int_table: np.ndarray
    int_columns: list[str]
    float_table: np.ndarray
    float_columns: list[str]
    records: dict[str, list[Any]] = field(default_factory=dict)


def _int_column(column: list[Any]) -> np.ndarray | None:
    types = set(map(type, column))
    if not all(issubclass(t, (int, np.integer)) and not issubclass(t, (bool, np.bool_)) for t in types):
        return None
    try:
        return np.array(column, dtype=np.int64)
    except OverflowError:
        return None


def _float_column(column: list[Any]) -> np.ndarray | None:
    types = set(map(type, column))
    # float64 is exact for these; np.longdouble would be silently rounded, so it is not a column.
    if not all(issubclass(t, float) or t in (np.float32, np.float16) for t in types):
        return None
    return np.array(column, dtype=np.float64)


def _split_annotations(
    trains: list[neo.SpikeTrain], labelled: bool
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], list[dict[str, Any]] | None]:
    """Annotation columns (int, float) that all trains have, and the per-train remainder.

    The remainder is None when every annotation fits a column (the PyNN case).
    """
    keys: dict[str, None] = {}
    for st in trains:
        keys.update(dict.fromkeys(st.annotations))
    if labelled:
        keys.pop(POPULATION_KEY, None)
    int_cols: dict[str, np.ndarray] = {}
    float_cols: dict[str, np.ndarray] = {}
    rest: list[dict[str, Any]] | None = None
    for key in keys:
        column = [st.annotations.get(key, _MISSING) for st in trains]
        ints = _int_column(column)
        if ints is not None:
            int_cols[key] = ints
            continue
        floats = _float_column(column)
        if floats is not None:
            float_cols[key] = floats
            continue
        if rest is None:
            rest = [{} for _ in trains]
        for record, value in zip(rest, column):
            if value is not _MISSING:
                record[key] = value
    return int_cols, float_cols, rest


def _pack_population(label: str | None, trains: list[neo.SpikeTrain], order: list[int]) -> PopulationTrains:
    n = len(trains)
    counts = np.fromiter((st.size for st in trains), dtype=np.int64, count=n)
    factors = np.array([to_ms_factor(st) for st in trains], dtype=np.float64)
    parts = [st.magnitude for st in trains]
    times = np.concatenate(parts).astype(np.float64) if n else np.empty(0)
    if np.any(factors != 1.0):
        times *= np.repeat(factors, counts)
    bounds = np.empty((n, 2), dtype=np.float64)
    bounds[:, 0] = [float(st.t_start) * to_ms_factor(st.t_start) for st in trains]
    bounds[:, 1] = [float(st.t_stop) * to_ms_factor(st.t_stop) for st in trains]
    int_cols, float_cols, rest = _split_annotations(trains, labelled=label is not None)
    sender_key = next((key for key in SENDER_KEYS if key in int_cols), "order")
    sender_ids = np.asarray(int_cols.get(sender_key, order), dtype=np.int64)
    int_table = np.empty((n, 2 + len(int_cols)), dtype=np.int64)
    int_table[:, 0] = counts
    int_table[:, 1] = order
    for j, column in enumerate(int_cols.values()):
        int_table[:, 2 + j] = column
    float_table = np.empty((n, 2 + len(float_cols)), dtype=np.float64)
    float_table[:, :2] = bounds
    for j, column in enumerate(float_cols.values()):
        float_table[:, 2 + j] = column
    records: dict[str, list[Any]] = {}
    for attr in _TRAIN_ATTRS:
        column = [getattr(st, attr) for st in trains]
        if any(v is not None for v in column):
            records[attr] = column
    if rest is not None:
        records["annotations"] = rest
    if any(st.array_annotations for st in trains):
        records["array_annotations"] = [dict(st.array_annotations) for st in trains]
    return PopulationTrains(
        label=label,
        spike_times_ms=times,
        senders=np.repeat(sender_ids, counts),
        sender_key=sender_key,
        int_table=int_table,
        int_columns=[*INT_BASE_COLUMNS, *int_cols],
        float_table=float_table,
        float_columns=[*FLOAT_BASE_COLUMNS, *float_cols],
        records=records,
    )


def pack_trains(spiketrains: list[neo.SpikeTrain], where: str) -> list[PopulationTrains]:
    """Group a segment's spike trains by population and flatten each group.

    Parameters
    ----------
    spiketrains
        The segment's spike trains, in order.
    where
        Name of the segment for error messages.

    Returns
    -------
    list of PopulationTrains
        One per population, in order of first appearance.

    Raises
    ------
    ResultsFileError
        If a train has waveforms, which the compact layout does not store.
    """
    groups: dict[str | None, tuple[list[neo.SpikeTrain], list[int]]] = {}
    for i, st in enumerate(spiketrains):
        if st.waveforms is not None and np.size(st.waveforms):
            raise ResultsFileError(
                f"spike train {i} of {where} has waveforms, which the compact 'nix' format does "
                "not store; use format='neo-nix' or 'pickle'"
            )
        label = st.annotations.get(POPULATION_KEY)
        trains, order = groups.setdefault(label if isinstance(label, str) else None, ([], []))
        trains.append(st)
        order.append(i)
    return [_pack_population(label, trains, order) for label, (trains, order) in groups.items()]


def unpack_trains(pops: list[PopulationTrains]) -> list[neo.SpikeTrain]:
    """Rebuild a segment's spike trains (in ms, original order) from :func:`pack_trains` output."""
    placed: list[tuple[int, neo.SpikeTrain]] = []
    for pop in pops:
        counts = pop.int_table[:, 0]
        n = counts.shape[0]
        pieces = np.split(pop.spike_times_ms, np.cumsum(counts)[:-1]) if n else []
        ints = {c: pop.int_table[:, j].tolist() for j, c in enumerate(pop.int_columns[2:], 2)}
        floats = {c: pop.float_table[:, j].tolist() for j, c in enumerate(pop.float_columns[2:], 2)}
        # Quantity scalars already in ms take neo's fast path (no unit parsing per train).
        t_start = pq.Quantity(pop.float_table[:, 0], pq.ms)
        t_stop = pq.Quantity(pop.float_table[:, 1], pq.ms)
        order = pop.int_table[:, 1].tolist()
        attrs = {a: pop.records.get(a, [None] * n) for a in _TRAIN_ATTRS}
        rest = pop.records.get("annotations")
        arr_ann = pop.records.get("array_annotations")
        for i in range(n):
            annotations = {key: column[i] for key, column in ints.items()}
            annotations.update((key, column[i]) for key, column in floats.items())
            if rest is not None:
                annotations.update(rest[i])
            if pop.label is not None:
                annotations[POPULATION_KEY] = pop.label
            st = neo.SpikeTrain(
                pieces[i],
                t_stop=t_stop[i],
                units=pq.ms,
                t_start=t_start[i],
                name=attrs["name"][i],
                description=attrs["description"][i],
                file_origin=attrs["file_origin"][i],
                array_annotations=arr_ann[i] if arr_ann is not None else None,
            )
            # Not passed as **kwargs: keys such as "name" would clash with constructor
            # arguments, and the values were validated when the block was built.
            st.annotations.update(annotations)
            placed.append((order[i], st))
    placed.sort(key=lambda item: item[0])
    return [st for _, st in placed]
