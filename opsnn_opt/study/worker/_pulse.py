"""A worker's background thread: heartbeats for the running trial, and reaping stale trials.

It runs in the supervisor, which never holds Python's lock for long, so heartbeats keep coming
while the child simulates. Every ``OPSNN_HEARTBEAT_S`` it beats for the current trial and fails
the trials whose heartbeat stopped for ``OPSNN_GRACE_S`` (their workers died), whether or not this
worker is starting a trial; each stale trial is retried once (Optuna's retry callback), and its
row in ``opsnn_trial_runs`` is failed with it.
"""

from __future__ import annotations

import copy
import logging
import threading
from typing import Any

from opsnn_opt._env import env_number

__all__ = ["DEAD_WORKER_REASON", "Pulse", "reap_stale"]

DEAD_WORKER_REASON = "the worker stopped sending heartbeats (crashed or killed)"
_log = logging.getLogger("opsnn_opt.worker")


def reap_stale(opened: Any) -> list[int]:
    """Fail the study's stale trials (as :func:`optuna.storages.fail_stale_trials` does) and their
    rows; returns their numbers."""
    import optuna

    storage = opened.store.optuna_storage()
    study_id = opened.study._study_id
    if not storage._get_stale_trial_ids(study_id):
        return []
    failed = []
    # Under a store-wide lock: two reapers (SQLite ignores FOR UPDATE) must never both fail a
    # trial and both queue its retry.
    with opened.store.lock(f"reap-{opened.name}"):
        for trial_id in storage._get_stale_trial_ids(study_id):
            try:
                if storage.get_trial(trial_id).state != optuna.trial.TrialState.RUNNING:
                    continue
                if not storage.set_trial_state_values(trial_id, state=optuna.trial.TrialState.FAIL):
                    continue
            except optuna.exceptions.UpdateFinishedTrialError:
                continue  # its own worker finished it meanwhile
            trial = copy.deepcopy(storage.get_trial(trial_id))
            failed.append(trial)
            callback = storage.get_heartbeat_stale_trial_callback()
            if callback is not None:
                callback(opened.study, trial)
            _log.warning("trial %d failed: %s", trial.number, DEAD_WORKER_REASON)
    numbers = [t.number for t in failed]
    if numbers:
        opened.store.fail_stale_runs(opened.name, set(numbers), DEAD_WORKER_REASON)
    return numbers


class Pulse(threading.Thread):
    """Heartbeats and reaping on a timer, until :meth:`stop`."""

    def __init__(self, opened: Any) -> None:
        super().__init__(name="opsnn-pulse", daemon=True)
        self.opened = opened
        self.interval_s = env_number("OPSNN_HEARTBEAT_S")
        self._trial_id: int | None = None
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def watch(self, trial_id: int) -> None:
        """Beat for this trial from now on (the first beat at once)."""
        with self._lock:
            self._trial_id = trial_id
        self.opened.store.optuna_storage().record_heartbeat(trial_id)

    def unwatch(self) -> None:
        with self._lock:
            self._trial_id = None

    def stop(self) -> None:
        self._halt.set()
        if self.is_alive():
            self.join(1.0)  # a daemon thread: a store call it is waiting on does not delay the exit

    def run(self) -> None:
        storage = self.opened.store.optuna_storage()
        while not self._halt.wait(self.interval_s):
            try:
                with self._lock:
                    trial_id = self._trial_id
                if trial_id is not None:
                    storage.record_heartbeat(trial_id)
                reap_stale(self.opened)
            except Exception as exc:  # an outage past OPSNN_DB_RETRY_S: the main loop will say so
                _log.warning("heartbeat or stale-trial check failed: %s: %s", type(exc).__name__, exc)
