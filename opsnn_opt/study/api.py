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

The parameter and objective types are those of the files (:mod:`opsnn_opt.study.spec`):
``Uniform(...)`` is the :class:`~opsnn_opt.study.spec.FreeParam` a ``[params.NAME]`` table
gives, ``Target(...)`` the :class:`~opsnn_opt.study.spec.MetricTerm` of a ``[[metrics]]`` table,
``Constraint(...)`` and ``Prune(...)`` those of ``[[constraints]]`` and ``[[prune]]``. They are
checked by the readers of the files, with the same messages (their source is named
``SearchSpace(...)`` or ``Objective(...)``), and stored with the study exactly as file-made ones
are, so ``opsnn worker NAME`` runs them on any host. A model or metric defined in the script
itself is stored by the script's path: local workers import it from there (keep the study code
under ``if __name__ == "__main__":``), and a remote host needs the same file at the same path,
or the code as an installed package.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from opsnn_opt._plugins import importing_plugin_file, reference_of
from opsnn_opt.errors import ConfigError, SimulationError
from opsnn_opt.models import model_reference
from opsnn_opt.store import Store
from opsnn_opt.study._study import create_study as _create
from opsnn_opt.study._study import open_study as _open
from opsnn_opt.study.read._tables import best_trials, trial_rows
from opsnn_opt.study.spec import (
    Choices,
    Constraint,
    FreeParam,
    LogUniform,
    Maximize,
    MetricTerm,
    Minimize,
    ObjectiveSpec,
    Prune,
    PruneRule,
    Target,
    Uniform,
)
from opsnn_opt.study.spec import SearchSpace as Space
from opsnn_opt.study.spec._space import FIGURES

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


def _table(item: Any, kind: type, names: str, where: str) -> dict[str, Any]:
    """The table of one part made in Python, read as a file's table is, for the same checks and messages."""
    if not isinstance(item, kind):
        raise ConfigError(f"{where} must be {names}; got {item!r}")
    return item.to_dict()


_TERMS = "Target(...) or Minimize(...) or Maximize(...)"


def _ref(obj: Any) -> str:
    return obj if isinstance(obj, str) else reference_of(obj)


def SearchSpace(
    model: Any,
    *,
    params: Mapping[str, FreeParam | Sequence[Any]],
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
        Free parameters: :func:`Uniform`, :func:`LogUniform`, :func:`Choices`, or a list of
        choices.
    fixed
        Parameters held constant (the others keep their defaults).
    backend
        ``"nest"`` or ``"spinnaker"``.
    settings
        Run settings: ``simtime_ms``, ``chunk_ms``, ``timestep_ms``, ``threads``,
        ``record_v_cells``, ``results_format``; seed replicates (``replicates``, ``vary``,
        ``stop_if_worse_after``), ``pruner``, ``keep`` (which trials keep their results file:
        ``"all"``, ``"best"``, ``"failed"`` or ``"metrics"``) and ``figures`` (which trials get
        figures: ``"all"``, the default; ``"best"``, ``"failed"``, ``"none"``), as in a search-space file.
    """
    source = "SearchSpace(...)"
    if not isinstance(params, Mapping):
        raise ConfigError(f"{source} params must be a dict of name -> Uniform/LogUniform/Choices; got {params!r}")
    kinds = "Uniform(...) or LogUniform(...) or Choices(...)"
    free = {
        name: _table(
            Choices(spec) if isinstance(spec, (list, tuple)) else spec, FreeParam, kinds, f"{source} params[{name!r}]"
        )
        for name, spec in params.items()
    }
    data = {"model": model_reference(model), "backend": backend, **settings, "fixed": dict(fixed or {}), "params": free}
    return Space.from_dict(data, source)


def Objective(
    metrics: Sequence[MetricTerm] = (),
    *,
    combine: str = "weighted_sum",
    missing: float | str = "fail",
    constraints: Sequence[Constraint] = (),
    prune: Sequence[PruneRule] = (),
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
    source = "Objective(...)"
    data: dict[str, Any] = {
        "combine": combine,
        "missing": missing,
        "metrics": [_table(m, MetricTerm, _TERMS, f"{source} metrics[{i}]") for i, m in enumerate(metrics)],
        "constraints": [
            _table(c, Constraint, "Constraint(...)", f"{source} constraints[{i}]") for i, c in enumerate(constraints)
        ],
        "prune": [_table(r, PruneRule, "Prune(...)", f"{source} prune[{i}]") for i, r in enumerate(prune)],
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

    def run(
        self,
        n_trials: int,
        workers: int = 1,
        *,
        echo: Callable[[str], None] = print,
        keep: str | None = None,
        figures: str | None = None,
    ) -> None:
        """Run ``n_trials`` trials with ``workers`` local worker processes (``opsnn worker``);
        ``keep`` overrides the space's ``keep`` for these trials ("all", "best", "failed", "metrics").

        ``figures`` overrides the search space's ``figures`` setting for this run (``"all"``,
        ``"best"``, ``"failed"`` or ``"none"``).

        Raises
        ------
        SimulationError
            If a worker process exited with an error; the message has its one-line cause (an
            import error of the model's module, say) and the path of its log.

        The workers import what this process imports: the folders the script put on
        ``sys.path`` and the model's folder are on their ``PYTHONPATH``.
        """
        from opsnn_opt.study._run_local import run_local_workers

        _not_inside_a_worker_import("Study.run")
        if not isinstance(n_trials, int) or n_trials < 1 or not isinstance(workers, int) or workers < 1:
            raise ConfigError(
                f"Study.run: n_trials and workers must be whole numbers >= 1; got n_trials={n_trials!r}, "
                f"workers={workers!r}"
            )
        self._opened.space.with_keep(keep)  # checked here, applied by each worker
        if figures is not None and figures not in FIGURES:
            raise ConfigError(
                f"Study.run: figures must be one of {', '.join(FIGURES)}; got {figures!r}", field="figures"
            )
        limits = ["--keep", keep] if keep is not None else []
        limits += ["--figures", figures] if figures is not None else []
        failed = run_local_workers(self._opened, n_trials, workers, echo=echo, limits=limits)
        if failed:
            raise SimulationError(f"study {self.name!r}: {failed} worker(s) exited with an error: {failed.summary()}")

    def best(self) -> dict[str, Any] | list[dict[str, Any]] | None:
        """The best feasible trial as a dict (trial, values, params, metrics, results_path); None
        before any; with several objectives, the list of Pareto-optimal trials."""
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
    _not_inside_a_worker_import("create_study")
    if not isinstance(space, Space):
        raise ConfigError(f"create_study: space must come from SearchSpace(...) or load_space(); got {space!r}")
    if not isinstance(objective, ObjectiveSpec):
        raise ConfigError(
            f"create_study: objective must come from Objective(...) or load_objective(); got {objective!r}"
        )
    opened = _create(name, space, objective, sampler=sampler, seed=seed, storage=storage, load_if_exists=load_if_exists)
    return Study(opened)


def open_study(name: str, *, storage: str | None = None) -> Study:
    """Open an existing study (made from files or from Python) to run it or read it."""
    return Study(_open(name, Store(storage)))
