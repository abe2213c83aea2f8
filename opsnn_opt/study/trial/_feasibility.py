"""A trial's metrics and constraints, stored so that Optuna and optuna-dashboard both read them right.

Three choices are made here, once, for every trial:

* **Constraints in both forms.** Optuna 5's ``trial.set_constraint`` stores one system attribute
  per constraint (``constraints:<key>``); optuna-dashboard 0.21 reads only the single list
  ``constraints`` (Optuna 3's form). Both are written, in the order of the objective's
  ``[[constraints]]``. Optuna then sees each value twice (under ``<key>`` and under its index),
  which changes nothing: a trial is feasible when every value is <= 0.
* **Undefined metrics are left out.** A metric that cannot be computed (the CV of a silent
  population) is *not* stored as a user attribute, instead of being stored as ``null``. The
  dashboard marks a user-attribute column unsortable, and drops it from the charts, as soon as
  one trial holds a non-number there; a missing attribute leaves the column sortable and only
  that trial without a point. The names of the undefined metrics go into one text attribute,
  ``undefined_metrics``, so that "not computable" stays distinguishable from "not recorded".
* **The network state as a label.** Beside the numeric ``state`` (0–8), ``network_state``
  holds its name (``"AI"``, ``"AR"``, ``"undetermined"``, ...), from
  :data:`opsnn_opt.analysis.STATE_LABELS`; ``network_state.exc``, ``network_state.inh``, ...
  each population's (from ``pop_state.POP``); ``network_state.undetermined`` the measure an
  undetermined network lacks (``cv_isi``); ``network_state.tau_ref`` the refractory period the
  rules used and whether it is the model's or the default
  (:func:`opsnn_opt.analysis.state_attrs`, the same fields as ``opsnn run --json``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from opsnn_opt.analysis import state_attrs

__all__ = [
    "CONSTRAINTS_LIST_KEY",
    "feasibility",
    "is_feasible",
    "metric_attrs",
    "record_constraints",
]

#: The system attribute optuna-dashboard 0.21 reads (``_serializer.CONSTRAINTS_KEY``).
CONSTRAINTS_LIST_KEY = "constraints"
_OPTUNA_PREFIX = "constraints:"  # Optuna 5: one system attribute per constraint


def metric_attrs(metrics: Mapping[str, float | None], timings: Mapping[str, float]) -> dict[str, Any]:
    """A run's metrics and timings as trial user attributes (see the module docstring)."""
    attrs: dict[str, Any] = {}
    undefined = []
    for key, value in {**metrics, **timings}.items():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            undefined.append(key)
        else:
            attrs[key] = value
    if undefined:
        attrs["undefined_metrics"] = ", ".join(undefined)
    attrs.update(state_attrs(metrics))
    return attrs


def record_constraints(trial: Any, keys: Sequence[str], violations: Sequence[float]) -> None:
    """Store constraint violations (<= 0 feasible) in Optuna 5's form and in the dashboard's."""
    if not keys:
        return
    for key, violation in zip(keys, violations):
        trial.set_constraint(key, violation)
    trial.storage.set_trial_system_attr(trial._trial_id, CONSTRAINTS_LIST_KEY, [float(v) for v in violations])


def feasibility(trial: Any) -> tuple[bool | None, list[str]]:
    """Whether a (frozen) trial met its constraints, and the keys of those it violated.

    Optuna's rule decides: a constraint is met when its value is <= 0 (so nan violates it, as
    in ``optuna.study._constrained_optimization._get_feasible_trials``). Returns ``(None, [])``
    for a trial with no constraints recorded (no constraints in the objective, or a trial that
    failed before its metrics were known): a table shows it as neither; :func:`is_feasible`
    counts it feasible, as Optuna does.
    """
    attrs = trial.system_attrs
    keyed = {k[len(_OPTUNA_PREFIX) :]: v for k, v in attrs.items() if k.startswith(_OPTUNA_PREFIX)}
    if not keyed and CONSTRAINTS_LIST_KEY in attrs:  # a trial written with the list only
        keyed = {f"constraint {i}": v for i, v in enumerate(attrs[CONSTRAINTS_LIST_KEY])}
    if not keyed:
        return None, []
    violated = [k for k, v in keyed.items() if not v <= 0.0]
    return not violated, violated


def is_feasible(trial: Any) -> bool:
    """Whether a (frozen) trial is feasible, as Optuna decides it for ``study.best_trial`` and
    ``study.best_trials``: every constraint value <= 0, and a trial without constraint values is
    feasible (``all`` of nothing)."""
    return feasibility(trial)[0] is not False
