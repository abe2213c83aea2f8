"""A study's specs as stored with it: the one place that knows their keys and reads them back.

The search space, the objective and the sampler choice are Optuna study user attributes (which
optuna-dashboard shows), so a worker on any host needs only the storage URL and the study name.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from opsnn_opt.errors import ConfigError
from opsnn_opt.models import get_model
from opsnn_opt.pipeline import RUN_SETTINGS
from opsnn_opt.study.spec._fields import Fields
from opsnn_opt.study.spec._objective import ObjectiveSpec
from opsnn_opt.study.spec._params import stored_free_param
from opsnn_opt.study.spec._pruners import load_pruner
from opsnn_opt.study.spec._replicates import VARY, ReplicateSpec
from opsnn_opt.study.spec._space import LIMITS, SearchSpace

__all__ = ["ATTR_OBJECTIVE", "ATTR_SAMPLER", "ATTR_SPACE", "ATTR_SPECS", "stored_specs"]

_log = logging.getLogger("opsnn_opt")
#: Study user attributes that hold the specs (``ATTR_SPECS``: all three, as an opsnn study has them).
ATTR_SPACE, ATTR_OBJECTIVE, ATTR_SAMPLER = "opsnn.space", "opsnn.objective", "opsnn.sampler"
ATTR_SPECS = (ATTR_SPACE, ATTR_OBJECTIVE, ATTR_SAMPLER)


def stored_specs(attrs: Mapping[str, Any], name: str, *, for_trials: bool = True) -> tuple[SearchSpace, ObjectiveSpec]:
    """The search space and objective stored with study ``name`` (its user attributes ``attrs``).

    ``for_trials=False`` reads them for showing only: a ``callable`` objective or a user metric
    is then not imported, and a model that is not installed here gives the space as written,
    unchecked (with a warning): it runs no trial and knows no populations.
    """
    where = f"study {name!r} (stored spec)"
    try:
        space = SearchSpace.from_dict(attrs[ATTR_SPACE], where)
        populations: tuple[str, ...] | None = space.populations
    except ConfigError as exc:
        if for_trials or _model_installed(attrs[ATTR_SPACE].get("model")):
            raise
        # Reading a study run elsewhere: its trials can be shown without the model's package.
        _log.warning("%s; showing the study as stored", exc)
        space, populations = _space_as_written(attrs[ATTR_SPACE], where), None
    objective = ObjectiveSpec.from_dict(attrs[ATTR_OBJECTIVE], where, populations, import_callable=for_trials)
    return space, objective


def _model_installed(model: Any) -> bool:
    try:
        get_model(str(model))
    except ConfigError:
        return False
    return True


def _space_as_written(data: Mapping[str, Any], source: str) -> SearchSpace:
    free = tuple(stored_free_param(name, spec) for name, spec in (data.get("params") or {}).items())
    replicates = ReplicateSpec(
        int(data.get("replicates", 1)), tuple(data.get("vary", VARY)), data.get("stop_if_worse_after")
    )
    return SearchSpace(
        str(data["model"]),
        str(data.get("backend", "nest")),
        {k: v for k, v in data.items() if k in RUN_SETTINGS or k == "results_format"},
        dict(data.get("fixed") or {}),
        free,
        source,
        {k: data[k] for k in LIMITS if k in data},
        replicates,
        load_pruner(Fields(data, source)),
    )
