"""An objective's parts: one type each for a file and for Python.

``[[metrics]]`` tables and :func:`Target`, :func:`Minimize`, :func:`Maximize` give a
:class:`MetricTerm`; ``[[constraints]]`` and ``Constraint(...)`` a :class:`Constraint`;
``[[prune]]`` and ``Prune(...)`` a :class:`PruneRule`. The ``read_*`` functions check a table,
with the same messages whichever way it was written.

The network state is a metric of codes (``state``, per population ``pop_state.exc``) whose
labels an objective can name: a constraint ``state = "AI"`` (or a list of labels) is met when
the run's label is one of them, and a term ``target = "AI"`` scores 0 for that label and 1 for
any other (:data:`opsnn_opt.analysis.STATE_CODES` lists the labels).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from opsnn_opt.analysis import POPULATION_STATE, STATE_CODES, state_label
from opsnn_opt.errors import ConfigError
from opsnn_opt.study.spec._fields import Fields

__all__ = [
    "DIRECTIONS",
    "Constraint",
    "Maximize",
    "MetricTerm",
    "Minimize",
    "MissingMetric",
    "Prune",
    "PruneRule",
    "STATE_METRICS",
    "Target",
    "read_constraint",
    "read_prune_rule",
    "read_term",
]

DIRECTIONS = ("minimize", "maximize")
#: Metric bases whose values are state codes, that a constraint or a target may name by label.
STATE_METRICS = ("state", POPULATION_STATE)
#: Checks a metric name of a table's field (populations, user metrics); returns it.
NameCheck = Callable[[Fields, str], str]


class MissingMetric(Exception):
    """A metric the objective needs is ``nan`` and the spec says ``missing = "fail"``."""


@dataclass(frozen=True)
class MetricTerm:
    """One scored metric: ``weight * |value - target| / scale``, or ``weight * value`` in its direction.

    A state metric (``state``, ``pop_state.POP``) may instead target a label
    (``target_state="AI"``): the term is 0 for that label and 1 for any other.
    """

    name: str
    weight: float = 1.0
    target: float | None = None
    scale: float = 1.0
    direction: str = "minimize"
    target_state: str | None = None

    def __post_init__(self) -> None:
        if self.target_state is not None:
            _check_state_labels(self.name, (self.target_state,), "target")

    def value(self, metrics: Mapping[str, float], missing: float | None) -> float:
        """This metric's objective value (in its own direction)."""
        v = metrics.get(self.name, math.nan)
        if math.isnan(v):
            if missing is None:
                raise MissingMetric(f"metric {self.name} is nan (not enough spikes to compute it)")
            return missing if self.direction == "minimize" else -missing
        if self.target_state is not None:
            return 0.0 if state_label(v) == self.target_state else 1.0
        return abs(v - self.target) / self.scale if self.target is not None else v

    def to_dict(self) -> dict[str, Any]:
        """The ``[[metrics]]`` table."""
        if self.target_state is not None:
            return {"name": self.name, "weight": self.weight, "target": self.target_state}
        kind = (
            {"target": self.target, "scale": self.scale} if self.target is not None else {"direction": self.direction}
        )
        return {"name": self.name, "weight": self.weight, **kind}


def _check_state_labels(metric: str, labels: tuple[str, ...], field: str) -> None:
    """A state label may be named only for a state metric, and must be one of STATE_CODES."""
    if metric.partition(".")[0] not in STATE_METRICS:
        raise ConfigError(
            f"a state label ({field} = {labels[0]!r}) goes with the metric state or {POPULATION_STATE}.POP; "
            f"got metric {metric!r}"
        )
    for label in labels:
        if label not in STATE_CODES:
            raise ConfigError(f"{field} must be a state label, one of {', '.join(STATE_CODES)}; got {label!r}")


def Target(metric: str, target: float | str, scale: float = 1.0, weight: float = 1.0) -> MetricTerm:
    """Score ``weight * |metric - target| / scale`` (lower is better); for a state metric and a
    label (``Target("state", "AI")``), ``weight`` × (0 for that label, 1 for any other)."""
    if isinstance(target, str):
        return MetricTerm(metric, weight, target_state=target)
    return MetricTerm(metric, weight, target, scale)


def Minimize(metric: str, weight: float = 1.0) -> MetricTerm:
    """Score ``weight * metric``."""
    return MetricTerm(metric, weight, direction="minimize")


def Maximize(metric: str, weight: float = 1.0) -> MetricTerm:
    """Score ``-weight * metric`` (in a weighted sum), or maximise it (``combine="multi"``)."""
    return MetricTerm(metric, weight, direction="maximize")


def _unbounded(value: float | None, default: float) -> float:
    return default if value is None else value


