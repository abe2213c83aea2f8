"""A trial run again: re-queueing a stopped trial once, and what a retry must not inherit.

A trial is run again in two ways. A worker that is stopped (SIGTERM, SIGINT, ``study run``
interrupted) fails its trial and re-queues the configuration (:func:`requeue`, user attribute
``requeued_from``). A trial whose worker died is failed by another worker's reaper and retried once
by Optuna's ``RetryHeartbeatStaleTrialCallback`` (system attributes ``failed_trial`` and
``retry_history``), which copies the failed trial's user attributes into the retry. Those
describe the earlier run (its results file, metrics, reason), so the worker that takes a retry
clears them (:func:`clear_inherited`), and ``opsnn study check`` finds and clears them in studies
written before it did (:func:`inherited_keys`). Both use :data:`RUN_ATTRS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opsnn_opt.store import retry_call

__all__ = [
    "REQUEUED_FROM",
    "RESULT_KEYS",
    "RUN_ATTRS",
    "clear_inherited",
    "inherited_keys",
    "requeue",
    "retry_lock",
    "retry_origin",
]

#: The user attribute listing the attributes a worker reported with a trial's outcome (its metrics).
RESULT_KEYS = "result_keys"
#: The user attribute of a re-queued trial: the number of the trial it runs again.
REQUEUED_FROM = "requeued_from"
#: User attributes that describe one run of a trial, besides those its ``result_keys`` list: a
#: retry must not show its predecessor's.
RUN_ATTRS = (RESULT_KEYS, "fail_reason", "pruned_reason", "results_path", "peak_rss_mb")
#: Set afresh for every run (or by the re-queue itself): equal values are not inherited ones.
_OWN_ATTRS = ("host", "worker", "seed", REQUEUED_FROM)
# Kept from earlier versions: workers of both exclude each other while they re-queue and reap.
_LOCK = "reap-{}"


def retry_lock(opened: Any) -> Any:
    """The store-wide lock under which a study's trials are failed as stale or re-queued."""
    return opened.store.lock(_LOCK.format(opened.name))


def retry_origin(trial: Any) -> int | None:
    """The number of the trial that ``trial`` (frozen) runs again; None for a first run."""
    return trial.system_attrs.get("failed_trial", trial.user_attrs.get(REQUEUED_FROM))


def clear_inherited(trial: Any) -> None:
    """Clear, on a running ``trial`` about to be run, the attributes an earlier run left: those in
    :data:`RUN_ATTRS` and those its ``result_keys`` list. Attributes given at enqueue stay."""
    inherited = trial.user_attrs
    for key in [*inherited.get(RESULT_KEYS, []), *RUN_ATTRS]:
        if inherited.get(key) is not None:
            trial.set_user_attr(key, None)


def inherited_keys(trial: Any, before: Mapping[str, Any]) -> list[str]:
    """User attributes of a (frozen) retry that still hold its predecessor's values ``before``:
    the run attributes, and any other attribute that is not one of its parameters' names."""
    return [
        k
        for k, v in trial.user_attrs.items()
        if v is not None and k not in _OWN_ATTRS and before.get(k) == v and (k in RUN_ATTRS or k not in trial.params)
    ]


def requeue(opened: Any, number: int, params: Mapping[str, Any]) -> bool:
    """Queue trial ``number``'s configuration to run again, unless it already is (a pending
    outcome told twice, two workers replaying one file); returns whether it was queued now."""

    def once() -> bool:
        with retry_lock(opened):
            if any(t.user_attrs.get(REQUEUED_FROM) == number for t in opened.study.get_trials(deepcopy=False)):
                return False
            opened.study.enqueue_trial(dict(params), user_attrs={REQUEUED_FROM: number})
            return True

    return retry_call(once, what="re-queueing a stopped trial")
