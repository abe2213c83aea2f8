"""What ``opsnn bench chaos`` reads from its study once the workers are gone.

Configurations are compared by their values (:func:`config_key`); each injected fault is followed
to its trial, that trial's retry and the signalled worker's exit code.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from datetime import datetime
from typing import Any

__all__ = ["config_key", "findings"]

#: A configuration as compared across trials: (g_exc_nS, build_sleep_s).
Key = tuple[float, float]


def _seconds(later: datetime | None, earlier: datetime) -> float | None:
    return None if later is None else round((later - earlier).total_seconds(), 2)


def config_key(params: dict[str, Any]) -> Key:
    """A configuration as trials are compared by: its values, rounded as they were enqueued."""
    return (round(float(params["g_exc_nS"]), 6), float(params["build_sleep_s"]))


def _outcomes(
    trials_now: list[Any], rows: dict[int, Any], configs: list[dict[str, float]], hung: Key
) -> dict[str, Any]:
    """Trials by state; configurations lost (never completed, the hung one aside), completed twice,
    and trials or rows left RUNNING."""
    complete = Counter(config_key(t.params) for t in trials_now if t.state.name == "COMPLETE")
    lost = [c for c in configs if config_key(c) != hung and complete[config_key(c)] == 0]
    left_running = sum(t.state.name == "RUNNING" for t in trials_now) + sum(r.state == "RUNNING" for r in rows.values())
    return {
        "trials_by_state": dict(Counter(t.state.name for t in trials_now)),
        "lost": len(lost),
        "duplicated": sum(n > 1 for n in complete.values()),
        "left_running": left_running,
    }


def _fail_reasons(trials_now: list[Any], rows: dict[int, Any]) -> dict[str, int]:
    """Failed trials by the reason their ``opsnn_trial_runs`` row gives."""
    reasons = (
        (rows[t.number].fail_reason if t.number in rows else None) or "(no row)"
        for t in trials_now
        if t.state.name == "FAIL"
    )
    return dict(Counter(reasons))


def _completed_retry(trials_now: list[Any], origin: int | None) -> datetime | None:
    """When the retry of trial ``origin`` completed, or None."""
    for t in trials_now:
        attrs = (t.system_attrs.get("retry_history") or []) + [t.user_attrs.get("requeued_from")]
        if origin in attrs and t.state.name == "COMPLETE":
            return t.datetime_complete
    return None


def _hung_trial(trials_now: list[Any], hung: Key) -> Any:
    return next((t for t in trials_now if config_key(t.params) == hung and t.state.is_finished()), None)


def _recovery(trials_now: list[Any], faults: dict[str, dict[str, Any]], hung_trial: Any) -> dict[str, Any]:
    """Seconds from each fault to its recovery (None: it did not recover)."""
    recovery: dict[str, Any] = {}
    by_number = {t.number: t for t in trials_now}
    for name in ("sigkill", "sigterm"):
        if name in faults:
            f = faults[name]
            recovery[f"{name}_to_trial_failed_s"] = _seconds(by_number[f["trial"]].datetime_complete, f["at"])
            # A retry joins the end of the queue of enqueued configurations: this includes the wait.
            recovery[f"{name}_to_retry_complete_s"] = _seconds(_completed_retry(trials_now, f["trial"]), f["at"])
    if "sigterm" in faults:
        recovery["sigterm_to_worker_exit_s"] = faults["sigterm"].get("exit_s")
    if "db_restart" in faults:
        at = faults["db_restart"]["at"]
        after = [t.datetime_complete for t in trials_now if t.datetime_complete and t.datetime_complete > at]
        recovery["db_restart_to_next_complete_s"] = _seconds(min(after) if after else None, at)
    hang_s = None
    if hung_trial is not None and hung_trial.datetime_start and hung_trial.datetime_complete:
        hang_s = _seconds(hung_trial.datetime_complete, hung_trial.datetime_start)
    recovery["hung_trial_failed_after_s"] = hang_s
    return recovery


def _fault_outcomes(
    faults: dict[str, dict[str, Any]], trials_now: list[Any], rows: dict[int, Any], procs: dict[int, subprocess.Popen]
) -> dict[str, dict[str, Any]]:
    """Each fault injected: the signalled worker's exit code, and its trial's state and row reason."""
    by_number = {t.number: t for t in trials_now}
    out: dict[str, dict[str, Any]] = {}
    for name, f in faults.items():
        if "trial" not in f:  # the server restart
            out[name] = {"down_s": f["down_s"]}
            continue
        row = rows.get(f["trial"])
        out[name] = {
            "trial": f["trial"],
            "trial_state": by_number[f["trial"]].state.name,
            "fail_reason": None if row is None else row.fail_reason,
            "worker_exit_code": procs[f["pid"]].returncode,
        }
    return out


def findings(
    opened: Any,
    store: Any,
    configs: list[dict[str, float]],
    hung: Key,
    faults: dict[str, dict[str, Any]],
    procs: dict[int, subprocess.Popen],
) -> dict[str, Any]:
    """What the study looks like once its workers are gone: exits, trials, rows and recoveries."""
    from opsnn_opt.study import disagreements

    trials_now = opened.study.get_trials(deepcopy=False)
    rows = {r.trial_number: r for r in store.runs("chaos")}
    killed = faults.get("sigkill", {}).get("pid")
    hung_trial = _hung_trial(trials_now, hung)
    return {
        "worker_exit_codes": {str(pid): p.returncode for pid, p in procs.items()},
        "crashes": sum(p.returncode != 0 for pid, p in procs.items() if pid != killed),
        **_outcomes(trials_now, rows, configs, hung),
        "disagreements": len(disagreements(opened)),
        "hung_trial_reason": None if hung_trial is None else hung_trial.user_attrs.get("fail_reason"),
        "fail_reasons": _fail_reasons(trials_now, rows),
        "recovery_s": _recovery(trials_now, faults, hung_trial),
        "faults": _fault_outcomes(faults, trials_now, rows, procs),
    }
