"""The samplers a study can use, what each supports, and ``auto``, which picks one by the study's shape.

=============  ===========================================  ================  ===========
name           Optuna sampler                               multi-objective   constraints
=============  ===========================================  ================  ===========
``tpe``        ``TPESampler(multivariate=True)``            yes               yes
``random``     ``RandomSampler``                            yes               ignored
``cmaes``      ``CmaEsSampler``                             no                yes
``grid``       ``GridSampler`` (needs choices or steps)     yes               ignored
``gp``         ``GPSampler`` (needs torch, CPU is enough)   yes               yes
``nsga2``      ``NSGAIISampler``                            yes               yes
``nsga3``      ``NSGAIIISampler``                           yes               yes
``qmc``        ``QMCSampler`` (scrambled Sobol)             yes               ignored
=============  ===========================================  ================  ===========

Every sampler takes the study's seed (mixed per worker, see :func:`~opsnn_opt.study.worker_seed`).
Constraints reach the samplers that use them through ``trial.set_constraint``: Optuna 5's samplers
read a trial's constraints from its storage, so nothing per sampler is needed here.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from opsnn_opt.errors import ConfigError

__all__ = ["SAMPLERS", "SINGLE_OBJECTIVE_ONLY", "auto_sampler", "check_sampler", "make_sampler"]

SAMPLERS = ("tpe", "random", "cmaes", "grid", "gp", "nsga2", "nsga3", "qmc", "auto")
#: Samplers that refuse a multi-objective study.
SINGLE_OBJECTIVE_ONLY = ("cmaes",)
#: ``auto`` picks GP for single-objective studies of at most this many numeric parameters.
_GP_MAX_PARAMS = 10


def _has_torch() -> bool:
    return importlib.util.find_spec("torch") is not None


def auto_sampler(space: Any, objective: Any) -> tuple[str, str]:
    """The sampler ``auto`` picks, and why (one line).

    * four or more objectives: ``nsga3`` (reference points keep a many-objective front spread);
    * two or three objectives: ``tpe`` (NSGA-II's generations of 50 cost too many simulations);
    * one objective with a categorical parameter, or more than 10 parameters: ``tpe``;
    * one objective, at most 10 numeric parameters: ``gp`` (``tpe`` where torch is missing).
    """
    n_objectives = len(objective.directions)
    n_params = len(space.free)
    categorical = [p.name for p in space.free if p.choices is not None]
    shape = f"{n_objectives} objective{'s' if n_objectives > 1 else ''}, {n_params} parameters"
    if categorical:
        shape += f", categorical: {', '.join(categorical)}"
    if n_objectives >= 4:
        return "nsga3", shape
    if n_objectives > 1 or categorical or n_params > _GP_MAX_PARAMS:
        return "tpe", shape
    if not _has_torch():
        return "tpe", shape + " (gp needs torch, which is not installed)"
    return "gp", shape


def check_sampler(name: str, space: Any, objective: Any) -> str:
    """Validate a sampler choice for this study; returns the name to store (``auto`` resolved)."""
    if name not in SAMPLERS:
        raise _unknown(name)
    if name == "auto":
        name = auto_sampler(space, objective)[0]
    n_objectives = len(objective.directions)
    if name in SINGLE_OBJECTIVE_ONLY and n_objectives > 1:
        raise ConfigError(
            f"sampler {name} supports a single objective; the objective has {n_objectives} "
            '(combine = "multi"); use tpe, gp, nsga2, nsga3, qmc, random or grid',
            field="sampler",
        )
    if name == "gp" and not _has_torch():
        raise ConfigError(
            "sampler gp needs torch (the CPU build is enough: pip install torch); it is not installed", field="sampler"
        )
    if name == "grid":
        space.grid()  # every parameter needs choices or a step
    return name


def make_sampler(config: dict[str, Any], space: Any, objective: Any, seed: int | None = None) -> Any:
    """Build the sampler a study was created with (``seed`` from :func:`worker_seed`)."""
    import optuna

    name = config["name"]
    s = optuna.samplers
    if name == "tpe":
        return s.TPESampler(seed=seed, multivariate=True)
    if name == "random":
        return s.RandomSampler(seed=seed)
    if name == "cmaes":
        return s.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    if name == "grid":
        return s.GridSampler(space.grid(), seed=seed)
    if name == "gp":
        return s.GPSampler(seed=seed, warn_independent_sampling=False)
    if name == "nsga2":
        return s.NSGAIISampler(seed=seed)
    if name == "nsga3":
        return s.NSGAIIISampler(seed=seed)
    if name == "qmc":
        # One sequence for the whole study: every worker draws point ``trial.number`` of it, so
        # the study's own seed (not the per-worker one) scrambles it.
        study_seed = config.get("seed") or 0
        return s.QMCSampler(qmc_type="sobol", scramble=True, seed=study_seed, warn_independent_sampling=False)
    raise _unknown(name)


def _unknown(name: str) -> ConfigError:
    return ConfigError(f"sampler must be one of: {', '.join(SAMPLERS)}; got {name!r}", field="sampler")
