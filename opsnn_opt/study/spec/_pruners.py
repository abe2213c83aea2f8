"""Optuna's pruners for a study, set in the objective or the search space, and their options.

Either a name or a table with the name and the pruner's options::

    pruner = "median"

    [pruner]
    name = "percentile"
    percentile = 25.0
    n_startup_trials = 5
    n_warmup_steps = 2

The pruner decides on the intermediate values the worker reports after every chunk (the
objective's ``report``, :mod:`opsnn_opt.study.spec._report`; reported by
:mod:`opsnn_opt.study.trial._intermediate`); it works alongside the ``[[prune]]`` rules, which the
simulation process checks itself. Optuna's pruners need a single objective.

Pruning is read (:func:`load_pruner`), merged from the objective and the search space
(:func:`study_pruner`), checked with the report and the ``[[prune]]`` rules (:func:`check_pruning`)
and built (:func:`make_pruner`) here, and nowhere else.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from opsnn_opt.errors import ConfigError
from opsnn_opt.study.spec._fields import Fields

__all__ = [
    "PRUNERS",
    "PrunerSpec",
    "check_pruning",
    "load_pruner",
    "make_pruner",
    "pruning_summary",
    "study_pruner",
]

INF = math.inf
#: Per pruner: option -> (kind, low, high, default); "auto" is also allowed where the default is "auto".
_WARMUP: dict[str, tuple[str, float, float, Any]] = {
    "n_startup_trials": ("int", 0, INF, 5),
    "n_warmup_steps": ("int", 0, INF, 0),
    "interval_steps": ("int", 1, INF, 1),
    "n_min_trials": ("int", 1, INF, 1),
}
OPTIONS: dict[str, dict[str, tuple[str, float, float, Any]]] = {
    "none": {},
    "median": dict(_WARMUP),
    "percentile": {"percentile": ("float", 0.0, 100.0, 25.0), **_WARMUP},
    "successive_halving": {
        "min_resource": ("int", 1, INF, "auto"),
        "reduction_factor": ("int", 2, INF, 4),
        "min_early_stopping_rate": ("int", 0, INF, 0),
        "bootstrap_count": ("int", 0, INF, 0),
    },
    "hyperband": {
        "min_resource": ("int", 1, INF, 1),
        "max_resource": ("int", 1, INF, "auto"),
        "reduction_factor": ("int", 2, INF, 3),
        "bootstrap_count": ("int", 0, INF, 0),
    },
    "wilcoxon": {"p_threshold": ("float", 0.0, 1.0, 0.1), "n_startup_steps": ("int", 0, INF, 2)},
}
PRUNERS = tuple(OPTIONS)


@dataclass(frozen=True)
class PrunerSpec:
    """A validated pruner choice: its name and every option (defaults filled in)."""

    name: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **self.options}

    def describe(self) -> str:
        set_ = ", ".join(f"{k}={v}" for k, v in self.options.items())
        return f"{self.name}({set_})"


def load_pruner(top: Fields, key: str = "pruner") -> PrunerSpec | None:
    """Read ``pruner`` (a name or a table) from a spec; None when absent."""
    if key not in top:
        return None
    raw = top.get(key)
    given = raw
    if isinstance(raw, str):
        raw = {"name": raw}
    allowed_names = f"one of: {', '.join(PRUNERS)} (or a table with 'name' and the pruner's options)"
    if not isinstance(raw, Mapping) or raw.get("name") not in OPTIONS:
        raise top.fail(key, allowed_names, raw.get("name") if isinstance(raw, Mapping) else given)
    f = Fields(dict(raw), f"{top.where} [{key}]")
    name = raw["name"]
    allowed = OPTIONS[name]
    f.check_keys(["name", *allowed])
    options: dict[str, Any] = {}
    for option, (kind, low, high, default) in allowed.items():
        value = raw.get(option, default)
        if value == "auto" and default == "auto":
            options[option] = value
            continue
        ok = isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
        if kind == "int":
            ok = ok and float(value).is_integer()
        if not ok:
            what = "a whole number" if kind == "int" else "a number"
            span = f"[{low:g}, {'inf' if high == INF else f'{high:g}'}{')' if high == INF else ']'}"
            also = ' or "auto"' if default == "auto" else ""
            raise f.fail(option, f"{what} in {span}{also}", value)
        options[option] = int(value) if kind == "int" else float(value)
    return PrunerSpec(name, options)


def make_pruner(spec: PrunerSpec | None) -> Any:
    """The Optuna pruner of a spec (``NopPruner`` for none)."""
    import optuna

    p = optuna.pruners
    if spec is None or spec.name == "none":
        return p.NopPruner()
    o = dict(spec.options)
    if spec.name == "median":
        return p.MedianPruner(**o)
    if spec.name == "percentile":
        return p.PercentilePruner(**o)
    if spec.name == "successive_halving":
        return p.SuccessiveHalvingPruner(**o)
    if spec.name == "hyperband":
        return p.HyperbandPruner(**o)
    return p.WilcoxonPruner(**o)


def study_pruner(space: Any, objective: Any) -> PrunerSpec | None:
    """The study's pruner: the objective's or the search space's (never both); None for none."""
    a, b = getattr(objective, "pruner", None), getattr(space, "pruner", None)
    if a is not None and b is not None:
        raise ConfigError(
            f"a pruner is set in both {objective.source} ({a.name}) and {space.source} ({b.name}); keep one"
        )
    spec = a or b
    return None if spec is None or spec.name == "none" else spec


