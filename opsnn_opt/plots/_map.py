"""A study's trials as a 2-D map over two parameters, coloured by a metric or the state (``opsnn map``).

Every trial with both parameters is a point (a scatter always). Where there are enough trials,
an interpolated surface is drawn under the points: linear between the trials for a metric,
nearest trial for the network state, both only inside the trials' convex hull. The network state
is drawn in categorical colours that are the same in every map (:data:`STATE_COLOURS`), with
each state's region labelled at its trials; the legend lists every state, those without a trial
too, as normal (AI), pathological (AR, SR, SI, runaway, quiescent) or unknown (undetermined).

The points come as a :class:`MapData`; reading them from a study is
:func:`opsnn_opt.study.read.map_data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from opsnn_opt.analysis import NETWORK_STATE, NORMAL_STATES
from opsnn_opt.plots._figures import new_figure
from opsnn_opt.plots._results import save_png

__all__ = ["LEGEND_STATES", "MIN_SURFACE_TRIALS", "STATE_COLOURS", "MapData", "draw_map", "map_figure", "map_summary"]

#: Fewest trials with a value (and at least 3 distinct values on each axis) for a surface.
MIN_SURFACE_TRIALS = 9
#: Colours of the state labels, fixed across studies: green for the normal state, warm, cool or
#: dark for the pathological ones, olive for undetermined; the legend's order.
STATE_COLOURS = {
    "AI": "#2ca02c",
    "AR": "#17becf",
    "SR": "#6a3d9a",
    "SI": "#e31a1c",
    "SI-fast": "#e31a1c",
    "SI-slow": "#ff7f00",
    "runaway": "#7f2704",
    "quiescent": "#9e9e9e",
    "undetermined": "#bcbd22",
}
#: The states every state map's legend lists (plain SI only when a trial has no oscillation peak).
LEGEND_STATES = tuple(label for label in STATE_COLOURS if label != "SI")
_OTHER_COLOUR = "#1f78b4"


@dataclass(frozen=True)
class MapData:
    """The points of a map: one per trial that has both parameters.

    ``values`` holds the colour metric (nan where undefined) for a numeric map, ``labels`` the
    state labels (None where undefined) for a state map. ``trial_states`` are Optuna's
    (COMPLETE, PRUNED, FAIL, ...). ``x_log``/``y_log`` follow the search space's scales.
    """

    study: str
    x_name: str
    y_name: str
    color_name: str
    x: np.ndarray
    y: np.ndarray
    values: np.ndarray
    labels: tuple[str | None, ...]
    trial_states: tuple[str, ...]
    x_log: bool
    y_log: bool

    @property
    def categorical(self) -> bool:
        return self.color_name == NETWORK_STATE

    @property
    def defined(self) -> np.ndarray:
        """Points that have a colour value."""
        if self.categorical:
            return np.array([label is not None for label in self.labels], dtype=bool)
        return np.isfinite(self.values)


def _unit(data: MapData) -> Any:
    """``f(x, y) -> (u, v)``: axis values to [0, 1] over the trials' range, in the axes' scales
    (log10 on a log axis), so that neither parameter's units dominate a distance."""
    fx = np.log10 if data.x_log else np.asarray
    fy = np.log10 if data.y_log else np.asarray
    px, py = fx(data.x), fy(data.y)
    x0, y0 = px.min(), py.min()
    sx, sy = max(float(np.ptp(px)), 1e-12), max(float(np.ptp(py)), 1e-12)
    return lambda x, y: ((fx(x) - x0) / sx, (fy(y) - y0) / sy)


