"""Keeping Optuna's trials and ``opsnn_trial_runs`` in agreement, and ``opsnn study check``.

:func:`reconcile` runs whenever a worker opens a study: a row left behind by a crash (RUNNING
where Optuna has finished the trial, or missing for a finished trial) takes Optuna's state, which
is the one written first. :func:`check_study` does that and more: it fails trials whose heartbeat
stopped, clears result paths that point to missing files, and clears the attributes a retried
trial inherited from the trial it replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from opsnn_opt.store import retry_call
from opsnn_opt.study.worker._pulse import reap_stale

__all__ = ["Finding", "check_study", "disagreements", "reconcile"]

#: User attributes a trial's run sets; a retried trial must not carry its predecessor's.
_RESULT_ATTRS = ("results_path", "fail_reason", "pruned_reason", "peak_rss_mb")


@dataclass(frozen=True)
class Finding:
    """One disagreement: what was wrong, and what was done about it (None: reported only)."""

    trial: int | None
    problem: str
    repair: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"trial": self.trial, "problem": self.problem, "repair": self.repair}


def disagreements(opened: Any) -> list[Finding]:
    """Trials whose state differs between Optuna and the rows (nothing is changed)."""
    trials = {t.number: t for t in opened.study.get_trials(deepcopy=False)}
    rows = {r.trial_number: r for r in opened.store.runs(opened.name)}
    found = []
    for number, t in sorted(trials.items()):
        row = rows.get(number)
        if t.state.is_finished():
            if row is None:
                found.append(Finding(number, f"Optuna has it {t.state.name} but there is no row"))
            elif row.state != t.state.name:
                found.append(Finding(number, f"Optuna has it {t.state.name} but its row says {row.state}"))
        elif row is not None and row.state != "RUNNING":
            found.append(Finding(number, f"Optuna has it {t.state.name} but its row says {row.state}"))
    for number in sorted(set(rows) - set(trials)):
        found.append(Finding(number, "a row without an Optuna trial"))
    return found


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


def _clear_finished_attrs(opened: Any, trial_id: int, keys: list[str]) -> None:
    """Null user attributes of a finished trial (Optuna's API refuses to change finished trials)."""

    def clear() -> None:
        with opened.store.engine.begin() as conn:
            for key in keys:
                conn.execute(
                    text("UPDATE trial_user_attributes SET value_json = 'null' WHERE trial_id = :t AND key = :k"),
                    {"t": trial_id, "k": key},
                )

    retry_call(clear, what="clearing stale attributes")


def _stale_attrs(opened: Any, repair: bool) -> list[Finding]:
    trials = {t.number: t for t in opened.study.get_trials(deepcopy=False)}
    found = []
    for t in trials.values():
        origin = t.system_attrs.get("failed_trial", t.user_attrs.get("requeued_from"))
        if origin is None or origin not in trials:
            continue
        before = trials[origin].user_attrs
        inherited = [
            k
            for k, v in t.user_attrs.items()
            if v is not None
            and k not in ("host", "worker", "seed", "requeued_from")
            and before.get(k) == v
            and (k in _RESULT_ATTRS or k not in t.params)
        ]
        if not inherited or t.user_attrs.get("results_path") != before.get("results_path"):
            continue
        problem = f"retry of trial {origin} carries its attributes ({', '.join(sorted(inherited))})"
        found.append(Finding(t.number, problem, "attributes cleared" if repair else None))
        if repair:
            if t.state.is_finished():
                _clear_finished_attrs(opened, t._trial_id, inherited)
            else:
                for key in inherited:
                    opened.store.optuna_storage().set_trial_user_attr(t._trial_id, key, None)
    return found


def _missing_files(opened: Any, repair: bool) -> list[Finding]:
    found = []
    for row in opened.store.runs(opened.name):
        if row.results_path and not Path(row.results_path).exists():
            problem = f"results file missing: {row.results_path}"
            found.append(Finding(row.trial_number, problem, "results_path cleared" if repair else None))
            if repair:
                opened.store.record_run(opened.name, row.trial_number, results_path=None, notes=problem)
    return found


def check_study(opened: Any, repair: bool = True) -> list[Finding]:
    """Everything :mod:`opsnn study check` reports (and, with ``repair``, repairs)."""
    found = []
    if repair:
        found += [
            Finding(n, "RUNNING without a live heartbeat", "failed (and retried once)") for n in reap_stale(opened)
        ]
    else:
        storage = opened.store.optuna_storage()
        stale = {storage.get_trial(i).number for i in storage._get_stale_trial_ids(opened.study._study_id)}
        found += [Finding(n, "RUNNING without a live heartbeat") for n in sorted(stale)]
    found += reconcile(opened, repair)
    found += _missing_files(opened, repair)
    found += _stale_attrs(opened, repair)
    if not repair:
        found += [f for f in disagreements(opened) if f.trial not in {x.trial for x in found}]
    return found
