"""Population synchrony: Golomb's χ (spikes and V_m), population Fano factor, pairwise correlation.

How each measure scales with the number of neurons N, for independent (asynchronous) neurons:

========================  ====================  =========================================
measure                   independent neurons   correlated neurons (mean correlation ρ)
========================  ====================  =========================================
``golomb_chi``            ≈ 1/√N                χ² ≈ 1/N + ρ: tends to √ρ for large N
``population_fano``       ≈ 1 for any N         ≈ 1 + (N - 1) ρ: grows with N
``spike_count_correlation``  ≈ 0 for any N      ≈ ρ for any N (error ∝ 1/√n_pairs)
``golomb_chi_vm``         ≈ 1/√N_v              as ``golomb_chi``, N_v = recorded cells
========================  ====================  =========================================

So compare χ and the Fano factor only between networks of equal size; the correlation does
not need that. All measures depend on the bin width, which is an explicit parameter.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "binned_counts",
    "golomb_chi",
    "golomb_chi_vm",
    "pair_correlations",
    "population_fano",
    "spike_count_correlation",
]

#: Above this many (neuron, bin) cells, counts are summed sparsely (by sorting) instead of densely.
_DENSE_CELLS_MAX = 20_000_000
_EDGE_TOL = 1e-9


def _bin_index(times_ms: np.ndarray, t_start_ms: float, t_stop_ms: float, bin_ms: float) -> tuple[np.ndarray, int]:
    """Bin of each spike (-1 outside the window) and the number of whole bins.

    A time within 1e-9 bins below an edge counts in the later bin, as in Elephant's
    ``BinnedSpikeTrain``: times on a grid (0.1 ms steps) are not exact in floating point.
    """
    if not bin_ms > 0:
        raise ValueError(f"bin_ms must be > 0, but got bin_ms={bin_ms}")
    n_bins = int((t_stop_ms - t_start_ms) / bin_ms + _EDGE_TOL)
    b = np.floor((times_ms - t_start_ms) / bin_ms + _EDGE_TOL).astype(np.int64)
    b[(b < 0) | (b >= n_bins)] = -1
    return b, max(n_bins, 0)


def binned_counts(
    times_ms: np.ndarray, senders: np.ndarray, n_neurons: int, t_start_ms: float, t_stop_ms: float, bin_ms: float
) -> np.ndarray:
    """Spike counts, shape ``(n_neurons, n_bins)``; a last partial bin is dropped.

    Bin k covers ``[t_start_ms + k bin_ms, t_start_ms + (k + 1) bin_ms)``.
    """
    b, n_bins = _bin_index(times_ms, t_start_ms, t_stop_ms, bin_ms)
    if n_bins <= 0 or n_neurons <= 0:
        return np.zeros((max(n_neurons, 0), 0), dtype=np.int64)
    keep = b >= 0
    flat = np.bincount(senders[keep] * n_bins + b[keep], minlength=n_neurons * n_bins)
    return flat.reshape(n_neurons, n_bins)


def _sum_sq_counts(senders: np.ndarray, b: np.ndarray, n_neurons: int, n_bins: int) -> np.ndarray:
    """Σ_t c_i(t)² per neuron, without a dense (n_neurons, n_bins) array when that is large."""
    keep = b >= 0
    flat = senders[keep] * n_bins + b[keep]
    if n_neurons * n_bins <= _DENSE_CELLS_MAX:
        cells = np.bincount(flat, minlength=n_neurons * n_bins).reshape(n_neurons, n_bins)
        return np.einsum("ij,ij->i", cells, cells).astype(np.float64)
    cell, count = np.unique(flat, return_counts=True)
    return np.bincount(cell // n_bins, weights=count.astype(np.float64) ** 2, minlength=n_neurons)


def golomb_chi(
    times_ms: np.ndarray, senders: np.ndarray, n_neurons: int, t_start_ms: float, t_stop_ms: float, bin_ms: float = 5.0
) -> float:
    """Golomb's synchrony measure χ from binned spike counts.

    χ² = Var_t(mean_i c_i(t)) / mean_i Var_t(c_i(t)), with ``c_i`` neuron i's counts in bins of
    ``bin_ms``, the mean over all ``n_neurons`` neurons. χ is 1 for identical trains and about
    1/√N for N independent ones, so compare values only at equal N (Golomb 2007, Scholarpedia
    2:1347). Costs O(n_spikes): no dense count matrix for large networks.

    Returns ``nan`` when fewer than two neurons fire or there are fewer than two bins.
    """
    b, n_bins = _bin_index(times_ms, t_start_ms, t_stop_ms, bin_ms)
    if n_bins < 2 or n_neurons <= 0:
        return float("nan")
    keep = b >= 0
    per_neuron = np.bincount(senders[keep], minlength=n_neurons).astype(np.float64)
    if np.count_nonzero(per_neuron) < 2:
        return float("nan")
    mean_i = per_neuron / n_bins
    individual = float(np.mean(_sum_sq_counts(senders, b, n_neurons, n_bins) / n_bins - mean_i**2))
    pop = np.bincount(b[keep], minlength=n_bins) / n_neurons
    return float(np.sqrt(pop.var() / individual)) if individual > 0 else float("nan")


def golomb_chi_vm(v_mv: np.ndarray) -> float:
    """Golomb's χ from membrane potentials: χ² = Var_t(mean_i V_i(t)) / mean_i Var_t(V_i(t)).

    Parameters
    ----------
    v_mv
        Membrane potentials (mV), shape ``(n_samples, n_cells)``.

    Returns
    -------
    float
        1 for identical traces, about 1/√N_v for N_v independent ones (so it depends on how
        many cells were recorded: 2 by default, where independent cells already give ≈ 0.7).
        ``nan`` with fewer than two cells or samples, or constant traces.
    """
    if v_mv.ndim != 2 or v_mv.shape[0] < 2 or v_mv.shape[1] < 2:
        return float("nan")
    individual = float(v_mv.var(axis=0).mean())
    return float(np.sqrt(v_mv.mean(axis=1).var() / individual)) if individual > 0 else float("nan")


def population_fano(times_ms: np.ndarray, t_start_ms: float, t_stop_ms: float, bin_ms: float = 5.0) -> float:
    """Fano factor (variance / mean) of the population spike count in bins of ``bin_ms``.

    About 1 for independent Poisson neurons, whatever N; it grows with N for correlated activity.
    Equals ``elephant.statistics.fanofactor`` of the population's spikes cut into windows of
    ``bin_ms``. Returns ``nan`` with fewer than two bins or no spikes.
    """
    b, n_bins = _bin_index(times_ms, t_start_ms, t_stop_ms, bin_ms)
    if n_bins < 2:
        return float("nan")
    counts = np.bincount(b[b >= 0], minlength=n_bins)
    mean = counts.mean()
    return float(counts.var() / mean) if mean > 0 else float("nan")


def pair_correlations(
    times_ms: np.ndarray,
    senders: np.ndarray,
    n_neurons: int,
    t_start_ms: float,
    t_stop_ms: float,
    bin_ms: float,
    n_pairs: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pearson correlation of the binned spike counts of a random sample of neuron pairs.

    Parameters
    ----------
    times_ms, senders, n_neurons
        The spikes (ms) and neuron indices in ``[0, n_neurons)``.
    t_start_ms, t_stop_ms, bin_ms
        Window and bin width (ms); a last partial bin is dropped.
    n_pairs
        Number of pairs; when there are at most that many distinct pairs, every pair is used
        once (exact), else pairs are drawn uniformly with replacement.
    seed
        Seed of the ``numpy.random.default_rng`` that draws the pairs.

    Returns
    -------
    (i, j, r)
        Neuron indices (i ≠ j) and correlation coefficients, as in
        ``elephant.spike_train_correlation.correlation_coefficient``. Pairs are drawn only among
        neurons whose counts vary (silent neurons have no defined correlation); empty arrays
        when fewer than two such neurons or two bins.
    """
    empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0))
    b, n_bins = _bin_index(times_ms, t_start_ms, t_stop_ms, bin_ms)
    if n_bins < 2 or n_neurons < 2 or n_pairs < 1:
        return empty
    keep = b >= 0
    n_in = np.bincount(senders[keep], minlength=n_neurons)
    active = _varying(senders[keep], b[keep], np.flatnonzero(n_in > 0), n_in, n_bins)
    m = active.size
    if m < 2:
        return empty
    if m * (m - 1) // 2 <= n_pairs:
        a, c = np.triu_indices(m, k=1)
    else:
        rng = np.random.default_rng(seed)
        a = rng.integers(0, m, n_pairs)
        c = rng.integers(0, m - 1, n_pairs)
        c += c >= a
    used = np.unique(np.concatenate([a, c]))
    row = np.full(n_neurons, -1, dtype=np.int64)
    row[active[used]] = np.arange(used.size)
    sel = keep & (row[senders] >= 0)
    x = np.bincount(row[senders[sel]] * n_bins + b[sel], minlength=used.size * n_bins)
    x = x.reshape(used.size, n_bins).astype(np.float64)
    x -= x.mean(axis=1, keepdims=True)
    norm = np.sqrt(np.einsum("ij,ij->i", x, x))
    ra, rc = np.searchsorted(used, a), np.searchsorted(used, c)
    r = np.empty(a.size)
    for k in range(0, a.size, 256):  # chunks bound the (pairs, bins) temporary
        s = slice(k, k + 256)
        r[s] = np.einsum("ij,ij->i", x[ra[s]], x[rc[s]]) / (norm[ra[s]] * norm[rc[s]])
    return active[a], active[c], r


