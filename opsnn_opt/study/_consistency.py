"""``opsnn study check``: Optuna's trials and ``opsnn_trial_runs`` in agreement.

The repairs a worker makes itself (rows left behind by a crash, trials whose heartbeat stopped)
are the worker's (:mod:`opsnn_opt.study.worker._recovery`); :func:`check_study` runs them and
more: it clears result paths that point to missing files, the attributes a retried trial
inherited from the trial it replaced (:mod:`opsnn_opt.study.trial._retry`), and draws and uploads
the figures a stopped worker left pending (:mod:`opsnn_opt.study.worker._uploads`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from opsnn_opt.store import retry_call
from opsnn_opt.study.trial import inherited_keys, retry_origin
from opsnn_opt.study.worker import Finding, finish_pending, pending_figures, reap_stale, reconcile, stale_numbers

__all__ = ["Finding", "check_study", "disagreements"]


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
        origin = retry_origin(t)
        if origin is None or origin not in trials:
            continue
        before = trials[origin].user_attrs
        inherited = inherited_keys(t, before)
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


def _pending_figures(opened: Any, repair: bool) -> list[Finding]:
    found = []
    for folder, job in pending_figures(opened):
        repaired = None
        if repair:
            finish_pending(opened, folder, job)
            repaired = "drawn and uploaded"
        found.append(Finding(job["trial_number"], "figures and files not uploaded (the worker stopped)", repaired))
    return found


def check_study(opened: Any, repair: bool = True) -> list[Finding]:
    """Everything :mod:`opsnn study check` reports (and, with ``repair``, repairs)."""
    found = []
    if repair:
        found += [
            Finding(n, "RUNNING without a live heartbeat", "failed (and retried once)") for n in reap_stale(opened)
        ]
    else:
        found += [Finding(n, "RUNNING without a live heartbeat") for n in stale_numbers(opened)]
    found += reconcile(opened, repair)
    found += _missing_files(opened, repair)
    found += _stale_attrs(opened, repair)
    found += _pending_figures(opened, repair)
    if not repair:
        found += [f for f in disagreements(opened) if f.trial not in {x.trial for x in found}]
    return found
