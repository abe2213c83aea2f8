"""Rasters and measures of docs/network_states.md, from results files of real NEST runs.

Run each case once with ``opsnn run`` (the commands are in docs/network_states.md), then::

    python docs/network_states_validation.py RUNS_DIR

where ``RUNS_DIR/<case>/results.nix`` holds each case's results. Prints the table's rows
(markdown) and writes ``docs/img/state_<case>.png``: 200 excitatory and 50 inhibitory cells
over the last 300 ms (100 ms above 50 Hz; the ring from its start, for its kick), drawn
with :func:`opsnn_opt.plots.raster_figure`.
"""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from opsnn_opt.analysis import SpikeData, classify_state
from opsnn_opt.io import read_block, read_metadata, spike_data_from_block
from opsnn_opt.models import get_model
from opsnn_opt.plots import raster_figure, save_png

#: case -> (first ms analysed: Brunel's transient is dropped, as in tests/analysis/test_state_brunel.py).
TRANSIENT_MS = {"brunel_A": 100.0, "brunel_B": 100.0, "brunel_C": 100.0, "brunel_D": 100.0}
SHOWN = {"exc": 200, "inh": 50}
#: Cases drawn from their start (the ring's kick at 20 ms), not over their last ms.
FIRST = {"ring"}
#: The cases of the table, in its order.
CASES = [
    *(f"brunel_{k}" for k in "ABCD"),
    *(f"bal_{k}" for k in ("silent", "sparse", "one", "one2", "one2_2s", "default", "AR", "sr1", "sr9", "sr2")),
    "ring",
    "ring_bg1",
    "ring_bg2",
]


def _subset(data: SpikeData, t0: float, span_ms: float, first: bool) -> SpikeData:
    """The first cells of each population over the last (or ``first``) ``span_ms``, for a readable raster."""
    start = t0 if first else max(t0, data.t_stop_ms - span_ms)
    data = data.window(start, min(start + span_ms, data.t_stop_ms))
    parts, pops, offset = [], {}, 0
    for name, (start, stop) in data.populations.items():
        n = min(SHOWN.get(name, 50), stop - start)
        sel = (data.senders >= start) & (data.senders < start + n)
        parts.append((data.times_ms[sel], data.senders[sel] - start + offset))
        pops[name] = (offset, offset + n)
        offset += n
    times = np.concatenate([p[0] for p in parts])
    senders = np.concatenate([p[1] for p in parts]).astype(np.int64)
    return SpikeData(times, senders, pops, data.t_start_ms, data.t_stop_ms)


def _f(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}g}" if math.isfinite(x) else "nan"


def main(runs: Path, out: Path) -> None:
    for name in CASES:
        folder = runs / name
        block = read_block(folder / "results.nix")
        data = spike_data_from_block(block)
        tau_ref = block.annotations.get("refractory_ms")
        if tau_ref is None:  # a file written before the pipeline stored it: ask the model
            meta = read_metadata(folder / "results.nix")
            tau_ref = get_model(meta["model"]).refractory_ms(meta["params"])
        data = replace(data, refractory_ms=tau_ref)
        t0 = TRANSIENT_MS.get(folder.name, 0.0)
        state = classify_state(data.window(t0, data.t_stop_ms) if t0 else data)
        silent = float(np.mean(np.bincount(data.senders, minlength=data.n_neurons) == 0))
        pops = ", ".join(f"{p} {s.label}" for p, s in state.populations.items())
        print(
            f"| {folder.name} | {_f(state.rate_hz, 3)} | {100 * silent:.0f} % | {_f(state.cv_isi)} | "
            f"{100 * state.cv_fraction:.0f} % | {_f(state.chi)} | {_f(state.osc_peak_hz, 3)} | "
            f"{state.refractory_ms:g} | **{state}** | {pops} |"
        )
        span = 100.0 if state.rate_hz >= 50.0 else 300.0  # dense rasters: a shorter window
        title = f"{folder.name}: {state.label}" + (f" ({state.undetermined})" if state.undetermined else "")
        if state.label in ("SI", "SR"):
            title += f" ({state.osc_peak_hz:.0f} Hz)"
        fig = raster_figure(_subset(data, t0, span, folder.name in FIRST), title=title)
        fig.set_size_inches(6, 3)
        for dots in fig.axes[0].collections:  # bolder ticks than a results raster's, for a small PNG
            dots.set_sizes([12.0])
            dots.set_linewidths(0.8)
        save_png(fig, out / f"state_{folder.name}.png", dpi=72)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).parent / "img")
