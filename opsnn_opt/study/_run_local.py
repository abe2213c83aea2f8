"""``opsnn study run`` and ``Study.run``: K local workers, and a line for each trial they finish.

The worker processes are :mod:`opsnn_opt.study.worker._local`'s; what each line shows is the
trial table's (:mod:`opsnn_opt.study.read._tables`). The two meet here because workers and
readers do not import each other.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from typing import Any

from opsnn_opt.study.read._tables import format_cell, trial_rows
from opsnn_opt.study.worker._local import FailedWorkers
from opsnn_opt.study.worker._local import run_local_workers as _run_workers

__all__ = ["run_local_workers"]


def run_local_workers(
    opened: Any,
    n_trials: int | None,
    workers: int,
    *,
    echo: Callable[[str], None] = print,
    poll_s: float = 1.0,
    limits: Sequence[str] = (),
) -> FailedWorkers:
    """Start the workers, print each trial as it finishes, and return the number of workers
    that exited with an error (0 when all went well): an ``int`` whose ``summary()`` gives each
    one's one-line cause and log (:class:`~opsnn_opt.study.worker._local.FailedWorkers`).

    ``n_trials`` more trials are run (None: until the study's ``max_trials``); ``limits`` are
    extra worker options (``--timeout S``, ``--max-memory MB``).
    """
    return _run_workers(
        opened, n_trials, workers, echo=echo, poll_s=poll_s, limits=limits, finished=_finished_lines(opened)
    )


def _finished_lines(opened: Any) -> Callable[[], list[str]]:
    """One ``key=value ...`` line per trial this host's workers finished since the last call."""
    # Trials that were already there, or that other hosts' workers finish, are not ours to count.
    seen = {t.number for t in opened.study.get_trials(deepcopy=False)}
    host = socket.gethostname()

    def lines() -> list[str]:
        finished = {
            t.number
            for t in opened.study.get_trials(deepcopy=False)
            if t.state.is_finished() and t.user_attrs.get("host") == host
        } - seen
        if not finished:
            return []
        seen.update(finished)
        rows = sorted((r for r in trial_rows(opened) if r["trial"] in finished), key=lambda r: r["trial"])
        return [" ".join(f"{k}={v}" for k, v in _brief(row).items()) for row in rows]

    return lines


def _brief(row: dict[str, Any]) -> dict[str, str]:
    return {k: format_cell(v) for k, v in row.items() if v not in (None, "")}
