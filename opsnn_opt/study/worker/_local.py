"""Running a study with K local worker processes.

Each worker is an ordinary ``opsnn worker`` process (the same command a remote host runs), so
local and distributed runs behave alike. The workers share one budget (this run's ``n_trials`` on
top of the trials already done, capped by the study's ``max_trials``): if one dies, the others
finish the study. Ctrl-C (or SIGTERM) stops every worker, each re-queueing its running trial, and
leaves nothing RUNNING. What is shown of each finished trial is the caller's
(:mod:`opsnn_opt.study._run_local`).

The workers import what the caller's process imports: the entries that it (a study script's
``sys.path.insert(0, "models")``) added to ``sys.path``, and the folder of the study's model, go
to them through ``PYTHONPATH``, before any ``PYTHONPATH`` the caller had (their own first entry is
the caller's working folder, as a script's ``''`` is). A worker that exits with an error says
why: the one line it wrote beside its log (:mod:`opsnn_opt.study._worker_failures`), or else the
last error line of its log.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from opsnn_opt.study._worker_failures import failure_file, read_failure_file
from opsnn_opt.study.trial._tell import fail_and_requeue
from opsnn_opt.study.worker._budget import counts, max_trials
from opsnn_opt.study.worker._recovery import reconcile
from opsnn_opt.study.worker._signals import raise_interrupt, stop_signals

if TYPE_CHECKING:  # given an opened study; never opens one
    from opsnn_opt.study._study import OpenStudy

__all__ = ["FailedWorkers", "WorkerExit", "run_local_workers", "split_trials", "worker_pythonpath"]


def split_trials(n_trials: int, workers: int) -> list[int]:
    """Trials per worker: as even as possible, no worker with none."""
    workers = min(workers, n_trials)
    return [n_trials // workers + (i < n_trials % workers) for i in range(workers)]


@dataclass(frozen=True)
class WorkerExit:
    """A local worker that exited with an error: its index, exit code, one-line cause and log."""

    index: int
    returncode: int
    cause: str
    log: Path


class FailedWorkers(int):
    """The number of local workers that exited with an error (0 when all went well), with each
    one's :class:`WorkerExit` in ``exits``; :meth:`summary` says why in one line."""

    exits: tuple[WorkerExit, ...]

    def __new__(cls, exits: Sequence[WorkerExit] = ()) -> FailedWorkers:
        self = super().__new__(cls, len(exits))
        self.exits = tuple(exits)
        return self

    def summary(self) -> str:
        """``CAUSE (worker 0; log: PATH); CAUSE (workers 1, 2; logs: PATH, PATH)``: one entry per cause."""
        by_cause: dict[str, list[WorkerExit]] = {}
        for e in self.exits:
            by_cause.setdefault(e.cause, []).append(e)
        parts = []
        for cause, group in by_cause.items():
            who = "worker" + "s" * (len(group) > 1) + " " + ", ".join(str(e.index) for e in group)
            logs = "log" + "s" * (len(group) > 1) + ": " + ", ".join(_short(e.log) for e in group)
            parts.append(f"{cause} ({who}; {logs})")
        return "; ".join(parts)


@dataclass
class _Started:
    index: int
    proc: subprocess.Popen
    log: Path
    out: IO[bytes]
    offset: int  # the log is appended to: this run's lines start here


def run_local_workers(
    opened: OpenStudy,
    n_trials: int | None,
    workers: int,
    *,
    echo: Callable[[str], None] = print,
    poll_s: float = 1.0,
    limits: Sequence[str] = (),
    finished: Callable[[], list[str]] = list,
) -> FailedWorkers:
    """Start the workers, echo each trial as it finishes (and each worker that exits with an
    error, with why), and return the workers that exited with an error: a :class:`FailedWorkers`,
    the number of them (0 when all went well) with their causes and logs.

    ``n_trials`` more trials are run (None: until the study's ``max_trials``); ``limits`` are
    extra worker options (``--timeout S``, ``--max-memory MB``); ``finished`` is polled every
    ``poll_s`` seconds for one line per trial finished since its last call.
    """
    reconcile(opened)
    target = None if n_trials is None else counts(opened.study).done + n_trials
    total = n_trials if n_trials is not None else max(0, (max_trials(opened.study) or 0) - counts(opened.study).done)
    log_dir = opened.store.artifacts.parent / "logs" / opened.name
    args = [*limits] + (["--until-done", str(target)] if target is not None else [])
    started = _start(opened, min(workers, total) if total else workers, log_dir, args)
    echo(f"study {opened.name!r}: {total} trials on {len(started)} local workers (logs in {_short(log_dir)})")
    done, exits = 0, []
    with stop_signals(raise_interrupt, (signal.SIGTERM,)):  # SIGINT is a KeyboardInterrupt already
        try:
            while True:
                running = [w.proc.poll() is None for w in started]  # every one polled: a list, not any()
                for line in finished():
                    done += 1
                    echo(f"[{done}/{total}] {line}")
                for w in started:
                    if w.proc.returncode and w.index not in {e.index for e in exits}:
                        exits.append(_exit_of(w))
                        echo(f"worker {w.index} exited with an error: {exits[-1].cause} (log: {_short(w.log)})")
                if not any(running):
                    break
                time.sleep(poll_s)
        except KeyboardInterrupt:
            _stop_workers(opened, [w.proc for w in started])
            raise
        finally:
            for w in started:
                w.proc.wait()
                w.out.close()
    return FailedWorkers(sorted(exits, key=lambda e: e.index))


