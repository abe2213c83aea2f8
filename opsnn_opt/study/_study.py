"""Creating a study and opening it again from any process.

The search space, the objective and the sampler choice are stored with the Optuna study (as
study user attributes, see :mod:`opsnn_opt.study.spec._stored`). A worker on any host therefore
needs only the storage URL and the study name. This is the one ``create_study``/``open_study``:
the Python API's (:mod:`opsnn_opt.study.api`) wraps it in a :class:`~opsnn_opt.study.api.Study`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import uuid
from typing import Any

from opsnn_opt._version import __version__
from opsnn_opt.errors import ConfigError, StoreError
from opsnn_opt.store import Store
from opsnn_opt.study._opened import ATTR_UID, OpenStudy
from opsnn_opt.study.spec import (
    ATTR_OBJECTIVE,
    ATTR_SAMPLER,
    ATTR_SPACE,
    ATTR_SPECS,
    SAMPLERS,
    ObjectiveSpec,
    SearchSpace,
    check_pruning,
    check_replicates,
    check_sampler,
    make_pruner,
    make_sampler,
    stored_specs,
    study_pruner,
)
from opsnn_opt.study.spec._describe import describe_study

__all__ = [
    "ATTR_UID",
    "SAMPLERS",
    "OpenStudy",
    "check_specs",
    "check_study_name",
    "create_study",
    "make_sampler",
    "open_study",
    "worker_seed",
]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


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
    storage: str | None = None,
) -> OpenStudy:
    """Create a study, or with ``load_if_exists`` reuse one created with the same specs.

    Everything is checked (:func:`check_specs`) before the store is touched: pass ``storage``
    (a database URL) instead of an opened ``store`` to have nothing created for a bad spec.
    """
    import optuna

    check_specs(name, space, objective, sampler)
    store = store or Store(storage)
    config: dict[str, Any] = {"name": check_sampler(sampler, space, objective), "seed": seed}
    if sampler == "auto":
        config["auto"] = True
    attrs = {ATTR_SPACE: space.to_dict(), ATTR_OBJECTIVE: objective.to_dict(), ATTR_SAMPLER: config}
    storage_ = store.optuna_storage()
    if name in optuna.study.get_all_study_names(storage_):
        if not load_if_exists:
            raise ConfigError(
                f"study {name!r} already exists in {store.display_url}; choose another name or set load_if_exists=True",
                field="load_if_exists",
            )
        opened = open_study(name, store)
        stored = {k: opened.study.user_attrs.get(k) for k in attrs}
        if stored != json.loads(json.dumps(attrs)):
            raise ConfigError(
                f"study {name!r} exists with a different search space, objective or sampler; choose another name"
            )
        return opened
    study = optuna.create_study(
        study_name=name,
        storage=storage_,
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


def check_specs(name: str, space: SearchSpace, objective: ObjectiveSpec, sampler: str) -> None:
    """Everything about a new study that can be wrong before a store is touched."""
    check_study_name(name)
    # An objective made without a model (``Objective(...)``) meets the model's populations here.
    objective.check_metric_names(space.populations)
    check_sampler(sampler, space, objective)
    check_pruning(space, objective)
    check_replicates(space, objective)


def check_study_name(name: str) -> str:
    """Study names become folder names under the artifacts: keep them plain."""
    if not _NAME.fullmatch(name):
        raise ConfigError(
            f"a study name must be 1 to 128 characters from A-Z a-z 0-9 . _ -, starting with a "
            f"letter or digit; got {name!r}"
        )
    return name


def open_study(
    name: str, store: Store | None = None, worker_index: int | None = None, *, for_trials: bool = True
) -> OpenStudy:
    """Open an existing study with the sampler, space and objective it was created with.

    ``for_trials=False`` opens it for reading only (see
    :func:`~opsnn_opt.study.spec._stored.stored_specs`): ``study show`` then works on a host
    without the objective's or the model's module.
    """
    import optuna

    store = store or Store()
    storage = store.optuna_storage()
    names = optuna.study.get_all_study_names(storage)
    if name not in names:
        raise StoreError(f"no study {name!r} in {store.display_url}; studies there: {', '.join(names) or 'none'}")
    study = optuna.load_study(study_name=name, storage=storage)
    attrs = study.user_attrs
    if any(key not in attrs for key in ATTR_SPECS):
        raise StoreError(f"study {name!r} was not created by opsnn (no stored search space, objective or sampler)")
    space, objective = stored_specs(attrs, name, for_trials=for_trials)
    config = attrs[ATTR_SAMPLER]
    if for_trials:
        seed = worker_seed(config.get("seed"), worker_index, len(study.get_trials(deepcopy=False)))
        study.sampler = make_sampler(config, space, objective, seed)
        study.pruner = make_pruner(study_pruner(space, objective))
    return OpenStudy(study, space, objective, config, store)
