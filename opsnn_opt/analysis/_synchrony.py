"""Population synchrony from binned spike counts."""

from __future__ import annotations

import numpy as np

__all__ = ["binned_counts", "golomb_chi", "population_fano"]


def binned_counts(times_ms: np.ndarray, senders: np.ndarray, n_neurons: int,
                  t_start_ms: float, t_stop_ms: float, bin_ms: float) -> np.ndarray:
    """Spike counts, shape ``(n_neurons, n_bins)``; a last partial bin is dropped."""
    n_bins = int((t_stop_ms - t_start_ms) // bin_ms)
    if n_bins <= 0 or n_neurons <= 0:
        return np.zeros((max(n_neurons, 0), 0))
    b = ((times_ms - t_start_ms) // bin_ms).astype(np.int64)
    keep = (b >= 0) & (b < n_bins)
    flat = np.bincount(senders[keep] * n_bins + b[keep], minlength=n_neurons * n_bins)
    return flat.reshape(n_neurons, n_bins)


def golomb_chi(times_ms: np.ndarray, senders: np.ndarray, n_neurons: int,
               t_start_ms: float, t_stop_ms: float, bin_ms: float = 5.0) -> float:
    """Golomb's synchrony measure χ from binned spike counts.

    χ² = Var_t(mean_i c_i(t)) / mean_i Var_t(c_i(t)), with ``c_i`` neuron i's counts in bins of
    ``bin_ms``. χ is 1 for identical trains and about 1/√N for N independent ones, so compare
    values only at equal N (Golomb 2007, Scholarpedia 2:1347).

    Returns ``nan`` when fewer than two neurons fire or there are fewer than two bins.
    """
    counts = binned_counts(times_ms, senders, n_neurons, t_start_ms, t_stop_ms, bin_ms)
    if counts.shape[1] < 2 or np.count_nonzero(counts.sum(axis=1)) < 2:
        return float("nan")
    individual = counts.var(axis=1).mean()
    return float(np.sqrt(counts.mean(axis=0).var() / individual)) if individual > 0 else float("nan")


def population_fano(times_ms: np.ndarray, t_start_ms: float, t_stop_ms: float, bin_ms: float = 5.0) -> float:
    """Fano factor (variance / mean) of the population spike count in bins of ``bin_ms``.

    About 1 for independent Poisson neurons, whatever N; it grows with N for correlated activity.
    Returns ``nan`` with fewer than two bins or no spikes.
    """
    n_bins = int((t_stop_ms - t_start_ms) // bin_ms)
    if n_bins < 2:
        return float("nan")
    b = ((times_ms - t_start_ms) // bin_ms).astype(np.int64)
    counts = np.bincount(b[(b >= 0) & (b < n_bins)], minlength=n_bins)
    mean = counts.mean()
    return float(counts.var() / mean) if mean > 0 else float("nan")
