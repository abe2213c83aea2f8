"""``check_environment``: every ``OPSNN_*`` variable checked before a command does anything.

The table of variables and the numeric checks are in :mod:`opsnn_opt._env` (the base layer, read
by the store and the workers); the store knows what a storage URL and a proxy address must be.
"""

from __future__ import annotations

from opsnn_opt import _env
from opsnn_opt.store._location import check_url
from opsnn_opt.store._proxy import parse_proxy

__all__ = ["check_environment"]


def check_environment() -> None:
    """Validate every ``OPSNN_*`` variable that is set (see :func:`opsnn_opt._env.check_variables`),
    storage URLs and proxy addresses included; a bad value raises :class:`~opsnn_opt.errors.ConfigError`."""
    _env.check_variables(
        {
            "url": lambda raw: check_url(raw.strip(), "environment variable OPSNN_STORAGE", field=None),
            "hostport": parse_proxy,
        }
    )