def _start(opened: OpenStudy, n: int, log_dir: Path, args: Sequence[str]) -> list[_Started]:
    """``n`` worker processes, each writing to ``log_dir/worker-<i>.log``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    # The URL goes through the environment, not the command line, where `ps` would show a password.
    env = {**os.environ, "OPSNN_ARTIFACTS": str(opened.store.artifacts), "OPSNN_STORAGE": opened.store.url}
    pythonpath = worker_pythonpath(env, opened.space.model)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    started = []
    for i in range(n):
        log = log_dir / f"worker-{i}.log"
        failure_file(log).unlink(missing_ok=True)  # a cause from an earlier run is not this run's
        out = log.open("ab")
        offset = out.tell()  # before the worker writes to the same open file
        cmd = [sys.executable, "-m", "opsnn_opt", "worker", opened.name, "--worker-index", str(i), *args]
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        started.append(_Started(i, proc, log, out, offset))
    return started


def _exit_of(w: _Started, tail_bytes: int = 65536) -> WorkerExit:
    """Why worker ``w`` exited: the cause it wrote beside its log, else its log's last error line
    (``opsnn: error: ...``), else (not for a signal) its log's last line, a traceback's last."""
    rc = w.proc.returncode
    cause = read_failure_file(w.log)
    if cause is None:
        w.out.flush()
        with w.log.open("rb") as f:
            f.seek(max(w.offset, f.seek(0, os.SEEK_END) - tail_bytes))
            lines = [line.strip() for line in f.read().decode("utf-8", "replace").splitlines() if line.strip()]
        errors = [line.removeprefix("opsnn: error: ") for line in lines if line.startswith("opsnn: error: ")]
        cause = (errors or (lines if rc > 0 else []) or [None])[-1]
    if rc < 0:  # killed: its last line is whatever it was doing, not why
        name = signal.Signals(-rc).name if -rc in signal.valid_signals() else f"signal {-rc}"
        killed = f"killed by {name}" + (" (out of memory?)" if -rc == signal.SIGKILL else "")
        cause = f"{killed}; {cause}" if cause else killed
    return WorkerExit(w.index, rc, cause or f"exit code {rc}, nothing in its log", w.log)


def worker_pythonpath(env: Mapping[str, str], model: str) -> str | None:
    """``PYTHONPATH`` for workers started with ``env``: this process's ``sys.path`` entries that a
    fresh interpreter with ``env`` would not have, and the folder of ``model``'s module, before
    ``env``'s own ``PYTHONPATH``; None when nothing is to be added.

    An empty entry (``''``, a script's "current folder") is left out: a worker's first entry is
    its working folder, which is this process's. Relative entries are made absolute here.
    """
    wanted = [os.path.abspath(p) for p in sys.path if p]
    folder = _module_folder(model)
    if folder is not None:
        wanted.append(folder)
    known = {os.getcwd(), *_fresh_sys_path(env)}
    extra = [p for p in dict.fromkeys(wanted) if p not in known and os.path.exists(p)]
    if not extra:
        return None
    return os.pathsep.join(extra + [env["PYTHONPATH"]] * bool(env.get("PYTHONPATH")))


def _fresh_sys_path(env: Mapping[str, str]) -> list[str]:
    """``sys.path`` of a fresh interpreter started with ``env`` (its first entry left out)."""
    code = "import json, sys; print(json.dumps(sys.path[1:]))"
    try:
        out = subprocess.run([sys.executable, "-c", code], env=dict(env), capture_output=True, text=True, timeout=60)
        return [os.path.abspath(p) for p in json.loads(out.stdout)]
    except (OSError, subprocess.SubprocessError, ValueError):
        return []  # then every entry is passed on: duplicates are harmless, a missing one is not


def _module_folder(model: str) -> str | None:
    """The folder a ``package.module:Class`` or ``path/file.py:Class`` model is imported from
    (the one holding its top-level package); None for a model name."""
    target, sep, _ = model.rpartition(":")
    if not sep or not target:
        return None
    if target.endswith(".py"):  # imported by its path; what it imports beside it needs the folder
        return os.path.dirname(os.path.abspath(os.path.expanduser(target)))
    module = sys.modules.get(target.split(".")[0])
    path = getattr(module, "__file__", None)
    if path:
        p = Path(os.path.abspath(path))  # not resolved: as sys.path names it
        return str(p.parent.parent if p.name == "__init__.py" else p.parent)
    locations = list(getattr(module, "__path__", None) or ())  # a namespace package
    return str(Path(locations[0]).parent) if locations else None


def _stop_workers(opened: OpenStudy, procs: list[subprocess.Popen], grace_s: float = 15.0) -> None:
    """SIGTERM every worker (each re-queues its trial); kill the ones still alive after
    ``grace_s``, then fail and re-queue whatever they left RUNNING."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for p in procs:
        try:
            p.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    ours = {f"{socket.gethostname()}:{p.pid}" for p in procs}
    for t in opened.study.get_trials(deepcopy=False):
        if t.state.name == "RUNNING" and t.user_attrs.get("worker") in ours:
            reason = "worker stopped by SIGKILL after SIGTERM (study run interrupted)"
            record = {"model": opened.space.model, "backend": opened.space.backend, "params": dict(t.params)}
            fail_and_requeue(opened, t.number, t._trial_id, reason, record)


def _short(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
