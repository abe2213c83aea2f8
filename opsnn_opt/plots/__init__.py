"""Figures of a run's results (raster, population rate, wave rate-map frames, latency fit) and of a
whole study (2-D maps over two parameters, parameter importance).

``opsnn plot RESULTS --kind KIND`` draws the first (:mod:`opsnn_opt.plots._cli`), ``opsnn map`` and
``opsnn study importance`` the others (:mod:`opsnn_opt.cli._plots_study`). The drawing functions
return a matplotlib Figure.
"""

from opsnn_opt.plots._cli import KINDS, plot_results, save_png
from opsnn_opt.plots._figures import latency_figure, raster_figure, rate_figure, wave_frames_figure
from opsnn_opt.plots._importance import importance_figure
from opsnn_opt.plots._map import MapData, draw_map, map_data, map_figure

__all__ = [
    "KINDS",
    "MapData",
    "draw_map",
    "importance_figure",
    "latency_figure",
    "map_data",
    "map_figure",
    "plot_results",
    "raster_figure",
    "rate_figure",
    "save_png",
    "wave_frames_figure",
]
