"""The scan's figure: each phase against N and against simtime, with the fitted planes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from opsnn_opt.io import write_atomically

__all__ = ["plot_scan"]


def plot_scan(
    points: list[dict[str, Any]], fits: dict[str, dict[str, float]], seed: dict[str, dict[str, float]], path: Path
) -> Path:
    """Save a PNG (atomically) with one row per phase: cost vs N and cost vs simtime."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    phases = list(fits)
    fig, axes = plt.subplots(len(phases), 2, figsize=(9, 2.8 * len(phases)), squeeze=False)
    n = np.array([p["n_neurons"] for p in points], dtype=float)
    t = np.array([p["simtime_ms"] for p in points], dtype=float)
    for row, phase in enumerate(phases):
        cost = np.array([p[phase] for p in points])
        fit, ref = fits[phase], seed[phase]
        for col, (x, other, label) in enumerate(((n, t, "N (neurons)"), (t, n, "simtime (ms)"))):
            ax = axes[row, col]
            for value in np.unique(other):
                sel = other == value
                order = np.argsort(x[sel])
                xs = x[sel][order]
                ns, ts = (xs, np.full_like(xs, value)) if col == 0 else (np.full_like(xs, value), xs)
                line = ax.plot(xs, cost[sel][order], "o", label=f"{'T' if col == 0 else 'N'}={value:g}")[0]
                ax.plot(
                    xs,
                    fit["a_ms_per_neuron"] * ns + fit["b_ms_per_neuron_per_s"] * ns * ts / 1000.0,
                    "-",
                    color=line.get_color(),
                )
                ax.plot(
                    xs,
                    ref["a_ms_per_neuron"] * ns + ref["b_ms_per_neuron_per_s"] * ns * ts / 1000.0,
                    ":",
                    color=line.get_color(),
                )
            ax.set(xlabel=label, ylabel=f"{phase} (ms)")
            ax.legend(fontsize=7, title="dots: measured, -: fit, :: seed", title_fontsize=7)
    fig.suptitle("opsnn bench scan: balanced network on NEST")
    fig.tight_layout()
    try:
        write_atomically(path, lambda tmp: fig.savefig(tmp, dpi=100, format="png"))
    finally:
        plt.close(fig)
    return Path(path)
