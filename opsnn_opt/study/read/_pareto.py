"""The Pareto front of a multi-objective study (``opsnn study pareto``), with feasibility marked.

Two fronts matter when a study has constraints: the front of the feasible trials (what Optuna's
``study.best_trials`` returns, and what the study is looking for) and the front of all completed
trials, feasible or not (what the constraints cost). Each row says which fronts it is on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsnn_opt._optuna_compat import pareto_front
from opsnn_opt.errors import ConfigError
from opsnn_opt.plots import pareto_front_figure, save_png
from opsnn_opt.study.read._tables import format_table
from opsnn_opt.study.spec._describe import metric_names
from opsnn_opt.study.trial._feasibility import is_feasible

if TYPE_CHECKING:
    from opsnn_opt.study._study import OpenStudy

__all__ = ["format_rows", "pareto_figure", "pareto_rows"]


def _front(trials: list[Any], directions: list[Any]) -> set[int]:
    """Numbers of the non-dominated trials among ``trials``."""
    return {t.number for t in pareto_front(trials, directions)}


def pareto_rows(opened: OpenStudy) -> list[dict[str, Any]]:
    """The trials on either front, best-first by the first objective.

    Each row: ``trial``, ``values``, ``feasible``, ``front`` (on the feasible front, i.e. in
    ``study.best_trials``), ``front_all`` (on the front of all completed trials), the free
    parameters and the objective's metrics.
    """
    import optuna

    study = opened.study
    if len(study.directions) < 2:
        raise ConfigError(
            f"study {opened.name!r} has a single objective; 'study pareto' needs a multi-objective study "
            "(combine = \"multi\"); use 'study best'"
        )
    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    feasible_front = _front([t for t in done if is_feasible(t)], study.directions)
    all_front = _front(done, study.directions)
    free = [p.name for p in opened.space.free]
    rows = []
    for t in done:
        if t.number not in feasible_front and t.number not in all_front:
            continue
        rows.append(
            {
                "trial": t.number,
                "values": list(t.values),
                "feasible": is_feasible(t),
                "front": t.number in feasible_front,
                "front_all": t.number in all_front,
                "params": {p: t.params.get(p) for p in free},
                "metrics": {m: t.user_attrs.get(m) for m in opened.objective.metric_names},
            }
        )
    sign = 1.0 if study.directions[0] == optuna.study.StudyDirection.MINIMIZE else -1.0
    rows.sort(key=lambda r: sign * r["values"][0])
    return rows


def pareto_figure(opened: OpenStudy, path: str | os.PathLike[str]) -> Path:
    """Save a PNG of the first two objectives: every completed trial, infeasible ones crossed,
    the feasible front joined by a line (:func:`opsnn_opt.plots.pareto_front_figure`)."""
    import optuna

    rows = pareto_rows(opened)
    done = opened.study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    front = [(r["trial"], r["values"]) for r in rows if r["front"]]
    fig = pareto_front_figure(
        [t.values for t in done],
        [is_feasible(t) for t in done],
        front,
        metric_names(opened.objective),
        f"{opened.name}: {len(front)} on the front of {len(done)} completed",
    )
    return save_png(fig, path)


def format_rows(rows: list[dict[str, Any]]) -> str:
    """A plain table: one line per trial on a front."""
    flat = [
        {
            "trial": r["trial"],
            "values": r["values"],
            "feasible": "yes" if r["feasible"] else "no",
            "front": "feasible" if r["front"] else "all only",
            **r["params"],
        }
        for r in rows
    ]
    return format_table(flat) if flat else "(no completed trials)"
