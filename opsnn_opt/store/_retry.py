"""Riding out database outages: every store call retries with backoff for ``OPSNN_DB_RETRY_S``.

An outage is logged once when it starts ("the database is unreachable ...") and once when it ends
("... reachable again after N s"), however many calls wait through it. Only connection-level
failures are retried (the server went away, refused a connection or was restarting); a wrong
query or a constraint violation is raised at once.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from opsnn_opt._mask import mask_secrets
from opsnn_opt.errors import StoreError

__all__ = ["OutageError", "is_connection_error", "retry_call", "retry_s"]

T = TypeVar("T")
_log = logging.getLogger("opsnn_opt.store")
_MAX_SLEEP_S = 5.0
# Messages of errors that mean "the server is not there (yet)", for drivers that raise them as
# generic errors (psycopg while a server shuts down or starts: "the database system is ...").
_CONNECTION_TEXT = (
    "connection refused",
    "could not connect",
    "server closed the connection",
    "terminating connection",
    "the database system is",
    "connection is closed",
    "connection already closed",
    "ssl connection has been closed",
    "no connection to the server",
    "consuming input failed",
    "connection timeout expired",
    "database is locked",
)


class OutageError(StoreError):
    """The database stayed unreachable for longer than ``OPSNN_DB_RETRY_S``."""


class _Outage:
    """Process-wide state of the current outage, so that it is logged once."""

    lock = threading.Lock()
    since: float | None = None


def retry_s() -> float:
    from opsnn_opt._env import env_number

    return env_number("OPSNN_DB_RETRY_S")


def is_connection_error(exc: BaseException) -> bool:
    """True for a failure of the connection rather than of the statement."""
    from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, (OperationalError, InterfaceError, DisconnectionError)):
            return True
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return True
        text = str(exc).lower()
        if any(part in text for part in _CONNECTION_TEXT):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _first_line(exc: BaseException) -> str:
    while exc.__cause__ is not None:  # Optuna wraps the driver's error in a generic one
        exc = exc.__cause__
    text = str(exc).strip()
    return mask_secrets(text.splitlines()[0]) if text else type(exc).__name__


def _started(what: str, exc: BaseException, limit_s: float) -> None:
    with _Outage.lock:
        if _Outage.since is None:
            _Outage.since = time.monotonic()
            reason = _first_line(exc)
            _log.warning(
                "the database is unreachable (%s during %s: %s); retrying for up to %g s",
                type(exc).__name__,
                what,
                reason,
                limit_s,
            )


def _ended() -> None:
    if _Outage.since is None:
        return
    with _Outage.lock:
        if _Outage.since is not None:
            _log.warning("the database is reachable again after %.1f s", time.monotonic() - _Outage.since)
            _Outage.since = None


def retry_call(
    fn: Callable[..., T], *args: Any, what: str = "a store call", limit_s: float | None = None, **kw: Any
) -> T:
    """Call ``fn``; on a connection error, retry with capped exponential backoff (with jitter)
    until ``limit_s`` (default ``OPSNN_DB_RETRY_S``) has passed, then raise :class:`OutageError`."""
    limit = retry_s() if limit_s is None else limit_s
    deadline = time.monotonic() + limit
    delay = 0.2
    while True:
        try:
            result = fn(*args, **kw)
        except Exception as exc:
            if not is_connection_error(exc):
                raise
            now = time.monotonic()
            if now >= deadline:
                raise OutageError(
                    f"the database stayed unreachable for more than OPSNN_DB_RETRY_S={limit:g} s during {what}: "
                    f"{_first_line(exc)}"
                ) from exc
            _started(what, exc, limit)
            time.sleep(min(delay * (0.75 + 0.5 * random.random()), deadline - now, _MAX_SLEEP_S))
            delay = min(delay * 2, _MAX_SLEEP_S)
            continue
        _ended()
        return result
