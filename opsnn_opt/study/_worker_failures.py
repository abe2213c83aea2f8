"""Why a worker process stopped with an error, kept where whoever started it looks.

A worker that cannot start (its host cannot import the study's model, a stored spec does not
load) or that stops with an error later (its simulation process does not start) leaves one line,
its cause, in two places:

- beside its log, in ``<log>.error`` (``worker-0.log`` -> ``worker-0.error``), written
  atomically, for the ``opsnn study run`` or ``Study.run`` that started it and reads it when the
  worker exits (:mod:`opsnn_opt.study.worker._local`);
- in the store, as the study user attribute ``opsnn.worker_failure.<host>:<pid>``, for a worker
  that nobody waits for (a SLURM array task): ``opsnn study show`` prints it under its table.

A worker's log is the regular file its standard error goes to (what ``opsnn study run`` and
SLURM's ``--output`` give it); a worker writing to a terminal has no log and no ``.error`` file.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from opsnn_opt._mask import mask_secrets
from opsnn_opt._plugins import one_line
from opsnn_opt.errors import OpsnnError, StoreError

__all__ = [
    "ATTR_PREFIX",
    "failure_file",
    "format_failures",
    "read_failure_file",
    "record_failure",
    "recording_failure",
    "shown_failures",
    "worker_log",
]

#: Study user attributes ``opsnn.worker_failure.<host>:<pid>``: one per failed worker, so that
#: workers failing at the same moment never overwrite each other's record.
ATTR_PREFIX = "opsnn.worker_failure."


def worker_log() -> Path | None:
    """The regular file this process's standard error writes to, or None (a terminal, a pipe)."""
    try:
        if sys.platform.startswith("linux"):
            path = Path(os.readlink("/proc/self/fd/2"))
        elif sys.platform == "darwin":
            import fcntl

            path = Path(os.fsdecode(fcntl.fcntl(2, fcntl.F_GETPATH, bytes(1024)).rstrip(b"\0")))
        else:
            return None
    except (OSError, AttributeError):
        return None
    return path if path.is_file() else None


def failure_file(log: Path) -> Path:
    """Where a worker whose log is ``log`` writes its cause: ``worker-0.log`` -> ``worker-0.error``."""
    return log.with_name(log.name + ".error") if log.suffix == ".error" else log.with_suffix(".error")


def read_failure_file(log: Path) -> str | None:
    """The cause the worker of ``log`` wrote beside it, or None."""
    try:
        return failure_file(log).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _cause(exc: BaseException) -> str:
    """One line: the library's own message as the CLI prints it, otherwise ``Type: message``."""
    text = " ".join(str(exc).split()) if isinstance(exc, OpsnnError) else one_line(exc)
    return mask_secrets(text or type(exc).__name__)


def record_failure(study_name: str, storage: str | None, exc: BaseException) -> dict[str, Any]:
    """Write this worker's cause beside its log and into the store; returns the record.

    Never raises: the worker's own error is what it exits with. A store error is not recorded in
    the store (it would wait for the store's retries); its line is in the log and the file.
    """
    host, log = socket.gethostname(), worker_log()
    record = {
        "host": host,
        "worker": f"{host}:{os.getpid()}",  # as a trial's ``worker`` attribute names it
        "cause": _cause(exc),
        "log": str(log) if log else None,
        "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    if log is not None:
        with contextlib.suppress(Exception):
            from opsnn_opt.io import write_atomically  # here: opsnn_opt.io imports neo

            write_atomically(failure_file(log), lambda tmp: tmp.write_text(record["cause"] + "\n"), what="cause file")
    if not isinstance(exc, StoreError):
        with contextlib.suppress(Exception):
            _store_record(study_name, storage, record)
    return record


def _store_record(study_name: str, storage: str | None, record: dict[str, Any]) -> None:
    from opsnn_opt.store import Store

    optuna_storage = Store(storage).optuna_storage()
    study_id = optuna_storage.get_study_id_from_name(study_name)
    trials = optuna_storage.get_all_trials(study_id, deepcopy=False)
    ran = sum(t.user_attrs.get("worker") == record["worker"] for t in trials)  # trials this worker took
    record["stage"] = f"after {ran} trial(s)" if ran else "at start-up"
    optuna_storage.set_study_user_attr(study_id, ATTR_PREFIX + record["worker"], record)


@contextlib.contextmanager
def recording_failure(study_name: str, storage: str | None) -> Iterator[None]:
    """Record the cause of any error that leaves the block (:func:`record_failure`), then re-raise it.

    ``storage`` is the store's URL (None: the default store), as the worker was given it. A
    cause left beside the log by an earlier run is removed first: the file is this run's.
    """
    log = worker_log()
    if log is not None:
        with contextlib.suppress(OSError):
            failure_file(log).unlink(missing_ok=True)
    try:
        yield
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        record_failure(study_name, storage, exc)
        raise


def shown_failures(study: Any) -> list[dict[str, Any]]:
    """The failure records of ``study`` that are still news, newest first.

    A record is dropped once a trial finished on its host after it: that host's workers start now.
    """
    last_on_host: dict[str, str] = {}
    for t in study.get_trials(deepcopy=False):
        host, done = t.user_attrs.get("host"), t.datetime_complete
        if host and done is not None:
            stamp = done.astimezone(datetime.UTC).isoformat(timespec="seconds")
            last_on_host[host] = max(last_on_host.get(host, ""), stamp)
    records = [
        v for k, v in study.user_attrs.items() if k.startswith(ATTR_PREFIX) and isinstance(v, dict) and "cause" in v
    ]
    news = [r for r in records if str(r.get("time", "")) > last_on_host.get(str(r.get("host")), "")]
    return sorted(news, key=lambda r: str(r.get("time", "")), reverse=True)


def format_failures(records: list[dict[str, Any]]) -> list[str]:
    """One line per distinct cause: how many workers, the newest one's host, stage, time and log."""
    by_cause: dict[str, list[dict[str, Any]]] = {}
    for r in records:  # newest first, so the first of each cause is its newest
        by_cause.setdefault(str(r["cause"]), []).append(r)
    lines = []
    for cause, group in by_cause.items():
        newest = group[0]
        when = f"{newest.get('stage') or 'failed'} ({newest.get('time')})"
        if len(group) == 1:
            who = f"worker {newest.get('worker')} failed {when}"
        else:
            who = f"{len(group)} workers failed, the newest {newest.get('worker')} {when}"
        log = f"; log: {newest['log']}" if newest.get("log") else ""
        lines.append(f"{who}: {cause}{log}")
    return lines
