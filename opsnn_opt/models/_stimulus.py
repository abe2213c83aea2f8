"""Stimulus sources on a model's cells: the PyNN side of :mod:`opsnn_opt.stimuli`.

:mod:`opsnn_opt.stimuli` makes a stimulus's spikes with numpy alone (:func:`make_input`);
:func:`add_stimulus` creates the ``SpikeSourceArray`` and maps it retinotopically: a cell at
field position ``(fx, fy)`` receives every channel of the pixel that contains it.
:func:`poisson_background` gives every cell its own Poisson train.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

import numpy as np

from opsnn_opt.errors import ConfigError
from opsnn_opt.models.connectors import independent_poisson, list_connector
from opsnn_opt.stimuli import SpikeInput, make_input, pixel_of

__all__ = ["add_stimulus", "poisson_background", "spike_source_array"]

_NS_TO_US = 1e-3  # PyNN conductances are in µS


def spike_source_array(sim: ModuleType, spikes: SpikeInput, label: str) -> Any:
    """A ``SpikeSourceArray`` population with one source per pixel and channel."""
    from pyNN.parameters import Sequence

    trains = [Sequence(t) for t in spikes.trains()]
    return sim.Population(spikes.n_sources, sim.SpikeSourceArray(spike_times=trains), label=label)


def add_stimulus(
    sim: ModuleType, params: Mapping[str, Any], targets: Mapping[str, tuple[Any, np.ndarray]], delay_ms: float
) -> tuple[dict[str, Any], Any]:
    """Create the stimulus's spike sources and connect them onto ``targets``.

    Parameters
    ----------
    sim
        The PyNN module.
    params
        The model's parameters, including the stimulus rows (see
        :func:`opsnn_opt.stimuli.stimulus_params`).
    targets
        Population name -> (population, field positions of its cells, shape ``(n, 2)``).
    delay_ms
        Delay of the stimulus connections (ms).

    Returns
    -------
    projections, sources
        Projections named ``stimulus_<population>`` (empty for ``stimulus = none``), and the
        source population (None for ``none``).
    """
    spikes = make_input(params)
    if spikes is None:
        return {}, None
    if spikes.times_ms.size and spikes.times_ms.min() <= delay_ms:
        # NEST drops source spikes that are not later than one delay.
        raise ConfigError(
            f"stim_onset_ms: the first stimulus spike, at {spikes.times_ms.min():g} ms, must come "
            f"after one delay ({delay_ms:g} ms); start the stimulus later",
            field="stim_onset_ms",
        )
    source = spike_source_array(sim, spikes, label="stimulus")
    syn = sim.StaticSynapse()
    weight = params["stim_weight_nS"] * _NS_TO_US
    plane = spikes.width * spikes.height
    projections = {}
    for name, (population, field_xy) in targets.items():
        pixel = pixel_of(np.asarray(field_xy), spikes.width, spikes.height)
        pre = (np.arange(spikes.channels)[:, None] * plane + pixel[None, :]).ravel()
        post = np.tile(np.arange(population.size), spikes.channels)
        connector = list_connector(sim, pre, post, weight, delay_ms)
        projections[f"stimulus_{name}"] = sim.Projection(source, population, connector, syn, receptor_type="excitatory")
    return projections, source


def poisson_background(
    sim: ModuleType, target: Any, rate_hz: float, weight: float, delay_ms: float, receptor_type: str = "excitatory"
) -> tuple[Any, Any] | tuple[None, None]:
    """An independent Poisson train per cell of ``target``.

    ``weight`` is in PyNN units (µS for conductances, nA or mV for currents). Returns the
    sources and the projection, or ``(None, None)`` if ``rate_hz`` is 0. Built with
    :func:`opsnn_opt.models.connectors.independent_poisson`: on NEST one ``poisson_generator``
    that sends every cell its own train (it cannot be recorded), elsewhere one source per cell.
    """
    if rate_hz <= 0:
        return None, None
    synapse = sim.StaticSynapse(weight=weight, delay=delay_ms)
    return independent_poisson(sim, target, rate_hz, synapse, receptor_type, label=f"background_{target.label}")
