"""Creating a study and opening it again from any process.

The search space, the objective and the sampler choice are stored with the Optuna study (as
study user attributes, which optuna-dashboard shows). A worker on any host therefore needs only
the storage URL and the study name.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opsnn_opt._version import __version__
from opsnn_opt.errors import ConfigError, StoreError
from opsnn_opt.store import Store
from opsnn_opt.study.read._describe import describe_study
from opsnn_opt.study.spec._objective import ObjectiveSpec
from opsnn_opt.study.spec._pruners import make_pruner, study_pruner
from opsnn_opt.study.spec._samplers import SAMPLERS, check_sampler, make_sampler
from opsnn_opt.study.spec._space import SearchSpace
from opsnn_opt.study.trial._intermediate import check_noise_specs

__all__ = [
    "SAMPLERS",
    "OpenStudy",
    "check_specs",
    "check_study_name",
    "create_study",
    "make_sampler",
    "open_study",
    "worker_seed",
]

_log = logging.getLogger("opsnn_opt")
_ATTR_SPACE, _ATTR_OBJECTIVE, _ATTR_SAMPLER = "opsnn.space", "opsnn.objective", "opsnn.sampler"
#: A random id per study, in its artifact folder's name: two stores' studies of one name never share files.
ATTR_UID = "opsnn.uid"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


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

    @property
    def uid(self) -> str:
        """The study's id, read once: a worker can still name a trial's folder (and keep its outcome
        there) while the database is down."""
        uid = self.__dict__.get("_uid")
        if uid is None:
            uid = self.study.user_attrs.get(ATTR_UID)
            if uid is None:  # a study created before ids: give it one now
                uid = uuid.uuid4().hex[:12]
                self.study.set_user_attr(ATTR_UID, uid)
            self.__dict__["_uid"] = uid
        return uid

    @property
    def artifact_dir(self) -> Path:
        """This study's folder of per-trial files: ``<artifacts>/<name>-<uid>``."""
        return self.store.artifacts / f"{self.name}-{self.uid}"


def worker_seed(seed: int | None, worker_index: int | None, n_trials: int) -> int | None:
    """The sampler seed of one worker.

    A study's seed must not make workers repeat each other: the seed is mixed with the worker's
    index among the local workers and with the number of trials already in the study, so a
    rerun continues instead of replaying. A worker started on its own (``opsnn worker``, possibly
    one of many on several hosts) also mixes in its host and process id.
    """
    if seed is None:
        return None
    unique = f"{socket.gethostname()}:{os.getpid()}" if worker_index is None else str(worker_index)
    digest = hashlib.sha256(f"{seed}:{unique}:{n_trials}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def create_study(
    name: str,
    space: SearchSpace,
    objective: ObjectiveSpec,
    *,
    sampler: str = "tpe",
    seed: int | None = None,
    store: Store | None = None,
    load_if_exists: bool = False,
) -> OpenStudy:
    """Create a study, or with ``load_if_exists`` reuse one created with the same specs."""
    import optuna

    check_specs(name, space, objective, sampler)
    store = store or Store()
    config: dict[str, Any] = {"name": check_sampler(sampler, space, objective), "seed": seed}
    if sampler == "auto":
        config["auto"] = True
    attrs = {_ATTR_SPACE: space.to_dict(), _ATTR_OBJECTIVE: objective.to_dict(), _ATTR_SAMPLER: config}
    storage = store.optuna_storage()
    if name in optuna.study.get_all_study_names(storage):
        if not load_if_exists:
            raise ConfigError(
                f"study {name!r} already exists in {store.display_url}; choose another name or pass --load-if-exists"
            )
        opened = open_study(name, store)
        stored = {k: opened.study.user_attrs.get(k) for k in attrs}
        if stored != _jsonable(attrs):
            raise ConfigError(
                f"study {name!r} exists with a different search space, objective or sampler; choose another name"
            )
        return opened
    study = optuna.create_study(
        study_name=name,
        storage=storage,
        directions=objective.directions,
        sampler=make_sampler(config, space, objective, worker_seed(seed, 0, 0)),
        pruner=make_pruner(study_pruner(space, objective)),
    )
    for key, value in attrs.items():
        study.set_user_attr(key, value)
    study.set_user_attr("opsnn.version", __version__)
    study.set_user_attr(ATTR_UID, uuid.uuid4().hex[:12])
    study.set_user_attr("opsnn.space_file", space.source)
    study.set_user_attr("opsnn.objective_file", objective.source)
    describe_study(study, space, objective)  # metric names and a note for optuna-dashboard
    return OpenStudy(study, space, objective, config, store)


