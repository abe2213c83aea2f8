"""A worker's background thread: heartbeats for the running trial, and reaping stale trials.

It runs in the supervisor, which never holds Python's lock for long, so heartbeats keep coming
while the child simulates. Every ``OPSNN_HEARTBEAT_S`` it beats for the current trial and fails
the trials whose heartbeat stopped for ``OPSNN_GRACE_S`` (their workers died), whether or not this
worker is starting a trial; each stale trial is retried once (Optuna's retry callback), and its
row in ``opsnn_trial_runs`` is failed with it (:mod:`opsnn_opt.study.worker._recovery`).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from opsnn_opt._env import env_number
from opsnn_opt.study.worker._recovery import reap_stale

__all__ = ["Pulse"]

_log = logging.getLogger("opsnn_opt.worker")


class Pulse(threading.Thread):
    """Heartbeats and reaping on a timer, until :meth:`stop`."""

    def __init__(self, opened: Any) -> None:
        super().__init__(name="opsnn-pulse", daemon=True)
        self.opened = opened
        self.interval_s = env_number("OPSNN_HEARTBEAT_S")
        self._trial_id: int | None = None
        self._halt = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()

    def watch(self, trial_id: int) -> None:
        """Beat for this trial from now on, the first beat at once, from this thread (not the
        trial's: a trial with no beat yet is never stale, and its wall time does not wait)."""
        with self._lock:
            self._trial_id = trial_id
        self._wake.set()

    def unwatch(self) -> None:
        with self._lock:
            self._trial_id = None

    def stop(self) -> None:
        self._halt.set()
        self._wake.set()
        if self.is_alive():
            self.join(1.0)  # a daemon thread: a store call it is waiting on does not delay the exit

    def run(self) -> None:
        storage = self.opened.store.optuna_storage()
        while True:
            woken = self._wake.wait(self.interval_s)  # a new trial to beat for, or the timer
            self._wake.clear()
            if self._halt.is_set():
                return
            try:
                with self._lock:
                    trial_id = self._trial_id
                if trial_id is not None:
                    storage.record_heartbeat(trial_id)
                if not woken:
                    reap_stale(self.opened)
            except Exception as exc:  # an outage past OPSNN_DB_RETRY_S: the main loop will say so
                _log.warning("heartbeat or stale-trial check failed: %s: %s", type(exc).__name__, exc)
