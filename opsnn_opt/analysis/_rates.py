"""Firing-rate metrics."""

from __future__ import annotations

import numpy as np

__all__ = ["mean_rate_hz", "silent_fraction", "spike_counts"]


def spike_counts(senders: np.ndarray, n_neurons: int) -> np.ndarray:
    """Number of spikes of each neuron ``0 .. n_neurons-1``."""
    return np.bincount(senders, minlength=n_neurons)[:n_neurons]


def mean_rate_hz(n_spikes: int, n_neurons: int, duration_ms: float) -> float:
    """Mean firing rate over neurons (Hz).

    Returns ``nan`` when there are no neurons or the window is empty.
    """
    if n_neurons <= 0 or duration_ms <= 0:
        return float("nan")
    return 1000.0 * n_spikes / (n_neurons * duration_ms)


def silent_fraction(senders: np.ndarray, n_neurons: int) -> float:
    """Fraction of neurons that fired no spike; ``nan`` when there are no neurons."""
    if n_neurons <= 0:
        return float("nan")
    return float(np.mean(spike_counts(senders, n_neurons) == 0))
