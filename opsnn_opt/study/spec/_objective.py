"""Objective specs: which metrics to score, how they combine, constraints and pruning rules.

An objective is a TOML file (see ``objectives/``)::

    combine = "weighted_sum"   # one value to minimise; or "multi": one objective per metric
    missing = 10.0             # term used when a metric is nan (e.g. CV of a silent network),
                               # or "fail" to fail the trial instead

    [[metrics]]
    name = "rate_hz.exc"
    target = 5.0               # term = weight * |value - target| / scale
    scale = 5.0
    weight = 1.0

    [[metrics]]
    name = "synchrony.exc"
    direction = "minimize"     # instead of a target: term = weight * value (maximize: -value)

    [[constraints]]            # feasible when min <= value <= max
    metric = "rate_hz.exc"
    min = 0.5
    max = 50.0

    [[prune]]                  # stop a trial early, checked between simulation chunks
    metric = "rate_hz.exc"
    max = 100.0
    after_ms = 200.0

Instead of ``[[metrics]]`` scoring, ``callable = "package.module:function"`` names a Python
function ``f(metrics: dict[str, float], result: RunResult) -> float | list[float]``, with
``directions = ["minimize", ...]``.

User metrics (see :mod:`opsnn_opt.analysis._plugins`) that no installed package registers are
named in the file, then used by name like the built-ins::

    [[plugins]]
    metrics = ["my_pkg.metrics:burst_index"]
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from opsnn_opt.analysis import check_metric_name, load_metric
from opsnn_opt.errors import ConfigError
from opsnn_opt.study.spec._fields import Fields, read_toml

__all__ = ["Constraint", "MetricTerm", "MissingMetric", "ObjectiveSpec", "PruneRule", "load_objective"]

DIRECTIONS = ("minimize", "maximize")


class MissingMetric(Exception):
    """A metric the objective needs is ``nan`` and the spec says ``missing = "fail"``."""


@dataclass(frozen=True)
class MetricTerm:
    name: str
    weight: float = 1.0
    target: float | None = None
    scale: float = 1.0
    direction: str = "minimize"

    def value(self, metrics: Mapping[str, float], missing: float | None) -> float:
        """This metric's objective value (in its own direction)."""
        v = metrics.get(self.name, math.nan)
        if math.isnan(v):
            if missing is None:
                raise MissingMetric(f"metric {self.name} is nan (not enough spikes to compute it)")
            return missing if self.direction == "minimize" else -missing
        return abs(v - self.target) / self.scale if self.target is not None else v


@dataclass(frozen=True)
class Constraint:
    metric: str
    min: float = -math.inf
    max: float = math.inf

    @property
    def key(self) -> str:
        return f"{self.metric} in [{self.min:g}, {self.max:g}]"

    def violation(self, metrics: Mapping[str, float]) -> float:
        """Optuna's convention: <= 0 is feasible. A nan metric counts as violated by 1."""
        v = metrics.get(self.metric, math.nan)
        if math.isnan(v):
            return 1.0
        return max(self.min - v, v - self.max, 0.0)


@dataclass(frozen=True)
class PruneRule:
    metric: str
    after_ms: float
    min: float = -math.inf
    max: float = math.inf

    def breached(self, value: float) -> bool:
        return not math.isnan(value) and not self.min <= value <= self.max