@dataclass(frozen=True)
class Constraint:
    """A trial is feasible when ``min <= metric <= max`` (None: unbounded on that side), or,
    with ``states``, when the label of a state metric is one of them
    (``Constraint("state", states="AI")``, ``Constraint("pop_state.exc", states=("AI", "AR"))``)."""

    metric: str
    min: float = -math.inf
    max: float = math.inf
    states: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "min", _unbounded(self.min, -math.inf))
        object.__setattr__(self, "max", _unbounded(self.max, math.inf))
        states = (self.states,) if isinstance(self.states, str) else tuple(self.states)
        object.__setattr__(self, "states", states)
        if states:
            _check_state_labels(self.metric, states, "state")
            if self.min != -math.inf or self.max != math.inf:
                raise ConfigError("a state constraint takes no 'min' or 'max'")

    @property
    def key(self) -> str:
        if self.states:
            return f"{self.metric} in {{{', '.join(self.states)}}}"
        return f"{self.metric} in [{self.min:g}, {self.max:g}]"

    def violation(self, metrics: Mapping[str, float]) -> float:
        """Optuna's convention: <= 0 is feasible. A nan metric (or another state) counts as violated by 1."""
        v = metrics.get(self.metric, math.nan)
        if self.states:
            return 0.0 if state_label(v) in self.states else 1.0
        if math.isnan(v):
            return 1.0
        return max(self.min - v, v - self.max, 0.0)

    def to_dict(self) -> dict[str, Any]:
        """The ``[[constraints]]`` table."""
        if self.states:
            return {"metric": self.metric, "state": self.states[0] if len(self.states) == 1 else list(self.states)}
        return _bounds({"metric": self.metric}, self.min, self.max)


@dataclass(frozen=True)
class PruneRule:
    """Stop a trial between chunks once ``after_ms`` have run and the metric is outside [min, max]."""

    metric: str
    after_ms: float
    min: float = -math.inf
    max: float = math.inf

    def __post_init__(self) -> None:
        object.__setattr__(self, "min", _unbounded(self.min, -math.inf))
        object.__setattr__(self, "max", _unbounded(self.max, math.inf))

    def breached(self, value: float) -> bool:
        return not math.isnan(value) and not self.min <= value <= self.max

    def to_dict(self) -> dict[str, Any]:
        """The ``[[prune]]`` table."""
        return _bounds({"metric": self.metric, "after_ms": self.after_ms}, self.min, self.max)


#: The Python API's name for a ``[[prune]]`` rule.
Prune = PruneRule


def _bounds(out: dict[str, Any], low: float, high: float) -> dict[str, Any]:
    if low != -math.inf:
        out["min"] = low
    if high != math.inf:
        out["max"] = high
    return out


def _range(f: Fields) -> tuple[float, float]:
    low = f.number("min", -math.inf)
    high = f.number("max", math.inf)
    if low == -math.inf and high == math.inf:
        raise ConfigError(f"{f.where}: give 'min', 'max' or both")
    if not low <= high:
        raise ConfigError(f"{f.where}: min <= max must hold, but got (min={low:g}, max={high:g})")
    return low, high


def read_term(f: Fields, check_name: NameCheck) -> MetricTerm:
    """A ``[[metrics]]`` table."""
    f.check_keys(["name", "target", "scale", "weight", "direction"])
    name = check_name(f, "name")
    weight = f.number("weight", 1.0, low=0.0)
    if not math.isfinite(weight):
        raise f.fail("weight", "a finite number in [0, inf)", weight)
    if isinstance(f.get("target", None), str):
        if "direction" in f or "scale" in f:
            target = f.get("target")
            raise ConfigError(f"{f.where}: a state target (target = {target!r}) takes no 'direction' or 'scale'")
        return _located(f, lambda: MetricTerm(name, weight, target_state=f.string("target")))
    if "target" in f:
        if "direction" in f:
            raise ConfigError(f"{f.where}: give either 'target' or 'direction', not both")
        target = f.number("target")
        if not math.isfinite(target):
            raise f.fail("target", "a finite number", target)
        scale = f.number("scale", 1.0, low=0.0, open_low=True)
        if not math.isfinite(scale):
            raise f.fail("scale", "a finite number in (0, inf)", scale)
        return MetricTerm(name, weight, target, scale)
    if "scale" in f:
        raise ConfigError(f"{f.where}: 'scale' goes with 'target'")
    return MetricTerm(name, weight, direction=f.string("direction", choices=DIRECTIONS))


def read_constraint(f: Fields, check_name: NameCheck) -> Constraint:
    """A ``[[constraints]]`` table: ``metric`` with ``min``/``max``, or ``state`` (a label or a
    list of labels) with ``metric`` ``state`` (the default) or ``pop_state.POP``."""
    f.check_keys(["metric", "min", "max", "state"])
    if "state" not in f:
        return Constraint(check_name(f, "metric"), *_range(f))
    metric = check_name(f, "metric") if "metric" in f else "state"
    raw = f.get("state")
    labels = [raw] if isinstance(raw, str) else raw
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise f.fail("state", "a state label or a list of them", raw)
    if "min" in f or "max" in f:
        raise ConfigError(f"{f.where}: a state constraint (state = {raw!r}) takes no 'min' or 'max'")
    return _located(f, lambda: Constraint(metric, states=tuple(labels)))


def _located(f: Fields, make: Callable[[], Any]) -> Any:
    """``make()``, with the table's place in front of a ConfigError's message."""
    try:
        return make()
    except ConfigError as exc:
        raise ConfigError(f"{f.where}: {exc}") from exc


def read_prune_rule(f: Fields, check_name: NameCheck) -> PruneRule:
    """A ``[[prune]]`` table."""
    f.check_keys(["metric", "min", "max", "after_ms"])
    metric = check_name(f, "metric")
    after_ms = f.number("after_ms", low=0.0)
    return PruneRule(metric, after_ms, *_range(f))
