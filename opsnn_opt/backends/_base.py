"""The simulator-neutral backend interface.

A backend owns one imported PyNN simulator module and hands it to the model builders. A worker
keeps one backend for its whole life, so the simulator import is paid once; ``setup`` resets the
kernel between trials.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from opsnn_opt.backends._recording import PyNNRecorders, Recorders

if TYPE_CHECKING:
    from opsnn_opt.models import Model, Network

__all__ = ["Backend", "delay_range"]

#: PyNN's default longest delay (ms), used when a model declares no delays.
DEFAULT_MAX_DELAY_MS = 10.0


def delay_range(timestep_ms: float, delays_ms: tuple[float, float] | None) -> tuple[float, float]:
    """The simulator's minimum and maximum delay (ms) for a network's shortest and longest delay.

    The minimum is the shortest delay rounded down to whole time steps (PyNN wants a multiple of
    the step, and every delay at least the minimum), and at least one step; the maximum is the
    longest delay rounded up, and at least the minimum. Without declared delays: one step and
    PyNN's default of 10 ms.
    """
    if delays_ms is None:
        return timestep_ms, max(timestep_ms, DEFAULT_MAX_DELAY_MS)
    shortest, longest = delays_ms
    min_steps = max(1, math.floor(shortest / timestep_ms + 1e-9))
    max_steps = max(min_steps, math.ceil(longest / timestep_ms - 1e-9))
    return min_steps * timestep_ms, max_steps * timestep_ms


class Backend(ABC):
    """A PyNN simulator that runs the models.

    Attributes
    ----------
    name
        Stable name used on the command line and in the study store.
    """

    name: str

    @abstractmethod
    def setup(
        self, *, timestep_ms: float, seed: int, delays_ms: tuple[float, float] | None = None, threads: int = 1
    ) -> ModuleType:
        """Reset the simulator and return the PyNN module to build with.

        Parameters
        ----------
        timestep_ms
            Integration step (ms).
        seed
            Seed of the simulator's own random generators.
        delays_ms
            The network's shortest and longest synaptic delay (ms), from
            :meth:`opsnn_opt.models.Model.delays_ms`; they set the simulator's minimum and maximum
            delay (:func:`delay_range`). None: one time step and PyNN's default maximum (10 ms).
        threads
            Threads of the simulator within this process, where it has them (NEST's
            ``local_num_threads``); others ignore it.
        """

    @abstractmethod
    def run(self, duration_ms: float) -> None:
        """Advance the simulation by ``duration_ms`` (ms)."""

    @abstractmethod
    def end(self) -> None:
        """Release the simulator's resources after a run."""

    @abstractmethod
    def versions(self) -> dict[str, str]:
        """Versions of the simulator stack, recorded with every run."""

    # Optional capabilities, with the defaults of a simulator that runs anywhere and records data.

    def check_model(self, model: Model, params: Mapping[str, Any], timestep_ms: float, where: str) -> None:
        """Raise :class:`~opsnn_opt.errors.ConfigError` if this backend cannot run ``model`` so.

        Called before anything is built. The default checks that delays are at least one step;
        the longest delay has no limit, since ``setup`` sets the simulator's maximum from it.
        """
        model.check_timestep(params, timestep_ms, where)

    def use_folder(self, path: Path) -> None:
        """The run's results folder, for files the simulator itself writes (config, reports)."""

    @property
    def data_unavailable(self) -> str | None:
        """Why the last run recorded no data (e.g. a virtual machine), or None if it did."""
        return None

    def resources(self) -> dict[str, Any]:
        """Machine resources the last run used (e.g. chips and cores), JSON-ready; {} if not tracked."""
        return {}

    # Reading the recordings out (appended by the flat-array results path; keep at the end).

    def prepare(self) -> None:
        """Import the simulator now (a run reports this as ``import_s``, apart from building).

        The default does nothing: the simulator is then imported by ``setup``.
        """

    def recorders(self, network: Network) -> Recorders:
        """The recordings of ``network``, built and recording, as flat arrays.

        The default reads through PyNN's ``get_data`` (neo, converted at once); a backend that
        can read its simulator's recorders directly overrides this.
        """
        return PyNNRecorders(network)
