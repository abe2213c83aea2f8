"""A simulator's own fast paths behind the public connector helpers, and how to find them.

The helpers in :mod:`opsnn_opt.models.connectors` are what models call. Each asks
:func:`native_paths` for the fast paths of the backend that owns the PyNN module it was given,
and falls back to plain PyNN wherever a method here answers None. This base class is the plain
answer ("no fast path"); a backend overrides what its simulator does better, as
:class:`opsnn_opt.backends._nest_connectors.NestPaths` does for NEST, so that NEST-specific code
lives under ``backends/`` just as PyNN keeps its own under ``pyNN/nest/``.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["NativePaths", "native_paths"]


class NativePaths:
    """Fast paths of one simulator; every method here says "none, use plain PyNN".

    Methods take the PyNN module ``sim`` first, so one instance serves every run.
    """

    def prepare(self) -> None:
        """Called once, when the paths are first asked for (e.g. to patch the simulator's PyNN)."""

    def fixed_probability(self, sim: ModuleType, p: float) -> Any | None:
        """A connector for ``FixedProbabilityConnector(p, allow_self_connections=False)``, or None."""
        return None

    def fixed_indegree(self, sim: ModuleType, n: int) -> Any | None:
        """A connector for ``FixedNumberPreConnector(n)`` without self- or multiple connections, or None."""
        return None

    def list_connector(self, sim: ModuleType, conn: np.ndarray) -> Any | None:
        """A connector for ``FromListConnector(conn, column_names=["weight", "delay"])``, or None."""
        return None

    def independent_poisson(
        self, sim: ModuleType, post: Any, rate_hz: float, synapse: Any, receptor_type: str, label: str
    ) -> tuple[Any, Any] | None:
        """(sources, projection) giving every cell of ``post`` its own Poisson train, or None."""
        return None

    def uniform_initial_v(self, sim: ModuleType, population: Any, low_mv: float, high_mv: float) -> bool:
        """Draw initial V_m uniform in [low_mv, high_mv] with the simulator's generators; False if not done."""
        return False

    def on_grid(self, sim: ModuleType, celltype: Any, parrots: bool) -> None:
        """Make ``celltype`` spike on the time grid (and, if not ``parrots``, send without relays)."""


#: PyNN module name -> (module, attribute) of the owning backend's fast paths, imported on first use.
_OWNERS: dict[str, tuple[str, str]] = {
    "pyNN.nest": ("opsnn_opt.backends._nest_connectors", "NEST_PATHS"),
}


@cache
def _paths_of(module_name: str) -> NativePaths:
    owner = _OWNERS.get(module_name)
    if owner is None:
        return NativePaths()
    paths: NativePaths = getattr(importlib.import_module(owner[0]), owner[1])
    paths.prepare()
    return paths


def native_paths(sim: ModuleType) -> NativePaths:
    """The fast paths of the backend that owns the PyNN module ``sim``; plain PyNN for any other.

    ``pyNN.nest`` gets NEST's (:mod:`opsnn_opt.backends._nest_connectors`); sPyNNaker, which
    generates connectors on the machine itself, and every other simulator get none.
    """
    return _paths_of(getattr(sim, "__name__", ""))
