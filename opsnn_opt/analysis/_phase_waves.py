"""Ongoing travelling waves from the phase of binned rate maps.

Spikes are binned into rate maps on a square grid (time bins × cells), each cell's rate is
band-passed around the dominant frequency and its phase φ taken from the Hilbert transform.
From the phase field:

* the phase-gradient directionality PGD(t) = |mean ∇φ| / mean |∇φ| (Rubino, Robbins &
  Hatsopoulos 2006, Nat Neurosci 9:1549): 1 for a plane wave, about 0 for a radial wave or
  no wave (about 1/√n_cells for noise);
* the speed |∂φ/∂t| / |∇φ| (mm/ms) per cell and frame;
* the direction of travel, -∇φ (the phase decreases in the direction a wave moves);
* a source-centred radial index: the mean cosine between -∇φ and the outward direction from
  the stimulus centre (+1 for a wave expanding from it, -1 for one converging on it, about 0
  for a plane wave across it), which sees the radial waves that PGD cannot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PhaseWaves", "RateMaps", "phase_waves", "rate_maps"]


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
        PGD of each frame, shape ``(n_frames,)``.
    pgd_mean
        Mean PGD over frames.
    wave_fraction
        Fraction of frames with PGD ≥ the threshold.
    speed_mm_per_ms
        Median over frames of the frame's speed: median |∂φ/∂t| over cells divided by the
        length of the mean gradient in plane-wave frames (PGD ≥ the threshold), else the
        median over cells of |∂φ/∂t| / |∇φ|.
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


def _unit_phasor(
    maps: RateMaps, band_hz: tuple[float, float] | None, f_min_hz: float
) -> tuple[np.ndarray, tuple[float, float]]:
    from scipy.signal import butter, hilbert, sosfiltfilt

    rate = np.nan_to_num(maps.rate_hz - maps.rate_hz.mean(axis=0))  # empty cells: nan in every frame
    nyquist = 500.0 / maps.bin_ms
    band = band_hz or _dominant_band(rate, maps.bin_ms, f_min_hz)
    band = (max(band[0], 1e-3), min(band[1], 0.95 * nyquist))
    if not band[0] < band[1]:
        raise ValueError(f"the pass band must satisfy 0 < low < high < Nyquist ({nyquist:g} Hz), but got {band}")
    sos = butter(2, band, btype="bandpass", fs=1000.0 / maps.bin_ms, output="sos")
    # Single precision from here: phases to 1e-7 rad, at half the memory traffic.
    z = hilbert(sosfiltfilt(sos, rate, axis=0).astype(np.float32), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = z / np.abs(z)
    u[:, np.isnan(maps.rate_hz[0])] = np.nan
    return u, band


def _box(z: np.ndarray) -> np.ndarray:
    """Sum over each cell's 3 x 3 neighbourhood (edges repeated), frame by frame; separable."""
    p = np.concatenate([z[:, :, :1], z, z[:, :, -1:]], axis=2)
    row = p[:, :, :-2] + p[:, :, 1:-1] + p[:, :, 2:]
    p = np.concatenate([row[:, :1], row, row[:, -1:]], axis=1)
    return p[:, :-2] + p[:, 1:-1] + p[:, 2:]


def _nanmedian_rows(a: np.ndarray) -> np.ndarray:
    """Median of each row ignoring nan; numpy's nanmedian is slow, so only used when needed."""
    return np.nanmedian(a, axis=1) if np.isnan(a).any() else np.median(a, axis=1)


def phase_waves(
    maps: RateMaps,
    center_mm: np.ndarray,
    *,
    band_hz: tuple[float, float] | None = None,
    pgd_threshold: float = 0.5,
    f_min_hz: float = 2.0,
    edge_frames: int | None = None,
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
        Default: one period of the band's lower edge.

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
    u, band = _unit_phasor(maps, band_hz, f_min_hz)
    edge = int(np.ceil(1000.0 / band[0] / maps.bin_ms)) if edge_frames is None else edge_frames
    edge = min(edge, (n_frames - 3) // 2)
    empty_cell = np.isnan(u[0, 1:-1, 1:-1]).ravel()
    u = np.nan_to_num(u[edge : n_frames - edge])  # empty cells: 0, which adds nothing to the sums
    # Central circular differences angle(u[k+1] conj(u[k-1])) / (2 step); the products are summed
    # over 3 x 3 cells first, which removes most of the upward bias that noise gives |∇φ|.
    mid = u[1:-1]
    gx = np.angle(_box(mid[:, 1:-1, 2:] * np.conj(mid[:, 1:-1, :-2]))) / (2 * maps.cell_mm)
    gy = np.angle(_box(mid[:, 2:, 1:-1] * np.conj(mid[:, :-2, 1:-1]))) / (2 * maps.cell_mm)
    w = np.angle(_box(u[2:, 1:-1, 1:-1] * np.conj(u[:-2, 1:-1, 1:-1]))) / (2 * maps.bin_ms)
    flat = (gx.shape[0], -1)
    gx, gy, w = gx.reshape(flat), gy.reshape(flat), w.reshape(flat)
    if empty_cell.any():
        gx[:, empty_cell] = gy[:, empty_cell] = w[:, empty_cell] = np.nan
    norm = np.hypot(gx, gy)
    with np.errstate(invalid="ignore", divide="ignore"):
        pgd = np.hypot(np.nanmean(gx, axis=1), np.nanmean(gy, axis=1)) / np.nanmean(norm, axis=1)
        # Plane-wave frames: |ω| over the frame's mean gradient, which noise does not inflate;
        # other frames (radial waves): cell by cell.
        local = _nanmedian_rows(np.where(norm > 0, np.abs(w) / norm, np.nan))
        mean_grad = np.hypot(np.nanmean(gx, axis=1), np.nanmean(gy, axis=1))
        speed = np.where(pgd >= pgd_threshold, _nanmedian_rows(np.abs(w)) / mean_grad, local)
        cx, cy = np.meshgrid(maps.x_mm[1:-1] - center_mm[0], maps.y_mm[1:-1] - center_mm[1])
        r = np.hypot(cx, cy).ravel()
        radial = np.nanmean((-gx * cx.ravel() - gy * cy.ravel()) / (norm * np.where(r > 0, r, np.nan)), axis=1)
    if not np.isfinite(pgd).any():
        return empty
    waves = pgd >= pgd_threshold
    direction = nan
    if waves.any():
        mx, my = -np.nanmean(gx[waves], axis=1), -np.nanmean(gy[waves], axis=1)
        weight = pgd[waves] / np.maximum(np.hypot(mx, my), 1e-300)
        direction = float(np.degrees(np.arctan2((my * weight).sum(), (mx * weight).sum())) % 360.0)
    return PhaseWaves(
        pgd,
        float(np.nanmean(pgd)),
        float(np.mean(waves[np.isfinite(pgd)])),
        float(np.nanmedian(speed)),
        direction,
        float(np.nanmean(radial)),
        (float(band[0]), float(band[1])),
    )
