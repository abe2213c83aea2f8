"""Spike trains of a pixel grid: the one form every stimulus takes before it reaches PyNN.

A pixel grid is ``width x height`` pixels over the visual field, with ``channels`` sources per
pixel (the two polarities of an event camera, or one). Source ``k`` is pixel
``(x, y) = (k % width, (k // width) % height)`` of channel ``k // (width * height)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SpikeInput", "inhomogeneous_poisson"]


@dataclass(frozen=True)
class SpikeInput:
    """Spikes of every source of a pixel grid.

    Attributes
    ----------
    times_ms
        Spike times (ms), float64, sorted by source and then by time.
    sources
        Source index of each spike, int64, in ``[0, n_sources)``.
    width, height
        Pixel grid (pixels).
    channels
        Sources per pixel (1, or 2 for the polarities of an event camera).
    """

    times_ms: np.ndarray
    sources: np.ndarray
    width: int
    height: int
    channels: int = 1

    @classmethod
    def from_unsorted(
        cls, times_ms: np.ndarray, sources: np.ndarray, width: int, height: int, channels: int = 1
    ) -> SpikeInput:
        """Sort spikes by source, then time (a stable sort: equal times keep their order)."""
        times_ms = np.asarray(times_ms, dtype=np.float64)
        sources = np.asarray(sources, dtype=np.int64)
        order = np.lexsort((times_ms, sources))
        return cls(times_ms[order], sources[order], int(width), int(height), int(channels))

    @property
    def n_sources(self) -> int:
        return self.width * self.height * self.channels

    def trains(self) -> list[np.ndarray]:
        """One array of spike times (ms) per source, in source order; views into ``times_ms``."""
        bounds = np.searchsorted(self.sources, np.arange(1, self.n_sources))
        return np.split(self.times_ms, bounds)

    def source_xy(self) -> np.ndarray:
        """Pixel column and row of every source, shape ``(n_sources, 2)``."""
        k = np.arange(self.n_sources)
        return np.column_stack([k % self.width, (k // self.width) % self.height])


def inhomogeneous_poisson(
    rates_hz: np.ndarray, bin_ms: float, t_start_ms: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson spike trains whose rate is constant within each time bin.

    Parameters
    ----------
    rates_hz
        Rate of every source in every bin, shape ``(n_bins, n_sources)``, in Hz, >= 0.
    bin_ms
        Length of a bin (ms).
    t_start_ms
        Start of the first bin (ms).
    rng
        The generator; the same generator state gives the same spikes.

    Returns
    -------
    times_ms, sources
        Spike times (ms) and source indices, unsorted. Empty arrays if every rate is 0.

    Notes
    -----
    Spike counts per bin are Poisson with mean ``rate * bin_ms / 1000``; each spike is then placed
    uniformly within its bin. Both steps are vectorised over all bins and sources.
    """
    counts = rng.poisson(np.asarray(rates_hz, dtype=np.float64) * (bin_ms / 1000.0))
    bins, sources = np.nonzero(counts)
    n = counts[bins, sources]
    bins, sources = np.repeat(bins, n), np.repeat(sources, n)
    times = t_start_ms + (bins + rng.random(bins.size)) * bin_ms
    return times, sources.astype(np.int64)
