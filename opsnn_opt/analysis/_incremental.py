"""Metrics on the spikes so far, updated chunk by chunk at the cost of the new spikes.

Between simulation chunks a run asks for metrics of everything recorded so far (prune rules,
intermediate values). :class:`SpikeAccumulator` appends each chunk's new spikes to growing
arrays (amortised doubling, so the arrays are never copied per chunk) and keeps a running spike
count per neuron, so the rate metrics (``rate_hz``, ``silent_fraction``, ``rate_*_hz``) cost
O(new spikes + neurons) per check. Other metrics read views of the arrays, with no copy and no
neo object. The values equal :func:`~opsnn_opt.analysis.compute_metrics` on the same spikes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np

from opsnn_opt.analysis._inputs import MetricInput
from opsnn_opt.analysis._registry import check_metric_name, compute_metric
from opsnn_opt.analysis._spikes import SpikeData

__all__ = ["SpikeAccumulator"]


class SpikeAccumulator:
    """The spikes of a run so far.

    Parameters
    ----------
    sizes
        Population name -> number of neurons, in order (populations are contiguous index
        ranges, as in :class:`SpikeData`).
    t_start_ms
        Start of the window (ms).
    source
        Optional: returns the spikes recorded since its previous call, up to a time (ms), as
        :meth:`add` takes them. With a source, :meth:`advance` only moves the window's end and
        the spikes are read when a metric or the data is first asked for (a check that is not
        due yet reads nothing).
    refractory_ms
        τ_ref (ms) of each population's cells, for the state metrics (:attr:`SpikeData.refractory_ms`).
    """

    def __init__(
        self,
        sizes: Mapping[str, int],
        t_start_ms: float = 0.0,
        source: Callable[[float], Mapping[str, tuple[np.ndarray, np.ndarray]]] | None = None,
        refractory_ms: Mapping[str, float] | None = None,
    ) -> None:
        self.refractory_ms = dict(refractory_ms) if refractory_ms is not None else None
        self.populations: dict[str, tuple[int, int]] = {}
        offset = 0
        for name, n in sizes.items():
            self.populations[name] = (offset, offset + int(n))
            offset += int(n)
        self.t_start_ms = self.t_stop_ms = float(t_start_ms)
        self.counts = np.zeros(offset, dtype=np.int64)
        self._times = np.empty(1024)
        self._senders = np.empty(1024, dtype=np.int64)
        self._n = 0
        self._source = source
        self._read_ms = self.t_stop_ms

    def advance(self, t_stop_ms: float) -> None:
        """Move the end of the window to ``t_stop_ms`` (ms); the source is read when needed."""
        self.t_stop_ms = float(t_stop_ms)

    def _sync(self) -> None:
        if self._source is not None and self._read_ms < self.t_stop_ms:
            t_stop_ms = self.t_stop_ms
            self.add(self._source(t_stop_ms), t_stop_ms)
            self._read_ms = t_stop_ms

    @property
    def n_spikes(self) -> int:
        self._sync()
        return self._n

    def add(self, new: Mapping[str, tuple[np.ndarray, np.ndarray]], t_stop_ms: float) -> None:
        """Append spikes and move the end of the window to ``t_stop_ms`` (ms).

        Parameters
        ----------
        new
            Population name -> (spike times in ms, neuron index within the population).
        """
        for name, (times, index) in new.items():
            start, _ = self.populations[name]
            k = len(times)
            if self._n + k > self._times.size:
                capacity = max(2 * self._times.size, self._n + k)
                self._times = np.resize(self._times, capacity)
                self._senders = np.resize(self._senders, capacity)
            self._times[self._n : self._n + k] = times
            self._senders[self._n : self._n + k] = np.asarray(index, dtype=np.int64) + start
            self._n += k
            stop = self.populations[name][1]
            self.counts[start:stop] += np.bincount(np.asarray(index, dtype=np.int64), minlength=stop - start)
        self.t_stop_ms = float(t_stop_ms)

    def spike_data(self) -> SpikeData:
        """Everything so far as :class:`SpikeData` (views of the arrays, no copy)."""
        self._sync()
        return SpikeData(
            self._times[: self._n],
            self._senders[: self._n],
            dict(self.populations),
            self.t_start_ms,
            self.t_stop_ms,
            refractory_ms=self.refractory_ms,
        )

    def metrics(self, names: Iterable[str]) -> dict[str, float]:
        """Metrics by name, as :func:`~opsnn_opt.analysis.compute_metrics` gives them for
        :meth:`spike_data`; rate metrics read the running counts only."""
        self._sync()
        inputs: dict[str, MetricInput] = {}
        out: dict[str, float] = {}
        pops = list(self.populations)
        for name in names:
            check_metric_name(name, pops, "metrics so far")
            pop = name.partition(".")[2] or "all"
            if pop not in inputs:
                start, stop = self.populations.get(pop, (0, self.counts.size))
                inputs[pop] = MetricInput(
                    lambda p=pop: self.spike_data().select(p),
                    self.counts[start:stop],
                    self.t_stop_ms - self.t_start_ms,
                    whole=self.spike_data,
                )
            out[name] = compute_metric(name, inputs[pop])
        return out
