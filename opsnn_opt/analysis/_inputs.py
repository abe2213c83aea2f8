"""What metrics read: the spikes of one call, with the intermediate results they share.

A :class:`MetricInput` computes each intermediate result (ISI statistics, spike counts, χ per
bin width, the oscillation peak, waves, latencies) once, on first use, for every metric of one
:func:`~opsnn_opt.analysis.compute_metrics` call or one incremental check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from opsnn_opt.analysis import _evoked, _irregularity, _oscillation, _phase_waves, _rates, _synchrony
from opsnn_opt.analysis._spikes import SpikeData

__all__ = ["CORR_PAIRS", "CORR_SEED", "SPREAD_BIN_MS", "SYNCHRONY_BIN_MS", "WAVE_BIN_MS", "MetricInput"]

#: Bin width (ms) of the count-based synchrony measures (χ, population Fano factor, correlation).
SYNCHRONY_BIN_MS = 5.0
#: Pairs sampled (seeded, so runs are comparable) for the mean pairwise correlation.
CORR_PAIRS, CORR_SEED = 200, 0
#: Frame length (ms) of the rate maps for ongoing waves, and time bin of the spread fit.
WAVE_BIN_MS, SPREAD_BIN_MS = 4.0, 1.0


class MetricInput:
    """The spikes a metric reads, with intermediate results shared between metrics of one call.

    Parameters
    ----------
    data
        The spikes, or a function that makes them on first use.
    counts, duration_ms
        Spikes per neuron, shape ``(n_neurons,)``, and the window's length (ms), when already
        known (the incremental checks between chunks keep running counts): the rate metrics
        then read only these.
    whole
        The whole run with its populations (or a function that makes it), for network metrics
        that look at each population (the state); default ``data``.
    """

    def __init__(
        self,
        data: SpikeData | Callable[[], SpikeData],
        counts: np.ndarray | None = None,
        duration_ms: float | None = None,
        whole: SpikeData | Callable[[], SpikeData] | None = None,
    ) -> None:
        self._data = data
        self._whole = whole
        self._cache: dict[str, Any] = {}
        if counts is not None and duration_ms is not None:
            self._cache.update(counts=counts, duration_ms=duration_ms)

    @property
    def data(self) -> SpikeData:
        if callable(self._data):
            self._data = self._data()
        return self._data

    @property
    def whole(self) -> SpikeData:
        if self._whole is None:
            return self.data
        if callable(self._whole):
            self._whole = self._whole()
        return self._whole

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def isi(self) -> _irregularity.IsiStats:
        d = self.data
        return self.cached("isi", lambda: _irregularity.isi_stats(*d.by_neuron(), d.n_neurons))

    @property
    def counts(self) -> np.ndarray:
        """Spikes per neuron."""
        return self.cached("counts", lambda: _rates.spike_counts(self.data.senders, self.data.n_neurons))

    @property
    def rates_hz(self) -> np.ndarray:
        duration_ms = self.duration_ms
        if duration_ms <= 0:
            return np.full(self.counts.size, np.nan)
        return self.cached("rates", lambda: self.counts * (1000.0 / duration_ms))

    @property
    def duration_ms(self) -> float:
        if "duration_ms" in self._cache:
            return self._cache["duration_ms"]
        return self.data.duration_ms

    def chi(self, bin_ms: float = SYNCHRONY_BIN_MS) -> float:
        d = self.data
        return self.cached(
            f"chi{bin_ms}",
            lambda: _synchrony.golomb_chi(d.times_ms, d.senders, d.n_neurons, d.t_start_ms, d.t_stop_ms, bin_ms),
        )

    @property
    def oscillation(self) -> _oscillation.OscillationPeak:
        d = self.data
        return self.cached(
            "osc", lambda: _oscillation.oscillation_peak(d.times_ms, d.n_neurons, d.t_start_ms, d.t_stop_ms)
        )

    @property
    def waves(self) -> _phase_waves.PhaseWaves:
        d = self.data

        def make() -> _phase_waves.PhaseWaves:
            maps = _phase_waves.rate_maps(
                d.times_ms, d.senders, d.positions_mm, d.t_start_ms, d.t_stop_ms, bin_ms=WAVE_BIN_MS
            )
            return _phase_waves.phase_waves(maps, d.center_mm)

        return self.cached("waves", make)

    @property
    def latency(self) -> _evoked.LatencyFit:
        d = self.data

        def make() -> _evoked.LatencyFit:
            lat = _evoked.first_spike_latency_ms(d.times_ms, d.senders, d.n_neurons, d.onset_ms)
            return _evoked.latency_fit(np.linalg.norm(d.positions_mm - d.center_mm, axis=1), lat)

        return self.cached("latency", make)

    @property
    def spread(self) -> _evoked.SpreadFit:
        d = self.data
        return self.cached(
            "spread",
            lambda: _evoked.activity_spread(
                d.times_ms,
                d.senders,
                d.positions_mm,
                d.center_mm,
                d.onset_ms,
                t_start_ms=d.t_start_ms,
                bin_ms=SPREAD_BIN_MS,
            ),
        )
