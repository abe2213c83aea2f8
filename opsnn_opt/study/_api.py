"""Studies from Python: search spaces and objectives as objects, without TOML files.

::

    import opsnn_opt as op

    space = op.SearchSpace(model=RingV1, simtime_ms=500, fixed={"n_exc": 400},
                           params={"g_exc_nS": op.LogUniform(1, 10, unit="nS")})
    objective = op.Objective(metrics=[op.Target("rate_hz.exc", 5, scale=5)],
                             constraints=[op.Constraint("rate_hz.all", max=50)])
    study = op.create_study("ring", space, objective, storage="sqlite:///ring.sqlite3")
    study.run(n_trials=40, workers=2)
    study.best(), study.trials()

The objects become the same dicts a TOML file gives and go through the same validation, with the
same messages (their source is named ``SearchSpace(...)`` or ``Objective(...)``), and they are
stored with the study exactly as file-made ones are, so ``opsnn worker NAME`` runs them on any
host. A model or metric defined in the script itself is stored by the script's path: local
workers import it from there (keep the study code under ``if __name__ == "__main__":``), and a
remote host needs the same file at the same path, or the code as an installed package.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opsnn_opt._plugins import importing_plugin_file, reference_of
from opsnn_opt.errors import ConfigError, SimulationError

__all__ = [
    "Choices",
    "Constraint",
    "LogUniform",
    "Maximize",
    "Minimize",
    "Objective",
    "Prune",
    "SearchSpace",
    "Study",
    "Target",
    "Uniform",
    "create_study",
    "open_study",
]


def _with_unit(out: dict[str, Any], unit: str | None) -> dict[str, Any]:
    return {**out, "unit": unit} if unit is not None else out


@dataclass(frozen=True)
class Uniform:
    """A free parameter on a linear scale in [low, high], optionally on a grid of ``step``."""

    low: float
    high: float
    step: float | None = None
    unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"low": self.low, "high": self.high, "scale": "linear"}
        if self.step is not None:
            out["step"] = self.step
        return _with_unit(out, self.unit)


@dataclass(frozen=True)
class LogUniform:
    """A free parameter on a log scale in [low, high], low > 0."""

    low: float
    high: float
    unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _with_unit({"low": self.low, "high": self.high, "scale": "log"}, self.unit)


@dataclass(frozen=True)
class Choices:
    """A free parameter that takes one of the listed values."""

    values: Sequence[Any]
    unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _with_unit({"choices": list(self.values)}, self.unit)


@dataclass(frozen=True)
class Target:
    """Score ``weight * |metric - target| / scale`` (lower is better)."""

    metric: str
    target: float
    scale: float = 1.0
    weight: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.metric, "target": self.target, "scale": self.scale, "weight": self.weight}


@dataclass(frozen=True)
class Minimize:
    """Score ``weight * metric``."""

    metric: str
    weight: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.metric, "direction": "minimize", "weight": self.weight}


@dataclass(frozen=True)
class Maximize:
    """Score ``-weight * metric`` (in a weighted sum), or maximise it (``combine="multi"``)."""

    metric: str
    weight: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.metric, "direction": "maximize", "weight": self.weight}


def _bounds(out: dict[str, Any], low: float | None, high: float | None) -> dict[str, Any]:
    return {**out, **({"min": low} if low is not None else {}), **({"max": high} if high is not None else {})}


@dataclass(frozen=True)
class Constraint:
    """A trial is feasible when ``min <= metric <= max``."""

    metric: str
    min: float | None = None
    max: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _bounds({"metric": self.metric}, self.min, self.max)


@dataclass(frozen=True)
class Prune:
    """Stop a trial between chunks once ``after_ms`` have run and the metric is outside [min, max]."""

    metric: str
    after_ms: float
    min: float | None = None
    max: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _bounds({"metric": self.metric, "after_ms": self.after_ms}, self.min, self.max)


def _table(item: Any, kinds: tuple[type, ...], where: str) -> dict[str, Any]:
    if not isinstance(item, kinds):
        names = " or ".join(f"{k.__name__}(...)" for k in kinds)
        raise ConfigError(f"{where} must be {names}; got {item!r}")
    return item.to_dict()


def _ref(obj: Any) -> str:
    return obj if isinstance(obj, str) else reference_of(obj)


def SearchSpace(
    model: Any,
    *,
    params: Mapping[str, Uniform | LogUniform | Choices | Sequence[Any]],
    fixed: Mapping[str, Any] | None = None,
    backend: str = "nest",
    **settings: Any,
) -> Any:
    """A validated search space (:class:`opsnn_opt.study.SearchSpace`), as from a TOML file.

    Parameters
    ----------
    model
        A model name, a ``"package.module:Class"`` reference, or the model class itself.
    params
        Free parameters: :class:`Uniform`, :class:`LogUniform`, :class:`Choices`, or a list of
        choices.
    fixed
        Parameters held constant (the others keep their defaults).
    backend
        ``"nest"`` or ``"spinnaker"``.
    settings
        Run settings: ``simtime_ms``, ``chunk_ms``, ``timestep_ms``, ``threads``,
        ``record_v_cells``, ``results_format``; seed replicates (``replicates``, ``vary``,
        ``stop_if_worse_after``) and ``pruner``, as in a search-space file.
    """
    from opsnn_opt.models import model_reference
    from opsnn_opt.study.spec._space import SearchSpace as Space

    source = "SearchSpace(...)"
    if not isinstance(params, Mapping):
        raise ConfigError(f"{source} params must be a dict of name -> Uniform/LogUniform/Choices; got {params!r}")
    free = {
        name: Choices(list(spec)).to_dict()
        if isinstance(spec, (list, tuple))
        else _table(spec, (Uniform, LogUniform, Choices), f"{source} params[{name!r}]")
        for name, spec in params.items()
    }
    data = {"model": model_reference(model), "backend": backend, **settings, "fixed": dict(fixed or {}), "params": free}
    return Space.from_dict(data, source)


def Objective(
    metrics: Sequence[Target | Minimize | Maximize] = (),
    *,
    combine: str = "weighted_sum",
    missing: float | str = "fail",
    constraints: Sequence[Constraint] = (),
    prune: Sequence[Prune] = (),
    plugins: Sequence[str | Callable[..., float]] = (),
    callable: str | Callable[..., Any] | None = None,
    directions: Sequence[str] | None = None,
    report: str = "objective",
    pruner: str | Mapping[str, Any] | None = None,
) -> Any:
    """A validated objective (:class:`opsnn_opt.study.ObjectiveSpec`), as from a TOML file.

    ``report`` chooses the intermediate value after each chunk (``"objective"``, a metric name or
    ``"none"``) and ``pruner`` Optuna's pruner (a name, or a dict with ``name`` and its options).

    ``plugins`` are user metrics (functions or ``"package.module:function"``) to register, and
    ``callable`` a function ``f(metrics, result) -> float | list[float]`` used instead of
    ``metrics``, with its ``directions``. Metric names are checked against the model's
    populations when the study is created.
    """
    from opsnn_opt.study.spec._objective import ObjectiveSpec

    source = "Objective(...)"
    data: dict[str, Any] = {
        "combine": combine,
        "missing": missing,
        "metrics": [_table(m, (Target, Minimize, Maximize), f"{source} metrics[{i}]") for i, m in enumerate(metrics)],
        "constraints": [_table(c, (Constraint,), f"{source} constraints[{i}]") for i, c in enumerate(constraints)],
        "prune": [_table(r, (Prune,), f"{source} prune[{i}]") for i, r in enumerate(prune)],
    }
    if plugins:
        data["plugins"] = [{"metrics": [_ref(p) for p in plugins]}]
    if callable is not None:
        data["callable"] = _ref(callable)
    if directions is not None:
        data["directions"] = list(directions)
    if report != "objective":
        data["report"] = report
    if pruner is not None:
        data["pruner"] = dict(pruner) if isinstance(pruner, Mapping) else pruner
    return ObjectiveSpec.from_dict(data, source, None)


class Study:
    """A study in a store, to run and read from Python (see :func:`create_study`)."""

    def __init__(self, opened: Any) -> None:
        self._opened = opened

    @property
    def name(self) -> str:
        return self._opened.name

    @property
    def optuna_study(self) -> Any:
        """The underlying :class:`optuna.Study`."""
        return self._opened.study

    def run(self, n_trials: int, workers: int = 1, *, echo: Callable[[str], None] = print) -> None:
        """Run ``n_trials`` trials with ``workers`` local worker processes (``opsnn worker``).

        Raises
        ------
        SimulationError
            If a worker process exited with an error (its log is under the store's ``logs``).
        """
        from opsnn_opt.study._run_local import run_local_workers

        _not_inside_a_worker_import("Study.run")
        if not isinstance(n_trials, int) or n_trials < 1 or not isinstance(workers, int) or workers < 1:
            raise ConfigError(
                f"Study.run: n_trials and workers must be whole numbers >= 1; got n_trials={n_trials!r}, "
                f"workers={workers!r}"
            )
        failed = run_local_workers(self._opened, n_trials, workers, echo=echo)
        if failed:
            raise SimulationError(f"study {self.name!r}: {failed} worker(s) exited with an error; see their logs")

    def best(self) -> dict[str, Any] | list[dict[str, Any]] | None:
        """The best feasible trial as a dict (trial, values, params, metrics, results_path); None
        before any; with several objectives, the list of Pareto-optimal trials."""
        from opsnn_opt.study.read._tables import best_trials

        names = self._opened.objective.metric_names
        out = [
            {
                "trial": t.number,
                "values": list(t.values),
                "params": dict(t.params),
                "metrics": {m: t.user_attrs.get(m, math.nan) for m in names},
                "results_path": t.user_attrs.get("results_path"),
            }
            for t in best_trials(self._opened)
        ]
        if len(self._opened.study.directions) > 1:
            return out
        return out[0] if out else None

    def trials(self) -> Any:
        """Every trial: number, state, value(s), parameters, the objective's metrics, timings and
        the failure or pruning note; a pandas DataFrame if pandas is installed, else a list of dicts."""
        from opsnn_opt.study.read._tables import trial_rows

        timing_keys = ("import_s", "build_s", "sim_s", "checks_s", "collect_s", "write_s", "analysis_s", "total_s")
        by_number = {t.number: t for t in self._opened.study.get_trials(deepcopy=False)}
        rows = []
        for row in trial_rows(self._opened):
            attrs = by_number[row["trial"]].user_attrs
            row.update({k: attrs.get(k) for k in timing_keys})
            rows.append(row)
        try:
            import pandas
        except ImportError:
            return rows
        return pandas.DataFrame(rows)


def _not_inside_a_worker_import(what: str) -> None:
    if importing_plugin_file():
        raise ConfigError(
            f"{what} was called while a worker imported the script that defines the study's model or "
            'metric; put the study code under if __name__ == "__main__": so that workers only import it'
        )


def create_study(
    name: str,
    space: Any,
    objective: Any,
    *,
    storage: str | None = None,
    sampler: str = "tpe",
    seed: int | None = None,
    load_if_exists: bool = False,
) -> Study:
    """Create a study from a :func:`SearchSpace` and an :func:`Objective` (or loaded files).

    ``storage`` is a database URL (default: ``$OPSNN_STORAGE``, else ``./storage/opsnn.sqlite3``).
    Everything is checked before the store is touched, as by ``opsnn study create``.
    """
    from opsnn_opt.store import Store
    from opsnn_opt.study._study import check_specs
    from opsnn_opt.study._study import create_study as create
    from opsnn_opt.study.spec._objective import ObjectiveSpec
    from opsnn_opt.study.spec._space import SearchSpace as Space

    _not_inside_a_worker_import("create_study")
    if not isinstance(space, Space):
        raise ConfigError(f"create_study: space must come from SearchSpace(...) or load_space(); got {space!r}")
    if not isinstance(objective, ObjectiveSpec):
        raise ConfigError(
            f"create_study: objective must come from Objective(...) or load_objective(); got {objective!r}"
        )
    # The metric names against the model's populations, as `opsnn study create` checks them.
    objective = ObjectiveSpec.from_dict(objective.to_dict(), objective.source, space.populations)
    check_specs(name, space, objective, sampler)
    opened = create(
        name, space, objective, sampler=sampler, seed=seed, store=Store(storage), load_if_exists=load_if_exists
    )
    return Study(opened)


def open_study(name: str, *, storage: str | None = None) -> Study:
    """Open an existing study (made from files or from Python) to run it or read it."""
    from opsnn_opt.store import Store
    from opsnn_opt.study._study import open_study as open_

    return Study(open_(name, Store(storage)))
