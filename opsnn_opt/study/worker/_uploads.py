"""A worker's figures and uploads, off the hot path: drawn and uploaded after a trial is told,
in a thread of the supervisor, while the simulation process runs the next trial.

The thread lives in the supervisor, not in the simulation process, where NEST holds Python's
lock while it simulates; so a worker's simulation never waits for its figures (on a node with a
core to spare for them). Before a job is queued, a marker ``.figures.pending.json`` is written in
the trial's folder; the job removes it when the files are uploaded and recorded. A worker that
stops (at the end, or on SIGTERM) finishes its queue first, for at most ``drain_s``; what is left
keeps its marker, and ``opsnn study check`` draws and uploads it (:func:`pending_figures`).

Which trials get figures is the search space's ``figures`` setting (:data:`FIGURES`): ``all``;
``best``: a trial that is the best so far when it is told, and the failed and pruned ones;
``failed``: the failed and pruned ones; ``none``. The run folder's files are uploaded in any case.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import socket
import threading
import time
from pathlib import Path
from typing import Any

from opsnn_opt.study._artifacts import finish_trial_files
from opsnn_opt.study.spec._space import FIGURES

__all__ = ["MARKER", "FIGURES", "Uploads", "finish_pending", "pending_figures", "wants_figures"]

MARKER = ".figures.pending.json"
#: How long a worker stopped by a signal waits for its queued figures (s): SLURM's default
#: grace period between SIGTERM and SIGKILL is 30 s.
_STOP_DRAIN_S = 20.0
_log = logging.getLogger("opsnn_opt.worker")


def wants_figures(opened: Any, setting: str, number: int, state: str) -> bool:
    """Whether a told trial gets figures under ``setting`` (see the module)."""
    if setting == "all":
        return True
    if setting == "none":
        return False
    if state in ("FAIL", "PRUNED"):
        return True
    if setting != "best" or state != "COMPLETE":
        return False
    try:
        return (
            any(t.number == number for t in opened.study.best_trials)
            if len(opened.study.directions) > 1
            else (opened.study.best_trial.number == number)
        )
    except ValueError:  # no feasible completed trial
        return False


def _write_marker(folder: Path, job: dict[str, Any]) -> Path:
    """The job, durably enough for ``opsnn study check`` (an atomic rename; no fsync: lost only
    with the host, and then ``opsnn study figures`` draws them again)."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{MARKER}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(job))
    return tmp.replace(folder / MARKER)


def _run_job(opened: Any, folder: Path, job: dict[str, Any]) -> None:
    draw = wants_figures(opened, job["figures"], job["trial_number"], job["state"])
    finish_trial_files(opened, job["trial_number"], job["trial_id"], folder, draw, job.get("attrs"))
    (folder / MARKER).unlink(missing_ok=True)


class Uploads:
    """The supervisor's queue of told trials whose files are still to be drawn and uploaded."""

    def __init__(self, opened: Any, figures: str, worker: str, drain_s: float = 120.0) -> None:
        if figures not in FIGURES:
            from opsnn_opt.errors import ConfigError

            raise ConfigError(f"figures must be one of {', '.join(FIGURES)}; got {figures!r}", field="figures")
        self.opened, self.figures, self.worker, self.drain_s = opened, figures, worker, drain_s
        self._queue: queue.Queue[tuple[Path, dict[str, Any]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, folder: Path, number: int, trial_id: int, state: str, attrs: dict[str, Any]) -> None:
        """Queue a told trial (its marker first)."""
        job = {
            "study": self.opened.name,
            "trial_number": number,
            "trial_id": trial_id,
            "state": state,
            "figures": self.figures,
            "worker": self.worker,
            "attrs": attrs,
        }
        _write_marker(folder, job)
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="opsnn-figures", daemon=True)
            self._thread.start()
        self._queue.put((folder, job))

    def _serve(self) -> None:
        while (item := self._queue.get()) is not None:
            folder, job = item
            try:
                _run_job(self.opened, folder, job)
            except Exception as exc:  # an outage past OPSNN_DB_RETRY_S: the marker stays
                _log.warning(
                    "trial %d: figures not uploaded (%s: %s); `opsnn study check` will",
                    job["trial_number"],
                    type(exc).__name__,
                    exc,
                )

    def close(self, stopping: bool = False) -> None:
        """Finish the queue (for at most ``drain_s``; 20 s when ``stopping`` on a signal, well
        inside a scheduler's grace period); what is left keeps its marker."""
        if self._thread is None:
            return
        self._queue.put(None)
        t0 = time.monotonic()
        self._thread.join(min(self.drain_s, _STOP_DRAIN_S) if stopping else self.drain_s)
        if self._thread.is_alive():
            _log.warning(
                "figures of %d trial(s) not uploaded after %.0f s; `opsnn study check` will",
                self._queue.qsize(),
                time.monotonic() - t0,
            )
        self._thread = None


def pending_figures(opened: Any) -> list[tuple[Path, dict[str, Any]]]:
    """The study's trials whose figures a worker left to upload, and not being uploaded now (a
    worker on this host that is still alive is left to finish its own)."""
    found = []
    for path in sorted(opened.artifact_dir.glob(f"trial-*/{MARKER}")):
        try:
            job = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if job.get("study") != opened.name or _alive(job.get("worker", "")):
            continue
        found.append((path.parent, job))
    return found


def _alive(worker: str) -> bool:
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return int(pid) != os.getpid()


def finish_pending(opened: Any, folder: Path, job: dict[str, Any]) -> None:
    """Draw and upload one pending job (``opsnn study check``)."""
    _run_job(opened, folder, job)
