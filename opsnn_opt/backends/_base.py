"""The simulator-neutral backend interface.

A backend owns one imported PyNN simulator module and hands it to the model builders. A worker
keeps one backend for its whole life, so the simulator import is paid once; ``setup`` resets the
kernel between trials.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import ModuleType

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
