"""Figures of one run, drawn from :class:`~opsnn_opt.analysis.SpikeData` onto a matplotlib Figure.

No pyplot: each function builds a ``matplotlib.figure.Figure`` (Agg canvas), so nothing global
changes and no display is needed. The raster and rate figures can be drawn onto a Figure given
back (``figure=``, cleared first), which is how a worker draws trial after trial on one Figure
and canvas: they use fixed margins rather than the constrained layout, and the raster is one
image of the spikes binned to the axes' pixels, so that drawing costs the same for 10³ or 10⁶
spikes (tens of milliseconds).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from opsnn_opt.analysis import (
    SpikeData,
    first_spike_latency_ms,
    latency_fit,
    population_rate_hz,
    rate_maps,
)

__all__ = ["latency_figure", "new_figure", "raster_figure", "rate_figure", "render_rgba", "wave_frames_figure"]

#: Bin (ms) of the population-rate plot and frame length (ms) of the wave frames.
RATE_BIN_MS, FRAME_MS = 5.0, 4.0
#: The axes' place in the raster and rate figures (fractions of the figure): fixed, because the
#: constrained layout costs more than the drawing.
_MARGINS = {"left": 0.08, "right": 0.98, "bottom": 0.13, "top": 0.91}
#: Matplotlib's default colour cycle (tab10), one colour per population.
_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def new_figure(width_in: float, height_in: float, layout: str | None = "constrained") -> Any:
    """An empty Figure of ``width_in`` × ``height_in`` inches with constrained layout (or
    ``layout``), on its own Agg canvas (no pyplot: nothing global changes, no display is needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), layout=layout)
    FigureCanvasAgg(fig)
    return fig


def _reusable(figure: Any, kind: str, key: Any, width_in: float, height_in: float) -> tuple[Any, dict[str, Any] | None]:
    """The Figure to draw a ``kind`` on, and its artists when ``figure`` last drew the same
    ``kind`` and ``key`` (then only their data change: no new axes, ticks or legend)."""
    if figure is not None:
        state = getattr(figure, "_opsnn_state", None)
        if state is not None and state["kind"] == kind and state["key"] == key:
            return figure, state
        figure.clear()
        figure.set_size_inches(width_in, height_in)
    else:
        figure = new_figure(width_in, height_in, layout=None)
    figure.subplots_adjust(**_MARGINS)
    return figure, None


