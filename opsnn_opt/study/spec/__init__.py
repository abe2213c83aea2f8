"""Pure specs of a study: search space, objective, replicates, samplers and pruners, read and checked.

The types here are shared by the files and the Python API (``opsnn_opt.Uniform`` is
:func:`Uniform`, ``opsnn_opt.Constraint`` is :class:`Constraint`, ...). Nothing here imports
Optuna at import time or touches a store.
"""

from opsnn_opt.study.spec._describe import describe_study, metric_names, study_note
from opsnn_opt.study.spec._objective import ObjectiveSpec, load_objective
from opsnn_opt.study.spec._params import Choices, FreeParam, LogUniform, Uniform
from opsnn_opt.study.spec._pruners import (
    PRUNERS,
    PrunerSpec,
    check_pruning,
    make_pruner,
    pruning_summary,
    study_pruner,
)
from opsnn_opt.study.spec._replicates import check_replicates, replicate_params, replicate_stats
from opsnn_opt.study.spec._samplers import SAMPLERS, auto_sampler, check_sampler, make_sampler
from opsnn_opt.study.spec._space import SearchSpace, load_space
from opsnn_opt.study.spec._stored import ATTR_OBJECTIVE, ATTR_SAMPLER, ATTR_SPACE, ATTR_SPECS, stored_specs
from opsnn_opt.study.spec._terms import (
    Constraint,
    Maximize,
    MetricTerm,
    Minimize,
    MissingMetric,
    Prune,
    PruneRule,
    Target,
)

__all__ = [
    "describe_study",
    "metric_names",
    "study_note",
    "ATTR_OBJECTIVE",
    "ATTR_SAMPLER",
    "ATTR_SPACE",
    "ATTR_SPECS",
    "PRUNERS",
    "SAMPLERS",
    "Choices",
    "Constraint",
    "FreeParam",
    "LogUniform",
    "Maximize",
    "MetricTerm",
    "Minimize",
    "MissingMetric",
    "ObjectiveSpec",
    "Prune",
    "PruneRule",
    "PrunerSpec",
    "SearchSpace",
    "Target",
    "Uniform",
    "auto_sampler",
    "check_pruning",
    "check_replicates",
    "check_sampler",
    "load_objective",
    "load_space",
    "make_pruner",
    "make_sampler",
    "pruning_summary",
    "replicate_params",
    "replicate_stats",
    "stored_specs",
    "study_pruner",
]
