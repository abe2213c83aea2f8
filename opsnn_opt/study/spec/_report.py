"""An objective's intermediate values: what the worker reports after every chunk.

For a single-objective study::

    report = "objective"     # default: the objective on the spikes so far
    report = "rate_hz.exc"   # or one metric
    report = "none"          # nothing

How they are computed and told to Optuna is :mod:`opsnn_opt.study.trial._intermediate`; which
pruners and objectives they go with is checked in :mod:`opsnn_opt.study.spec._pruners`.
"""

from __future__ import annotations

from collections.abc import Callable

from opsnn_opt.study.spec._fields import Fields

__all__ = ["REPORT_KEYWORDS", "load_report"]

#: The values of ``report`` that are not metric names.
REPORT_KEYWORDS = ("objective", "none")


def load_report(top: Fields, check_name: Callable[[str], str]) -> str:
    """Read ``report``: ``"objective"``, ``"none"`` or a metric name (checked by ``check_name``)."""
    value = top.get("report", "objective")
    if not isinstance(value, str):
        raise top.fail("report", '"objective", "none" or a metric name', value)
    if value in REPORT_KEYWORDS:
        return value
    return check_name(value)