def render_rgba(fig: Any) -> Any:
    """Render ``fig`` on its Agg canvas and return the canvas (``buffer_rgba()`` holds the pixels).

    A Figure that :func:`raster_figure` or :func:`rate_figure` drew keeps the rendered axes,
    ticks and labels (a background) while their limits stay the same, and redraws only the
    artists whose data change (the image or lines, the title, the legend, the frame): this is
    what makes a worker's figures cost milliseconds. Any other Figure is drawn in full.
    """
    canvas = fig.canvas
    state = getattr(fig, "_opsnn_state", None)
    if state is None:
        canvas.draw()
        return canvas
    ax = state["ax"]
    dynamic = [*state["dynamic"], ax.title, *([ax.get_legend()] if ax.get_legend() else []), *ax.spines.values()]
    static = (ax.get_xlim(), ax.get_ylim(), fig.get_size_inches().tolist(), fig.dpi, ax.get_xlabel(), ax.get_ylabel())
    if state.get("static") != static:
        for artist in dynamic:
            artist.set_visible(False)
        canvas.draw()
        state["background"], state["static"] = canvas.copy_from_bbox(fig.bbox), static
        for artist in dynamic:
            artist.set_visible(True)
    canvas.restore_region(state["background"])
    for artist in dynamic:
        ax.draw_artist(artist)
    return canvas


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 5, 7 × 10^k at or above ``value`` (> 0): a y limit that stays
    put from one trial to the next, so that the rendered axes can be reused."""
    if not np.isfinite(value) or value <= 0:
        return 1.0
    exp = 10.0 ** np.floor(np.log10(value))
    return float(next(m * exp for m in (1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0) if m * exp >= value * (1 - 1e-12)))


def _raster_image(data: SpikeData, width_px: int, height_px: int) -> np.ndarray:
    """An RGBA image (uint8) of the spikes: one pixel per time bin and per group of neurons, in
    the colour of the population of the last spike there (white where none)."""
    n = max(data.n_neurons, 1)
    rows = max(1, min(n, height_px))
    cols = max(1, width_px)
    image = np.full((rows * cols, 4), 255, dtype=np.uint8)
    span = max(data.t_stop_ms - data.t_start_ms, 1e-9)
    x = np.clip(((data.times_ms - data.t_start_ms) * (cols / span)).astype(np.int64), 0, cols - 1)
    y = np.clip(data.senders.astype(np.int64) * rows // n, 0, rows - 1)
    pixel = y * cols + x
    for k, (start, stop) in enumerate(data.populations.values()):
        sel = (data.senders >= start) & (data.senders < stop)
        hit = np.bincount(pixel[sel], minlength=rows * cols) > 0
        image[hit] = _rgba(_COLOURS[k % len(_COLOURS)])
    return image.reshape(rows, cols, 4)


def _rgba(hex_colour: str) -> tuple[int, int, int, int]:
    """``"#rrggbb"`` as an RGBA tuple of bytes (no matplotlib needed)."""
    return (*(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)), 255)


def raster_figure(data: SpikeData, title: str = "", figure: Any = None) -> Any:
    """Spike raster: time (ms) against neuron index, one colour per population.

    Every spike is drawn, as one image binned to the axes' pixels (a coloured pixel: at least
    one spike there). ``figure``: a Figure to draw on instead of a new one (see the module).
    """
    from matplotlib.lines import Line2D

    fig, state = _reusable(figure, "raster", tuple(data.populations), 8, 4.5)
    width_px = int(fig.get_figwidth() * fig.dpi * (_MARGINS["right"] - _MARGINS["left"]))
    height_px = int(fig.get_figheight() * fig.dpi * (_MARGINS["top"] - _MARGINS["bottom"]))
    image = _raster_image(data, width_px, height_px)
    ylim = (-0.5, max(data.n_neurons, 1) - 0.5)
    extent = (data.t_start_ms, data.t_stop_ms, *ylim)
    if state is None:
        ax = fig.add_subplot()
        shown = ax.imshow(image, origin="lower", extent=extent, aspect="auto", interpolation="nearest")
        ax.set(xlabel="time (ms)", ylabel="neuron")
        if data.populations:
            handles = [
                Line2D([], [], color=_COLOURS[k % len(_COLOURS)], marker="s", ls="", label=name)
                for k, name in enumerate(data.populations)
            ]
            ax.legend(handles=handles, loc="upper right", fontsize="small")
        fig._opsnn_state = {"kind": "raster", "key": tuple(data.populations), "ax": ax, "image": shown}
        fig._opsnn_state["dynamic"] = [shown]
    else:
        ax = state["ax"]
        state["image"].set_data(image)
        state["image"].set_extent(extent)
    ax.set(xlim=(data.t_start_ms, data.t_stop_ms), ylim=ylim, title=title or "raster")
    return fig


def rate_figure(data: SpikeData, title: str = "", bin_ms: float = RATE_BIN_MS, figure: Any = None) -> Any:
    """Population rate (Hz per neuron) of every population and of all neurons, in bins of ``bin_ms``.

    ``figure``: a Figure to draw on instead of a new one (see the module)."""
    groups = [*data.populations, "all"] if len(data.populations) > 1 else list(data.populations) or ["all"]
    fig, state = _reusable(figure, "rate", (tuple(groups), bin_ms), 8, 3.5)
    curves = []
    for name in groups:
        part = data.select(name)
        rate = population_rate_hz(part.times_ms, part.n_neurons, part.t_start_ms, part.t_stop_ms, bin_ms)
        curves.append((part.t_start_ms + (np.arange(rate.size) + 0.5) * bin_ms, rate))
    if state is None:
        ax = fig.add_subplot()
        lines = [
            ax.plot(t, rate, lw=1.0 if name != "all" else 1.5, label=name, color="k" if name == "all" else None)[0]
            for name, (t, rate) in zip(groups, curves)
        ]
        ax.set(xlabel="time (ms)", ylabel=f"rate (Hz, {bin_ms:g} ms bins)")
        ax.legend(loc="upper right", fontsize="small")
        fig._opsnn_state = {"kind": "rate", "key": (tuple(groups), bin_ms), "ax": ax, "lines": lines}
        fig._opsnn_state["dynamic"] = lines
    else:
        ax = state["ax"]
        for line, (t, rate) in zip(state["lines"], curves):
            line.set_data(t, rate)
    top = max((float(np.max(rate)) for _, rate in curves if rate.size), default=0.0)
    ax.set(
        xlim=(data.t_start_ms, data.t_stop_ms), ylim=(0.0, _nice_ceiling(top * 1.05)), title=title or "population rate"
    )
    return fig


def wave_frames_figure(data: SpikeData, title: str = "", n_frames: int = 8, frame_ms: float = FRAME_MS) -> Any:
    """Rate maps of ``n_frames`` consecutive frames of ``frame_ms`` from the stimulus onset.

    One colour scale for all frames; the stimulus centre is marked. Needs positions.
    """
    t0 = data.onset_ms
    t1 = min(t0 + n_frames * frame_ms, data.t_stop_ms)
    maps = rate_maps(data.times_ms, data.senders, data.positions_mm, t0, t1, bin_ms=frame_ms)
    cols = min(4, max(maps.rate_hz.shape[0], 1))
    rows = int(np.ceil(maps.rate_hz.shape[0] / cols)) or 1
    fig = new_figure(2.6 * cols + 1, 2.4 * rows + 0.6)
    axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True, sharey=True)).ravel()
    vmax = float(np.nanmax(maps.rate_hz)) if maps.rate_hz.size and np.nanmax(maps.rate_hz) > 0 else 1.0
    half = maps.cell_mm / 2
    extent = (maps.x_mm[0] - half, maps.x_mm[-1] + half, maps.y_mm[0] - half, maps.y_mm[-1] + half)
    image = None
    for k, ax in enumerate(axes):
        if k >= maps.rate_hz.shape[0]:
            ax.set_axis_off()
            continue
        image = ax.imshow(maps.rate_hz[k], origin="lower", extent=extent, vmin=0, vmax=vmax, cmap="viridis")
        ax.plot(*data.center_mm[:2], "r+", ms=8)
        ax.set_title(f"{t0 + k * frame_ms:g}-{t0 + (k + 1) * frame_ms:g} ms", fontsize="small")
    if image is not None:
        fig.colorbar(image, ax=list(axes), label="rate (Hz)", shrink=0.8)
    fig.suptitle(title or "rate maps after stimulus onset (x, y in mm)")
    return fig


def latency_figure(data: SpikeData, title: str = "") -> Any:
    """First-spike latency after onset against distance from the stimulus, with the Theil–Sen line."""
    distance = np.linalg.norm(data.positions_mm - data.center_mm, axis=1)
    latency = first_spike_latency_ms(data.times_ms, data.senders, data.n_neurons, data.onset_ms)
    fit = latency_fit(distance, latency)
    fig = new_figure(6, 4.5)
    ax = fig.add_subplot()
    ok = np.isfinite(distance) & np.isfinite(latency)
    ax.scatter(distance[ok], latency[ok], s=4, alpha=0.5, color="C0", label=f"{int(ok.sum())} neurons")
    if np.isfinite(fit.slope_ms_per_mm):
        x = np.array([0.0, float(distance[ok].max())])
        ax.plot(
            x,
            fit.intercept_ms + fit.slope_ms_per_mm * x,
            "r-",
            label=f"Theil-Sen: {fit.speed_mm_per_ms:.3g} mm/ms, R² = {fit.r2:.2f}",
        )
    ax.set(
        xlabel="distance from stimulus centre (mm)",
        ylabel=f"first-spike latency after {data.onset_ms:g} ms (ms)",
        title=title or "latency against distance",
    )
    ax.legend(loc="upper left", fontsize="small")
    return fig
