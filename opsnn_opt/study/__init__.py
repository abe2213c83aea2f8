"""The closed loop: search spaces, objectives, Optuna studies and the workers that run them."""

from opsnn_opt.study._artifacts import (
    ARTIFACT_STORE_ENV,
    artifact_store_location,
    download_trial_files,
    open_artifact_store,
)
from opsnn_opt.study._consistency import check_study, disagreements
from opsnn_opt.study._rerun import rerun_trial
from opsnn_opt.study._run_local import run_local_workers
from opsnn_opt.study._study import SAMPLERS, OpenStudy, check_specs, check_study_name, create_study, open_study
from opsnn_opt.study.read._importance import Importance, importance_targets, parameter_importance
from opsnn_opt.study.read._pareto import pareto_rows
from opsnn_opt.study.read._tables import best_trials, format_table, trial_rows
from opsnn_opt.study.read._values import NETWORK_STATE, TrialValues, network_state_label, study_values
from opsnn_opt.study.spec._objective import ObjectiveSpec, load_objective
from opsnn_opt.study.spec._pruners import PRUNERS
from opsnn_opt.study.spec._replicates import replicate_stats
from opsnn_opt.study.spec._space import FreeParam, SearchSpace, load_space
from opsnn_opt.study.worker._local import split_trials
from opsnn_opt.study.worker._worker import Worker

__all__ = [
    "ARTIFACT_STORE_ENV",
    "artifact_store_location",
    "download_trial_files",
    "open_artifact_store",
    "check_study",
    "disagreements",
    "check_study_name",
    "rerun_trial",
    "NETWORK_STATE",
    "PRUNERS",
    "SAMPLERS",
    "FreeParam",
    "Importance",
    "ObjectiveSpec",
    "OpenStudy",
    "SearchSpace",
    "TrialValues",
    "Worker",
    "best_trials",
    "check_specs",
    "create_study",
    "format_table",
    "importance_targets",
    "load_objective",
    "load_space",
    "network_state_label",
    "open_study",
    "parameter_importance",
    "pareto_rows",
    "replicate_stats",
    "run_local_workers",
    "split_trials",
    "study_values",
    "trial_rows",
]
