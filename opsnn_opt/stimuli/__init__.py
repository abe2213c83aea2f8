"""Inputs to the networks: localised pulse, moving or flashed dot, tonic events, as numpy spikes.

Every stimulus becomes spike trains of a pixel grid over the visual field (:class:`SpikeInput`),
generated with numpy alone: this package imports no simulator. :func:`opsnn_opt.models.add_stimulus`
turns them into one ``SpikeSourceArray`` and maps the field onto a model's cells, and
:func:`opsnn_opt.models.poisson_background` gives cells a Poisson background. Models add
:func:`stimulus_params` to their parameter table.
"""

from __future__ import annotations

from opsnn_opt.stimuli._events import DATASETS, EventWindow, events_to_input, load_sample, transform_events
from opsnn_opt.stimuli._input import (
    check_stimulus,
    grid_field_positions,
    make_input,
    pixel_of,
    stimulus_annotation,
    stimulus_rng,
)
from opsnn_opt.stimuli._movie import Disc, disc_movie, pixel_centres
from opsnn_opt.stimuli._params import STIMULI, stimulus_params
from opsnn_opt.stimuli._spikes import SpikeInput, inhomogeneous_poisson

__all__ = [
    "DATASETS",
    "STIMULI",
    "Disc",
    "EventWindow",
    "SpikeInput",
    "check_stimulus",
    "disc_movie",
    "events_to_input",
    "grid_field_positions",
    "inhomogeneous_poisson",
    "load_sample",
    "make_input",
    "pixel_centres",
    "pixel_of",
    "stimulus_annotation",
    "stimulus_params",
    "stimulus_rng",
    "transform_events",
]
