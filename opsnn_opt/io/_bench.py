"""Benchmark the results formats on a PyNN-like block, and build such a block without NEST."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import neo
import numpy as np
import quantities as pq

from opsnn_opt.io._api import FORMATS, read_block, write_block

__all__ = ["TARGETS", "bench_io", "synthetic_block"]

#: Performance targets of the compact "nix" format (see ``bench_io``).
TARGETS: dict[str, float] = {
    "write_nix_vs_pickle_max": 2.0,
    "write_speedup_vs_neo_nix_min": 500.0,
    "size_nix_vs_pickle_max": 1.5,
}
_EXC_FRACTION = 0.8


def synthetic_block(
    n_cells: int = 1000,
    simtime_ms: float = 1000.0,
    rate_hz: float = 26.0,
    n_v: int = 2,
    seed: int = 0,
) -> neo.Block:
    """A block shaped like PyNN's ``get_data()`` output, with Poisson spikes and noise for V_m.

    Parameters
    ----------
    n_cells
        Number of spike trains; the first 80 % are population ``"exc"``, the rest ``"inh"``.
    simtime_ms
        Duration of the segment (ms); trains run from 0 to ``simtime_ms``.
    rate_hz
        Mean firing rate of every cell (Hz).
    n_v
        Number of recorded membrane-potential channels (signal ``"v"``, mV, sampled every
        0.1 ms, of the first ``n_v`` exc cells); 0 for no signal.
    seed
        Seed of the ``numpy.random.default_rng`` that draws everything.

    Returns
    -------
    neo.Block
        One segment. Spike trains carry ``source_population``, ``source_id`` (1-based),
        ``source_index`` and ``channel_id``; the signal has array annotations
        ``channel_index`` and ``source_ids``.
    """
    rng = np.random.default_rng(seed)
    n_exc = int(round(_EXC_FRACTION * n_cells))
    counts = rng.poisson(rate_hz * simtime_ms / 1000.0, size=n_cells)
    owner = np.repeat(np.arange(n_cells), counts)
    times = rng.uniform(0.0, simtime_ms, size=owner.size).round(1)  # NEST's 0.1 ms grid
    order = np.lexsort((times, owner))
    per_train = np.split(times[order], np.cumsum(counts)[:-1])
    when = dt.datetime(2024, 1, 1, 12, 0, 0)
    block = neo.Block(name="synthetic", description="PyNN-like synthetic results", rec_datetime=when)
    seg = neo.Segment(name="segment000", rec_datetime=when)
    block.segments.append(seg)
    for i, spikes in enumerate(per_train):
        exc = i < n_exc
        seg.spiketrains.append(
            neo.SpikeTrain(
                spikes,
                t_stop=simtime_ms,
                units="ms",
                t_start=0.0,
                source_population="exc" if exc else "inh",
                source_id=i + 1,
                source_index=i if exc else i - n_exc,
                channel_id=i + 1,
            )
        )
    if n_v:
        n_samples = int(round(simtime_ms / 0.1))
        v = -65.0 + rng.normal(0.0, 2.0, size=(n_samples, n_v)).cumsum(axis=0) * 0.01
        seg.analogsignals.append(
            neo.AnalogSignal(
                v,
                units="mV",
                sampling_period=0.1 * pq.ms,
                t_start=0.0 * pq.ms,
                name="v",
                source_population="exc",
                array_annotations={"channel_index": np.arange(n_v), "source_ids": np.arange(1, n_v + 1)},
            )
        )
    block.check_relationships()
    return block


def _best(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bench_io(
    block: neo.Block,
    workdir: Path,
    repeats: int = 3,
    *,
    metadata: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Time writing and reading ``block`` in every format, and compare the file sizes.

    Each format is timed as best of ``repeats`` runs with ``time.perf_counter``, except
    "neo-nix", which is written and read once because it is slow (seconds per 1000 trains).

    Parameters
    ----------
    block
        The block to write, e.g. ``synthetic_block()``.
    workdir
        Directory for the files (created if missing); they are left there.
    repeats
        Number of timed runs per measurement (>= 1).
    metadata
        Optional run metadata written with the block.

    Returns
    -------
    dict
        JSON-serialisable: ``n_spiketrains``, ``n_spikes``, ``write_s``/``read_s``
        (seconds per format), ``size_bytes``, ``ratios`` (nix vs pickle and neo-nix),
        ``targets`` (:data:`TARGETS`) and ``targets_met`` (bool per target).
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, but got {repeats}")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    suffix = {"nix": "nix", "neo-nix": "neo.nix", "pickle": "pkl"}
    paths = {fmt: workdir / f"bench.{suffix[fmt]}" for fmt in FORMATS}
    write_s: dict[str, float] = {}
    read_s: dict[str, float] = {}
    for fmt in FORMATS:
        runs = 1 if fmt == "neo-nix" else repeats
        write_s[fmt] = _best(lambda f=fmt: write_block(block, paths[f], format=f, metadata=metadata), runs)
        read_s[fmt] = _best(lambda f=fmt: read_block(paths[f], allow_pickle=True), runs)
    size = {fmt: paths[fmt].stat().st_size for fmt in FORMATS}
    ratios = {
        "write_nix_vs_pickle": write_s["nix"] / write_s["pickle"],
        "write_neo_nix_vs_nix": write_s["neo-nix"] / write_s["nix"],
        "size_nix_vs_pickle": size["nix"] / size["pickle"],
        "read_nix_vs_pickle": read_s["nix"] / read_s["pickle"],
    }
    met = {
        "write_nix_vs_pickle_max": ratios["write_nix_vs_pickle"] <= TARGETS["write_nix_vs_pickle_max"],
        "write_speedup_vs_neo_nix_min": ratios["write_neo_nix_vs_nix"] >= TARGETS["write_speedup_vs_neo_nix_min"],
        "size_nix_vs_pickle_max": ratios["size_nix_vs_pickle"] <= TARGETS["size_nix_vs_pickle_max"],
    }
    return {
        "n_spiketrains": sum(len(seg.spiketrains) for seg in block.segments),
        "n_spikes": int(sum(st.size for seg in block.segments for st in seg.spiketrains)),
        "write_s": write_s,
        "read_s": read_s,
        "size_bytes": size,
        "ratios": ratios,
        "targets": dict(TARGETS),
        "targets_met": met,
    }
