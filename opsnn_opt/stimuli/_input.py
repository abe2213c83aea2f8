"""From stimulus parameters to the spikes of a pixel grid, and the map from cells to pixels.

:func:`make_input` turns the ``stimulus`` parameters into a :class:`SpikeInput` (pure numpy,
no simulator); :func:`pixel_of` maps a cell's field position ``(fx, fy)`` to the pixel that
contains it. Wiring the spikes onto a model's cells is PyNN's business:
:func:`opsnn_opt.models.add_stimulus`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from opsnn_opt.errors import ConfigError
from opsnn_opt.stimuli._events import EventWindow, events_to_input, load_sample, transform_events
from opsnn_opt.stimuli._movie import Disc, disc_movie, pixel_centres
from opsnn_opt.stimuli._spikes import SpikeInput, inhomogeneous_poisson

__all__ = [
    "check_stimulus",
    "grid_field_positions",
    "make_input",
    "pixel_of",
    "stimulus_annotation",
    "stimulus_rng",
]
#: Second word of the stimulus generator's seed, so it never shares a stream with the network.
_STIMULUS_STREAM = 1


def stimulus_rng(params: Mapping[str, Any]) -> np.random.Generator:
    """The stimulus's own generator, derived from the model's ``seed``."""
    return np.random.default_rng([int(params.get("seed", 0)), _STIMULUS_STREAM])


def _disc(params: Mapping[str, Any], moving: bool) -> Disc:
    return Disc(
        params["stim_x"],
        params["stim_y"],
        params["stim_radius"],
        params["stim_onset_ms"],
        params["stim_duration_ms"],
        params["dot_contrast"] if moving else 1.0,
        params["dot_vx_per_ms"] if moving else 0.0,
        params["dot_vy_per_ms"] if moving else 0.0,
    )


def check_stimulus(params: Mapping[str, Any], where: str) -> None:
    """Cross-parameter checks of the stimulus rows; models call it from their ``check``."""
    if params["stimulus"] != "events":
        return
    if not params["events_path"]:
        raise ConfigError(f"{where}: stimulus = events needs events_path, the folder of a tonic dataset; got ''")
    if params["events_t_stop_ms"] < params["events_t_start_ms"]:
        raise ConfigError(
            f"{where}: events_t_start_ms <= events_t_stop_ms must hold; got "
            f"events_t_start_ms={params['events_t_start_ms']:g}, "
            f"events_t_stop_ms={params['events_t_stop_ms']:g}"
        )


def make_input(params: Mapping[str, Any]) -> SpikeInput | None:
    """The spikes of the stimulus that ``params["stimulus"]`` names, or None for ``"none"``.

    ``pulse`` is a disc of full contrast, still and noiseless; ``dot`` uses ``dot_contrast``,
    the velocity and ``stim_noise``. Both become inhomogeneous Poisson trains at
    ``stim_rate_hz x luminance`` per pixel. ``events`` replays a tonic sample exactly.
    """
    kind = params["stimulus"]
    if kind == "none":
        return None
    if kind == "events":
        check_stimulus(params, "stimulus")
        events, sensor = load_sample(
            params["events_dataset"],
            params["events_path"],
            params["events_index"],
            train=params["events_split"] == "train",
        )
        window = EventWindow(
            params["events_t_start_ms"],
            params["events_t_stop_ms"],
            params["events_denoise_ms"],
            params["events_downsample"],
            params["events_merge_polarities"] == "true",
        )
        events, sensor = transform_events(events, sensor, window)
        return events_to_input(events, sensor, params["stim_onset_ms"], window.t_start_ms)
    disc = _disc(params, moving=kind == "dot")
    n, rng = params["stim_pixels"], stimulus_rng(params)
    noise = params["stim_noise"] if kind == "dot" else 0.0
    luminance = disc_movie(disc, n, n, params["stim_bin_ms"], noise, rng)
    times, sources = inhomogeneous_poisson(
        params["stim_rate_hz"] * luminance, params["stim_bin_ms"], disc.onset_ms, rng
    )
    return SpikeInput.from_unsorted(times, sources, n, n)


def stimulus_annotation(params: Mapping[str, Any], field_mm: float | None = None) -> dict[str, Any]:
    """What the analysis needs to know about the stimulus; positions also in mm if ``field_mm``."""
    kind = params["stimulus"]
    out: dict[str, Any] = {"kind": kind, "onset_ms": float(params["stim_onset_ms"])}
    if kind in ("pulse", "dot"):
        disc = _disc(params, moving=kind == "dot")
        out.update(
            centre=[disc.x, disc.y],
            radius=disc.radius,
            duration_ms=disc.duration_ms,
            velocity_per_ms=[disc.vx, disc.vy],
        )
        if field_mm is not None:
            out.update(
                centre_mm=[disc.x * field_mm, disc.y * field_mm],
                radius_mm=disc.radius * field_mm,
                velocity_mm_per_ms=[disc.vx * field_mm, disc.vy * field_mm],
            )
    return out


def grid_field_positions(n: int) -> np.ndarray:
    """Field positions for ``n`` cells without a place of their own: row by row on a square grid.

    Cell ``i`` sits at column ``i % k``, row ``i // k`` of a ``k x k`` grid, ``k = ceil(sqrt(n))``.
    """
    k = int(np.ceil(np.sqrt(n)))
    return pixel_centres(k, k)[:n]


def pixel_of(field_xy: np.ndarray, width: int, height: int) -> np.ndarray:
    """Index ``y * width + x`` of the pixel containing each field position, shape ``(n,)``."""
    ix = np.clip(np.floor(field_xy[:, 0] * width), 0, width - 1).astype(np.int64)
    iy = np.clip(np.floor(field_xy[:, 1] * height), 0, height - 1).astype(np.int64)
    return iy * width + ix