def _surface_grid(data: MapData, keep: np.ndarray, n: int = 200) -> tuple[np.ndarray, np.ndarray, Any] | None:
    """Grid coordinates (axis units) and the interpolation points, or None with too few trials."""
    x, y = data.x[keep], data.y[keep]
    if keep.sum() < MIN_SURFACE_TRIALS or np.unique(x).size < 3 or np.unique(y).size < 3:
        return None
    unit = _unit(data)
    points = np.column_stack(unit(x, y))
    if np.linalg.matrix_rank(points - points.mean(axis=0), tol=1e-9) < 2:
        return None  # all trials on one line: no area to interpolate over
    gx = np.geomspace(x.min(), x.max(), n) if data.x_log else np.linspace(x.min(), x.max(), n)
    gy = np.geomspace(y.min(), y.max(), n) if data.y_log else np.linspace(y.min(), y.max(), n)
    return gx, gy, (points, unit(*np.meshgrid(gx, gy)))


def map_figure(data: MapData, title: str = "") -> Any:
    """Draw a :class:`MapData` onto a matplotlib Figure (no pyplot)."""
    fig = new_figure(7.5, 5.5)
    ax = fig.add_subplot()
    done = np.array([s == "COMPLETE" for s in data.trial_states], dtype=bool)
    keep = data.defined & done
    surface = _surface_grid(data, keep)
    if data.categorical:
        _draw_states(ax, data, keep, surface)
    else:
        _draw_metric(fig, ax, data, keep, surface)
    _draw_others(ax, data, done)
    ax.set(xlabel=data.x_name, ylabel=data.y_name, title=title or f"{data.study}: {data.color_name}")
    _axis(ax.xaxis, ax.set_xscale, ax.set_xlim, data.x, data.x_log)
    _axis(ax.yaxis, ax.set_yscale, ax.set_ylim, data.y, data.y_log)
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return fig


def _draw_states(ax: Any, data: MapData, keep: np.ndarray, surface: Any) -> None:
    """The state labels of the ``keep`` trials in categorical colours, over the nearest-trial
    surface inside their hull, with each state's region labelled."""
    from matplotlib.colors import ListedColormap
    from scipy.interpolate import griddata

    cats = sorted({lab for lab, k in zip(data.labels, keep) if k and lab}, key=_state_order)
    colours = [STATE_COLOURS.get(c, _OTHER_COLOUR) for c in cats]
    if surface is not None and cats:
        gx, gy, (points, grid) = surface
        codes = np.array([cats.index(lab) for lab, k in zip(data.labels, keep) if k], dtype=float)
        nearest = griddata(points, codes, grid, method="nearest")
        inside = np.isfinite(griddata(points, np.zeros(codes.size), grid, method="linear"))
        nearest = np.where(inside, nearest, np.nan)
        ax.pcolormesh(
            gx,
            gy,
            nearest,
            cmap=ListedColormap(colours),
            vmin=-0.5,
            vmax=len(cats) - 0.5,
            alpha=0.35,
            shading="nearest",
            rasterized=True,
        )
    members = {cat: keep & np.array([lab == cat for lab in data.labels]) for cat in cats}
    for cat, colour in zip(cats, colours):
        sel = members[cat]
        ax.scatter(
            data.x[sel],
            data.y[sel],
            c=colour,
            s=45,
            edgecolors="k",
            linewidths=0.5,
            zorder=3,
            label=f"{cat} ({_kind(cat)})",
        )
    _label_regions(ax, data, members)
    for cat in LEGEND_STATES:  # the states no trial has, so that every map has the same legend
        if cat not in cats:
            ax.scatter(
                [],
                [],
                c=STATE_COLOURS[cat],
                s=45,
                edgecolors="k",
                linewidths=0.5,
                alpha=0.35,
                label=f"{cat} ({_kind(cat)}): none",
            )


def _draw_metric(fig: Any, ax: Any, data: MapData, keep: np.ndarray, surface: Any) -> None:
    """The metric of the ``keep`` trials on one colour scale, over the linear surface inside their hull."""
    from scipy.interpolate import griddata

    vals = data.values[keep]
    vmin, vmax = (float(np.min(vals)), float(np.max(vals))) if vals.size else (0.0, 1.0)
    if surface is not None:
        gx, gy, (points, grid) = surface
        z = griddata(points, vals, grid, method="linear")
        ax.pcolormesh(gx, gy, z, cmap="viridis", vmin=vmin, vmax=vmax, shading="nearest", rasterized=True)
    sc = ax.scatter(
        data.x[keep],
        data.y[keep],
        c=vals,
        cmap="viridis",
        vmin=vmin,
        vmax=vmax,
        s=45,
        edgecolors="k",
        linewidths=0.5,
        zorder=3,
    )
    fig.colorbar(sc, ax=ax, label=data.color_name)


