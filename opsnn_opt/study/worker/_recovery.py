"""What a worker repairs after other workers crashed: stale trials, and rows a crash left behind.

:func:`reap_stale` fails the trials whose heartbeat stopped for ``OPSNN_GRACE_S`` (their workers
died) and their rows; each is retried once by the storage's stale-trial callback (Optuna's
``RetryHeartbeatStaleTrialCallback``). Workers call it on their pulse's timer and before taking
a trial. :func:`reconcile` runs whenever a worker opens a study: a row left behind by a crash
(RUNNING where Optuna has finished the trial, or missing for a finished trial) takes Optuna's
state, which is the one written first. ``opsnn study check``
(:mod:`opsnn_opt.study._consistency`) runs both, and more.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

from opsnn_opt._optuna_compat import stale_trial_ids
from opsnn_opt.study.trial._retry import retry_lock

__all__ = ["DEAD_WORKER_REASON", "Finding", "reap_stale", "reconcile", "stale_numbers"]

DEAD_WORKER_REASON = "the worker stopped sending heartbeats (crashed or killed)"
_log = logging.getLogger("opsnn_opt.worker")


@dataclass(frozen=True)
class Finding:
    """One disagreement: what was wrong, and what was done about it (None: reported only)."""

    trial: int | None
    problem: str
    repair: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"trial": self.trial, "problem": self.problem, "repair": self.repair}


def stale_numbers(opened: Any) -> list[int]:
    """Numbers of the study's RUNNING trials whose heartbeat stopped (nothing is changed)."""
    storage = opened.store.optuna_storage()
    return sorted(storage.get_trial(i).number for i in stale_trial_ids(storage, opened.study._study_id))


def _fail_stale(opened: Any, storage: Any) -> list[Any]:
    """Optuna's ``fail_stale_trials``, trial by trial, with what it failed (under the lock)."""
    import optuna

    failed = []
    for trial_id in stale_trial_ids(storage, opened.study._study_id):
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
        if callback is not None:  # the retry, once
            callback(opened.study, trial)
        _log.warning("trial %d failed: %s", trial.number, DEAD_WORKER_REASON)
    return failed


def reap_stale(opened: Any) -> list[int]:
    """Fail the study's stale trials (retrying each once, as the storage's callback says) and
    their rows; returns their numbers."""
    storage = opened.store.optuna_storage()
    if not stale_trial_ids(storage, opened.study._study_id):
        return []
    # Under a store-wide lock: two reapers (SQLite ignores FOR UPDATE) must never both fail a
    # trial and both queue its retry.
    with retry_lock(opened):
        numbers = [t.number for t in _fail_stale(opened, storage)]
    if numbers:
        opened.store.fail_stale_runs(opened.name, set(numbers), DEAD_WORKER_REASON)
    return numbers


def reconcile(opened: Any, repair: bool = True) -> list[Finding]:
    """Give rows the state of their Optuna trial where a crash left them behind."""
    trials = {t.number: t for t in opened.study.get_trials(deepcopy=False)}
    rows = {r.trial_number: r for r in opened.store.runs(opened.name)}
    found = []
    for number, t in sorted(trials.items()):
        row = rows.get(number)
        if not t.state.is_finished() or (row is not None and row.state == t.state.name):
            continue
        reason = t.user_attrs.get("fail_reason") or t.user_attrs.get("pruned_reason")
        if t.state.name == "FAIL" and not reason:
            reason = "failed in Optuna while its worker was gone (crashed, killed or stale)"
        fields: dict[str, Any] = {"state": t.state.name, "optuna_trial_id": t._trial_id}
        if t.state.name == "COMPLETE":
            fields["objective_values"] = t.values
        else:
            fields["fail_reason"] = reason
        if row is None:
            fields.update(model=opened.space.model, backend=opened.space.backend, params=dict(t.params))
            fields["results_path"] = t.user_attrs.get("results_path")
        was = "no row" if row is None else f"row {row.state}"
        finding = Finding(
            number, f"Optuna has it {t.state.name}, {was}", f"row set to {t.state.name}" if repair else None
        )
        found.append(finding)
        if repair:
            opened.store.record_run(opened.name, number, notes=f"reconciled: {finding.problem}", **fields)
    return found
