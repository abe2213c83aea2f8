"""``opsnn dashboard``: optuna-dashboard on the study store, with the trials' artifacts."""

from __future__ import annotations

from typing import Any

__all__ = ["best_feasible_trial", "dashboard_url", "describe_old_studies", "serve_dashboard"]


def dashboard_url(host: str, port: int) -> str:
    """The address a browser opens (IPv6 hosts in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/dashboard/"


def describe_old_studies(storage: Any) -> list[str]:
    """Give metric names and a note to opsnn studies created before they had them; returns their names."""
    import optuna

    from opsnn_opt.study.spec import ATTR_SPECS, stored_specs
    from opsnn_opt.study.spec._describe import describe_study

    done = []
    for frozen in storage.get_all_studies():
        attrs = frozen.user_attrs
        if any(key not in attrs for key in ATTR_SPECS) or "study:metric_names" in frozen.system_attrs:
            continue
        space, objective = stored_specs(attrs, frozen.study_name, for_trials=False)
        describe_study(optuna.load_study(study_name=frozen.study_name, storage=storage), space, objective)
        done.append(frozen.study_name)
    return done


def best_feasible_trial(storage: Any) -> None:
    """Make ``storage.get_best_trial`` skip infeasible trials, as ``study.best_trial`` does.

    optuna-dashboard 0.21 takes a single-objective study's best trial from the storage, which
    ignores constraints, so its "Best Trial" card could show an infeasible one. Only this
    storage object (the dashboard's) is changed. With no feasible trial at all, the storage's
    own answer stands: the dashboard cannot show "none".
    """
    from optuna.study import StudyDirection
    from optuna.trial import TrialState

    from opsnn_opt.study.trial._feasibility import is_feasible

    unconstrained = storage.get_best_trial

    def get_best_trial(study_id: int) -> Any:
        trials = storage.get_all_trials(study_id, deepcopy=False, states=(TrialState.COMPLETE,))
        feasible = [t for t in trials if is_feasible(t)]
        if not feasible or len(feasible) == len(trials):
            return unconstrained(study_id)
        maximize = storage.get_study_directions(study_id)[0] == StudyDirection.MAXIMIZE
        return (max if maximize else min)(feasible, key=lambda t: t.value)

    storage.get_best_trial = get_best_trial


def serve_dashboard(storage: Any, artifact_store: Any, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Run optuna-dashboard until interrupted (``wsgiref``: for one user on a workstation)."""
    import optuna_dashboard

    best_feasible_trial(storage)
    optuna_dashboard.run_server(storage, host=host, port=port, artifact_store=artifact_store)
