"""Search spaces: which model to run, what is fixed, and the range of each free parameter.

A search space is a TOML file (see ``search_spaces/``)::

    model = "balanced"          # a name from ``opsnn models``
    backend = "nest"
    simtime_ms = 1000.0         # also: timestep_ms, chunk_ms, record_v_cells, results_format
    timeout_s = 600.0           # optional: a trial's wall-clock limit (the worker kills it after)
    max_memory_mb = 4000.0      # optional: the simulation process's resident-memory limit
    keep = "all"                # results files kept: "all", "best", "failed" or "metrics" (KEEP)
    figures = "all"             # figures drawn: "all", "best", "failed" or "none" (FIGURES)

    [fixed]                     # model parameters held constant (others keep their defaults)
    n_neurons = 400

    [params.g_exc_nS]           # a free parameter
    low = 1.0
    high = 10.0
    scale = "log"               # "linear" (default) or "log"
    unit = "nS"                 # optional; must match the model's unit
    # step = 0.5                # optional, linear scale only
    # choices = [1.0, 2.0]      # instead of low/high

Everything is checked against the model's parameter table when the file is loaded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsnn_opt.backends import BACKENDS
from opsnn_opt.errors import ConfigError
from opsnn_opt.models import get_model
from opsnn_opt.pipeline import RESULT_SUFFIX, RUN_SETTINGS, RunSpec
from opsnn_opt.study.spec._fields import Fields, read_toml
from opsnn_opt.study.spec._params import FreeParam, coerce_value, read_free_param
from opsnn_opt.study.spec._pruners import load_pruner
from opsnn_opt.study.spec._replicates import REPLICATE_KEYS, ReplicateSpec, load_replicates

__all__ = ["FIGURES", "KEEP", "FreeParam", "SearchSpace", "load_space"]

_MAX_GRID_POINTS = 100_000
#: The worker's per-trial limits a search space may set, with their ranges (exclusive low).
LIMITS: dict[str, tuple[float, float]] = {"timeout_s": (0.0, 86400.0 * 30), "max_memory_mb": (0.0, 1e7)}
#: Which trials keep their results file (the others keep metrics, parameters, seeds, timings and a
#: hash of their spikes; ``opsnn rerun`` regenerates the file): every trial, a trial that is the
#: best so far (and failed or pruned ones), only failed or pruned ones, or none.
KEEP = ("all", "best", "failed", "metrics")
#: Which finished trials a worker draws figures of (the default first): every one; the one that
#: became the best so far, and the failed and pruned ones; the failed and pruned ones; none.
FIGURES = ("all", "best", "failed", "none")


@dataclass(frozen=True)
class SearchSpace:
    """A validated search space."""

    model: str
    backend: str
    settings: Mapping[str, Any]
    fixed: Mapping[str, int | float]
    free: tuple[FreeParam, ...]
    source: str = ""
    #: Per-trial limits the worker enforces: ``timeout_s`` and ``max_memory_mb`` (absent: none).
    limits: Mapping[str, float] = field(default_factory=dict)
    #: Seed replicates per trial (:mod:`opsnn_opt.study.spec._replicates`) and Optuna's pruner.
    replicates: ReplicateSpec = field(default_factory=ReplicateSpec)
    pruner: Any = None
    keep: str = "all"  # one of KEEP
    #: Which trials get figures (one of :data:`FIGURES`).
    figures: str = FIGURES[0]

    @property
    def populations(self) -> tuple[str, ...]:
        return get_model(self.model).populations

    def suggest(self, trial: Any) -> dict[str, int | float]:
        """The fixed values plus one suggested value per free parameter."""
        return {**self.fixed, **{p.name: p.suggest(trial) for p in self.free}}

    def run_spec(self, values: Mapping[str, Any], where: str) -> RunSpec:
        settings = dict(self.settings)
        results_format = settings.pop("results_format", "nix")
        return RunSpec.create(
            self.model, values, backend=self.backend, results_format=results_format, where=where, **settings
        )

    def with_keep(self, keep: str | None) -> SearchSpace:
        """This space with another ``keep`` (``--keep``, ``Study.run(keep=...)``); None: unchanged."""
        if keep is not None and keep not in KEEP:
            raise ConfigError(f"keep must be one of: {', '.join(KEEP)}; got {keep!r}", field="keep")
        return self if keep is None else dataclasses.replace(self, keep=keep)

    def grid(self) -> dict[str, list[int | float]]:
        grid = {p.name: p.grid(self.source) for p in self.free}
        size = 1
        for values in grid.values():
            size *= len(values)
        if size > _MAX_GRID_POINTS:
            raise ConfigError(f"{self.source}: the grid has {size} points; at most {_MAX_GRID_POINTS} allowed")
        return grid

    def to_dict(self) -> dict[str, Any]:
        """The TOML-equivalent dict, stored with the study so that any worker can rebuild it."""
        return {
            "model": self.model,
            "backend": self.backend,
            **self.settings,
            **self.limits,
            **({"figures": self.figures} if self.figures != FIGURES[0] else {}),
            **self.replicates.to_dict(),
            **({"pruner": self.pruner.to_dict()} if self.pruner is not None else {}),
            **({"keep": self.keep} if self.keep != "all" else {}),  # older stores' spaces compare equal
            "fixed": dict(self.fixed),
            "params": {p.name: p.to_dict() for p in self.free},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str) -> SearchSpace:
        top = Fields(data, source)
        setting_names = [*RUN_SETTINGS, "results_format", "keep", "figures"]
        top.check_keys(["model", "backend", "fixed", "params", *setting_names, *LIMITS, *REPLICATE_KEYS, "pruner"])
        model = get_model(top.string("model"), f"{source}: 'model'")
        backend = top.string("backend", "nest", choices=BACKENDS)
        settings: dict[str, Any] = RUN_SETTINGS.resolve(
            {k: v for k, v in data.items() if k in RUN_SETTINGS}, source, "run settings"
        )
        settings["results_format"] = top.string("results_format", "nix", choices=RESULT_SUFFIX)

        fixed_fields = top.table("fixed", {})
        fixed = {
            name: coerce_value(model.params.get_param(name, fixed_fields.where, model.name), value, fixed_fields.where)
            for name, value in fixed_fields.data.items()
        }
        params_fields = top.table("params", {})
        free = []
        for name, spec in params_fields.data.items():
            where = f"{source} [params.{name}]"
            param = model.params.get_param(name, f"{source} [params]", model.name)
            if name in fixed:
                raise ConfigError(f"{where}: {name!r} is both fixed and free; keep one")
            free.append(read_free_param(param, Fields(spec, where)))
        if not free:
            raise ConfigError(f"{source}: no free parameters; add at least one [params.NAME] table")

        limits = {k: top.number(k, None, low=low, high=high, open_low=True) for k, (low, high) in LIMITS.items()}
        limits = {k: v for k, v in limits.items() if v is not None}
        space = cls(
            model.name,
            backend,
            settings,
            fixed,
            tuple(free),
            source,
            limits,
            load_replicates(top, model),
            load_pruner(top),
            top.string("keep", "all", choices=KEEP),
            top.string("figures", FIGURES[0], choices=FIGURES),
        )
        # The defaults plus each range's ends must make a valid run (cross-parameter checks).
        for p in free:
            for value in p.choices or (p.low, p.high):
                space.run_spec({**fixed, p.name: value}, f"{source} [params.{p.name}]")
        return space


def load_space(path: str | Path) -> SearchSpace:
    """Load and validate a search-space TOML file."""
    return SearchSpace.from_dict(read_toml(path, "search space"), str(path))
