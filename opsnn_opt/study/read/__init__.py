"""Reading a study back: tables, values, maps, the Pareto front and parameter importance.

Nothing here runs a trial: these modules read what the workers stored (Optuna's trials and the
project's ``opsnn_trial_runs``) and turn it into rows, records and plain data for
:mod:`opsnn_opt.plots` to draw.
"""

from opsnn_opt.study.read._dashboard import (
    best_feasible_trial,
    dashboard_url,
    describe_old_studies,
    serve_dashboard,
)
from opsnn_opt.study.read._importance import (
    EVALUATORS,
    MIN_TRIALS,
    Importance,
    importance_targets,
    parameter_importance,
)
from opsnn_opt.study.read._map import draw_study_map, map_data
from opsnn_opt.study.read._pareto import format_rows, pareto_figure, pareto_rows
from opsnn_opt.study.read._tables import (
    best_trials,
    format_cell,
    format_table,
    time_in_simulator,
    trial_rows,
    worker_failure_lines,
)
from opsnn_opt.study.read._values import (
    NETWORK_STATE,
    SI_FAST_MIN_HZ,
    TrialValues,
    available_names,
    check_name,
    network_state_label,
    study_values,
)

__all__ = [
    "EVALUATORS",
    "MIN_TRIALS",
    "NETWORK_STATE",
    "SI_FAST_MIN_HZ",
    "Importance",
    "TrialValues",
    "available_names",
    "best_feasible_trial",
    "best_trials",
    "check_name",
    "dashboard_url",
    "describe_old_studies",
    "draw_study_map",
    "format_cell",
    "format_rows",
    "format_table",
    "importance_targets",
    "map_data",
    "network_state_label",
    "parameter_importance",
    "pareto_figure",
    "pareto_rows",
    "serve_dashboard",
    "study_values",
    "time_in_simulator",
    "trial_rows",
    "worker_failure_lines",
]
