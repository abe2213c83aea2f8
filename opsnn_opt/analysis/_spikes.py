"""Flat spike data: the one structure every metric reads.

Neo objects are converted once, at the boundary, by :mod:`opsnn_opt.io`
(:func:`~opsnn_opt.io.spike_data_from_block`, :func:`~opsnn_opt.io.recording_from_block`). Metrics then
work on plain arrays: spike times in ms and sender indices ``0 .. n_neurons-1``, with
populations as contiguous index ranges; optionally neuron positions in mm and membrane
potentials in mV.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from opsnn_opt.analysis._irregularity import sorted_by_neuron

__all__ = ["REFRACTORY_ANNOTATION", "SpikeData"]


#: The annotation (of a results file's block, of a run's network) holding each population's
#: refractory period in ms, as :attr:`SpikeData.refractory_ms` for the network-state rules.
REFRACTORY_ANNOTATION = "refractory_ms"


@dataclass(frozen=True)
class SpikeData:
    """All spikes of one run, plus what the spatial and V_m metrics need.

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
    positions_mm
        Neuron positions, shape ``(n_neurons, 3)`` in mm, row ``i`` for neuron ``i``; rows of
        neurons without a position are nan. None for non-spatial models.
    v_mv
        Recorded membrane potentials (mV), shape ``(n_samples, n_channels)``; None if none.
    v_senders
        Neuron index of each V_m channel, shape ``(n_channels,)``.
    v_dt_ms, v_t_start_ms
        Sampling period and time of the first V_m sample (ms).
    stimulus_center_mm
        Centre of the stimulus, shape ``(3,)`` in mm; None means the centre of the sheet (see
        :attr:`center_mm`).
    stimulus_onset_ms
        Onset of the stimulus (ms); None means ``t_start_ms`` (see :attr:`onset_ms`).
    refractory_ms
        Refractory period τ_ref (ms) of each population's cells, as the model states it
        (:meth:`opsnn_opt.models.Model.refractory_ms`), for the network-state rules; None when
        unknown (the rules then use a default and say so).

    Raises
    ------
    ValueError
        If the arrays disagree in length or shape, or a sender is outside ``[0, n_neurons)``.
    """

    times_ms: np.ndarray
    senders: np.ndarray
    populations: Mapping[str, tuple[int, int]]
    t_start_ms: float
    t_stop_ms: float
    positions_mm: np.ndarray | None = None
    v_mv: np.ndarray | None = None
    v_senders: np.ndarray | None = None
    v_dt_ms: float = 0.1
    v_t_start_ms: float = 0.0
    stimulus_center_mm: np.ndarray | None = None
    stimulus_onset_ms: float | None = None
    refractory_ms: Mapping[str, float] | None = None

    def __post_init__(self) -> None:
        if self.times_ms.shape != self.senders.shape or self.times_ms.ndim != 1:
            raise ValueError(
                f"times_ms and senders must be 1-d arrays of equal length, but got shapes "
                f"{self.times_ms.shape} and {self.senders.shape}"
            )
        n = self.n_neurons
        if self.senders.size and (self.senders.min() < 0 or self.senders.max() >= n):
            raise ValueError(
                f"senders must lie in [0, n_neurons) = [0, {n}), but got values in "
                f"[{self.senders.min()}, {self.senders.max()}]"
            )
        if self.positions_mm is not None and self.positions_mm.shape != (n, 3):
            raise ValueError(
                f"positions_mm must have shape (n_neurons, 3) = ({n}, 3), but got {self.positions_mm.shape}"
            )
        if self.v_mv is not None:
            n_channels = self.v_mv.shape[1] if self.v_mv.ndim == 2 else -1
            if self.v_senders is None or self.v_senders.shape != (n_channels,):
                raise ValueError(
                    f"v_mv must be (n_samples, n_channels) with one v_senders entry per channel, "
                    f"but got v_mv {self.v_mv.shape} and v_senders "
                    f"{None if self.v_senders is None else self.v_senders.shape}"
                )

    @property
    def n_neurons(self) -> int:
        return max((stop for _, stop in self.populations.values()), default=0)

    @property
    def duration_ms(self) -> float:
        return self.t_stop_ms - self.t_start_ms

    @property
    def has_positions(self) -> bool:
        """True when at least one neuron has a finite position."""
        return self.positions_mm is not None and bool(np.isfinite(self.positions_mm[:, 0]).any())

    @property
    def has_v(self) -> bool:
        """True when membrane potentials of at least two samples were recorded."""
        return self.v_mv is not None and self.v_mv.shape[0] >= 2 and self.v_mv.shape[1] >= 1

    @property
    def center_mm(self) -> np.ndarray:
        """The stimulus centre (mm), by default the centre of the positions' bounding box.

        nan when there are no positions.
        """
        if self.stimulus_center_mm is not None:
            return np.asarray(self.stimulus_center_mm, dtype=np.float64)
        if not self.has_positions:
            return np.full(3, np.nan)
        return (np.nanmin(self.positions_mm, axis=0) + np.nanmax(self.positions_mm, axis=0)) / 2.0

    @property
    def onset_ms(self) -> float:
        """Stimulus onset (ms), by default ``t_start_ms``."""
        return self.t_start_ms if self.stimulus_onset_ms is None else float(self.stimulus_onset_ms)

    def by_neuron(self) -> tuple[np.ndarray, np.ndarray]:
        """``(times_ms, senders)`` ordered by neuron, then time: each neuron's train in one run.

        Sorted once per object (and carried into :meth:`select`), so metrics over inter-spike
        intervals (CV, LV, a plug-in's bursts) share one sort.
        """
        cached = self.__dict__.get("_by_neuron")
        if cached is None:
            cached = sorted_by_neuron(self.times_ms, self.senders)
            self.__dict__["_by_neuron"] = cached  # a cache, not a field: the dataclass stays frozen
        return cached

    def select(self, population: str) -> SpikeData:
        """The spikes of one population (``"all"`` for every neuron), senders re-based to 0.

        Positions and V_m channels are selected with it.

        Raises
        ------
        KeyError
            If ``population`` is neither ``"all"`` nor one of :attr:`populations`.
        """
        cached = self.__dict__.get("_by_neuron")
        if population == "all":
            out = replace(self, populations={"all": (0, self.n_neurons)})
            if cached is not None:
                out.__dict__["_by_neuron"] = cached
            return out
        if population not in self.populations:
            raise KeyError(f"population must be 'all' or one of {', '.join(self.populations)}, but got {population!r}")
        start, stop = self.populations[population]
        mask = (self.senders >= start) & (self.senders < stop)
        v_mv, v_senders = self.v_mv, self.v_senders
        if v_mv is not None and v_senders is not None:
            keep = (v_senders >= start) & (v_senders < stop)
            v_mv, v_senders = (v_mv[:, keep], v_senders[keep] - start) if keep.any() else (None, None)
        out = replace(
            self,
            times_ms=self.times_ms[mask],
            senders=self.senders[mask] - start,
            populations={population: (0, stop - start)},
            positions_mm=None if self.positions_mm is None else self.positions_mm[start:stop],
            v_mv=v_mv,
            v_senders=v_senders,
        )
        if cached is not None:
            t, s = cached
            keep = (s >= start) & (s < stop)
            out.__dict__["_by_neuron"] = (t[keep], s[keep] - start)
        return out

    def window(self, t_start_ms: float, t_stop_ms: float) -> SpikeData:
        """The spikes (and V_m samples) in ``[t_start_ms, t_stop_ms)``, e.g. to drop a transient.

        Raises
        ------
        ValueError
            If the window is not inside the data's window or is empty.
        """
        if not self.t_start_ms <= t_start_ms < t_stop_ms <= self.t_stop_ms:
            raise ValueError(
                f"the window must satisfy t_start_ms <= start < stop <= t_stop_ms, but got "
                f"[{t_start_ms}, {t_stop_ms}) for data in [{self.t_start_ms}, {self.t_stop_ms}]"
            )
        keep = (self.times_ms >= t_start_ms) & (self.times_ms < t_stop_ms)
        v_mv, v_t0 = self.v_mv, self.v_t_start_ms
        if v_mv is not None:
            first = max(int(np.ceil((t_start_ms - v_t0) / self.v_dt_ms - 1e-9)), 0)
            last = max(int(np.ceil((t_stop_ms - v_t0) / self.v_dt_ms - 1e-9)), first)
            v_mv, v_t0 = v_mv[first:last], v_t0 + first * self.v_dt_ms
        return replace(
            self,
            times_ms=self.times_ms[keep],
            senders=self.senders[keep],
            t_start_ms=float(t_start_ms),
            t_stop_ms=float(t_stop_ms),
            v_mv=v_mv,
            v_t_start_ms=v_t0,
        )

    @classmethod
    def from_arrays(
        cls,
        by_population: Mapping[str, tuple[np.ndarray, np.ndarray, int]],
        t_start_ms: float,
        t_stop_ms: float,
        *,
        positions_mm: Mapping[str, np.ndarray] | None = None,
        **extra: object,
    ) -> SpikeData:
        """Build from per-population ``(times_ms, local_senders, n_neurons)`` arrays.

        Parameters
        ----------
        by_population
            Population name -> spike times (ms), sender indices local to the population, and
            its number of neurons.
        t_start_ms, t_stop_ms
            Observation window (ms).
        positions_mm
            Population name -> positions, shape ``(n, 3)`` in mm; populations left out get nan.
        **extra
            Other fields of :class:`SpikeData` (``v_mv``, ``stimulus_center_mm`` ...).
        """
        times, senders, ranges, offset = [], [], {}, 0
        for name, (t, s, n) in by_population.items():
            times.append(np.asarray(t, dtype=np.float64))
            senders.append(np.asarray(s, dtype=np.int64) + offset)
            ranges[name] = (offset, offset + int(n))
            offset += int(n)
        xyz = None
        if positions_mm:
            xyz = np.full((offset, 3), np.nan)
            for name, p in positions_mm.items():
                start, stop = ranges[name]
                xyz[start:stop] = np.asarray(p, dtype=np.float64).reshape(stop - start, 3)
        return cls(
            np.concatenate(times) if times else np.empty(0),
            np.concatenate(senders) if senders else np.empty(0, dtype=np.int64),
            ranges,
            float(t_start_ms),
            float(t_stop_ms),
            positions_mm=xyz,
            **extra,
        )
