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

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opsnn_opt._plugins import import_object
from opsnn_opt.analysis import check_metric_name, load_metric
from opsnn_opt.errors import ConfigError
from opsnn_opt.study.spec._fields import Fields, read_toml
from opsnn_opt.study.spec._pruners import PrunerSpec, load_pruner
from opsnn_opt.study.spec._report import REPORT_KEYWORDS, load_report
from opsnn_opt.study.spec._terms import (
    DIRECTIONS,
    Constraint,
    MetricTerm,
    MissingMetric,
    PruneRule,
    read_constraint,
    read_prune_rule,
    read_term,
)

__all__ = ["Constraint", "MetricTerm", "MissingMetric", "ObjectiveSpec", "PruneRule", "load_objective"]

_KEYS = (
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
)


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
    #: Intermediate values after each chunk (:mod:`opsnn_opt.study.spec._report`) and the pruner.
    report: str = "objective"
    pruner: PrunerSpec | None = None

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

    def check_metric_names(self, populations: Sequence[str]) -> None:
        """Every metric name against a model's populations (an objective made without a model, as
        ``Objective(...)`` is, is checked when its study is created)."""
        for kind, items in (("metrics", self.terms), ("constraints", self.constraints), ("prune", self.prune)):
            for i, item in enumerate(items):
                name = item.name if isinstance(item, MetricTerm) else item.metric
                check_metric_name(name, populations, f"{self.source} [[{kind}]] #{i + 1}")
        if self.report not in REPORT_KEYWORDS:
            check_metric_name(self.report, populations, self.source)

    def to_dict(self) -> dict[str, Any]:
        """The TOML-equivalent dict, stored with the study."""
        out: dict[str, Any] = {"combine": self.combine, "missing": "fail" if self.missing is None else self.missing}
        if self.callable_path:
            out["callable"] = self.callable_path
            out["directions"] = list(self.callable_directions)
        out["metrics"] = [t.to_dict() for t in self.terms]
        if self.plugins:
            out["plugins"] = [{"metrics": list(self.plugins)}]
        out["constraints"] = [c.to_dict() for c in self.constraints]
        out["prune"] = [r.to_dict() for r in self.prune]
        if self.report != "objective":
            out["report"] = self.report
        if self.pruner is not None:
            out["pruner"] = self.pruner.to_dict()
        return out

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], source: str, populations: Sequence[str] | None, *, import_callable: bool = True
    ) -> ObjectiveSpec:
        """Read and check an objective's tables. Without ``import_callable`` (reading a stored
        study, see :func:`~opsnn_opt.study.spec.stored_specs`) its code is not imported."""
        top = Fields(data, source)
        top.check_keys(_KEYS)
        plugins, unloaded = _load_plugins(top, import_callable)

        def check_name(f: Fields, key: str) -> str:
            name = f.string(key)
            if name.partition(".")[0] in unloaded:
                return name
            return check_metric_name(name, populations, f.where)

        combine = top.string("combine", "weighted_sum", choices=("weighted_sum", "multi"))
        missing = _read_missing(top)
        terms = tuple(read_term(f, check_name) for f in top.tables("metrics"))
        constraints = tuple(read_constraint(f, check_name) for f in top.tables("constraints"))
        prune = tuple(read_prune_rule(f, check_name) for f in top.tables("prune"))
        callable_path, directions = _read_callable(top, bool(terms), import_callable)
        return cls(
            combine,
            terms,
            constraints,
            prune,
            missing,
            callable_path,
            directions,
            source,
            plugins,
            load_report(top, lambda name: check_name(top, "report")),
            load_pruner(top),
        )


def _read_missing(top: Fields) -> float | None:
    raw = top.get("missing", "fail")
    if raw == "fail":
        return None
    if isinstance(raw, str):
        raise top.fail("missing", '"fail" or a number in [0, inf)', raw)
    missing = top.number("missing", low=0.0)
    if not math.isfinite(missing):
        raise top.fail("missing", '"fail" or a finite number in [0, inf)', raw)
    return missing


def _read_callable(top: Fields, has_terms: bool, import_code: bool) -> tuple[str | None, tuple[str, ...]]:
    """``callable`` and its ``directions``, or ``[[metrics]]``: exactly one of them."""
    callable_path = top.string("callable", None)
    if callable_path is None:
        if not has_terms:
            raise ConfigError(f"{top.where}: no [[metrics]] to score; add at least one, or name a 'callable'")
        if "directions" in top:
            raise ConfigError(f"{top.where}: 'directions' goes with 'callable'; [[metrics]] set their own")
        return None, ()
    if has_terms:
        raise ConfigError(f"{top.where}: give either [[metrics]] or a 'callable', not both")
    if import_code:
        _import_callable(callable_path, top.where)
    raw = top.get("directions", ["minimize"])
    if not isinstance(raw, list) or not raw or any(d not in DIRECTIONS for d in raw):
        raise top.fail("directions", f"a non-empty list of {' or '.join(DIRECTIONS)}", raw)
    return callable_path, tuple(raw)


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


def _import_callable(path: str, source: str) -> Callable[..., Any]:
    fn = import_object(path, "'callable'", source)
    if not callable(fn):
        raise ConfigError(f"{source}: 'callable' {path!r} is not callable")
    return fn


def load_objective(path: str | Path, populations: Sequence[str] | None = None) -> ObjectiveSpec:
    """Load and validate an objective TOML file; metric populations are checked when given."""
    return ObjectiveSpec.from_dict(read_toml(path, "objective"), str(path), populations)