def _draw_others(ax: Any, data: MapData, done: np.ndarray) -> None:
    """The trials without a colour: completed but undefined (open circles), pruned, failed."""
    undefined = done & ~data.defined
    if undefined.any():
        ax.scatter(
            data.x[undefined],
            data.y[undefined],
            facecolors="none",
            edgecolors="0.4",
            s=45,
            zorder=3,
            label=f"{data.color_name} undefined",
        )
    for state, marker, text in (("PRUNED", "v", "pruned"), ("FAIL", "x", "failed")):
        sel = np.array([s == state for s in data.trial_states], dtype=bool)
        if sel.any():
            ax.scatter(data.x[sel], data.y[sel], c="k", marker=marker, s=40, zorder=3, label=text)


def _kind(label: str) -> str:
    if label == "undetermined":
        return "unknown"
    return "normal" if label in NORMAL_STATES else "pathological"


def _axis(axis: Any, set_scale: Any, set_lim: Any, values: np.ndarray, log: bool, pad: float = 0.05) -> None:
    """Scale and limits with a margin around the trials, plain numbers on log axes too."""
    from matplotlib.ticker import ScalarFormatter

    if log:
        set_scale("log")
        axis.set_major_formatter(ScalarFormatter())
        axis.set_minor_formatter(ScalarFormatter())
    if values.size:
        lo, hi = (np.log10(values.min()), np.log10(values.max())) if log else (values.min(), values.max())
        span = (hi - lo) or (abs(hi) or 1.0)
        lo, hi = lo - pad * span, hi + pad * span
        set_lim((10**lo, 10**hi) if log else (lo, hi))


def _state_order(label: str) -> tuple[int, str]:
    order = list(STATE_COLOURS)
    return (order.index(label) if label in order else len(order), label)


def _label_regions(ax: Any, data: MapData, members: dict[str, np.ndarray]) -> None:
    """Write each state's name and kind at one of its trials: near the middle of its region and
    away from the labels already written (largest regions first), so that labels do not overlap."""
    u, v = _unit(data)(data.x, data.y)
    placed: list[tuple[float, float]] = []
    for cat, sel in sorted(members.items(), key=lambda kv: -int(kv[1].sum())):
        idx = np.flatnonzero(sel)
        if not idx.size:
            continue
        central = np.hypot(u[idx] - u[idx].mean(), v[idx] - v[idx].mean())
        apart = np.min([np.hypot(u[idx] - pu, v[idx] - pv) for pu, pv in placed], axis=0) if placed else 1.0
        i = idx[np.argmax(np.minimum(apart, 0.35) - 0.5 * central)]
        placed.append((u[i], v[i]))
        colour = STATE_COLOURS.get(cat, _OTHER_COLOUR)
        ax.annotate(
            f"{cat}\n{_kind(cat)}",
            (data.x[i], data.y[i]),
            xytext=(0, 9),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize="small",
            fontweight="bold",
            color=colour,
            zorder=4,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": colour, "alpha": 0.85},
        )


def draw_map(data: MapData, out: str | Path, title: str = "") -> Path:
    """Draw a :class:`MapData` (:func:`map_figure`) and save it as PNG, atomically; returns the path."""
    return save_png(map_figure(data, title), out)


def map_summary(data: MapData) -> str:
    """One line: the trials per state, or the range of the metric."""
    if data.categorical:
        counts: dict[str, int] = {}
        for lab, ok in zip(data.labels, data.defined):
            if ok:
                counts[lab] = counts.get(lab, 0) + 1
        return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: _state_order(kv[0])))
    vals = data.values[data.defined]
    return f"{data.color_name} in [{vals.min():.4g}, {vals.max():.4g}]" if vals.size else "no values"
