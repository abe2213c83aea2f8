"""Intermediate values: after every chunk, the objective on the spikes so far goes to ``trial.report``.

What an objective reports (its ``report``) is read in :mod:`opsnn_opt.study.spec._report` and
checked with the pruner in :mod:`opsnn_opt.study.spec._pruners`.

The simulation process computes the needed metrics incrementally (:mod:`opsnn_opt.study.trial._chunks`)
and the supervisor reports them and asks the study's pruner. The step is
``replicate * n_chunks + chunk``, so that replicates of one trial line up with those of others.
Optuna refuses intermediate values in multi-objective studies: there, nothing is reported.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from opsnn_opt.store import OutageError
from opsnn_opt.study.spec._objective import MissingMetric
from opsnn_opt.study.spec._pruners import PrunerSpec
from opsnn_opt.study.trial._chunks import ChunkAsk

__all__ = ["make_ask", "report_names"]

_log = logging.getLogger("opsnn_opt.worker")


def report_names(objective: Any) -> tuple[str, ...]:
    """Metrics the simulation process computes after each chunk for the intermediate value."""
    report = getattr(objective, "report", "objective")
    if len(objective.directions) > 1 or report == "none":
        return ()
    if report != "objective":
        return (report,)
    if objective.callable_path:
        return ()
    return tuple(dict.fromkeys(t.name for t in objective.terms))


def intermediate_value(objective: Any, values: Mapping[str, float]) -> float | None:
    """The value to report, or None when it is undefined so far (a nan metric)."""
    report = getattr(objective, "report", "objective")
    try:
        value = values[report] if report != "objective" else objective.evaluate(values)[0]
    except MissingMetric:
        return None
    return None if value is None or math.isnan(value) else float(value)


def make_ask(
    trial: Any, objective: Any, pruner: PrunerSpec | None, chunk_ms: float, step0: int, log: list[dict[str, Any]]
) -> ChunkAsk:
    """Report each chunk's value to ``trial`` at step ``step0 + chunk``; with a pruner, ask it.

    ``log`` gets one entry per report (t_ms, step, value), for the trial's record. The function's
    ``decides`` attribute is False without a pruner: its answer is always "go on", so the
    supervisor answers the simulation process first and reports while the next chunk runs.
    """

    offline = False  # the database stayed down past OPSNN_DB_RETRY_S during this trial

    def ask(t_ms: float, values: Mapping[str, float]) -> str | None:
        nonlocal offline
        value = intermediate_value(objective, values)
        if value is None or offline:
            return None
        step = step0 + int(round(t_ms / chunk_ms))
        try:
            trial.report(value, step)
            log.append({"t_ms": t_ms, "step": step, "value": value})
            prune = pruner is not None and trial.should_prune()
        except OutageError as exc:
            # The simulation is worth more than its intermediate values: it goes on unpruned, and
            # its outcome is kept in a file if the database is still down at the end.
            offline = True
            _log.warning("%s; trial %d goes on without intermediate values", exc, trial.number)
            return None
        if prune:
            return (
                f"pruner {pruner.name}: intermediate value {value:.4g} at {t_ms:g} ms (step {step}) "
                "is worse than the other trials'"
            )
        return None

    ask.decides = pruner is not None  # type: ignore[attr-defined]
    return ask
