"""Telling Optuna how a trial ended: the one path by which a result reaches the study.

:func:`tell_outcome` is called for every trial that completes, fails or is pruned: by the worker
that ran it, for an outcome kept in a pending file while the database was down
(:func:`tell_pending`), and for the trials of workers that ``study run`` had to kill
(:func:`fail_and_requeue`). Writes are ordered so that Optuna and ``opsnn_trial_runs`` agree
after any crash: the outcome is first saved in a file beside the results file, then told to
Optuna (attributes, constraints, state), then written to the row, and only then is the file
removed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from opsnn_opt.study.trial._feasibility import record_constraints
from opsnn_opt.study.trial._pending import pending_files, read_pending, remove_pending, write_pending
from opsnn_opt.study.trial._retry import RESULT_KEYS, requeue

__all__ = ["STALE_REASON", "Outcome", "fail_and_requeue", "tell_outcome", "tell_pending"]

STALE_REASON = (
    "another worker declared this trial stale: its heartbeat stopped for longer than OPSNN_GRACE_S "
    "(the worker or its database connection stalled)"
)
_log = logging.getLogger("opsnn_opt.worker")


@dataclass
class Outcome:
    """How a trial ended, everything needed to tell it (also from a pending file).

    ``state`` is an Optuna state name (``"COMPLETE"``, ``"FAIL"``, ``"PRUNED"``); ``record`` the
    fields of its ``opsnn_trial_runs`` row; ``requeue`` runs its configuration again once.
    """

    state: str
    values: list[float] | None = None
    reason: str | None = None
    record: dict[str, Any] = field(default_factory=dict)
    user_attrs: dict[str, Any] = field(default_factory=dict)
    constraints: list[tuple[str, float]] = field(default_factory=list)
    requeue: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        outcome = cls(**data)
        outcome.constraints = [tuple(c) for c in outcome.constraints]  # JSON has no tuples
        return outcome


class _Attrs:
    """Collects what :func:`record_constraints` writes, for one transaction with the user
    attributes (:meth:`~opsnn_opt.store.Store.write_trial_attrs`)."""

    def __init__(self, trial_id: int) -> None:
        self._trial_id, self.storage, self.system = trial_id, self, {}

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self.system[key] = value

    def set_constraint(self, key: str, value: float) -> None:
        """As ``Trial.set_constraint``, but a value a retried trial inherited is replaced."""
        self.system[f"constraints:{key}"] = float(value)


def _tell_optuna(opened: Any, storage: Any, number: int, trial_id: int, outcome: Outcome, completed: list[Any]) -> bool:
    """Attributes, constraints, then the state; False when another worker finished the trial
    first (it was declared stale), True when it is told (now, or by an earlier attempt).
    ``completed`` receives the trial's ``datetime_complete`` when it is told now."""
    import optuna

    state = optuna.trial.TrialState[outcome.state]
    try:
        if storage.get_trial(trial_id).state.is_finished():
            raise optuna.exceptions.UpdateFinishedTrialError("finished elsewhere")
        attrs = dict(outcome.user_attrs)
        if attrs:
            attrs[RESULT_KEYS] = sorted(outcome.user_attrs)
        if outcome.reason is not None and outcome.state == "FAIL":
            attrs["fail_reason"] = outcome.reason
        collected = _Attrs(trial_id)
        if outcome.constraints:
            keys, violations = zip(*outcome.constraints)
            record_constraints(collected, list(keys), list(violations))
        if attrs or collected.system:  # in one transaction (retried as a whole through an outage)
            opened.store.write_trial_attrs(trial_id, attrs, collected.system)
        told = opened.study.tell(
            number, outcome.values if state == state.COMPLETE else None, state=state, skip_if_finished=True
        )
        if told.state != state:  # failed as stale by another worker between the check and the tell
            raise optuna.exceptions.UpdateFinishedTrialError("finished elsewhere")
        completed.append(told.datetime_complete)
    except optuna.exceptions.UpdateFinishedTrialError:
        frozen = storage.get_trial(trial_id)
        # A retried tell whose first attempt did commit before the connection dropped is told.
        return frozen.state == state and (outcome.values is None or frozen.values == outcome.values)
    return True


def tell_outcome(
    opened: Any,
    number: int,
    trial_id: int,
    outcome: Outcome,
    folder: Path | None = None,
    clock: dict[str, float] | None = None,
) -> str:
    """Tell Optuna, then write the row, then re-queue if asked; returns the state recorded.

    With ``folder`` (the trial's run folder), the outcome is first kept in a pending file there,
    removed once Optuna and the row have it. A trial that another worker failed as stale
    meanwhile is recorded FAIL with :data:`STALE_REASON`. ``clock["tell_s"]`` is set to the time
    (s) up to Optuna's tell (the trial's completion); the row is written after it.
    """
    t0 = datetime.now()  # Optuna's clock: the trial's datetime_complete is set during the tell
    pending = write_pending(folder, opened.name, number, trial_id, outcome.to_dict()) if folder else None
    storage = opened.store.optuna_storage()
    completed: list[Any] = []
    told = _tell_optuna(opened, storage, number, trial_id, outcome, completed)
    if clock is not None:
        clock["tell_s"] = ((completed[0] if completed and completed[0] else datetime.now()) - t0).total_seconds()
    if not told:
        opened.store.record_run(opened.name, number, state="FAIL", fail_reason=STALE_REASON, **outcome.record)
        state = "FAIL"
    else:
        fields: dict[str, Any] = dict(outcome.record)
        if outcome.state == "COMPLETE":
            fields["objective_values"] = outcome.values
        else:
            fields["fail_reason"] = outcome.reason
        opened.store.record_run(opened.name, number, state=outcome.state, **fields)
        if outcome.requeue:
            requeue(opened, number, storage.get_trial(trial_id).params)
        state = outcome.state
    if pending is not None:
        remove_pending(pending)
    return state


def fail_and_requeue(opened: Any, number: int, trial_id: int, reason: str, record: dict[str, Any]) -> str:
    """Fail a trial whose run was stopped (not its own fault) and run its configuration again once."""
    return tell_outcome(opened, number, trial_id, Outcome("FAIL", reason=reason, record=record, requeue=True))


def tell_pending(opened: Any) -> int:
    """Tell the outcomes that workers kept in files while the database was down; returns how many."""
    told = 0
    for path in pending_files(opened.artifact_dir):
        data = read_pending(path)
        if data is None or data.get("study") != opened.name:
            continue
        state = tell_outcome(opened, data["trial_number"], data["trial_id"], Outcome.from_dict(data["outcome"]))
        _log.warning("reported trial %d from %s: %s", data["trial_number"], path, state)
        remove_pending(path)
        told += 1
    return told
