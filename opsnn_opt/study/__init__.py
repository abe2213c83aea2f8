"""The closed loop: search spaces, objectives, Optuna studies and the workers that run them."""

from opsnn_opt.study._local import run_local_workers, split_trials
from opsnn_opt.study._objective import ObjectiveSpec, load_objective
from opsnn_opt.study._pareto import pareto_rows
from opsnn_opt.study._pruners import PRUNERS
from opsnn_opt.study._replicates import replicate_stats
from opsnn_opt.study._report import best_trials, format_table, trial_rows
from opsnn_opt.study._space import FreeParam, SearchSpace, load_space
from opsnn_opt.study._study import SAMPLERS, OpenStudy, check_specs, create_study, open_study
from opsnn_opt.study._worker import Worker

__all__ = [
    "PRUNERS",
    "SAMPLERS",
    "FreeParam",
    "ObjectiveSpec",
    "OpenStudy",
    "SearchSpace",
    "Worker",
    "best_trials",
    "check_specs",
    "create_study",
    "format_table",
    "load_objective",
    "load_space",
    "open_study",
    "pareto_rows",
    "replicate_stats",
    "run_local_workers",
    "split_trials",
    "trial_rows",
]
