"""What every network model provides: a parameter table and a PyNN builder."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, ClassVar

import numpy as np

from opsnn_opt.errors import ConfigError
from opsnn_opt.params import ParamTable

__all__ = ["Model", "Network"]


@dataclass
class Network:
    """A built network.

    Attributes
    ----------
    populations
        PyNN populations by label, in a fixed order; these are recorded and analysed.
    projections
        PyNN projections by name (kept alive for the run).
    positions_mm
        Neuron positions per population, shape ``(n, 3)`` in mm, for spatial models.
    """

    populations: dict[str, Any]
    projections: dict[str, Any] = field(default_factory=dict)
    positions_mm: dict[str, np.ndarray] = field(default_factory=dict)


class Model(ABC):
    """A network model: its declared parameters and how to build it with a PyNN module.

    Subclasses set ``name``, ``summary``, ``params`` and ``populations`` and implement
    :meth:`build`. Builders take the simulator module as an argument, so the same code runs
    on every backend.
    """

    name: ClassVar[str]
    summary: ClassVar[str]
    params: ClassVar[ParamTable]
    populations: ClassVar[tuple[str, ...]]

    def resolve(self, values: Mapping[str, Any], where: str) -> dict[str, int | float]:
        """Validate parameter values and fill in defaults (every parameter the run will use)."""
        resolved = self.params.resolve(values, where, self.name)
        self.check(resolved, where)
        return resolved

    def check(self, params: Mapping[str, Any], where: str) -> None:
        """Cross-parameter checks, beyond each parameter's own range. Override as needed."""

    def check_timestep(self, params: Mapping[str, Any], timestep_ms: float, where: str) -> None:
        """Delays must be at least one time step."""
        delay = params.get("delay_ms")
        if delay is not None and delay < timestep_ms:
            raise ConfigError(
                f"{where}: delay_ms must be >= the time step ({timestep_ms:g} ms); got {delay:g}"
            )

    @abstractmethod
    def build(self, sim: ModuleType, params: Mapping[str, Any]) -> Network:
        """Create populations and projections with ``sim`` (a PyNN module after ``setup``)."""
