"""A sampler's own cost: one line in the worker's log when its ask costs more than the trial.

GP's ask grows with the cube of the number of trials and TPE's with the number of trials; a
study of thousands of small simulations can end up waiting on its sampler. ``sample_s`` against
the trial number is in ``opsnn study show --json``.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["CHEAPER", "warn_costly_sampler"]

_log = logging.getLogger("opsnn_opt.worker")

#: For each sampler whose ask grows with the trials, the one that would be cheaper, and why.
CHEAPER: dict[str, str] = {
    "gp": "tpe (its ask grows linearly with the trials, GP's with their cube)",
    "tpe": "random or qmc (their ask costs nothing)",
    "nsga2": "random (its ask costs nothing)",
    "nsga3": "nsga2 (no reference points to maintain)",
    "cmaes": "random (its ask costs nothing)",
}


def warn_costly_sampler(worker: Any, outcome: Any) -> bool:
    """Say once per worker (one line) when the sampler's ask took longer than the run it
    proposed; returns whether it said so now."""
    if getattr(worker, "_sampler_warned", False):
        return False
    sample_s = outcome.user_attrs.get("sample_s") or 0.0
    run_s = outcome.record.get("total_s")
    if run_s is None or sample_s <= run_s:
        return False
    name = (getattr(worker.opened, "sampler", None) or {}).get("name", "?")
    worker._sampler_warned = True
    cheaper = CHEAPER.get(name)
    _log.warning(
        "sampler %s: its ask took %.3g s, more than the %.3g s run of the trial it proposed%s",
        name,
        sample_s,
        run_s,
        f"; {cheaper} would be cheaper" if cheaper else "",
    )
    return True
