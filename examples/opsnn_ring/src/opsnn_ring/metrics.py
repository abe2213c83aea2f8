"""A user metric: a plain function over opsnn_opt's flat spike arrays."""

from __future__ import annotations

import numpy as np

from opsnn_opt.analysis import SpikeData, metric

#: Inter-spike intervals shorter than this (ms) count as within a burst.
BURST_ISI_MS = 10.0


@metric(unit="", per_population=True)
def burst_index(data: SpikeData) -> float:
    """Fraction of inter-spike intervals shorter than 10 ms; nan without any interval."""
    times, senders = data.by_neuron()
    same_cell = senders[1:] == senders[:-1]
    isi_ms = np.diff(times)[same_cell]
    if isi_ms.size == 0:
        return float("nan")
    return float(np.mean(isi_ms < BURST_ISI_MS))
