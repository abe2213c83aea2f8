"""The exception hierarchy: one root, one branch per kind of failure.

The CLI turns any :class:`OpsnnError` into a one-line message and a non-zero exit code.
"""

from __future__ import annotations

__all__ = ["ConfigError", "OpsnnError", "ResultsFileError", "SimulationError", "StoreError"]


class OpsnnError(Exception):
    """Root of every error that opsnn_opt raises on purpose.

    ``field`` names the setting at fault as the library knows it (``"max_trials"``, ``"out"``;
    a tuple when several are), so that a front end can say it in its own terms: the CLI names its
    flag instead.
    """

    exit_code = 1

    def __init__(self, message: str = "", *, field: str | tuple[str, ...] | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConfigError(OpsnnError, ValueError):
    """Bad user input: a search space, objective, model parameter or CLI argument.

    Raised before anything is simulated. The message names the file (or argument), the field,
    the allowed range or values, and the value that was given.
    """

    exit_code = 2


class SimulationError(OpsnnError, RuntimeError):
    """Building or simulating a network failed."""


class ResultsFileError(OpsnnError, OSError):
    """A results file cannot be written or read (wrong format, newer version, truncated)."""


class StoreError(OpsnnError, RuntimeError):
    """The study store (Optuna storage or the project's own tables) cannot be used."""
