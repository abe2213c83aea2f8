"""Reading a network's recordings out of the simulator, as flat arrays.

A :class:`Recorders` is made after the network is built and its recording set up. Between chunks
:meth:`Recorders.new_spikes` returns only the spikes recorded since the previous call; at the end
:meth:`Recorders.collect` returns the whole :class:`~opsnn_opt.io.Recording`. This generic
version reads through PyNN's ``get_data`` and converts neo at this boundary (sPyNNaker); the NEST
backend reads NEST's recorders directly (:mod:`opsnn_opt.backends._nest_recording`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from opsnn_opt.io import Recording
    from opsnn_opt.models import Network

__all__ = ["NewSpikes", "PyNNRecorders", "Recorders"]

#: Population name -> (spike times in ms, index of each spike's neuron in the population).
NewSpikes = dict[str, tuple[np.ndarray, np.ndarray]]


class Recorders:
    """The recordings of one built network; see the module docstring."""

    def __init__(self, network: Network) -> None:
        self.network = network

    def new_spikes(self, t_ms: float) -> NewSpikes:
        """Spikes recorded since the previous call (or the start), up to ``t_ms`` (ms)."""
        raise NotImplementedError

    def collect(self, t_ms: float) -> Recording:
        """Everything recorded from 0 to ``t_ms`` (ms), with the network's positions and annotations."""
        raise NotImplementedError


class PyNNRecorders(Recorders):
    """Through PyNN's ``get_data``: neo objects are built here and converted at once."""

    def __init__(self, network: Network) -> None:
        super().__init__(network)
        self._seen_ms = -np.inf

    def _recording(self, t_ms: float, variables: Any = "all") -> Recording:
        import neo

        from opsnn_opt.io import recording_from_block

        segment = neo.Segment()
        for pop in self.network.populations.values():
            data = pop.get_data(variables, clear=False).segments[0]
            segment.spiketrains.extend(data.spiketrains)
            segment.analogsignals.extend(data.analogsignals)
        block = neo.Block()
        block.segments.append(segment)
        block.annotations.update(self.network.annotations)
        if self.network.positions_mm:
            block.annotations["positions_mm"] = dict(self.network.positions_mm)
        recording = recording_from_block(block)
        recording.t_start_ms, recording.t_stop_ms = 0.0, float(t_ms)
        return recording

    def new_spikes(self, t_ms: float) -> NewSpikes:
        rec = self._recording(t_ms, "spikes")
        new = {}
        for name, p in rec.populations.items():
            keep = (p.times_ms > self._seen_ms) & (p.times_ms <= t_ms)
            new[name] = (p.times_ms[keep], p.index[keep])
        self._seen_ms = t_ms
        return new

    def collect(self, t_ms: float) -> Recording:
        return self._recording(t_ms)
