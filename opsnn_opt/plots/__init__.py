"""Figures of a run's results: raster, population rate, wave rate-map frames, latency fit.

``opsnn plot RESULTS --kind KIND`` draws them (:mod:`opsnn_opt.plots._cli`); the drawing
functions take :class:`~opsnn_opt.analysis.SpikeData` and return a matplotlib Figure.
"""

from opsnn_opt.plots._cli import KINDS, plot_results, save_png
from opsnn_opt.plots._figures import latency_figure, raster_figure, rate_figure, wave_frames_figure

__all__ = ["KINDS", "latency_figure", "plot_results", "raster_figure", "rate_figure", "save_png", "wave_frames_figure"]