def _jsonable(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value))


def check_specs(name: str, space: SearchSpace, objective: ObjectiveSpec, sampler: str) -> None:
    """Everything about a new study that can be wrong before a store is touched."""
    check_study_name(name)
    check_sampler(sampler, space, objective)
    check_noise_specs(space, objective)
    simtime = space.settings["simtime_ms"]
    for rule in objective.prune:
        if rule.after_ms >= simtime:
            raise ConfigError(
                f"{objective.source}: a [[prune]] rule on {rule.metric} checks after "
                f"{rule.after_ms:g} ms, but {space.source} simulates only {simtime:g} ms; "
                "it would never fire"
            )


def check_study_name(name: str) -> str:
    """Study names become folder names under the artifacts: keep them plain."""
    if not _NAME.fullmatch(name):
        raise ConfigError(
            f"a study name must be 1 to 128 characters from A-Z a-z 0-9 . _ -, starting with a "
            f"letter or digit; got {name!r}"
        )
    return name


def _model_installed(model: Any) -> bool:
    from opsnn_opt.models import get_model

    try:
        get_model(str(model))
    except ConfigError:
        return False
    return True


def open_study(
    name: str, store: Store | None = None, worker_index: int | None = None, *, for_trials: bool = True
) -> OpenStudy:
    """Open an existing study with the sampler, space and objective it was created with.

    ``for_trials=False`` opens it for reading only: a ``callable`` objective is then not imported,
    and a model that is not installed here gives the space as stored
    (:meth:`SearchSpace.stored`, with a warning), so ``study show`` works on a host without the
    objective's or the model's module.
    """
    import optuna

    store = store or Store()
    storage = store.optuna_storage()
    names = optuna.study.get_all_study_names(storage)
    if name not in names:
        raise StoreError(f"no study {name!r} in {store.display_url}; studies there: {', '.join(names) or 'none'}")
    study = optuna.load_study(study_name=name, storage=storage)
    attrs = study.user_attrs
    if _ATTR_SPACE not in attrs or _ATTR_OBJECTIVE not in attrs or _ATTR_SAMPLER not in attrs:
        raise StoreError(f"study {name!r} was not created by opsnn (no stored search space, objective or sampler)")
    where = f"study {name!r} (stored spec)"
    try:
        space = SearchSpace.from_dict(attrs[_ATTR_SPACE], where)
        populations: tuple[str, ...] | None = space.populations
    except ConfigError as exc:
        if for_trials or _model_installed(attrs[_ATTR_SPACE].get("model")):
            raise
        # Reading a study run elsewhere: its trials can be shown without the model's package.
        _log.warning("%s; showing the study as stored", exc)
        space, populations = SearchSpace.stored(attrs[_ATTR_SPACE], where), None
    objective = ObjectiveSpec.from_dict(attrs[_ATTR_OBJECTIVE], where, populations, import_callable=for_trials)
    config = attrs[_ATTR_SAMPLER]
    if for_trials:
        seed = worker_seed(config.get("seed"), worker_index, len(study.get_trials(deepcopy=False)))
        study.sampler = make_sampler(config, space, objective, seed)
        study.pruner = make_pruner(study_pruner(space, objective))
    return OpenStudy(study, space, objective, config, store)
