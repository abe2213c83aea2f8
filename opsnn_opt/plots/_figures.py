"""Figures of one run, drawn from :class:`~opsnn_opt.analysis.SpikeData` onto a matplotlib Figure.

No pyplot: each function builds a ``matplotlib.figure.Figure`` (Agg canvas), so nothing global
changes and no display is needed.
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

__all__ = ["latency_figure", "new_figure", "raster_figure", "rate_figure", "wave_frames_figure"]

#: Bin (ms) of the population-rate plot and frame length (ms) of the wave frames.
RATE_BIN_MS, FRAME_MS = 5.0, 4.0
#: Most spikes drawn in a raster: above this, a seeded random subset of neurons is drawn.
RASTER_MAX_SPIKES = 200_000


def new_figure(width_in: float, height_in: float) -> Any:
    """An empty Figure of ``width_in`` × ``height_in`` inches with constrained layout, on its own
    Agg canvas (no pyplot: nothing global changes, no display is needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def raster_figure(data: SpikeData, title: str = "") -> Any:
    """Spike raster: time (ms) against neuron index, one colour per population.

    Above :data:`RASTER_MAX_SPIKES` spikes, a random (seed 0) subset of neurons is drawn.
    """
    fig = new_figure(8, 4.5)
    ax = fig.add_subplot()
    keep = np.ones(data.times_ms.size, dtype=bool)
    if data.times_ms.size > RASTER_MAX_SPIKES and data.n_neurons:
        frac = RASTER_MAX_SPIKES / data.times_ms.size
        keep = (np.random.default_rng(0).random(data.n_neurons) < frac)[data.senders]
    for name, (start, stop) in data.populations.items():
        sel = keep & (data.senders >= start) & (data.senders < stop)
        ax.scatter(
            data.times_ms[sel], data.senders[sel], s=1.0, marker="|", linewidths=0.5, label=name, rasterized=True
        )
    ax.set(
        xlabel="time (ms)",
        ylabel="neuron",
        xlim=(data.t_start_ms, data.t_stop_ms),
        ylim=(-0.5, max(data.n_neurons, 1) - 0.5),
        title=title or "raster",
    )
    if data.populations:
        ax.legend(loc="upper right", markerscale=8, fontsize="small")
    return fig


def rate_figure(data: SpikeData, title: str = "", bin_ms: float = RATE_BIN_MS) -> Any:
    """Population rate (Hz per neuron) of every population and of all neurons, in bins of ``bin_ms``."""
    fig = new_figure(8, 3.5)
    ax = fig.add_subplot()
    groups = [*data.populations, "all"] if len(data.populations) > 1 else list(data.populations) or ["all"]
    for name in groups:
        part = data.select(name)
        rate = population_rate_hz(part.times_ms, part.n_neurons, part.t_start_ms, part.t_stop_ms, bin_ms)
        t = part.t_start_ms + (np.arange(rate.size) + 0.5) * bin_ms
        ax.plot(t, rate, lw=1.0 if name != "all" else 1.5, label=name, color="k" if name == "all" else None)
    ax.set(
        xlabel="time (ms)",
        ylabel=f"rate (Hz, {bin_ms:g} ms bins)",
        xlim=(data.t_start_ms, data.t_stop_ms),
        title=title or "population rate",
    )
    ax.legend(loc="upper right", fontsize="small")
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
