"""The stimulus parameters that models with an input add to their own table.

Geometry is in field units: the visual field is the unit square, which each model maps onto its
cells (the V1 sheet retinotopically, ``x_mm = x * side_mm``).
"""

from __future__ import annotations

from opsnn_opt.params import Choice, Param, Text
from opsnn_opt.stimuli._events import DATASETS

__all__ = ["STIMULI", "stimulus_params"]

#: Stimulus kinds: no input, a localised pulse, a (moving or flashed) dot, a tonic event sample.
STIMULI: tuple[str, ...] = ("none", "pulse", "dot", "events")


def stimulus_params(default: str = "none") -> tuple[Param | Choice | Text, ...]:
    """The stimulus rows of a model's parameter table, with ``stimulus`` defaulting to ``default``."""
    return (
        Choice(
            "stimulus",
            default,
            STIMULI,
            "input: none, pulse (disc), dot (moving/flashed), events (tonic)",
            noun="stimulus",
            plural="stimuli",
        ),
        Param("stim_x", "field", 0.5, 0.0, 1.0, "pulse/dot centre at onset, x (fraction of the field width)"),
        Param("stim_y", "field", 0.5, 0.0, 1.0, "pulse/dot centre at onset, y (fraction of the field height)"),
        Param("stim_radius", "field", 0.1, 0.001, 1.0, "pulse/dot radius (fraction of the field width)"),
        Param("stim_onset_ms", "ms", 100.0, 1.0, 1e7, "time the stimulus starts"),
        Param("stim_duration_ms", "ms", 20.0, 0.1, 1e7, "how long the pulse/dot is shown"),
        Param("stim_rate_hz", "Hz", 500.0, 0.0, 10_000.0, "Poisson rate of a pixel at full luminance"),
        Param("stim_weight_nS", "nS", 5.0, 0.0, 1000.0, "conductance of each stimulus spike onto a cell"),
        Param("stim_pixels", "", 32, 1, 512, "pixels per side of the pulse/dot image", kind="int"),
        Param("stim_bin_ms", "ms", 1.0, 0.1, 100.0, "frame length of the pulse/dot image"),
        Param("stim_noise", "", 0.0, 0.0, 1.0, "dot: s.d. of Gaussian luminance noise per pixel and frame"),
        Param("dot_contrast", "", 1.0, 0.0, 1.0, "dot: luminance of the dot over the background"),
        Param("dot_vx_per_ms", "field/ms", 0.0, -1.0, 1.0, "dot: velocity, x (0 with dot_vy: a flash)"),
        Param("dot_vy_per_ms", "field/ms", 0.0, -1.0, 1.0, "dot: velocity, y"),
        Choice("events_dataset", "nmnist", tuple(DATASETS), "events: tonic dataset", noun="dataset", plural="datasets"),
        Text("events_path", "", "events: folder the dataset was saved to (tonic's save_to)"),
        Choice("events_split", "train", ("train", "test"), "events: dataset split", noun="split", plural="splits"),
        Param("events_index", "", 0, 0, 10_000_000, "events: sample number in the split", kind="int"),
        Param("events_t_start_ms", "ms", 0.0, 0.0, 1e7, "events: keep events from this time (played at onset)"),
        Param("events_t_stop_ms", "ms", 1e7, 0.0, 1e7, "events: keep events up to this time"),
        Param("events_denoise_ms", "ms", 0.0, 0.0, 1e4, "events: tonic Denoise filter time (0: off)"),
        Param("events_downsample", "", 1.0, 0.01, 1.0, "events: tonic Downsample spatial factor"),
        Choice("events_merge_polarities", "false", ("false", "true"), "events: one source per pixel, not two"),
    )
