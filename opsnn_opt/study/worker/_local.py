"""Running a study with K local worker processes.

Each worker is an ordinary ``opsnn worker`` process (the same command a remote host runs), so
local and distributed runs behave alike. The workers share one budget (this run's ``n_trials`` on
top of the trials already done, capped by the study's ``max_trials``): if one dies, the others
finish the study. Ctrl-C (or SIGTERM) stops every worker, each re-queueing its running trial, and
leaves nothing RUNNING. What is shown of each finished trial is the caller's
(:mod:`opsnn_opt.study._run_local`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from opsnn_opt.study.trial._tell import fail_and_requeue
from opsnn_opt.study.worker._budget import counts, max_trials
from opsnn_opt.study.worker._recovery import reconcile
from opsnn_opt.study.worker._signals import raise_interrupt, stop_signals

if TYPE_CHECKING:  # given an opened study; never opens one
    from opsnn_opt.study._study import OpenStudy

__all__ = ["run_local_workers", "split_trials"]


def split_trials(n_trials: int, workers: int) -> list[int]:
    """Trials per worker: as even as possible, no worker with none."""
    workers = min(workers, n_trials)
    return [n_trials // workers + (i < n_trials % workers) for i in range(workers)]


def run_local_workers(
    opened: OpenStudy,
    n_trials: int | None,
    workers: int,
    *,
    echo: Callable[[str], None] = print,
    poll_s: float = 1.0,
    limits: Sequence[str] = (),
    finished: Callable[[], list[str]] = list,
) -> int:
    """Start the workers, echo each trial as it finishes, and return the number of workers
    that exited with an error (0 when all went well).

    ``n_trials`` more trials are run (None: until the study's ``max_trials``); ``limits`` are
    extra worker options (``--timeout S``, ``--max-memory MB``); ``finished`` is polled every
    ``poll_s`` seconds for one line per trial finished since its last call.
    """
    reconcile(opened)
    target = None if n_trials is None else counts(opened.study).done + n_trials
    total = n_trials if n_trials is not None else max(0, (max_trials(opened.study) or 0) - counts(opened.study).done)
    log_dir = opened.store.artifacts.parent / "logs" / opened.name
    log_dir.mkdir(parents=True, exist_ok=True)
    # The URL goes through the environment, not the command line, where `ps` would show a password.
    env = {**os.environ, "OPSNN_ARTIFACTS": str(opened.store.artifacts), "OPSNN_STORAGE": opened.store.url}
    procs = []
    for i in range(min(workers, total) if total else workers):
        log = (log_dir / f"worker-{i}.log").open("ab")
        cmd = [sys.executable, "-m", "opsnn_opt", "worker", opened.name, "--worker-index", str(i), *limits]
        if target is not None:
            cmd += ["--until-done", str(target)]
        procs.append((subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env), log))
    echo(f"study {opened.name!r}: {total} trials on {len(procs)} local workers (logs in {_short(log_dir)})")
    done = 0
    with stop_signals(raise_interrupt, (signal.SIGTERM,)):  # SIGINT is a KeyboardInterrupt already
        try:
            while True:
                running = any(p.poll() is None for p, _ in procs)
                for line in finished():
                    done += 1
                    echo(f"[{done}/{total}] {line}")
                if not running:
                    break
                time.sleep(poll_s)
        except KeyboardInterrupt:
            _stop_workers(opened, [p for p, _ in procs])
            raise
        finally:
            for p, log in procs:
                p.wait()
                log.close()
    return sum(p.returncode != 0 for p, _ in procs)


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
