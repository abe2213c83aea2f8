"""Figures of a run's results (raster, population rate, wave rate-map frames, latency fit) and of a
whole study (2-D maps over two parameters, parameter importance, the Pareto front).

Every function draws from plain data (spike arrays, :class:`MapData`, importance records, objective
values) and returns a matplotlib Figure, or saves it as PNG with :func:`save_png`; reading a study
into that data is :mod:`opsnn_opt.study.read`'s. ``opsnn plot RESULTS --kind KIND`` draws the run
figures (:func:`plot_results`), ``opsnn map``, ``opsnn study importance`` and ``opsnn study pareto``
the others.
"""

from opsnn_opt.plots._figures import latency_figure, new_figure, raster_figure, rate_figure, wave_frames_figure
from opsnn_opt.plots._importance import importance_figure
from opsnn_opt.plots._map import MIN_SURFACE_TRIALS, STATE_COLOURS, MapData, draw_map, map_figure, map_summary
from opsnn_opt.plots._pareto import pareto_front_figure
from opsnn_opt.plots._results import KINDS, SPATIAL_KINDS, draw_results, load_results, plot_results, save_png

__all__ = [
    "KINDS",
    "MIN_SURFACE_TRIALS",
    "SPATIAL_KINDS",
    "STATE_COLOURS",
    "MapData",
    "draw_map",
    "draw_results",
    "importance_figure",
    "latency_figure",
    "load_results",
    "map_figure",
    "map_summary",
    "new_figure",
    "pareto_front_figure",
    "plot_results",
    "raster_figure",
    "rate_figure",
    "save_png",
    "wave_frames_figure",
]
