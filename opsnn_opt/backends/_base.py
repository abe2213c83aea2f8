"""The simulator-neutral backend interface.

A backend owns one imported PyNN simulator module and hands it to the model builders. A worker
keeps one backend for its whole life, so the simulator import is paid once; ``setup`` resets the
kernel between trials.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from opsnn_opt.errors import ConfigError

if TYPE_CHECKING:
    from opsnn_opt.models import Model

__all__ = ["Backend"]


class Backend(ABC):
    """A PyNN simulator that runs the models.

    Attributes
    ----------
    name
        Stable name used on the command line and in the study store.
    """

    name: str

    @abstractmethod
    def setup(self, *, timestep_ms: float, seed: int) -> ModuleType:
        """Reset the simulator and return the PyNN module to build with.

        Parameters
        ----------
        timestep_ms
            Integration step (ms); also the minimum delay.
        seed
            Seed of the simulator's own random generators.
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

    #: Longest synaptic delay the simulator accepts (ms), or None for no limit.
    max_delay_ms: float | None = None

    def check_model(self, model: Model, params: Mapping[str, Any], timestep_ms: float, where: str) -> None:
        """Raise :class:`~opsnn_opt.errors.ConfigError` if this backend cannot run ``model`` so.

        Called before anything is built. The default checks that delays are at least one step and
        at most :attr:`max_delay_ms`.
        """
        model.check_timestep(params, timestep_ms, where)
        delays = model.delays_ms(params)
        if self.max_delay_ms is not None and delays is not None and delays[1] > self.max_delay_ms:
            raise ConfigError(
                f"{where}: the {self.name} backend accepts delays up to {self.max_delay_ms:g} ms, "
                f"but {model.name} would use up to {delays[1]:.4g} ms with these parameters"
            )

    def use_folder(self, path: Path) -> None:
        """The run's results folder, for files the simulator itself writes (config, reports)."""

    @property
    def data_unavailable(self) -> str | None:
        """Why the last run recorded no data (e.g. a virtual machine), or None if it did."""
        return None

    def resources(self) -> dict[str, Any]:
        """Machine resources the last run used (e.g. chips and cores), JSON-ready; {} if not tracked."""
        return {}
