"""Travelling waves from the phase of binned rate maps, ongoing or evoked.

Spikes are binned into rate maps on a square grid (time bins × cells), each cell's rate is
band-passed around the dominant frequency and its analytic signal taken from the Hilbert
transform (phase φ, amplitude A). Only "active" samples count: cells and frames where A is at
least half its 99th percentile. Elsewhere the phase is filter ringing or noise, and for a single
evoked wave that is most of the run (see below). From the phase field:

* the phase-gradient directionality PGD(t) = |mean ∇φ| / mean |∇φ| (Rubino, Robbins &
  Hatsopoulos 2006, Nat Neurosci 9:1549): 1 for a plane wave, about 0 for a radial wave or
  no wave (about 1/√n_cells for noise);
* the speed |∂φ/∂t| / |∇φ| (mm/ms) per cell and frame;
* the direction of travel, -∇φ (the phase decreases in the direction a wave moves);
* a source-centred radial index: the mean cosine between -∇φ and the outward direction from
  the stimulus centre (+1 for a wave expanding from it, -1 for one converging on it, about 0
  for a plane wave across it), which sees the radial waves that PGD cannot.

A single evoked wave, rate(x, t) = f(t - r(x) / v), has the analytic signal A(t - r/v)
exp(iθ(t - r/v)) (filters and the Hilbert transform commute with shifts in time), so
|∂φ/∂t| / |∇φ| = v wherever A is large: the Hilbert phase of one wave is sound. What made the
speed of the V1 sheet's evoked wave barely follow conduction (issue 12) was which samples were
used: one period of the band's lower edge (~150 ms) was cut from each end, leaving one or two
frames of a 150 ms run, or only filter-distorted ones when the wave reached the window's end,
and frames without activity counted as much as the wave. Now the rates are zero-padded before
filtering, half a period of the band's centre is cut, and silent samples are left out.
Generalized phase (Davis et al. 2020, Nature 587:432) corrects the phase where the
instantaneous frequency turns negative; on those runs no active sample had a negative
frequency (0.3–5 % of all samples did), so it would change nothing here.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

__all__ = ["ACTIVE_FRACTION", "PhaseWaves", "RateMaps", "phase_waves", "rate_maps"]

#: Default of :func:`phase_waves`' ``active_fraction``: cells and frames whose analytic amplitude
#: is below this fraction of the 99th percentile do not count.
ACTIVE_FRACTION = 0.5


@dataclass(frozen=True)
class RateMaps:
    """Binned activity, ``rate_hz[t, iy, ix]`` in Hz per neuron; nan in cells without neurons.

    ``x_mm``/``y_mm`` are the cell centres, ``cell_mm`` their width, ``bin_ms`` the frame length.
    """

    rate_hz: np.ndarray
    x_mm: np.ndarray
    y_mm: np.ndarray
    cell_mm: float
    bin_ms: float


def rate_maps(
    times_ms: np.ndarray,
    senders: np.ndarray,
    positions_mm: np.ndarray,
    t_start_ms: float,
    t_stop_ms: float,
    *,
    bin_ms: float = 2.0,
    cell_mm: float | None = None,
) -> RateMaps:
    """Rate maps on a square grid over the x-y extent of the positions.

    Parameters
    ----------
    times_ms, senders
        Spikes (ms) and neuron indices (rows of ``positions_mm``).
    positions_mm
        Shape ``(n, 3)`` (mm); neurons with nan positions are left out; z is ignored.
    t_start_ms, t_stop_ms, bin_ms
        Window and frame length (ms); a last partial frame is dropped.
    cell_mm
        Cell width (mm). Default: about four neurons per cell, √(4 × area / n).

    Returns
    -------
    RateMaps
        ``rate_hz`` has shape ``(n_frames, ny, nx)``.

    Raises
    ------
    ValueError
        If no neuron has a position, or ``bin_ms`` or ``cell_mm`` is not > 0.
    """
    placed = np.flatnonzero(np.isfinite(positions_mm[:, :2]).all(axis=1))
    if placed.size == 0:
        raise ValueError("rate maps need neuron positions, but no neuron has a finite position")
    if not bin_ms > 0:
        raise ValueError(f"bin_ms must be > 0, but got bin_ms={bin_ms}")
    xy = positions_mm[placed, :2]
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    if cell_mm is None:
        area = max(float(np.prod(np.maximum(hi - lo, 1e-9))), 1e-12)
        cell_mm = float(np.sqrt(4.0 * area / placed.size))
    if not cell_mm > 0:
        raise ValueError(f"cell_mm must be > 0, but got cell_mm={cell_mm}")
    nx, ny = np.floor((hi - lo) / cell_mm).astype(int) + 1
    cell_of = np.full(positions_mm.shape[0], -1, dtype=np.int64)
    ij = np.minimum(np.floor((xy - lo) / cell_mm).astype(int), [nx - 1, ny - 1])
    cell_of[placed] = ij[:, 1] * nx + ij[:, 0]
    n_frames = max(int((t_stop_ms - t_start_ms) // bin_ms), 0)
    f = np.floor((times_ms - t_start_ms) / bin_ms).astype(np.int64)
    c = cell_of[senders]
    keep = (f >= 0) & (f < n_frames) & (c >= 0)
    counts = np.bincount(f[keep] * (nx * ny) + c[keep], minlength=n_frames * nx * ny).reshape(n_frames, ny, nx)
    per_cell = np.bincount(cell_of[placed], minlength=nx * ny).reshape(ny, nx)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(per_cell > 0, counts * (1000.0 / bin_ms) / per_cell, np.nan)
    x = lo[0] + (np.arange(nx) + 0.5) * cell_mm
    y = lo[1] + (np.arange(ny) + 0.5) * cell_mm
    return RateMaps(rate, x, y, float(cell_mm), float(bin_ms))


@dataclass(frozen=True)
class PhaseWaves:
    """Summary of the wave activity in a run (see the module docstring).

    Attributes
    ----------
    pgd
        PGD of each frame analysed (edge frames dropped); nan in frames without an active cell.
    pgd_mean
        Mean PGD over frames.
    wave_fraction
        Fraction of frames with PGD ≥ the threshold.
    speed_mm_per_ms
        Median over frames of the frame's speed, from its active cells: median |∂φ/∂t|
        divided by the length of the mean gradient in plane-wave frames (PGD ≥ the
        threshold), else the median of |∂φ/∂t| / |∇φ|.
    direction_deg
        Direction of travel in [0, 360) degrees (0 = +x, 90 = +y): circular mean of the
        frames' mean -∇φ, weighted by PGD, over the frames with PGD ≥ the threshold; nan if none.
    radial_index
        Mean over frames and cells of cos(-∇φ, outward direction from the centre), in [-1, 1].
    band_hz
        The pass band used (Hz).
    """

    pgd: np.ndarray
    pgd_mean: float
    wave_fraction: float
    speed_mm_per_ms: float
    direction_deg: float
    radial_index: float
    band_hz: tuple[float, float]


def _dominant_band(rate: np.ndarray, bin_ms: float, f_min_hz: float) -> tuple[float, float]:
    """±50 % around the peak of the cells' mean power spectrum (not the spectrum of the mean:
    a wave shorter than the sheet cancels out in the sheet's mean rate)."""
    from scipy.signal import welch

    cells = np.ascontiguousarray(rate.reshape(rate.shape[0], -1).T, dtype=np.float32)  # time last: fast
    freqs, psd = welch(cells, fs=1000.0 / bin_ms, nperseg=min(rate.shape[0], 256), detrend="constant")
    power = psd.mean(axis=0)
    use = freqs >= f_min_hz
    peak = float(freqs[use][np.argmax(power[use])]) if use.any() else f_min_hz
    return 0.5 * peak, 1.5 * peak


