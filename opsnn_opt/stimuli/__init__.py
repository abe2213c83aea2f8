"""Inputs to the networks: Poisson background, localised pulse, moving or flashed dot, tonic events.

Every stimulus becomes spike trains of a pixel grid over the visual field (:class:`SpikeInput`),
generated with numpy alone; :func:`add_stimulus` turns them into one ``SpikeSourceArray`` and maps
the field onto a model's cells. Models add :func:`stimulus_params` to their parameter table.
"""

from __future__ import annotations

from opsnn_opt.stimuli._build import (
    add_stimulus,
    check_stimulus,
    grid_field_positions,
    make_input,
    pixel_of,
    poisson_background,
    stimulus_annotation,
    stimulus_rng,
)
from opsnn_opt.stimuli._events import DATASETS, EventWindow, events_to_input, load_sample, transform_events
from opsnn_opt.stimuli._movie import Disc, disc_movie, pixel_centres
from opsnn_opt.stimuli._params import STIMULI, stimulus_params
from opsnn_opt.stimuli._spikes import SpikeInput, inhomogeneous_poisson, spike_source_array

__all__ = [
    "DATASETS",
    "STIMULI",
    "Disc",
    "EventWindow",
    "SpikeInput",
    "add_stimulus",
    "check_stimulus",
    "disc_movie",
    "events_to_input",
    "grid_field_positions",
    "inhomogeneous_poisson",
    "load_sample",
    "make_input",
    "pixel_centres",
    "pixel_of",
    "poisson_background",
    "spike_source_array",
    "stimulus_annotation",
    "stimulus_params",
    "stimulus_rng",
    "transform_events",
]
