"""Running a study with K local worker processes and showing progress.

Each worker is an ordinary ``opsnn worker`` process (the same command a remote host runs), so
local and distributed runs behave alike. The trials are split evenly between the workers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from opsnn_opt.study._report import format_cell, trial_rows
from opsnn_opt.study._study import OpenStudy

__all__ = ["run_local_workers", "split_trials"]


def split_trials(n_trials: int, workers: int) -> list[int]:
    """Trials per worker: as even as possible, no worker with none."""
    workers = min(workers, n_trials)
    return [n_trials // workers + (i < n_trials % workers) for i in range(workers)]


def run_local_workers(
    opened: OpenStudy, n_trials: int, workers: int, *, echo: Callable[[str], None] = print, poll_s: float = 1.0
) -> int:
    """Start the workers, print each trial as it finishes, and return the number of workers
    that exited with an error (0 when all went well)."""
    log_dir = opened.store.artifacts.parent / "logs" / opened.name
    log_dir.mkdir(parents=True, exist_ok=True)
    # The URL goes through the environment, not the command line, where `ps` would show a password.
    env = {**os.environ, "OPSNN_ARTIFACTS": str(opened.store.artifacts), "OPSNN_STORAGE": opened.store.url}
    # Trials that were already there, or that other hosts' workers finish, are not ours to count.
    seen = {t.number for t in opened.study.get_trials(deepcopy=False)}
    procs = []
    for i, n in enumerate(split_trials(n_trials, workers)):
        log = (log_dir / f"worker-{i}.log").open("ab")
        cmd = [sys.executable, "-m", "opsnn_opt", "worker", opened.name, "--n-trials", str(n), "--worker-index", str(i)]
        procs.append((subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env), log))
    echo(f"study {opened.name!r}: {n_trials} trials on {len(procs)} local workers (logs in {_short(log_dir)})")
    done = 0
    try:
        while True:
            running = any(p.poll() is None for p, _ in procs)
            for row in _new_rows(opened, seen):
                done += 1
                echo(f"[{done}/{n_trials}] " + " ".join(f"{k}={v}" for k, v in _brief(row).items()))
            if not running:
                break
            time.sleep(poll_s)
    except KeyboardInterrupt:
        for p, _ in procs:
            p.terminate()
        raise
    finally:
        for p, log in procs:
            p.wait()
            log.close()
    return sum(p.returncode != 0 for p, _ in procs)


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
