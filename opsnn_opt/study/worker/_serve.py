"""A worker's main loop: take a trial, run it supervised, report it; until the budget is met,
``n_trials`` have run here, or SIGTERM/SIGINT arrives.

On SIGTERM or SIGINT the running trial's simulation is killed, the trial is recorded FAIL with
"worker stopped by SIGTERM" and its configuration re-queued for another worker, and the loop
returns (the process exits with 0). SLURM and Kubernetes send SIGTERM before they pre-empt.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opsnn_opt.errors import SimulationError
from opsnn_opt.study.trial._pending import pending_files, read_pending, remove_pending
from opsnn_opt.study.worker._budget import WAIT, next_trial
from opsnn_opt.study.worker._pulse import Pulse, reap_stale
from opsnn_opt.study.worker._supervisor import TrialAborted

__all__ = ["report_pending", "serve"]

_log = logging.getLogger("opsnn_opt.worker")
_WAIT_S = 1.0


@contextmanager
def _stop_on_signals(worker: Any, wake: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``worker.stop_reason`` (only the main thread can install handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        if worker.stop_reason is None:
            worker.stop_reason = f"worker stopped by {signal.Signals(signum).name}"
            _log.warning("%s: stopping the current trial and re-queueing it", worker.stop_reason)
        wake.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def report_pending(worker: Any) -> int:
    """Report the outcomes a worker kept in files while the database was down."""
    from opsnn_opt.study.worker._worker import Outcome, report

    reported = 0
    for path in pending_files(worker.opened.artifact_dir):
        data = read_pending(path)
        if data is None or data.get("study") != worker.opened.name:
            continue
        outcome = Outcome(**data["outcome"])
        outcome.constraints = [tuple(c) for c in outcome.constraints]
        state = report(worker.opened, data["trial_number"], data["trial_id"], outcome)
        _log.warning("reported trial %d from %s: %s", data["trial_number"], path, state)
        remove_pending(path)
        reported += 1
    return reported


def serve(worker: Any, n_trials: int | None = None, until_done: int | None = None) -> int:
    """Run trials until done; returns how many ran here."""
    from opsnn_opt.study._consistency import reconcile

    opened = worker.opened
    # This loop is Optuna's optimize with its own heartbeat thread: samplers may stop it (a grid
    # sampler when its grid is done) as they would stop optimize.
    study = opened.study
    study._thread_local.in_optimize_loop, study._stop_flag = True, False
    wake = threading.Event()
    ran = 0
    pulse = Pulse(opened)
    with _stop_on_signals(worker, wake):
        report_pending(worker)
        reconcile(opened)
        pulse.start()
        try:
            while worker.stop_reason is None and (n_trials is None or ran < n_trials):
                try:  # a fresh simulation process is ready before a trial is taken
                    worker.runner.ensure_started()
                except TrialAborted as exc:
                    if worker.stop_reason is not None:
                        break
                    raise SimulationError(f"cannot start the simulation process: {exc}") from exc
                reap_stale(opened)  # also on the pulse's timer; here so that a retry is taken first
                trial = next_trial(opened, until_done)
                if trial is None:
                    break
                if trial is WAIT:
                    wake.wait(_WAIT_S)
                    continue
                ran += 1
                pulse.watch(trial._trial_id)
                try:
                    outcome = worker.evaluate(trial)
                    state = worker.finish(trial.number, trial._trial_id, outcome)
                finally:
                    pulse.unwatch()
                _log.info("trial %d: %s%s", trial.number, state, f" ({outcome.reason})" if outcome.reason else "")
                if study._stop_flag:
                    break
        finally:
            study._thread_local.in_optimize_loop = False
            pulse.stop()
            worker.runner.close()
    return ran
