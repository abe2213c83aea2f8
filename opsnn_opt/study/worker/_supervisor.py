"""Running each trial in a supervised simulation process, with a deadline and a memory limit.

The supervisor (the worker's main process) never simulates: it waits on a pipe, so it stays
responsive while NEST holds the child's interpreter lock. It kills the child and starts a fresh
one when a trial runs past ``timeout_s``, when the child's resident memory exceeds
``max_memory_mb``, or when the worker is asked to stop; a child killed by a signal (a segfault,
the OOM killer) is noticed and replaced too. Every such end is a :class:`TrialAborted` with the
reason to record.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from opsnn_opt.study.spec._objective import PruneRule
from opsnn_opt.study.trial._chunks import ChunkAsk, RunExtras
from opsnn_opt.study.worker._child import Pruned, child_main, run_one
from opsnn_opt.study.worker._signals import signal_reason

__all__ = ["ChildError", "ChildRunner", "InProcessRunner", "TrialAborted", "WorkerStopped"]

_POLL_S = 0.05
_START_LIMIT_S = 600.0


class TrialAborted(Exception):
    """The trial's simulation process was killed or died; the message is the trial's FAIL reason."""


class WorkerStopped(TrialAborted):
    """The worker was asked to stop (SIGTERM or SIGINT) during the trial."""


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


class InProcessRunner:
    """Runs trials in this process (for a backend passed in by a caller, and for tests)."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def run(
        self,
        spec: Any,
        out_dir: Path,
        rules: tuple[PruneRule, ...],
        extras: RunExtras | None = None,
        ask: ChunkAsk | None = None,
    ) -> Any:
        return run_one(spec, out_dir, self.backend, rules, extras, ask)

    def ensure_started(self) -> None:
        pass

    def close(self) -> None:
        pass


class ChildRunner:
    """Runs trials in a long-lived child process, restarted after any abort.

    Parameters
    ----------
    backend
        Name of the backend the child imports once, before its first trial.
    timeout_s, max_memory_mb
        Limits per trial (None: none).
    stop_reason
        Polled while a trial runs; a non-empty string stops the trial with that reason.
    """

    def __init__(
        self,
        backend: str,
        timeout_s: float | None = None,
        max_memory_mb: float | None = None,
        stop_reason: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.backend = backend
        self.timeout_s = timeout_s
        self.max_memory_mb = max_memory_mb
        self.stop_reason = stop_reason
        self._ctx = multiprocessing.get_context("spawn")
        self._proc: Any = None
        self._conn: Any = None
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=child_main, args=(child, os.getpid()), name="opsnn-sim", daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent
        self._conn.send(("warm", self.backend))
        self._wait(_START_LIMIT_S, starting=True)

    def _kill(self) -> None:
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(10)
            self._conn.close()
        self._proc = self._conn = None

    def _wait(self, limit_s: float | None, *, starting: bool = False) -> tuple[Any, ...]:
        """The child's next message; raises :class:`TrialAborted` on a limit, a stop or a death."""
        t0 = time.monotonic()
        peak = 0.0
        while True:
            if self._conn.poll(_POLL_S):
                try:
                    return self._conn.recv()
                except (EOFError, OSError):
                    pass  # the child died: its exit code says how, below
            if not self._proc.is_alive() or self._conn.closed:
                self._proc.join(5)
                if self.stop_reason():  # a signal to the whole group reached both processes
                    self._kill()
                    raise WorkerStopped(self.stop_reason())
                reason = signal_reason(self._proc.exitcode)
                self._kill()
                raise TrialAborted(reason + (" while starting" if starting else ""))
            stop = self.stop_reason()
            if stop:
                self._kill()
                raise WorkerStopped(stop)
            elapsed = time.monotonic() - t0
            if limit_s is not None and elapsed > limit_s:
                self._kill()
                what = "starting the simulation process" if starting else "the trial"
                raise TrialAborted(f"timed out after {limit_s:g} s ({what}; timeout_s)")
            if self.max_memory_mb is not None and not starting:
                rss = _rss_mb(self._proc.pid)
                peak = max(peak, rss)
                if rss > self.max_memory_mb:
                    self._kill()
                    raise TrialAborted(
                        f"exceeded the memory limit of {self.max_memory_mb:g} MB (max_memory_mb): "
                        f"peak {peak:.0f} MB resident"
                    )

    def ensure_started(self) -> None:
        """Start (or restart) the child now, so that a trial's time never includes the import."""
        if self._proc is None or not self._proc.is_alive():
            if self._proc is not None:
                self._kill()
            self._start()
            self.restarts += 1

    def run(
        self,
        spec: Any,
        out_dir: Path,
        rules: tuple[PruneRule, ...],
        extras: RunExtras | None = None,
        ask: ChunkAsk | None = None,
    ) -> Any:
        """Run one trial in the child; returns its RunResult, raises :class:`Pruned`, :class:`TrialAborted`
        or a ``RuntimeError`` with the child's error message. ``ask`` answers the child's per-chunk
        questions (see :mod:`opsnn_opt.study.trial._chunks`)."""
        self.ensure_started()
        self._conn.send(("run", spec, str(out_dir), rules, *((extras,) if extras else ())))
        t0 = time.monotonic()
        answer = self._wait(self.timeout_s)
        reports_only = ask is not None and not getattr(ask, "decides", True)
        while answer[0] == "chunk":
            try:
                if reports_only:  # the answer is "go on" whatever the value: the child goes on at once
                    self._conn.send(("continue",))
                    ask(answer[1], answer[2])
                else:
                    reason = ask(answer[1], answer[2]) if ask is not None else None
                    self._conn.send(("prune", reason) if reason else ("continue",))
            except BaseException:  # the child is out of step with this trial: start afresh
                self._kill()
                raise
            answer = self._wait(None if self.timeout_s is None else max(self.timeout_s - (time.monotonic() - t0), 0.0))
        if answer[0] == "ok":
            return answer[1]
        if answer[0] == "pruned":
            raise Pruned(*answer[1:])
        raise ChildError(answer[1])

    def close(self) -> None:
        """Stop the child (politely, then by force; at once when the worker is being stopped)."""
        if self._proc is not None and self._proc.is_alive() and not self.stop_reason():
            try:
                self._conn.send(None)
            except OSError:
                pass
            self._proc.join(5)
        self._kill()


class ChildError(RuntimeError):
    """An exception in the child; the message is ``"Type: text"`` as the child formatted it."""
