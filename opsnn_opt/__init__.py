"""opsnn_opt: close the loop between simulating spiking networks and analysing them.

Importing this package is fast and does not import NEST, PyNN, Optuna or neo; simulators are
imported by the backends on first use, and the study API below on first access.

Studies from Python (see :mod:`opsnn_opt.study.api`): :func:`SearchSpace` with
:func:`Uniform`, :func:`LogUniform` and :func:`Choices`; :func:`Objective` with
:func:`Target`, :func:`Minimize`, :func:`Maximize`, :class:`Constraint` and :class:`Prune`;
:func:`create_study` and :func:`open_study`, which return a :class:`Study`. The parameter and
objective types are those a search-space or objective file gives (:mod:`opsnn_opt.study.spec`).
"""

from typing import Any

from opsnn_opt._version import __version__
from opsnn_opt.errors import ConfigError, OpsnnError, ResultsFileError, SimulationError, StoreError

_API = (
    "Choices",
    "Constraint",
    "LogUniform",
    "Maximize",
    "Minimize",
    "Objective",
    "Prune",
    "SearchSpace",
    "Study",
    "Target",
    "Uniform",
    "create_study",
    "open_study",
)

__all__ = [
    "ConfigError",
    "OpsnnError",
    "ResultsFileError",
    "SimulationError",
    "StoreError",
    "__version__",
    *_API,
]


def __getattr__(name: str) -> Any:
    if name in _API:
        from opsnn_opt.study import api

        return getattr(api, name)
    raise AttributeError(f"module 'opsnn_opt' has no attribute {name!r}")
