"""Event-camera recordings from tonic datasets, turned into one spike source per pixel and polarity.

A sample is tonic's structured array with fields ``x``, ``y``, ``t`` (µs) and ``p``. Every event
becomes exactly one spike of source ``p * width * height + y * width + x`` at
``onset_ms + (t - window_start) / 1000`` ms; the conversion is vectorised (one sort), where a
loop over pixels x events took seconds for one N-MNIST sample.

Datasets are read from disk and never downloaded: tonic's dataset classes download whatever they
do not find, so they are used here through a subclass whose ``download`` raises
:class:`~opsnn_opt.errors.ConfigError` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from opsnn_opt.errors import ConfigError
from opsnn_opt.stimuli._spikes import SpikeInput

__all__ = ["DATASETS", "EventWindow", "events_to_input", "load_sample", "transform_events"]

#: Dataset name -> tonic class name. Each takes ``(save_to, train)`` and times in µs.
DATASETS: dict[str, str] = {"nmnist": "NMNIST", "pokerdvs": "POKERDVS", "dvsgesture": "DVSGesture"}


@dataclass(frozen=True)
class EventWindow:
    """Which events to keep and how to reduce them (tonic transforms, in this order).

    Attributes
    ----------
    t_start_ms, t_stop_ms
        Keep events with ``t_start_ms <= t <= t_stop_ms`` (``tonic.transforms.CropTime``).
    denoise_ms
        If > 0, drop events with no neighbour within this time (``tonic.transforms.Denoise``).
    downsample
        Spatial factor in (0, 1] (``tonic.transforms.Downsample``); 1 keeps the sensor's grid.
    merge_polarities
        Put every event on polarity 0 (``tonic.transforms.MergePolarities``).
    """

    t_start_ms: float = 0.0
    t_stop_ms: float = float("inf")
    denoise_ms: float = 0.0
    downsample: float = 1.0
    merge_polarities: bool = False


def _no_download(cls: type) -> type:
    """``cls`` with ``download`` raising instead (same class name: tonic derives its folder from it)."""

    def download(self: Any) -> None:
        raise ConfigError(
            f"events_path: no {cls.__name__} {getattr(self, 'folder_name', '')!s} data under "
            f"{self.location_on_system!r}; opsnn never downloads at run time: fetch it once with "
            f"tonic.datasets.{cls.__name__}(save_to=...) and pass that folder as events_path"
        )

    return type(cls.__name__, (cls,), {"download": download, "__module__": cls.__module__})


def load_sample(dataset: str, root: str | Path, index: int, train: bool = True) -> tuple[np.ndarray, tuple]:
    """One sample of a tonic dataset stored under ``root`` (tonic's ``save_to`` folder).

    Parameters
    ----------
    dataset
        A key of :data:`DATASETS`.
    root
        The folder given to tonic as ``save_to`` when the data were downloaded.
    index
        Sample number within the split.
    train
        Training split if True, else the test split.

    Returns
    -------
    events, sensor_size
        The sample's structured event array (times in µs) and the sensor's
        ``(width, height, polarities)``.

    Raises
    ------
    ConfigError
        Unknown dataset, missing data, or an index outside the split.
    """
    import tonic.datasets

    if dataset not in DATASETS:
        raise ConfigError(f"events_dataset: unknown dataset {dataset!r}; valid datasets are: {', '.join(DATASETS)}")
    if not str(root):
        raise ConfigError("events_path: the events stimulus needs the folder of a tonic dataset; got ''")
    cls = _no_download(getattr(tonic.datasets, DATASETS[dataset]))
    data = cls(save_to=str(root), train=train)
    if not 0 <= index < len(data):
        raise ConfigError(
            f"events_index must be in [0, {len(data) - 1}] for {dataset} under {str(root)!r}; got {index}"
        )
    events, _ = data[index]
    return events, tuple(int(s) for s in cls.sensor_size)


def transform_events(events: np.ndarray, sensor_size: tuple, window: EventWindow) -> tuple[np.ndarray, tuple]:
    """Apply the window's tonic transforms; return the events and the new sensor size."""
    import tonic.transforms as tt

    stop_us = window.t_stop_ms * 1000.0 if np.isfinite(window.t_stop_ms) else None
    steps: list[Any] = [tt.CropTime(min=window.t_start_ms * 1000.0, max=stop_us)]
    if window.denoise_ms > 0:
        steps.append(tt.Denoise(filter_time=window.denoise_ms * 1000.0))
    width, height, polarities = sensor_size
    if window.downsample != 1.0:
        steps.append(tt.Downsample(spatial_factor=window.downsample))
        # Downsample scales coordinates and floors them into the integer fields.
        width = int(np.floor((width - 1) * window.downsample)) + 1
        height = int(np.floor((height - 1) * window.downsample)) + 1
    if window.merge_polarities:
        steps.append(tt.MergePolarities())
        polarities = 1
    if events.size:
        events = tt.Compose(steps)(events)
    return events, (width, height, polarities)


def events_to_input(events: np.ndarray, sensor_size: tuple, onset_ms: float, t_start_ms: float = 0.0) -> SpikeInput:
    """Every event as one spike of its pixel and polarity's source.

    Parameters
    ----------
    events
        Structured array with fields ``x``, ``y``, ``t`` (µs) and ``p``.
    sensor_size
        ``(width, height, polarities)``.
    onset_ms
        When an event at ``t_start_ms`` is delivered (ms).
    t_start_ms
        Event time mapped to ``onset_ms`` (ms), e.g. the start of the time window.

    Returns
    -------
    SpikeInput
        One spike per event; events at the same pixel and time stay separate spikes.
    """
    width, height, polarities = (int(s) for s in sensor_size)
    x, y = events["x"].astype(np.int64), events["y"].astype(np.int64)
    p = events["p"].astype(np.int64)
    outside = (x < 0) | (x >= width) | (y < 0) | (y >= height) | (p < 0) | (p >= polarities)
    if outside.any():
        k = int(np.argmax(outside))
        raise ConfigError(
            f"event {k} at (x={x[k]}, y={y[k]}, p={p[k]}) is outside the sensor {width}x{height}x{polarities}"
        )
    times = onset_ms + (events["t"].astype(np.float64) - t_start_ms * 1000.0) / 1000.0
    sources = (p * height + y) * width + x
    return SpikeInput.from_unsorted(times, sources, width, height, polarities)
