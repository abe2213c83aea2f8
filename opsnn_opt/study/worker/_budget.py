"""A study's trial budget, shared by every worker that serves it.

A study may carry a total (``opsnn.max_trials``, set when the study is created or later with
:func:`set_max_trials`), and a local ``study run`` adds its own target. A worker takes the next trial under
a store-wide lock, so the budget is met exactly however many workers race for it. Trials that are
run again (a stale trial retried, a stopped worker's trial re-queued) do not count twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from opsnn_opt.errors import ConfigError
from opsnn_opt.store import retry_call
from opsnn_opt.study.trial._retry import REQUEUED_FROM

__all__ = ["MAX_TRIALS_ATTR", "WAIT", "Counts", "counts", "max_trials", "next_trial", "set_max_trials"]

MAX_TRIALS_ATTR = "opsnn.max_trials"
#: Returned by :func:`next_trial` when the budget is taken by running trials: poll again later.
WAIT = object()


@dataclass(frozen=True)
class Counts:
    """Trials that count towards the budget (``done``), are running, or wait in the queue."""

    done: int
    running: int
    waiting: int


def superseded(trials: list[Any]) -> set[int]:
    """Numbers of finished trials whose configuration another trial runs again."""
    out: set[int] = set()
    for t in trials:
        out.update(t.system_attrs.get("retry_history", ()))
        if t.user_attrs.get(REQUEUED_FROM) is not None:
            out.add(int(t.user_attrs[REQUEUED_FROM]))
    return out


def counts(study: Any) -> Counts:
    trials = study.get_trials(deepcopy=False)
    again = superseded(trials)
    done = sum(t.state.is_finished() and t.number not in again for t in trials)
    running = sum(t.state.name == "RUNNING" for t in trials)
    waiting = sum(t.state.name == "WAITING" for t in trials)
    return Counts(done, running, waiting)


def max_trials(study: Any) -> int | None:
    value = study.user_attrs.get(MAX_TRIALS_ATTR)
    return None if value is None else int(value)


def set_max_trials(study: Any, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ConfigError(f"max_trials must be a whole number >= 1 or None; got {value!r}", field="max_trials")
    study.set_user_attr(MAX_TRIALS_ATTR, value)


def next_trial(opened: Any, until_done: int | None = None, clock: dict[str, float] | None = None) -> Any:
    """The next trial to run, :data:`WAIT`, or None when the budget is met; ``clock["sample_s"]``
    is set to the time (s) from the trial's start (Optuna's ``datetime_start``, set inside the
    ask) to the ask's end: the sampler's share of the trial's wall time."""

    def take() -> Any:
        with opened.store.lock(f"ask-{opened.name}"):
            limits = [x for x in (until_done, max_trials(opened.study)) if x is not None]
            if limits:
                c = counts(opened.study)
                if c.done >= min(limits):
                    return None
                if c.done + c.running >= min(limits) and c.waiting == 0:
                    return WAIT
            trial = opened.study.ask()
            if clock is not None:
                clock["sample_s"] = (datetime.now() - trial.datetime_start).total_seconds()
            return trial

    return retry_call(take, what="taking the next trial")
