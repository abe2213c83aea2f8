"""Evoked travelling waves: first-spike latency against distance, and the spread of activity.

Both measure activity that starts at a stimulus (centre ``center_mm``, onset ``onset_ms``) and
travels outwards over a sheet of neurons with positions in mm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from opsnn_opt.analysis._irregularity import sorted_by_neuron

__all__ = ["LatencyFit", "SpreadFit", "activity_spread", "first_spike_latency_ms", "latency_fit"]

#: Theil–Sen costs O(n²) slopes; above this many neurons a seeded subsample is fitted.
MAX_FIT_POINTS = 500


def first_spike_latency_ms(
    times_ms: np.ndarray, senders: np.ndarray, n_neurons: int, onset_ms: float, window_ms: float = np.inf
) -> np.ndarray:
    """Latency (ms) of each neuron's first spike in ``[onset_ms, onset_ms + window_ms)``.

    Returns an array of shape ``(n_neurons,)``, nan for neurons without such a spike.
    """
    lat = np.full(max(n_neurons, 0), np.nan)
    keep = (times_ms >= onset_ms) & (times_ms < onset_ms + window_ms)
    t, s = sorted_by_neuron(times_ms[keep], senders[keep])
    if t.size:
        first = np.concatenate([[True], s[1:] != s[:-1]])
        lat[s[first]] = t[first] - onset_ms
    return lat


@dataclass(frozen=True)
class LatencyFit:
    """Theil–Sen line ``latency_ms = intercept_ms + slope_ms_per_mm × distance_mm``.

    Attributes
    ----------
    speed_mm_per_ms
        1 / slope; nan unless the slope is > 0 (activity reaching far neurons later).
    r2
        Coefficient of determination of the line on the fitted points, 1 - SS_res / SS_tot.
    slope_ms_per_mm, intercept_ms
        The robust (Theil–Sen) line.
    n_points
        Neurons fitted.
    """

    speed_mm_per_ms: float
    r2: float
    slope_ms_per_mm: float
    intercept_ms: float
    n_points: int


def latency_fit(
    distance_mm: np.ndarray,
    latency_ms: np.ndarray,
    *,
    min_points: int = 5,
    max_points: int = MAX_FIT_POINTS,
    seed: int = 0,
) -> LatencyFit:
    """Fit the wave's travel: Theil–Sen regression of latency on distance from the stimulus.

    Theil–Sen (the median of pairwise slopes, :func:`scipy.stats.theilslopes`) is robust to
    the spontaneous spikes that give some far neurons a too-early latency.

    Parameters
    ----------
    distance_mm, latency_ms
        Per neuron: distance from the stimulus centre (mm) and first-spike latency (ms);
        pairs with a nan are left out.
    min_points
        Fewer valid pairs give an all-nan result.
    max_points
        Above this many pairs a uniform subsample (``numpy.random.default_rng(seed)``) is fitted.
    seed
        Seed of that subsample.

    Returns
    -------
    LatencyFit
        nan fields (and ``n_points`` the number of valid pairs) with too few points or when
        all distances are equal.
    """
    from scipy.stats import theilslopes

    ok = np.isfinite(distance_mm) & np.isfinite(latency_ms)
    x, y = distance_mm[ok], latency_ms[ok]
    nan = float("nan")
    if x.size < max(min_points, 2) or np.ptp(x) <= 0:
        return LatencyFit(nan, nan, nan, nan, int(x.size))
    if x.size > max_points:
        pick = np.random.default_rng(seed).choice(x.size, max_points, replace=False)
        x, y = x[pick], y[pick]
    slope, intercept = theilslopes(y, x)[:2]
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float(((y - intercept - slope * x) ** 2).sum()) / ss_tot if ss_tot > 0 else nan
    speed = 1.0 / slope if slope > 0 else nan
    return LatencyFit(float(speed), r2, float(slope), float(intercept), int(x.size))


@dataclass(frozen=True)
class SpreadFit:
    """How fast activity spreads from the stimulus: σ(t), the RMS distance of the spikes.

    Attributes
    ----------
    speed_mm_per_ms
        Theil–Sen slope of σ(t) against t (ballistic spread, a travelling front).
    diffusion_mm2_per_ms
        Theil–Sen slope of σ²(t) against t, divided by 4 (2-d diffusion: ⟨r²⟩ = σ0² + 4 D t).
    times_ms, sigma_mm
        The bin centres (ms after onset) and σ (mm) of the fitted bins.
    """

    speed_mm_per_ms: float
    diffusion_mm2_per_ms: float
    times_ms: np.ndarray
    sigma_mm: np.ndarray


def activity_spread(
    times_ms: np.ndarray,
    senders: np.ndarray,
    positions_mm: np.ndarray,
    center_mm: np.ndarray,
    onset_ms: float,
    *,
    t_start_ms: float | None = None,
    bin_ms: float = 1.0,
    min_spikes: int = 5,
    saturation: float = 0.9,
    max_background: float = 0.2,
) -> SpreadFit:
    """σ(t), the RMS distance from ``center_mm`` of the spikes in each bin after ``onset_ms``.

    Parameters
    ----------
    times_ms, senders
        Spikes (ms) and neuron indices (rows of ``positions_mm``).
    positions_mm
        Neuron positions, shape ``(n, 3)`` (mm); neurons with nan positions are ignored.
    center_mm
        Stimulus centre, shape ``(3,)`` (mm).
    onset_ms
        Stimulus onset (ms).
    t_start_ms
        Start of the recording (ms). When before ``onset_ms``, the spontaneous activity of
        ``[t_start_ms, onset_ms)`` estimates the background expected in each bin, which is
        subtracted from the bin's spike count and sum of squared distances: otherwise a few
        spontaneous spikes all over the sheet inflate σ while the evoked activity is small.
    bin_ms
        Time bin (ms).
    min_spikes
        Bins with fewer (evoked) spikes are left out.
    max_background
        With a background estimate, bins where it makes up more than this fraction of the
        sum of squared distances are left out: their σ is mostly noise (early bins, when the
        evoked activity is still small).
    saturation
        The fit stops at the first bin where σ reaches ``saturation`` × the RMS distance of
        all neurons: activity then covers the sheet and σ no longer grows.

    Returns
    -------
    SpreadFit
        nan speed and diffusion with fewer than three usable bins.
    """
    from scipy.stats import theilslopes

    nan = float("nan")
    d2 = ((positions_mm - center_mm) ** 2).sum(axis=1)
    placed = np.isfinite(d2)
    d2 = np.where(placed, d2, 0.0)
    if not placed.any() or not ((times_ms >= onset_ms) & placed[senders]).any():
        return SpreadFit(nan, nan, np.empty(0), np.empty(0))
    n, sum_d2, clean = _evoked_bins(times_ms, senders, d2, placed, onset_ms, t_start_ms, bin_ms, max_background)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(np.maximum(sum_d2, 0.0) / n)
    t = (np.arange(n.size) + 0.5) * bin_ms
    limit = saturation * np.sqrt(d2[placed].mean())
    good = (n >= min_spikes) & clean
    over = np.flatnonzero((sigma >= limit) & good)
    stop = over[0] + 1 if over.size else n.size
    use = np.flatnonzero(good[:stop])
    t, sigma = t[use], sigma[use]
    if t.size < 3:
        return SpreadFit(nan, nan, t, sigma)
    speed = theilslopes(sigma, t)[0]
    diffusion = theilslopes(sigma**2, t)[0] / 4.0
    return SpreadFit(float(speed), float(diffusion), t, sigma)


def _evoked_bins(
    times_ms: np.ndarray,
    senders: np.ndarray,
    d2: np.ndarray,
    placed: np.ndarray,
    onset_ms: float,
    t_start_ms: float | None,
    bin_ms: float,
    max_background: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bin after onset: spike count, sum of squared distances ``d2`` (mm²) of the spiking
    neurons, and whether the bin is clean (see :func:`activity_spread`), with the background
    of ``[t_start_ms, onset_ms)`` subtracted when there is one."""
    keep = (times_ms >= onset_ms) & placed[senders]
    b = np.floor((times_ms[keep] - onset_ms) / bin_ms).astype(np.int64)
    n = np.bincount(b).astype(np.float64)
    sum_d2 = np.bincount(b, weights=d2[senders[keep]])
    clean = np.ones(n.size, dtype=bool)
    if t_start_ms is not None and onset_ms > t_start_ms:
        # Remove the spontaneous activity expected in each bin, from the rates before onset.
        before = (times_ms >= t_start_ms) & (times_ms < onset_ms) & placed[senders]
        per_bin = bin_ms / (onset_ms - t_start_ms)
        background_d2 = d2[senders[before]].sum() * per_bin
        clean = background_d2 <= max_background * sum_d2
        n -= before.sum() * per_bin
        sum_d2 -= background_d2
    return n, sum_d2, clean
