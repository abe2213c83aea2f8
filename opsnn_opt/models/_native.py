"""A simulator's own fast paths behind the public connector helpers: the interface, and the registry.

The helpers in :mod:`opsnn_opt.models.connectors` are what models call. Each asks
:func:`native_paths` for the fast paths registered for the PyNN module it was given, and falls
back to plain PyNN wherever a method here answers None. :class:`NativePaths` is the interface and
the plain answer ("no fast path"); a backend subclasses it for what its simulator does better and
registers the instance when it imports its simulator (:func:`register_native_paths`), as the NEST
backend does (``opsnn_opt/backends/_nest_connectors.py``). So NEST-specific code lives under
``backends/``, as PyNN keeps its own under ``pyNN/nest/``, and models never import a backend.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["NativePaths", "native_paths", "register_native_paths"]


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


#: PyNN module name (``sim.__name__``) -> the fast paths its backend registered.
_REGISTERED: dict[str, NativePaths] = {}
#: Names whose paths have been asked for, and so prepared.
_PREPARED: set[str] = set()
_PLAIN = NativePaths()


def register_native_paths(module_name: str, paths: NativePaths) -> None:
    """Give the PyNN module named ``module_name`` (e.g. ``"pyNN.nest"``) these fast paths.

    A backend calls this when it imports its simulator, before it hands the module to a model;
    registering the same instance again does nothing. ``paths.prepare()`` runs once, when the
    paths are first asked for.
    """
    if _REGISTERED.get(module_name) is not paths:
        _REGISTERED[module_name] = paths
        _PREPARED.discard(module_name)


def native_paths(sim: ModuleType) -> NativePaths:
    """The fast paths registered for the PyNN module ``sim``; plain PyNN for any other.

    ``pyNN.nest`` gets NEST's once the NEST backend has imported it
    (:mod:`opsnn_opt.backends._nest_connectors`); sPyNNaker, which generates connectors on the
    machine itself, and every other simulator get none.
    """
    name = getattr(sim, "__name__", "")
    paths = _REGISTERED.get(name)
    if paths is None:
        return _PLAIN
    if name not in _PREPARED:
        paths.prepare()
        _PREPARED.add(name)
    return paths
