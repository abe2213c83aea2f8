"""Creating a study and opening it again from any process.

The search space, the objective and the sampler choice are stored with the Optuna study (as
study user attributes, which optuna-dashboard shows). A worker on any host therefore needs only
the storage URL and the study name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opsnn_opt import __version__
from opsnn_opt.errors import ConfigError, StoreError
from opsnn_opt.store import Store
from opsnn_opt.study._objective import ObjectiveSpec
from opsnn_opt.study._space import SearchSpace

__all__ = ["SAMPLERS", "OpenStudy", "create_study", "make_sampler", "open_study"]

SAMPLERS = ("tpe", "random", "cmaes", "grid")
_ATTR_SPACE, _ATTR_OBJECTIVE, _ATTR_SAMPLER = "opsnn.space", "opsnn.objective", "opsnn.sampler"


@dataclass
class OpenStudy:
    """An Optuna study with the specs it was created with."""

    study: Any
    space: SearchSpace
    objective: ObjectiveSpec
    sampler: dict[str, Any]
    store: Store

    @property
    def name(self) -> str:
        return self.study.study_name


def make_sampler(config: dict[str, Any], space: SearchSpace, objective: ObjectiveSpec, worker_index: int = 0) -> Any:
    """Build the sampler a study was created with. Each worker gets its own seed offset."""
    import optuna

    name = config["name"]
    seed = None if config.get("seed") is None else int(config["seed"]) + worker_index
    # Constraints reach the samplers through ``trial.set_constraint`` (see the worker).
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    if name == "grid":
        return optuna.samplers.GridSampler(space.grid(), seed=seed)
    raise ConfigError(f"--sampler must be one of: {', '.join(SAMPLERS)}; got {name!r}")


def create_study(name: str, space: SearchSpace, objective: ObjectiveSpec, *, sampler: str = "tpe",
                 seed: int | None = None, store: Store | None = None, load_if_exists: bool = False) -> OpenStudy:
    """Create a study, or with ``load_if_exists`` reuse one created with the same specs."""
    import optuna

    store = store or Store()
    if sampler not in SAMPLERS:
        raise ConfigError(f"--sampler must be one of: {', '.join(SAMPLERS)}; got {sampler!r}")
    if sampler == "grid":
        space.grid()
    if sampler == "cmaes" and len(objective.directions) > 1:
        raise ConfigError("--sampler cmaes supports a single objective; the objective has "
                          f"{len(objective.directions)} (combine = \"multi\")")
    config = {"name": sampler, "seed": seed}
    attrs = {_ATTR_SPACE: space.to_dict(), _ATTR_OBJECTIVE: objective.to_dict(), _ATTR_SAMPLER: config}
    storage = store.optuna_storage()
    if name in optuna.study.get_all_study_names(storage):
        if not load_if_exists:
            raise ConfigError(f"study {name!r} already exists in {store.display_url}; "
                              "choose another name or pass --load-if-exists")
        opened = open_study(name, store)
        stored = {k: opened.study.user_attrs.get(k) for k in attrs}
        if stored != _jsonable(attrs):
            raise ConfigError(f"study {name!r} exists with a different search space, objective or sampler; "
                              "choose another name")
        return opened
    study = optuna.create_study(study_name=name, storage=storage, directions=objective.directions)
    for key, value in attrs.items():
        study.set_user_attr(key, value)
    study.set_user_attr("opsnn.version", __version__)
    study.set_user_attr("opsnn.space_file", space.source)
    study.set_user_attr("opsnn.objective_file", objective.source)
    return OpenStudy(study, space, objective, config, store)


def _jsonable(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value))


def open_study(name: str, store: Store | None = None, worker_index: int = 0) -> OpenStudy:
    """Open an existing study with the sampler, space and objective it was created with."""
    import optuna

    store = store or Store()
    storage = store.optuna_storage()
    if name not in optuna.study.get_all_study_names(storage):
        names = optuna.study.get_all_study_names(storage)
        raise StoreError(f"no study {name!r} in {store.display_url}; studies there: {', '.join(names) or 'none'}")
    attrs = optuna.load_study(study_name=name, storage=storage).user_attrs
    if _ATTR_SPACE not in attrs:
        raise StoreError(f"study {name!r} was not created by opsnn (no stored search space)")
    where = f"study {name!r} (stored spec)"
    space = SearchSpace.from_dict(attrs[_ATTR_SPACE], where)
    objective = ObjectiveSpec.from_dict(attrs[_ATTR_OBJECTIVE], where, space.populations)
    config = attrs[_ATTR_SAMPLER]
    sampler = make_sampler(config, space, objective, worker_index)
    study = optuna.load_study(study_name=name, storage=storage, sampler=sampler)
    return OpenStudy(study, space, objective, config, store)
