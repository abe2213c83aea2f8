"""Flat arrays straight from NEST's recorders, without PyNN's ``get_data``.

PyNN's ``get_data`` builds a neo SpikeTrain per neuron and an AnalogSignal per population, and
with ``clear=False`` it rebuilds them from every spike so far each time it is called. Here the
``spike_recorder`` and ``multimeter`` that PyNN created for each population are read as arrays
(``events``: senders, times, V_m). Between chunks, a recorder is read and then emptied
(``n_events = 0``), so each check costs the new spikes only; what was read is kept here and
joined at the end. The result is the same as ``get_data`` gives (same spikes in the same order,
same V_m samples), except the first V_m sample: NEST does not record at t = 0, and PyNN then
reports the initial value it was *given*, which it does not know when the initial V_m were
drawn inside NEST (it reports the cell type's default instead); here the value is read from
NEST before the first step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from opsnn_opt.backends._recording import NewSpikes, Recorders

if TYPE_CHECKING:
    from opsnn_opt.io import Recording
    from opsnn_opt.models import Network

__all__ = ["NestRecorders"]


def _clear_events(recorder: Any) -> None:
    """``recorder.n_events = 0``, without what PyNEST's ``set`` does first.

    ``NodeCollection.set`` reads every parameter of the first node to check for per-node
    lists, and a recorder's parameters include all its events: most of a check's cost. One
    value for one node needs no such check, so the status is set directly.
    """
    try:
        from nest import nestkernel_api
    except ImportError:  # another PyNEST layout: the public path
        recorder.n_events = 0
        return
    nestkernel_api.llapi_set_nc_status(recorder._datum, [{"n_events": 0}])


class _Population:
    """The recorders of one PyNN population and the spikes already read from them."""

    def __init__(self, pop: Any) -> None:
        import nest

        self.size = pop.size
        self.cell_ids = np.asarray(pop.all_cells, dtype=np.int64)
        recorder = pop.recorder
        self.spikes = recorder._spike_detector.device
        self.times: list[np.ndarray] = []
        self.index: list[np.ndarray] = []
        self.overrun = (np.empty(0), np.empty(0, dtype=np.int64))
        meter = recorder._multimeter
        self.v_ids = np.array(sorted(int(i) for i in meter._all_ids), dtype=np.int64)
        self.meter = meter.device if self.v_ids.size else None
        self.v_name: str | None = None
        self.v0 = np.empty(0)
        self.interval_ms = 0.0
        if self.meter is not None:
            # Read now, while the meter holds no events: any status read copies them all.
            self.interval_ms = float(self.meter.get("interval"))
            record_from = list(self.meter.get("record_from"))
            self.v_name = "V_m" if "V_m" in record_from else (record_from[0] if record_from else None)
            if self.v_name is not None:
                self.v0 = np.asarray(nest.NodeCollection(self.v_ids.tolist()).get(self.v_name), dtype=np.float64)

    def read_spikes(self, t_ms: float, offset_ms: float, clear: bool) -> tuple[np.ndarray, np.ndarray]:
        """Spikes not read before, up to ``t_ms``; later ones wait for the next read."""
        events = self.spikes.get("events")
        times = np.asarray(events["times"], dtype=np.float64) - offset_ms
        index = np.searchsorted(self.cell_ids, np.asarray(events["senders"], dtype=np.int64))
        if clear:
            _clear_events(self.spikes)
            times = np.concatenate([self.overrun[0], times])
            index = np.concatenate([self.overrun[1], index])
        due = times <= t_ms
        if clear:
            self.overrun = (times[~due], index[~due])
        return times[due], index[due]

    def voltage(self, t_ms: float, offset_ms: float) -> dict[str, Any]:
        if self.meter is None or self.v_name is None:
            return {}
        interval = self.interval_ms
        events = self.meter.get("events")
        times = np.asarray(events["times"], dtype=np.float64) - offset_ms
        keep = times <= t_ms + 1e-9
        channel = np.searchsorted(self.v_ids, np.asarray(events["senders"], dtype=np.int64)[keep])
        sample = np.rint(times[keep] / interval).astype(np.int64)
        n_samples = int(np.rint(t_ms / interval)) + 1
        v_mv = np.empty((n_samples, self.v_ids.size))
        v_mv[0] = self.v0
        v_mv[sample, channel] = np.asarray(events[self.v_name], dtype=np.float64)[keep]
        return {
            "v_mv": v_mv,
            "v_index": np.searchsorted(self.cell_ids, self.v_ids),
            "v_dt_ms": interval,
            "v_t_start_ms": 0.0,
        }


class NestRecorders(Recorders):
    """Reads the recorders PyNN made on NEST; see the module docstring."""

    def __init__(self, network: Network) -> None:
        from pyNN.nest import simulator

        super().__init__(network)
        self._state = simulator.state
        self._pops = {name: _Population(pop) for name, pop in network.populations.items()}

    def new_spikes(self, t_ms: float) -> NewSpikes:
        offset = self._state._time_offset
        new = {}
        for name, p in self._pops.items():
            times, index = p.read_spikes(t_ms, offset, clear=True)
            p.times.append(times)
            p.index.append(index)
            new[name] = (times, index)
        return new

    def collect(self, t_ms: float) -> Recording:
        from opsnn_opt.io import PopulationRecording, Recording

        offset = self._state._time_offset
        populations = {}
        for name, p in self._pops.items():
            times, index = p.read_spikes(t_ms, offset, clear=bool(p.times))
            populations[name] = PopulationRecording.from_events(
                p.size,
                np.concatenate([*p.times, times]),
                np.concatenate([*p.index, index]),
                cell_ids=p.cell_ids,
                positions_mm=self.network.positions_mm.get(name),
                **p.voltage(t_ms, offset),
            )
        return Recording(populations, 0.0, float(t_ms), dict(self.network.annotations))