def _analytic_signal(
    maps: RateMaps, band_hz: tuple[float, float] | None, f_min_hz: float
) -> tuple[np.ndarray, tuple[float, float]]:
    """Band-passed analytic signal of each cell's rate, amplitude kept; nan in empty cells.

    The rates are padded with one period of the band's lower edge of zeros (after removing
    each cell's mean) on both sides before filtering: a single evoked wave near either end of
    the window then keeps its phase, where filtering the bare window would distort it.
    """
    from scipy.signal import butter, hilbert, sosfiltfilt

    rate = np.nan_to_num(maps.rate_hz - maps.rate_hz.mean(axis=0))  # empty cells: nan in every frame
    nyquist = 500.0 / maps.bin_ms
    band = band_hz or _dominant_band(rate, maps.bin_ms, f_min_hz)
    band = (max(band[0], 1e-3), min(band[1], 0.95 * nyquist))
    if not band[0] < band[1]:
        raise ValueError(f"the pass band must satisfy 0 < low < high < Nyquist ({nyquist:g} Hz), but got {band}")
    sos = butter(2, band, btype="bandpass", fs=1000.0 / maps.bin_ms, output="sos")
    n = rate.shape[0]
    pad = min(int(np.ceil(1000.0 / band[0] / maps.bin_ms)), 4 * n)
    padded = np.zeros((n + 2 * pad, *rate.shape[1:]), dtype=np.float32)
    padded[pad : pad + n] = rate
    # Single precision from here: phases to 1e-7 rad, at half the memory traffic.
    z = hilbert(sosfiltfilt(sos, padded, axis=0).astype(np.float32), axis=0)[pad : pad + n]
    z[:, np.isnan(maps.rate_hz[0])] = np.nan
    return z, band


