"""A figure of a multi-objective study's first two objectives, with its Pareto front."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from opsnn_opt.plots._figures import new_figure

__all__ = ["pareto_front_figure"]


def pareto_front_figure(
    values: Sequence[Sequence[float]],
    feasible: Sequence[bool],
    front: Sequence[tuple[int, Sequence[float]]],
    names: Sequence[str],
    title: str = "",
) -> Any:
    """Every completed trial in the plane of the first two objectives, infeasible ones crossed,
    and the front joined by a line, each of its trials labelled with its number.

    Parameters
    ----------
    values
        The objective values of the completed trials, one row per trial (at least two columns).
    feasible
        Whether each of those trials met its constraints.
    front
        ``(trial number, values)`` of the trials on the front, in the order to join them.
    names
        The objectives' labels (the axes take the first two).
    title
        Said above the plot; "(first 2 of K objectives)" is added when there are more than two.
    """
    points = np.asarray(values, dtype=float).reshape(-1, max(len(names), 2))
    ok = np.asarray(feasible, dtype=bool).reshape(-1)
    fig = new_figure(5.5, 4.5)
    ax = fig.add_subplot()
    ax.scatter(points[ok, 0], points[ok, 1], s=14, c="0.6", label="feasible")
    if (~ok).any():
        ax.scatter(points[~ok, 0], points[~ok, 1], s=14, c="tab:red", marker="x", label="infeasible")
    ax.plot([v[0] for _, v in front], [v[1] for _, v in front], "o-", c="tab:blue", label="Pareto front")
    for number, v in front:
        ax.annotate(str(number), (v[0], v[1]), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    if len(names) > 2:
        title += f" (first 2 of {len(names)} objectives)"
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    return fig
