"""What a study's trials measured: parameters, objective values, metrics and network states.

Maps (:mod:`opsnn_opt.study.read._map`) and parameter importance (:mod:`opsnn_opt.study.read._importance`)
read trials through this module. Metrics come from the trial's Optuna user attributes, where the
worker stores them, and else from the project's ``opsnn_trial_runs`` table.

The network state is a label: the ``network_state`` user attribute where a trial has one, else
the metric ``state`` (0 quiescent, 1 AI, 2 SI, 3 SR, 4 runaway, 5 AR, 6-8 undetermined:
:data:`opsnn_opt.analysis.STATE_LABELS`). Each population's label is the user attribute
``network_state.POP`` (from the metric ``pop_state.POP``). With ``split_si``, an SI state
is told apart as SI-fast or SI-slow by its global oscillation (``osc_peak_hz``), as in
Brunel (2000) Fig. 8: the fast rhythm is set by the synaptic delay (~180 Hz at D = 1.5 ms), the
slow one by the membrane time constant (< 60 Hz).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opsnn_opt.analysis import NETWORK_STATE, state_label
from opsnn_opt.errors import ConfigError

if TYPE_CHECKING:
    from opsnn_opt.study._study import OpenStudy

__all__ = [
    "NETWORK_STATE",
    "SI_FAST_MIN_HZ",
    "TrialValues",
    "available_names",
    "check_name",
    "network_state_label",
    "study_values",
]

#: An SI state whose oscillation peak is at or above this frequency (Hz) is SI-fast.
SI_FAST_MIN_HZ = 80.0


def _number(value: Any) -> float | None:
    """A finite float, or None (for None, nan, text and booleans)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def network_state_label(metrics: dict[str, Any], split_si: bool = True) -> str | None:
    """The state label of one trial from its stored values (see the module docstring)."""
    label = metrics.get(NETWORK_STATE)
    if not isinstance(label, str) or not label:
        label = state_label(metrics.get("state"))
    if label == "SI" and split_si:
        peak = _number(metrics.get("osc_peak_hz"))
        if peak is not None:
            label = "SI-fast" if peak >= SI_FAST_MIN_HZ else "SI-slow"
    return label


@dataclass(frozen=True)
class TrialValues:
    """One trial as read back: number, Optuna state, parameters, objective values, metrics."""

    number: int
    state: str
    params: dict[str, Any]
    values: tuple[float, ...] | None
    metrics: dict[str, Any]

    def get(self, name: str) -> Any:
        """A parameter, ``value`` (the first objective), ``value.K``, a metric or ``network_state``."""
        if name in self.params:
            return self.params[name]
        if name == "value" or name.startswith("value."):
            k = 0 if name == "value" else int(name.split(".", 1)[1])
            return self.values[k] if self.values is not None and k < len(self.values) else None
        if name == NETWORK_STATE:
            return network_state_label(self.metrics)
        return self.metrics.get(name)


def study_values(opened: OpenStudy) -> list[TrialValues]:
    """Every trial of a study, with its metrics from the user attributes or ``opsnn_trial_runs``."""
    runs = {r.trial_number: r for r in opened.store.runs(opened.name)}
    out = []
    for t in opened.study.get_trials(deepcopy=False):
        run = runs.get(t.number)
        metrics: dict[str, Any] = dict(run.metrics or {}) if run is not None else {}
        metrics.update({k: v for k, v in t.user_attrs.items() if k not in metrics or v is not None})
        values = tuple(t.values) if t.values is not None else None
        out.append(TrialValues(t.number, t.state.name, dict(t.params), values, metrics))
    return out


def available_names(opened: OpenStudy, trials: Sequence[TrialValues]) -> list[str]:
    """Names a map or an importance can use beside the parameters: objective values, metrics, state."""
    n_objectives = len(opened.study.directions)
    names = ["value"] if n_objectives == 1 else [f"value.{k}" for k in range(n_objectives)]
    metrics = sorted({k for t in trials for k, v in t.metrics.items() if _number(v) is not None})
    # Timings, memory and seeds are stored beside the metrics; they are not measurements of the network.
    skip = {"peak_rss_mb", "seed", "threads", *(m for m in metrics if m.endswith("_s"))}
    return [*names, NETWORK_STATE, *(m for m in metrics if m not in skip)]


def check_name(name: str, allowed: Sequence[str], field: str, study: str) -> str:
    """``name`` if it is one of ``allowed``, else a one-line ConfigError about ``field`` listing them."""
    if name not in allowed:
        raise ConfigError(f"{field} must be one of {', '.join(allowed)} for study {study!r}; got {name!r}", field=field)
    return name
