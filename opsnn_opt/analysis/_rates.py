"""Firing-rate metrics: the mean, the silent fraction, and the distribution over neurons.

All are independent of the number of neurons N (their sampling error shrinks as 1/√N).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "mean_rate_hz",
    "neuron_rates_hz",
    "rate_percentile_hz",
    "silent_fraction",
    "silent_fraction_of_counts",
    "spike_counts",
]


def spike_counts(senders: np.ndarray, n_neurons: int) -> np.ndarray:
    """Number of spikes of each neuron ``0 .. n_neurons-1``, shape ``(n_neurons,)``."""
    return np.bincount(senders, minlength=n_neurons)[:n_neurons]


def neuron_rates_hz(senders: np.ndarray, n_neurons: int, duration_ms: float) -> np.ndarray:
    """Firing rate of each neuron (Hz): its spike count over the window.

    Parameters
    ----------
    senders
        Neuron index of each spike, in ``[0, n_neurons)``.
    n_neurons
        Number of neurons, silent ones included.
    duration_ms
        Length of the observation window (ms).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_neurons,)``; all nan when ``duration_ms <= 0``.
    """
    if duration_ms <= 0:
        return np.full(max(n_neurons, 0), np.nan)
    return spike_counts(senders, n_neurons) * (1000.0 / duration_ms)


def mean_rate_hz(n_spikes: int, n_neurons: int, duration_ms: float) -> float:
    """Mean firing rate over neurons (Hz): ``1000 * n_spikes / (n_neurons * duration_ms)``.

    Returns ``nan`` when there are no neurons or the window is empty.
    """
    if n_neurons <= 0 or duration_ms <= 0:
        return float("nan")
    return 1000.0 * n_spikes / (n_neurons * duration_ms)


def silent_fraction(senders: np.ndarray, n_neurons: int) -> float:
    """Fraction of neurons that fired no spike; ``nan`` when there are no neurons."""
    return silent_fraction_of_counts(spike_counts(senders, n_neurons))


def silent_fraction_of_counts(counts: np.ndarray) -> float:
    """Fraction of zero spike counts (one count per neuron); ``nan`` when there are no neurons."""
    if counts.size == 0:
        return float("nan")
    return float(np.mean(counts == 0))


def rate_percentile_hz(senders: np.ndarray, n_neurons: int, duration_ms: float, q: float) -> float:
    """Percentile ``q`` of the firing rates of the neurons (Hz), silent neurons included.

    Parameters
    ----------
    senders
        Neuron index of each spike, in ``[0, n_neurons)``.
    n_neurons
        Number of neurons.
    duration_ms
        Length of the observation window (ms).
    q
        Percentile in [0, 100]; 100 is the maximum rate, 50 the median (linear interpolation,
        as :func:`numpy.percentile`).

    Returns
    -------
    float
        ``nan`` when there are no neurons or the window is empty.

    Raises
    ------
    ValueError
        If ``q`` is outside [0, 100].
    """
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"the percentile q must lie in [0, 100], but got q={q}")
    if n_neurons <= 0 or duration_ms <= 0:
        return float("nan")
    return float(np.percentile(neuron_rates_hz(senders, n_neurons, duration_ms), q))
