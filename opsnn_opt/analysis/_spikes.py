"""Flat spike data: the one structure every metric reads.

Neo objects are converted once, here, at the boundary. Metrics then work on plain arrays:
spike times in ms and sender indices ``0 .. n_neurons-1``, with populations as contiguous
index ranges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["SpikeData"]


@dataclass(frozen=True)
class SpikeData:
    """All spikes of one run.

    Attributes
    ----------
    times_ms
        Spike times (ms), float64, any order.
    senders
        Index of the neuron that fired each spike, int64, in ``[0, n_neurons)``.
    populations
        Population name -> ``(start, stop)`` index range, in order, covering every neuron.
    t_start_ms, t_stop_ms
        Observation window (ms).
    """

    times_ms: np.ndarray
    senders: np.ndarray
    populations: Mapping[str, tuple[int, int]]
    t_start_ms: float
    t_stop_ms: float

    @property
    def n_neurons(self) -> int:
        return max((stop for _, stop in self.populations.values()), default=0)

    @property
    def duration_ms(self) -> float:
        return self.t_stop_ms - self.t_start_ms

    def select(self, population: str) -> SpikeData:
        """The spikes of one population (``"all"`` for every neuron), senders re-based to 0."""
        if population == "all":
            return SpikeData(self.times_ms, self.senders, {"all": (0, self.n_neurons)},
                             self.t_start_ms, self.t_stop_ms)
        start, stop = self.populations[population]
        mask = (self.senders >= start) & (self.senders < stop)
        return SpikeData(self.times_ms[mask], self.senders[mask] - start, {population: (0, stop - start)},
                         self.t_start_ms, self.t_stop_ms)

    @classmethod
    def from_arrays(cls, by_population: Mapping[str, tuple[np.ndarray, np.ndarray, int]],
                    t_start_ms: float, t_stop_ms: float) -> SpikeData:
        """Build from per-population ``(times_ms, local_senders, n_neurons)`` arrays."""
        times, senders, ranges, offset = [], [], {}, 0
        for name, (t, s, n) in by_population.items():
            times.append(np.asarray(t, dtype=np.float64))
            senders.append(np.asarray(s, dtype=np.int64) + offset)
            ranges[name] = (offset, offset + int(n))
            offset += int(n)
        return cls(
            np.concatenate(times) if times else np.empty(0),
            np.concatenate(senders) if senders else np.empty(0, dtype=np.int64),
            ranges, float(t_start_ms), float(t_stop_ms),
        )

    @classmethod
    def from_segment(cls, segment) -> SpikeData:
        """Convert a neo ``Segment``: trains are grouped by their ``source_population`` annotation.

        A train's index within its population is its ``source_index`` annotation when present,
        else its position among that population's trains.
        """
        grouped: dict[str, list] = {}
        for train in segment.spiketrains:
            grouped.setdefault(str(train.annotations.get("source_population", "all")), []).append(train)
        if not grouped:
            return cls(np.empty(0), np.empty(0, dtype=np.int64), {}, 0.0, 0.0)
        first = segment.spiketrains[0]
        t_start = float(first.t_start.rescale("ms").magnitude)
        t_stop = float(first.t_stop.rescale("ms").magnitude)
        by_population = {}
        for name, trains in grouped.items():
            counts = np.fromiter((len(t) for t in trains), dtype=np.int64, count=len(trains))
            index = np.array([t.annotations.get("source_index", i) for i, t in enumerate(trains)], dtype=np.int64)
            times = (np.concatenate([t.rescale("ms").magnitude for t in trains])
                     if counts.sum() else np.empty(0))
            by_population[name] = (times, np.repeat(index, counts), int(index.max()) + 1)
        return cls.from_arrays(by_population, t_start, t_stop)
