"""Running a study with K local worker processes and showing progress.

Each worker is an ordinary ``opsnn worker`` process (the same command a remote host runs), so
local and distributed runs behave alike. The workers share one budget (this run's ``n_trials`` on
top of the trials already done, capped by the study's ``max_trials``): if one dies, the others
finish the study. Ctrl-C (or SIGTERM) stops every worker, each re-queueing its running trial, and
leaves nothing RUNNING.
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

from opsnn_opt.study._study import OpenStudy
from opsnn_opt.study.read._tables import format_cell, trial_rows

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
) -> int:
    """Start the workers, print each trial as it finishes, and return the number of workers
    that exited with an error (0 when all went well).

    ``n_trials`` more trials are run (None: until the study's ``max_trials``); ``limits`` are
    extra worker options (``--timeout S``, ``--max-memory MB``).
    """
    from opsnn_opt.study._consistency import reconcile
    from opsnn_opt.study.worker._budget import counts, max_trials

    reconcile(opened)
    target = None if n_trials is None else counts(opened.study).done + n_trials
    total = n_trials if n_trials is not None else max(0, (max_trials(opened.study) or 0) - counts(opened.study).done)
    log_dir = opened.store.artifacts.parent / "logs" / opened.name
    log_dir.mkdir(parents=True, exist_ok=True)
    # The URL goes through the environment, not the command line, where `ps` would show a password.
    env = {**os.environ, "OPSNN_ARTIFACTS": str(opened.store.artifacts), "OPSNN_STORAGE": opened.store.url}
    # Trials that were already there, or that other hosts' workers finish, are not ours to count.
    seen = {t.number for t in opened.study.get_trials(deepcopy=False)}
    procs = []
    for i in range(min(workers, total) if total else workers):
        log = (log_dir / f"worker-{i}.log").open("ab")
        cmd = [sys.executable, "-m", "opsnn_opt", "worker", opened.name, "--worker-index", str(i), *limits]
        if target is not None:
            cmd += ["--until-done", str(target)]
        procs.append((subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env), log))
    echo(f"study {opened.name!r}: {total} trials on {len(procs)} local workers (logs in {_short(log_dir)})")
    done = 0
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        while True:
            running = any(p.poll() is None for p, _ in procs)
            for row in _new_rows(opened, seen):
                done += 1
                echo(f"[{done}/{total}] " + " ".join(f"{k}={v}" for k, v in _brief(row).items()))
            if not running:
                break
            time.sleep(poll_s)
    except KeyboardInterrupt:
        _stop_workers(opened, [p for p, _ in procs])
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        for p, log in procs:
            p.wait()
            log.close()
    return sum(p.returncode != 0 for p, _ in procs)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_workers(opened: OpenStudy, procs: list[subprocess.Popen], grace_s: float = 15.0) -> None:
    """SIGTERM every worker (each re-queues its trial); kill the ones still alive after
    ``grace_s``, then fail and re-queue whatever they left RUNNING."""
    from opsnn_opt.study.worker._worker import Outcome, report

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
            report(
                opened,
                t.number,
                t._trial_id,
                Outcome(
                    "FAIL",
                    reason=reason,
                    requeue=True,
                    record={"model": opened.space.model, "backend": opened.space.backend, "params": dict(t.params)},
                ),
            )


def _new_rows(opened: OpenStudy, seen: set[int]) -> list[dict]:
    rows = []
    host = socket.gethostname()
    finished = {
        t.number
        for t in opened.study.get_trials(deepcopy=False)
        if t.state.is_finished() and t.user_attrs.get("host") == host
    } - seen
    if finished:
        rows = [r for r in trial_rows(opened) if r["trial"] in finished]
        seen |= finished
    return sorted(rows, key=lambda r: r["trial"])


def _brief(row: dict) -> dict[str, str]:
    return {k: format_cell(v) for k, v in row.items() if v not in (None, "")}


def _short(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
