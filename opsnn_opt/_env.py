"""The ``OPSNN_*`` environment variables: one table, and the numbers in it read and checked.

Every layer may read these (the store its retry time, the workers their heartbeat), so this is
base; the checks that need a higher layer (a storage URL, a proxy address) are passed in by
:func:`opsnn_opt.store.check_environment`, which ``opsnn`` runs before any command.

A bad value is a one-line :class:`~opsnn_opt.errors.ConfigError` naming the variable, what is
allowed and the value given (a URL's password masked); it is raised when the command starts, so
nothing is simulated.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from opsnn_opt._mask import mask_secrets
from opsnn_opt.errors import ConfigError

__all__ = ["ENV_VARS", "EnvVar", "check_variables", "env_number"]


@dataclass(frozen=True)
class EnvVar:
    """One variable: a number in [low, high] (``whole`` for integers), or free text (``kind`` "url" or "path")."""

    name: str
    doc: str
    default: float | None = None
    low: float = -math.inf
    high: float = math.inf
    whole: bool = False
    kind: str = "number"


ENV_VARS: dict[str, EnvVar] = {
    v.name: v
    for v in (
        EnvVar("OPSNN_STORAGE", "database URL of the study store", default=None, kind="url"),
        EnvVar("OPSNN_ARTIFACTS", "folder for per-trial results files", kind="path"),
        EnvVar("OPSNN_ARTIFACT_STORE", "the artifact store: a folder or s3://BUCKET[/PREFIX]", kind="path"),
        EnvVar("OPSNN_HEARTBEAT_S", "seconds between a worker's heartbeats", default=30, low=1, high=3600, whole=True),
        EnvVar("OPSNN_GRACE_S", "seconds without a heartbeat before a trial is stale", 300, 2, 86400, whole=True),
        EnvVar("OPSNN_DB_RETRY_S", "seconds a store call retries through an outage", default=300, low=0, high=86400),
        EnvVar("OPSNN_SPINNAKER_CFG", "a sPyNNaker config file merged into each run's", kind="path"),
        EnvVar("OPSNN_OPTUNA_PROXY", "HOST:PORT of an `opsnn proxy` for Optuna's traffic", kind="hostport"),
    )
}
#: Variables of the test suite and CI, not read by the package.
_IGNORED_PREFIXES = ("OPSNN_TEST_", "OPSNN_REQUIRE_")


def _fail(var: EnvVar, raw: str) -> ConfigError:
    if var.whole:
        allowed = f"a whole number in [{var.low:g}, {var.high:g}]"
    else:
        allowed = f"a number in [{var.low:g}, {var.high:g}]"
    return ConfigError(f"environment variable {var.name} must be {allowed} ({var.doc}); got {mask_secrets(raw)!r}")


def env_number(name: str) -> float:
    """The value of a numeric variable, or its default when unset or empty."""
    var = ENV_VARS[name]
    raw = os.environ.get(name, "").strip()
    if not raw:
        assert var.default is not None
        return var.default
    try:
        value = int(raw) if var.whole else float(raw)
    except ValueError:
        raise _fail(var, raw) from None
    if not math.isfinite(value) or not var.low <= value <= var.high:
        raise _fail(var, raw)
    return value


def check_variables(check_text: Mapping[str, Callable[[str], object]] | None = None) -> None:
    """Validate every ``OPSNN_*`` variable that is set. An unknown name gets a one-line warning
    (it is most likely a typo); a bad value raises :class:`ConfigError`.

    ``check_text`` maps a text kind (``"url"``, ``"hostport"``) to the function that checks such a
    value; the store passes its own (:func:`opsnn_opt.store.check_environment`), since what a
    storage URL must be is the store's to say. Kinds without one are not checked here.
    """
    check_text = check_text or {}
    for name, raw in sorted(os.environ.items()):
        if not name.startswith("OPSNN_") or name.startswith(_IGNORED_PREFIXES):
            continue
        var = ENV_VARS.get(name)
        if var is None:
            print(
                f"opsnn: warning: unknown environment variable {name} (known: {', '.join(ENV_VARS)})", file=sys.stderr
            )
        elif var.kind == "number":
            env_number(name)
        elif var.kind == "path" and "\0" in raw:
            raise ConfigError(f"environment variable {name} must be a path ({var.doc}); got {raw!r}")
        elif var.kind in check_text and raw.strip():
            check_text[var.kind](raw)
    heartbeat, grace = env_number("OPSNN_HEARTBEAT_S"), env_number("OPSNN_GRACE_S")
    if grace <= heartbeat:
        raise ConfigError(
            "environment variable OPSNN_GRACE_S must be greater than "
            f"OPSNN_HEARTBEAT_S ({heartbeat:g} s); got {grace:g}"
        )
