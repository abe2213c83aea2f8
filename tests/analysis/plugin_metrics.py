"""User metrics for the tests: plain functions over SpikeData, as a user would write them."""

from __future__ import annotations

from opsnn_opt.analysis import SpikeData, metric


@metric(unit="")
def n_spikes(data: SpikeData) -> float:
    """Number of spikes."""
    return float(data.times_ms.size)


@metric(unit="ms", per_population=False)
def last_spike_ms(data: SpikeData) -> float:
    """Time of the network's last spike; nan without spikes."""
    return float(data.times_ms.max()) if data.times_ms.size else float("nan")


def rate_hz(data: SpikeData) -> float:
    """Clashes with the built-in rate_hz."""
    return 0.0


def explodes(data: SpikeData) -> float:
    """Always raises."""
    return 1.0 / 0.0


def words(data: SpikeData) -> str:
    """Returns no number."""
    return "many"
