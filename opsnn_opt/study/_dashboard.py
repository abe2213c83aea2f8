"""``opsnn dashboard``: optuna-dashboard on the study store, with the trials' artifacts."""

from __future__ import annotations

from typing import Any

__all__ = ["dashboard_url", "describe_old_studies", "serve_dashboard"]


def dashboard_url(host: str, port: int) -> str:
    """The address a browser opens (IPv6 hosts in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/dashboard/"


def describe_old_studies(storage: Any) -> list[str]:
    """Give metric names and a note to opsnn studies created before they had them; returns their names."""
    import optuna

    from opsnn_opt.study._describe import describe_study
    from opsnn_opt.study._objective import ObjectiveSpec
    from opsnn_opt.study._space import SearchSpace

    done = []
    for frozen in storage.get_all_studies():
        attrs = frozen.user_attrs
        if "opsnn.space" not in attrs or "study:metric_names" in frozen.system_attrs:
            continue
        where = f"study {frozen.study_name!r} (stored spec)"
        space = SearchSpace.from_dict(attrs["opsnn.space"], where)
        objective = ObjectiveSpec.from_dict(attrs["opsnn.objective"], where, space.populations, import_callable=False)
        describe_study(optuna.load_study(study_name=frozen.study_name, storage=storage), space, objective)
        done.append(frozen.study_name)
    return done


def serve_dashboard(storage: Any, artifact_store: Any, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Run optuna-dashboard until interrupted (``wsgiref``: for one user on a workstation)."""
    import optuna_dashboard

    optuna_dashboard.run_server(storage, host=host, port=port, artifact_store=artifact_store)