@dataclass(frozen=True)
class ObjectiveSpec:
    """A validated objective."""

    combine: str
    terms: tuple[MetricTerm, ...]
    constraints: tuple[Constraint, ...] = ()
    prune: tuple[PruneRule, ...] = ()
    missing: float | None = None
    callable_path: str | None = None
    callable_directions: tuple[str, ...] = ()
    source: str = ""
    #: References of the user metrics the objective loads (``[[plugins]] metrics``).
    plugins: tuple[str, ...] = ()
    #: Intermediate values after each chunk (see :mod:`opsnn_opt.study.trial._intermediate`) and the pruner.
    report: str = "objective"
    pruner: Any = None

    @property
    def directions(self) -> list[str]:
        if self.callable_path:
            return list(self.callable_directions)
        if self.combine == "weighted_sum":
            return ["minimize"]
        return ["minimize" if t.target is not None else t.direction for t in self.terms]

    @property
    def metric_names(self) -> list[str]:
        names = [t.name for t in self.terms] + [c.metric for c in self.constraints] + [r.metric for r in self.prune]
        return list(dict.fromkeys(names))

    def evaluate(self, metrics: Mapping[str, float], result: Any = None) -> list[float]:
        """The objective value(s) of a run, in the order of :attr:`directions`."""
        if self.callable_path:
            out = _import_callable(self.callable_path, self.source)(dict(metrics), result)
            values = [float(v) for v in (out if isinstance(out, Sequence) else [out])]
            if len(values) != len(self.callable_directions):
                raise ValueError(
                    f"{self.callable_path} returned {len(values)} values for {len(self.callable_directions)} directions"
                )
            return values
        values = [t.value(metrics, self.missing) for t in self.terms]
        if self.combine == "multi":
            return values
        return [
            sum(
                t.weight * (v if t.direction == "minimize" or t.target is not None else -v)
                for t, v in zip(self.terms, values)
            )
        ]

    def violations(self, metrics: Mapping[str, float]) -> list[float]:
        return [c.violation(metrics) for c in self.constraints]

    def to_dict(self) -> dict[str, Any]:
        """The TOML-equivalent dict, stored with the study."""
        out: dict[str, Any] = {"combine": self.combine, "missing": "fail" if self.missing is None else self.missing}
        if self.callable_path:
            out["callable"] = self.callable_path
            out["directions"] = list(self.callable_directions)
        out["metrics"] = [
            {
                "name": t.name,
                "weight": t.weight,
                **({"target": t.target, "scale": t.scale} if t.target is not None else {"direction": t.direction}),
            }
            for t in self.terms
        ]
        if self.plugins:
            out["plugins"] = [{"metrics": list(self.plugins)}]
        out["constraints"] = [_bounds({"metric": c.metric}, c.min, c.max) for c in self.constraints]
        out["prune"] = [_bounds({"metric": r.metric, "after_ms": r.after_ms}, r.min, r.max) for r in self.prune]
        if self.report != "objective":
            out["report"] = self.report
        if self.pruner is not None:
            out["pruner"] = self.pruner.to_dict()
        return out

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], source: str, populations: Sequence[str] | None, *, import_callable: bool = True
    ) -> ObjectiveSpec:
        top = Fields(data, source)
        top.check_keys(
            [
                "combine",
                "missing",
                "metrics",
                "constraints",
                "prune",
                "callable",
                "directions",
                "plugins",
                "report",
                "pruner",
            ]
        )
        plugins, unloaded = _load_plugins(top, import_callable)
        combine = top.string("combine", "weighted_sum", choices=("weighted_sum", "multi"))
        missing_raw = top.get("missing", "fail")
        if missing_raw == "fail":
            missing = None
        elif isinstance(missing_raw, str):
            raise top.fail("missing", '"fail" or a number in [0, inf)', missing_raw)
        else:
            missing = top.number("missing", low=0.0)
            if not math.isfinite(missing):
                raise top.fail("missing", '"fail" or a finite number in [0, inf)', missing_raw)
        terms = tuple(_term(f, populations, unloaded) for f in top.tables("metrics"))
        constraints = tuple(_constraint(f, populations, unloaded) for f in top.tables("constraints"))
        prune = tuple(_prune_rule(f, populations, unloaded) for f in top.tables("prune"))
        callable_path = top.string("callable", None)
        directions: tuple[str, ...] = ()
        if callable_path is not None:
            if terms:
                raise ConfigError(f"{source}: give either [[metrics]] or a 'callable', not both")
            if import_callable:
                _import_callable(callable_path, source)
            raw = top.get("directions", ["minimize"])
            if not isinstance(raw, list) or not raw or any(d not in DIRECTIONS for d in raw):
                raise top.fail("directions", f"a non-empty list of {' or '.join(DIRECTIONS)}", raw)
            directions = tuple(raw)
        elif not terms:
            raise ConfigError(f"{source}: no [[metrics]] to score; add at least one, or name a 'callable'")
        elif "directions" in top:
            raise ConfigError(f"{source}: 'directions' goes with 'callable'; [[metrics]] set their own")
        from opsnn_opt.study.spec._pruners import load_pruner
        from opsnn_opt.study.trial._intermediate import load_report

        report = load_report(top, lambda name: _metric_name(top, "report", populations, unloaded))
        spec = cls(combine, terms, constraints, prune, missing, callable_path, directions, source, plugins)
        return replace(spec, report=report, pruner=load_pruner(top))


def _load_plugins(top: Fields, import_code: bool) -> tuple[tuple[str, ...], frozenset[str]]:
    """Register the ``[[plugins]]`` metrics; returns their references and the names of those that
    were not loaded. Without ``import_code`` (reading a stored study on a host that may lack
    them) a metric that cannot be imported is skipped, and its name is not checked."""
    refs, unloaded = [], set()
    for f in top.tables("plugins"):
        f.check_keys(["metrics"])
        value = f.get("metrics")
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise f.fail("metrics", "a non-empty list of 'package.module:function' strings", value)
        for ref in value:
            try:
                load_metric(ref, f"{f.where} 'metrics'")
            except ConfigError:
                if import_code:
                    raise
                unloaded.add(ref.rpartition(":")[2].rpartition(".")[2])
            refs.append(ref)
    return tuple(dict.fromkeys(refs)), frozenset(unloaded)


def _metric_name(f: Fields, key: str, populations: Sequence[str] | None, unloaded: frozenset[str]) -> str:
    name = f.string(key)
    if name.partition(".")[0] in unloaded:
        return name
    return check_metric_name(name, populations, f.where)


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


def _term(f: Fields, populations: Sequence[str] | None, unloaded: frozenset[str]) -> MetricTerm:
    f.check_keys(["name", "target", "scale", "weight", "direction"])
    name = _metric_name(f, "name", populations, unloaded)
    weight = f.number("weight", 1.0, low=0.0)
    if not math.isfinite(weight):
        raise f.fail("weight", "a finite number in [0, inf)", weight)
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


def _constraint(f: Fields, populations: Sequence[str] | None, unloaded: frozenset[str]) -> Constraint:
    f.check_keys(["metric", "min", "max"])
    return Constraint(_metric_name(f, "metric", populations, unloaded), *_range(f))


def _prune_rule(f: Fields, populations: Sequence[str] | None, unloaded: frozenset[str]) -> PruneRule:
    f.check_keys(["metric", "min", "max", "after_ms"])
    metric = _metric_name(f, "metric", populations, unloaded)
    after_ms = f.number("after_ms", low=0.0)
    return PruneRule(metric, after_ms, *_range(f))


def _import_callable(path: str, source: str) -> Callable[..., Any]:
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"{source}: 'callable' must be 'package.module:function'; got {path!r}")
    try:
        fn = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"{source}: 'callable' {path!r} cannot be imported: {exc}") from None
    if not callable(fn):
        raise ConfigError(f"{source}: 'callable' {path!r} is not callable")
    return fn


def load_objective(path: str | Path, populations: Sequence[str] | None = None) -> ObjectiveSpec:
    """Load and validate an objective TOML file; metric populations are checked when given."""
    return ObjectiveSpec.from_dict(read_toml(path, "objective"), str(path), populations)
