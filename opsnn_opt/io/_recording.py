"""A run's recordings as flat arrays: what a backend reads out, a results file stores, metrics read.

A :class:`Recording` holds, per population, every spike as two arrays (times in ms and the
index of the neuron in its population) and the recorded membrane potentials as one
``(n_samples, n_channels)`` array, plus positions and the network's annotations. The NEST
backend fills it straight from NEST's recorders; no neo object is built between the simulator
and the results file or the metrics. neo Blocks are made only when asked for
(:meth:`Recording.to_block`: ``--format neo-nix`` and ``pickle``, :func:`opsnn_opt.io.read_block`),
and a Block becomes a Recording through :func:`recording_from_block`, the one converter from
neo to flat arrays, which both the results files and the analysis use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from opsnn_opt.analysis import REFRACTORY_ANNOTATION, SpikeData, argsort_by_neuron

if TYPE_CHECKING:
    import neo

__all__ = [
    "PopulationRecording",
    "Recording",
    "recording_from_block",
    "spike_data_from_block",
    "spike_data_from_segment",
]

#: Block annotations that carry positions and the stimulus (read by :func:`recording_from_block`).
POSITIONS_KEY = "positions_mm"
STIMULUS_KEY = "stimulus"
STIMULUS_CENTER_KEY = "stimulus_center_mm"
STIMULUS_ONSET_KEY = "stimulus_onset_ms"
#: Name of the membrane-potential signals (PyNN's recordable "v").
V_SIGNAL_NAME = "v"


@dataclass
class PopulationRecording:
    """Everything recorded from one population.

    Attributes
    ----------
    size
        Number of neurons.
    times_ms
        Spike times (ms), float64, grouped by neuron (ascending index), in recorded order
        within a neuron.
    index
        Index in the population (``0 .. size-1``) of the neuron of each spike, int64.
    cell_ids
        The simulator's id of every neuron, shape ``(size,)``; None when unknown.
    v_mv
        Membrane potentials (mV), shape ``(n_samples, n_channels)``; None if not recorded.
    v_index
        Index in the population of each V_m channel, shape ``(n_channels,)``.
    v_dt_ms, v_t_start_ms
        Sampling period and time of the first sample (ms).
    positions_mm
        Neuron positions, shape ``(size, 3)`` in mm; None for non-spatial models.
    """

    size: int
    times_ms: np.ndarray
    index: np.ndarray
    cell_ids: np.ndarray | None = None
    v_mv: np.ndarray | None = None
    v_index: np.ndarray | None = None
    v_dt_ms: float = 0.1
    v_t_start_ms: float = 0.0
    positions_mm: np.ndarray | None = None

    @classmethod
    def from_events(cls, size: int, times_ms: np.ndarray, index: np.ndarray, **fields: Any) -> PopulationRecording:
        """Group spikes in recorded order by neuron (a stable sort keeps each neuron's order)."""
        index = np.asarray(index, dtype=np.int64)
        order = argsort_by_neuron(index)
        return cls(size, np.asarray(times_ms, dtype=np.float64)[order], index[order], **fields)

    def counts(self) -> np.ndarray:
        """Spikes per neuron, shape ``(size,)``."""
        return np.bincount(self.index, minlength=self.size)[: self.size]


@dataclass
class Recording:
    """All recordings of one run.

    Attributes
    ----------
    populations
        Population name -> its recording, in the model's order.
    t_start_ms, t_stop_ms
        The recorded window (ms).
    annotations
        JSON-like facts about the network (e.g. the stimulus), as in ``Network.annotations``.
    """

    populations: dict[str, PopulationRecording]
    t_start_ms: float
    t_stop_ms: float
    annotations: dict[str, Any] = field(default_factory=dict)

    @property
    def n_spikes(self) -> int:
        return sum(int(p.times_ms.size) for p in self.populations.values())

    def spike_data(self) -> SpikeData:
        """The flat :class:`SpikeData` the metrics read (one concatenation, no per-neuron work)."""
        pops = self.populations
        by_pop = {name: (p.times_ms, p.index, p.size) for name, p in pops.items()}
        positions = {name: p.positions_mm for name, p in pops.items() if p.positions_mm is not None}
        data = SpikeData.from_arrays(by_pop, self.t_start_ms, self.t_stop_ms, positions_mm=positions or None)
        return SpikeData(
            data.times_ms,
            data.senders,
            data.populations,
            data.t_start_ms,
            data.t_stop_ms,
            positions_mm=data.positions_mm,
            **_voltage(pops, data.populations),
            **_stimulus(self.annotations),
            refractory_ms=_refractory(self.annotations),
        )

    def to_block(self, name: str = "", description: str = "") -> neo.Block:
        """A neo Block laid out as PyNN's ``get_data()`` lays it out (built only when asked for).

        One segment; per neuron a SpikeTrain annotated ``source_population``, ``source_index``
        and ``channel_id``; per population with V_m an AnalogSignal ``"v"`` in mV. Positions
        and the annotations go to the block's annotations.
        """
        import neo
        import quantities as pq

        block = neo.Block(name=name, description=description)
        segment = neo.Segment(name="run", index=0)
        t_start, t_stop = self.t_start_ms * pq.ms, self.t_stop_ms * pq.ms
        for pop_name, p in self.populations.items():
            ids = p.cell_ids if p.cell_ids is not None else np.arange(p.size)
            pieces = np.split(p.times_ms, np.cumsum(p.counts())[:-1]) if p.size else []
            for i, times in enumerate(pieces):
                st = neo.SpikeTrain(times, t_stop=t_stop, units=pq.ms, t_start=t_start)
                st.annotations.update(source_population=pop_name, source_index=i, channel_id=int(ids[i]))
                segment.spiketrains.append(st)
            if p.v_mv is not None and p.v_index is not None:
                sig = neo.AnalogSignal(
                    p.v_mv,
                    units="mV",
                    sampling_period=p.v_dt_ms * pq.ms,
                    t_start=p.v_t_start_ms * pq.ms,
                    name=V_SIGNAL_NAME,
                    array_annotations={"channel_index": np.asarray(p.v_index)},
                )
                sig.annotations.update(channel_ids=np.asarray(ids)[p.v_index], source_population=pop_name)
                segment.analogsignals.append(sig)
        block.segments.append(segment)
        positions = {n: p.positions_mm for n, p in self.populations.items() if p.positions_mm is not None}
        if positions:
            block.annotations[POSITIONS_KEY] = positions
        block.annotations.update(self.annotations)
        return block


def _voltage(pops: Mapping[str, PopulationRecording], ranges: Mapping[str, tuple[int, int]]) -> dict[str, Any]:
    """V_m of every population sampled like the first one, as one array (shortest length)."""
    recorded = [(name, p) for name, p in pops.items() if p.v_mv is not None and p.v_mv.shape[0] >= 2]
    if not recorded:
        return {}
    first = recorded[0][1]
    same = [
        (name, p)
        for name, p in recorded
        if abs(p.v_dt_ms - first.v_dt_ms) < 1e-9 and abs(p.v_t_start_ms - first.v_t_start_ms) < 1e-9
    ]
    n_samples = min(p.v_mv.shape[0] for _, p in same)
    columns = [p.v_mv[:n_samples] for _, p in same]
    if sum(c.shape[1] for c in columns) == 0:
        return {}
    return {
        "v_mv": np.concatenate(columns, axis=1),
        "v_senders": np.concatenate([np.asarray(p.v_index, dtype=np.int64) + ranges[n][0] for n, p in same]),
        "v_dt_ms": first.v_dt_ms,
        "v_t_start_ms": first.v_t_start_ms,
    }


def _refractory(annotations: Mapping[str, Any]) -> dict[str, float] | None:
    """Each population's refractory period (ms) as the run recorded it, so that a state computed
    again from the file (plots, rerun) uses the model's, not the default."""
    given = annotations.get(REFRACTORY_ANNOTATION)
    if not isinstance(given, Mapping):
        return None
    return {str(name): float(value) for name, value in given.items()}


def _stimulus(annotations: Mapping[str, Any]) -> dict[str, Any]:
    """Stimulus centre (mm) and onset (ms) from the annotations, for the evoked-wave metrics."""
    stimulus = annotations.get(STIMULUS_KEY)
    stimulus = stimulus if isinstance(stimulus, Mapping) else {}
    out: dict[str, Any] = {}
    center = annotations.get(STIMULUS_CENTER_KEY, stimulus.get("centre_mm"))
    if center is not None:
        center = np.asarray(center, dtype=np.float64).ravel()
        out["stimulus_center_mm"] = np.pad(center, (0, max(3 - center.size, 0)))[:3]
    onset = annotations.get(STIMULUS_ONSET_KEY, stimulus.get("onset_ms"))
    if onset is not None:
        out["stimulus_onset_ms"] = float(onset)
    return out


def _signal_columns(sig: Any, size: int, ids_to_index: Mapping[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A ``"v"`` signal's channels in mV and their neurons' indices in the population.

    A channel's neuron is its ``channel_index`` array annotation (PyNN), else its
    ``source_ids``/``channel_ids`` matched against the trains' ``source_id``/``channel_id``.
    """
    import quantities as pq

    n_ch = sig.shape[1]
    local = sig.array_annotations.get("channel_index")
    if local is None or len(local) != n_ch:
        ids = sig.array_annotations.get("source_ids", sig.annotations.get("channel_ids"))
        local = [ids_to_index.get(int(i), -1) for i in ids] if ids is not None and len(ids) == n_ch else np.arange(n_ch)
    local = np.asarray(local, dtype=np.int64)
    ok = (local >= 0) & (local < size)
    factor = float(pq.Quantity(1.0, sig.dimensionality).rescale(pq.mV).magnitude)
    return np.asarray(sig.magnitude, dtype=np.float64)[:, ok] * factor, local[ok]


def recording_from_block(block: neo.Block) -> Recording:
    """Convert a neo Block (its first segment) to a :class:`Recording`: the one neo converter.

    Spike trains are grouped by their ``source_population`` annotation (trains without one form
    population ``"all"``) with the compact format's packer; a train's neuron is its
    ``source_index`` annotation when present, else its position among its population's trains.
    Times may be in any unit. AnalogSignals named ``"v"`` of a known population become V_m
    channels (signals sampled differently from the population's first are left out). Block
    annotations ``"positions_mm"`` (population -> ``(n, 3)`` mm) become positions; the rest
    are kept as the recording's annotations (the stimulus, for the evoked-wave metrics).

    Returns
    -------
    Recording
        The window is the earliest ``t_start`` and latest ``t_stop`` of the trains; an empty
        block gives no populations and the window ``(0, 0)``.

    Raises
    ------
    ValueError
        If a population's positions do not have shape ``(n, 3)`` with ``n`` its number of
        neurons.
    """
    from opsnn_opt.io._trains import pack_trains

    annotations = {k: v for k, v in block.annotations.items() if k != POSITIONS_KEY}
    if not block.segments or not block.segments[0].spiketrains:
        return Recording({}, 0.0, 0.0, annotations)
    segment = block.segments[0]
    packed = pack_trains(list(segment.spiketrains), "the block's first segment")
    positions = block.annotations.get(POSITIONS_KEY) or {}
    return recording_from_packed(packed, list(segment.analogsignals), positions, annotations)


def spike_data_from_block(block: neo.Block) -> SpikeData:
    """The :class:`~opsnn_opt.analysis.SpikeData` of a neo Block: its first segment, plus
    positions and the stimulus annotations.

    Reads ``block.annotations["positions_mm"]`` (population -> ``(n, 3)`` mm) and the stimulus
    centre and onset when annotated (``"stimulus_center_mm"``, ``"stimulus_onset_ms"``, or the
    ``"centre_mm"`` and ``"onset_ms"`` of a ``"stimulus"`` dict). Trains are read as
    :func:`recording_from_block` reads them, the one converter from neo.
    """
    return recording_from_block(block).spike_data()


def spike_data_from_segment(segment: neo.Segment) -> SpikeData:
    """The :class:`~opsnn_opt.analysis.SpikeData` of one neo Segment: spikes, and V_m
    (AnalogSignals named ``"v"``) when recorded.

    Trains are grouped by their ``source_population`` annotation; a train's index within its
    population is its ``source_index`` annotation when present, else its position among that
    population's trains (see :func:`recording_from_block`).
    """
    import neo

    block = neo.Block()
    block.segments.append(segment)
    return spike_data_from_block(block)


def recording_from_packed(
    packed_populations: list[Any], signals: list[Any], positions: Mapping[str, Any], annotations: dict[str, Any]
) -> Recording:
    """The :class:`Recording` of one segment's trains as the compact format packs them
    (:class:`~opsnn_opt.io._trains.PopulationTrains`), its AnalogSignals, the positions
    (population -> ``(n, 3)`` mm) and the other annotations: the second half of
    :func:`recording_from_block`, which the compact reader also calls without building trains.
    """
    from opsnn_opt.io._trains import to_ms_factor

    if not packed_populations:
        return Recording({}, 0.0, 0.0, annotations)
    pops: dict[str, PopulationRecording] = {}
    ids_to_index: dict[str, dict[int, int]] = {}
    t_start, t_stop = np.inf, -np.inf
    for packed in packed_populations:
        name = packed.label if packed.label is not None else "all"
        counts = packed.int_table[:, 0]
        columns = {c: packed.int_table[:, j] for j, c in enumerate(packed.int_columns)}
        index = columns.get("source_index", np.arange(counts.size))
        id_key = next((k for k in ("source_id", "channel_id") if k in columns), None)
        ids_to_index[name] = {int(i): int(k) for i, k in zip(columns[id_key], index)} if id_key else {}
        size = int(index.max()) + 1 if index.size else 0
        cell_ids = None
        if id_key is not None and size == counts.size:
            cell_ids = np.empty(size, dtype=np.int64)
            cell_ids[index] = columns[id_key]
        pops[name] = PopulationRecording.from_events(
            size, packed.spike_times_ms, np.repeat(index, counts), cell_ids=cell_ids
        )
        t_start = min(t_start, float(packed.float_table[:, 0].min()))
        t_stop = max(t_stop, float(packed.float_table[:, 1].max()))
    for sig in signals:
        name = str(sig.annotations.get("source_population", "all"))
        p = pops.get(name)
        if sig.name != V_SIGNAL_NAME or p is None or sig.ndim != 2 or sig.shape[0] < 2:
            continue
        dt_ms = float(sig.sampling_period.magnitude) * to_ms_factor(sig.sampling_period)
        t0_ms = float(sig.t_start.magnitude) * to_ms_factor(sig.t_start)
        v_mv, v_index = _signal_columns(sig, p.size, ids_to_index[name])
        if p.v_mv is None:
            p.v_mv, p.v_index, p.v_dt_ms, p.v_t_start_ms = v_mv, v_index, dt_ms, t0_ms
        elif abs(dt_ms - p.v_dt_ms) < 1e-9 and abs(t0_ms - p.v_t_start_ms) < 1e-9:
            n = min(p.v_mv.shape[0], v_mv.shape[0])
            p.v_mv = np.concatenate([p.v_mv[:n], v_mv[:n]], axis=1)
            p.v_index = np.concatenate([p.v_index, v_index])
    for name, xyz in positions.items():
        if name not in pops:
            continue
        xyz = np.asarray(xyz, dtype=np.float64)
        if xyz.shape != (pops[name].size, 3):
            raise ValueError(
                f"positions_mm[{name!r}] must have shape (n, 3) with n = {pops[name].size} neurons, but got {xyz.shape}"
            )
        pops[name].positions_mm = xyz
    return Recording(pops, t_start, t_stop, annotations)
