"""Simulator backends. Each is imported lazily, so ``import opsnn_opt`` works without NEST."""

from __future__ import annotations

from opsnn_opt.backends._base import Backend, delay_range
from opsnn_opt.backends._recording import NewSpikes, PyNNRecorders, Recorders
from opsnn_opt.errors import ConfigError
from opsnn_opt.models import NativePaths, native_paths  # the interface backends implement, kept here too

__all__ = [
    "BACKENDS",
    "Backend",
    "NativePaths",
    "NewSpikes",
    "PyNNRecorders",
    "Recorders",
    "delay_range",
    "get_backend",
    "native_paths",
]

BACKENDS: tuple[str, ...] = ("nest", "spinnaker")


def get_backend(name: str) -> Backend:
    """Return a new backend instance by name; the simulator itself is imported on first use."""
    if name == "nest":
        from opsnn_opt.backends._nest import NestBackend

        return NestBackend()
    if name == "spinnaker":
        from opsnn_opt.backends._spinnaker import SpinnakerBackend

        return SpinnakerBackend()
    raise ConfigError(f"unknown backend {name!r}; valid backends are: {', '.join(BACKENDS)}")