def _varying(senders: np.ndarray, b: np.ndarray, candidates: np.ndarray, n_in: np.ndarray, n_bins: int) -> np.ndarray:
    """The candidates whose binned counts are not the same in every bin (their variance is > 0)."""
    # Only a neuron with a multiple of n_bins spikes can have a constant count; check those exactly.
    fixed = candidates[n_in[candidates] % n_bins == 0]
    if fixed.size == 0:
        return candidates
    lookup = np.full(n_in.size, -1, dtype=np.int64)
    lookup[fixed] = np.arange(fixed.size)
    sel = lookup[senders] >= 0
    cells = np.bincount(lookup[senders[sel]] * n_bins + b[sel], minlength=fixed.size * n_bins)
    cells = cells.reshape(fixed.size, n_bins)
    return np.setdiff1d(candidates, fixed[(cells == cells[:, :1]).all(axis=1)])


def spike_count_correlation(
    times_ms: np.ndarray,
    senders: np.ndarray,
    n_neurons: int,
    t_start_ms: float,
    t_stop_ms: float,
    bin_ms: float = 5.0,
    n_pairs: int = 200,
    seed: int = 0,
) -> float:
    """Mean pairwise Pearson correlation of binned spike counts over a seeded sample of pairs.

    About 0 for independent neurons whatever N (sampling error ∝ 1/√(n_pairs · n_bins));
    positive for synchronous activity. See :func:`pair_correlations` for the parameters.
    Returns ``nan`` when fewer than two neurons have varying counts.
    """
    r = pair_correlations(times_ms, senders, n_neurons, t_start_ms, t_stop_ms, bin_ms, n_pairs, seed)[2]
    return float(r.mean()) if r.size else float("nan")