def _box(z: np.ndarray) -> np.ndarray:
    """Sum over each cell's 3 x 3 neighbourhood (edges repeated), frame by frame; separable."""
    p = np.concatenate([z[:, :, :1], z, z[:, :, -1:]], axis=2)
    row = p[:, :, :-2] + p[:, :, 1:-1] + p[:, :, 2:]
    p = np.concatenate([row[:, :1], row, row[:, -1:]], axis=1)
    return p[:, :-2] + p[:, 1:-1] + p[:, 2:]


def _nanmedian_rows(a: np.ndarray) -> np.ndarray:
    """Median of each row ignoring nan (nan for a row of nan only).

    numpy's nanmedian loops over rows in Python; here one sort puts each row's nan last, and the
    median is read at the middle of its valid values.
    """
    if not np.isnan(a).any():
        return np.median(a, axis=1)
    ordered = np.sort(a, axis=1)
    n = np.count_nonzero(~np.isnan(a), axis=1)
    lo, hi = np.maximum((n - 1) // 2, 0), np.maximum(n // 2, 0)
    rows = np.arange(a.shape[0])
    with np.errstate(invalid="ignore"):
        return np.where(n > 0, 0.5 * (ordered[rows, lo] + ordered[rows, hi]), np.nan)


def phase_waves(
    maps: RateMaps,
    center_mm: np.ndarray,
    *,
    band_hz: tuple[float, float] | None = None,
    pgd_threshold: float = 0.5,
    f_min_hz: float = 2.0,
    edge_frames: int | None = None,
    active_fraction: float = ACTIVE_FRACTION,
) -> PhaseWaves:
    """Wave statistics of rate maps (see :class:`PhaseWaves` and the module docstring).

    Parameters
    ----------
    maps
        From :func:`rate_maps`; needs at least 3 × 3 cells and 16 frames.
    center_mm
        Stimulus centre (mm), shape ``(2,)`` or ``(3,)``, for the radial index.
    band_hz
        Band-pass (Hz) before the Hilbert transform. Default: ±50 % around the peak of the
        cells' mean spectrum above ``f_min_hz``.
    pgd_threshold
        PGD at or above which a frame counts as a plane wave (0.5 as in Rubino et al. 2006).
    f_min_hz
        Lowest frequency for the default band (Hz).
    edge_frames
        Frames dropped at each end, where the filter and Hilbert transform are distorted.
        Default: half a period of the band's centre (geometric mean of its edges).
    active_fraction
        A cell counts in a frame when its analytic amplitude is at least this fraction of the
        99th percentile of all amplitudes; elsewhere its phase is filter ringing or noise.
        0 uses every cell and frame.

    Returns
    -------
    PhaseWaves
        All-nan fields when there are too few cells or frames, or no spikes.
    """
    n_frames, ny, nx = maps.rate_hz.shape
    nan = float("nan")
    empty = PhaseWaves(np.empty(0), nan, nan, nan, nan, nan, (nan, nan))
    if nx < 3 or ny < 3 or n_frames < 16 or not np.nansum(maps.rate_hz) > 0:
        return empty
    z, band = _analytic_signal(maps, band_hz, f_min_hz)
    if edge_frames is None:
        edge_frames = int(np.ceil(500.0 / np.sqrt(band[0] * band[1]) / maps.bin_ms))
    edge = min(edge_frames, (n_frames - 3) // 2)
    gx, gy, w = _phase_gradients(z, maps, edge, active_fraction)
    pgd, speed, radial = _frame_statistics(gx, gy, w, maps, center_mm, pgd_threshold)
    if not np.isfinite(pgd).any():
        return empty
    waves = pgd >= pgd_threshold
    return PhaseWaves(
        pgd,
        float(np.nanmean(pgd)),
        float(np.mean(waves[np.isfinite(pgd)])),
        float(np.nanmedian(speed)) if np.isfinite(speed).any() else nan,
        _direction_deg(gx, gy, pgd, waves),
        float(np.nanmean(radial)),
        (float(band[0]), float(band[1])),
    )


def _phase_gradients(
    z: np.ndarray, maps: RateMaps, edge: int, active_fraction: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The phase gradient (rad/mm) and frequency (rad/ms) of the inner cells, shape
    ``(n_frames, n_cells)`` each, without ``edge`` frames at each end; nan where a cell is
    inactive or empty (see :func:`phase_waves`' ``active_fraction``)."""
    n_frames = z.shape[0]
    empty_cell = np.isnan(z[0, 1:-1, 1:-1]).ravel()
    z = np.nan_to_num(z[edge : n_frames - edge])  # empty cells: 0, which adds nothing to the sums
    # Central circular differences angle(z[k+1] conj(z[k-1])) / (2 step); the products are summed
    # over 3 x 3 cells first, which removes most of the upward bias that noise gives |∇φ|, and
    # weights each cell by its squared amplitude, so that silent cells do not set the phase.
    mid = z[1:-1]
    gx = np.angle(_box(mid[:, 1:-1, 2:] * np.conj(mid[:, 1:-1, :-2]))) / (2 * maps.cell_mm)
    gy = np.angle(_box(mid[:, 2:, 1:-1] * np.conj(mid[:, :-2, 1:-1]))) / (2 * maps.cell_mm)
    w = np.angle(_box(z[2:, 1:-1, 1:-1] * np.conj(z[:-2, 1:-1, 1:-1]))) / (2 * maps.bin_ms)
    flat = (gx.shape[0], -1)
    gx, gy, w = gx.reshape(flat), gy.reshape(flat), w.reshape(flat)
    amplitude = np.abs(mid[:, 1:-1, 1:-1]).reshape(flat)
    inactive = amplitude < active_fraction * np.quantile(amplitude, 0.99) if active_fraction > 0 else empty_cell
    inactive |= empty_cell
    if inactive.any():
        gx[inactive] = gy[inactive] = w[inactive] = np.nan
    return gx, gy, w


def _frame_statistics(
    gx: np.ndarray, gy: np.ndarray, w: np.ndarray, maps: RateMaps, center_mm: np.ndarray, pgd_threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PGD, speed (mm/ms) and radial index of each frame, from :func:`_phase_gradients`."""
    norm = np.hypot(gx, gy)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames without an active cell: nan
        pgd = np.hypot(np.nanmean(gx, axis=1), np.nanmean(gy, axis=1)) / np.nanmean(norm, axis=1)
        # Plane-wave frames: |ω| over the frame's mean gradient, which noise does not inflate;
        # other frames (radial waves): cell by cell.
        local = _nanmedian_rows(np.where(norm > 0, np.abs(w) / norm, np.nan))
        mean_grad = np.hypot(np.nanmean(gx, axis=1), np.nanmean(gy, axis=1))
        speed = np.where(pgd >= pgd_threshold, _nanmedian_rows(np.abs(w)) / mean_grad, local)
        cx, cy = np.meshgrid(maps.x_mm[1:-1] - center_mm[0], maps.y_mm[1:-1] - center_mm[1])
        r = np.hypot(cx, cy).ravel()
        radial = np.nanmean((-gx * cx.ravel() - gy * cy.ravel()) / (norm * np.where(r > 0, r, np.nan)), axis=1)
    return pgd, speed, radial


def _direction_deg(gx: np.ndarray, gy: np.ndarray, pgd: np.ndarray, waves: np.ndarray) -> float:
    """Direction of travel in [0, 360) degrees: the PGD-weighted circular mean of the plane-wave
    frames' mean -∇φ; nan without such frames."""
    if not waves.any():
        return float("nan")
    mx, my = -np.nanmean(gx[waves], axis=1), -np.nanmean(gy[waves], axis=1)
    weight = pgd[waves] / np.maximum(np.hypot(mx, my), 1e-300)
    return float(np.degrees(np.arctan2((my * weight).sum(), (mx * weight).sum())) % 360.0)
