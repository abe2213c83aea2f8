"""Spike-train irregularity."""

from __future__ import annotations

import numpy as np

__all__ = ["cv_isi"]


def cv_isi(times_ms: np.ndarray, senders: np.ndarray, n_neurons: int, min_spikes: int = 3) -> float:
    """Mean coefficient of variation of the inter-spike intervals.

    CV = std(ISI) / mean(ISI) per neuron (population standard deviation, as Elephant's ``cv``),
    averaged over neurons with at least ``min_spikes`` spikes. Poisson trains give about 1,
    regular trains 0.

    Returns ``nan`` when no neuron has ``min_spikes`` spikes.
    """
    if times_ms.size < min_spikes:
        return float("nan")
    order = np.lexsort((times_ms, senders))
    t, s = times_ms[order], senders[order]
    same = s[1:] == s[:-1]
    isi, owner = np.diff(t)[same], s[1:][same]
    n_isi = np.bincount(owner, minlength=n_neurons)
    total = np.bincount(owner, weights=isi, minlength=n_neurons)
    total_sq = np.bincount(owner, weights=isi * isi, minlength=n_neurons)
    ok = n_isi >= max(min_spikes - 1, 1)
    if not ok.any():
        return float("nan")
    mean = total[ok] / n_isi[ok]
    var = np.maximum(total_sq[ok] / n_isi[ok] - mean * mean, 0.0)
    valid = mean > 0
    return float(np.mean(np.sqrt(var[valid]) / mean[valid])) if valid.any() else float("nan")