def check_pruning(space: Any, objective: Any) -> None:
    """Refuse, before anything runs, what Optuna would refuse later or what could never fire:
    pruners and reports in multi-objective studies, a pruner without intermediate values, and a
    ``[[prune]]`` rule that checks after the simulation has ended."""
    pruner = study_pruner(space, objective)
    n = len(objective.directions)
    report = objective.report
    if n > 1 and pruner is not None:
        raise ConfigError(
            f"pruner {pruner.name!r} needs a single objective; the objective {objective.source} has {n} "
            "(Optuna's pruners and trial.report do not support multi-objective studies)"
        )
    if n > 1 and report not in ("objective", "none"):
        raise ConfigError(
            f"{objective.source}: report = {report!r} needs a single objective; the objective has {n} "
            "(Optuna refuses intermediate values in multi-objective studies)"
        )
    if pruner is not None and objective.callable_path and report in ("objective", "none"):
        raise ConfigError(
            f"{objective.source}: pruner {pruner.name!r} with a 'callable' objective needs report = \"METRIC\" "
            "(a callable is scored on the whole run only)"
        )
    if pruner is not None and report == "none":
        raise ConfigError(f'{objective.source}: pruner {pruner.name!r} needs intermediate values; report = "none"')
    simtime = space.settings["simtime_ms"]
    for rule in objective.prune:
        if rule.after_ms >= simtime:
            raise ConfigError(
                f"{objective.source}: a [[prune]] rule on {rule.metric} checks after "
                f"{rule.after_ms:g} ms, but {space.source} simulates only {simtime:g} ms; "
                "it would never fire"
            )


def pruning_summary(opened: Any) -> str | None:
    """One line totalling the pruned trials by what stopped them and the simulated time saved, e.g.
    ``"pruned: 4 trials (pruner 3, rule 1); simulated time saved: 2.4 s of 6 s planned (40 %)"``;
    None when no trial was pruned."""
    by: dict[str, int] = {}
    saved_ms = planned_ms = 0.0
    for t in opened.study.get_trials(deepcopy=False):
        if t.state.name not in ("COMPLETE", "PRUNED"):
            continue
        planned_ms += opened.space.settings["simtime_ms"] * opened.space.replicates.k
        if t.state.name == "PRUNED":
            key = t.user_attrs.get("pruned_by") or "rule"
            by[key] = by.get(key, 0) + 1
            saved_ms += float(t.user_attrs.get("simtime_saved_ms") or 0.0)
    if not by:
        return None
    parts = ", ".join(f"{k} {v}" for k, v in sorted(by.items()))
    share = 100.0 * saved_ms / planned_ms if planned_ms else 0.0
    return (
        f"pruned: {sum(by.values())} trials ({parts}); simulated time saved: {saved_ms / 1000:.3g} s "
        f"of {planned_ms / 1000:.3g} s planned ({share:.0f} %)"
    )
