"""A worker's main loop: take a trial, run it supervised, report it; until the budget is met,
``n_trials`` have run here, or SIGTERM/SIGINT arrives.

On SIGTERM or SIGINT the running trial's simulation is killed, the trial is recorded FAIL with
"worker stopped by SIGTERM" and its configuration re-queued for another worker, and the loop
returns (the process exits with 0). SLURM and Kubernetes send SIGTERM before they pre-empt
(see :mod:`opsnn_opt.study.worker._signals`).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from opsnn_opt._optuna_compat import enter_optimize_loop, leave_optimize_loop, stop_requested
from opsnn_opt.errors import SimulationError
from opsnn_opt.study.trial._tell import tell_pending
from opsnn_opt.study.worker._budget import WAIT, next_trial
from opsnn_opt.study.worker._costs import warn_costly_sampler
from opsnn_opt.study.worker._pulse import Pulse
from opsnn_opt.study.worker._recovery import reap_stale, reconcile
from opsnn_opt.study.worker._signals import stop_reason, stop_signals
from opsnn_opt.study.worker._supervisor import TrialAborted

__all__ = ["serve"]

_log = logging.getLogger("opsnn_opt.worker")
_WAIT_S = 1.0


def _stopper(worker: Any, wake: threading.Event) -> Any:
    """The signal handler of a worker: it sets ``worker.stop_reason`` (once) and wakes the loop."""

    def handler(signum: int) -> None:
        if worker.stop_reason is None:
            worker.stop_reason = stop_reason(signum)
            _log.warning("%s: stopping the current trial and re-queueing it", worker.stop_reason)
        wake.set()

    return handler


def _run_one(worker: Any, pulse: Pulse, trial: Any, sample_s: float) -> None:
    t0 = time.perf_counter()
    pulse.watch(trial._trial_id)
    try:
        outcome = worker.evaluate(trial, sample_s, time.perf_counter() - t0)
        state = worker.finish(trial.number, trial._trial_id, outcome)
    finally:
        pulse.unwatch()
    _log.info("trial %d: %s%s", trial.number, state, f" ({outcome.reason})" if outcome.reason else "")
    warn_costly_sampler(worker, outcome)


def _loop(worker: Any, wake: threading.Event, n_trials: int | None, until_done: int | None) -> int:
    opened, ran = worker.opened, 0
    pulse = Pulse(opened)
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
            clock: dict[str, float] = {}
            trial = next_trial(opened, until_done, clock)
            if trial is None:
                break
            if trial is WAIT:
                wake.wait(_WAIT_S)
                continue
            ran += 1
            _run_one(worker, pulse, trial, clock.get("sample_s", 0.0))
            if stop_requested(opened.study):
                break
    finally:
        pulse.stop()
    return ran


def serve(worker: Any, n_trials: int | None = None, until_done: int | None = None) -> int:
    """Run trials until done; returns how many ran here."""
    from opsnn_opt.io import write_atomically  # noqa: F401 - its import (neo) before any trial's clock

    study = worker.opened.study
    wake = threading.Event()
    with stop_signals(_stopper(worker, wake)):
        # This loop is Optuna's optimize with its own heartbeat thread: samplers may stop it (a
        # grid sampler when its grid is done) as they would stop optimize.
        enter_optimize_loop(study)
        try:
            tell_pending(worker.opened)
            reconcile(worker.opened)
            return _loop(worker, wake, n_trials, until_done)
        finally:
            leave_optimize_loop(study)
            worker.runner.close()
            worker.uploads.close(stopping=worker.stop_reason is not None)  # told trials' figures, before the exit
