"""A study's trials as map points (``opsnn map``): :class:`~opsnn_opt.plots.MapData` read from a study.

The drawing is :mod:`opsnn_opt.plots`' (:func:`~opsnn_opt.plots.map_figure`); this module reads
the trials (:func:`~opsnn_opt.study.read.study_values`) and checks the names against the study.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from opsnn_opt.analysis import NETWORK_STATE
from opsnn_opt.errors import ConfigError
from opsnn_opt.plots import MapData, draw_map
from opsnn_opt.study.read._values import available_names, check_name, study_values

if TYPE_CHECKING:
    from opsnn_opt.study._study import OpenStudy

__all__ = ["draw_study_map", "map_data"]


def map_data(opened: OpenStudy, x: str, y: str, color: str) -> MapData:
    """Read the map's points from a study: one per trial that has both parameters.

    Parameters
    ----------
    opened
        The study.
    x, y
        Two different free parameters of the study.
    color
        An objective value (``value``, ``value.K``), a stored metric or ``network_state``.

    Raises
    ------
    ConfigError
        If ``x`` or ``y`` is not a free parameter of the study, ``x == y``, or ``color`` is not
        an objective value, a stored metric or ``network_state``.
    """
    free = {p.name: p for p in opened.space.free}
    names = list(free)
    check_name(x, names, "x", opened.name)
    check_name(y, names, "y", opened.name)
    if x == y:
        raise ConfigError(f"x and y must name two different parameters; got {x!r} for both", field=("x", "y"))
    trials = [t for t in study_values(opened) if x in t.params and y in t.params]
    check_name(color, available_names(opened, trials), "color", opened.name)
    raw = [t.get(color) for t in trials]
    labels: tuple[str | None, ...] = ()
    values = np.full(len(trials), np.nan)
    if color == NETWORK_STATE:
        labels = tuple(raw)
    else:
        values = np.array([v if isinstance(v, int | float) and not isinstance(v, bool) else np.nan for v in raw])
    return MapData(
        opened.name,
        x,
        y,
        color,
        np.array([t.params[x] for t in trials], dtype=float),
        np.array([t.params[y] for t in trials], dtype=float),
        values.astype(float),
        labels,
        tuple(t.state for t in trials),
        free[x].log,
        free[y].log,
    )


def draw_study_map(
    opened: OpenStudy, x: str, y: str, color: str, out: str | Path | None = None
) -> tuple[Path, MapData]:
    """Draw a study's map and save it as PNG (atomically); returns the path and the points.

    ``out`` defaults to ``map-X-Y-COLOR.png`` in the study's artifacts folder.

    Raises
    ------
    ConfigError
        For a bad parameter or colour name (see :func:`map_data`), or when no completed trial
        has both parameters.
    """
    data = map_data(opened, x, y, color)
    if not any(s == "COMPLETE" for s in data.trial_states):
        raise ConfigError(f"study {opened.name!r} has no completed trial with {x} and {y} to map yet")
    path = Path(out) if out else opened.store.artifacts / opened.name / f"map-{x}-{y}-{color}.png"
    return draw_map(data, path), data
