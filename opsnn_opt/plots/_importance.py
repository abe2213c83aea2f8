"""A figure of parameter importance: one panel per target, one bar per parameter and evaluator.

It draws :class:`opsnn_opt.study.Importance` records (computed by
:func:`opsnn_opt.study.parameter_importance`); only their fields are read: ``target``,
``evaluator``, ``importances``, ``n_trials``, ``direction`` and ``reason``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from opsnn_opt.plots._figures import new_figure

if TYPE_CHECKING:
    from opsnn_opt.study import Importance

__all__ = ["importance_figure"]


def importance_figure(results: Sequence[Importance], title: str = "") -> Any:
    """Horizontal bars of each target's importances, the evaluators side by side.

    Targets without importances (too few trials) get a panel that says why.
    """
    targets = list(dict.fromkeys(r.target for r in results))
    evaluators = list(dict.fromkeys(r.evaluator for r in results))
    params = sorted({p for r in results for p in r.importances})
    fig = new_figure(7.0, 1.0 + 0.5 * max(len(params), 1) * len(targets))
    axes = fig.subplots(len(targets), 1, squeeze=False, sharex=True)[:, 0]
    height = 0.8 / max(len(evaluators), 1)
    for ax, target in zip(axes, targets):
        rows = [r for r in results if r.target == target]
        reason = next((r.reason for r in rows if r.reason), "")
        n = rows[0].n_trials if rows else 0
        ax.set_title(f"{target} ({rows[0].direction if rows else ''}, {n} trials)", fontsize="medium", loc="left")
        if reason:
            ax.text(0.5, 0.5, reason, transform=ax.transAxes, ha="center", va="center", fontsize="small")
            ax.set_yticks([])
            continue
        y = np.arange(len(params))
        for k, r in enumerate(rows):
            ax.barh(
                y + (k - (len(rows) - 1) / 2) * height,
                [r.importances.get(p, 0.0) for p in params],
                height,
                label=r.evaluator,
            )
        ax.set_yticks(y, params)
        ax.invert_yaxis()
    handles, labels = next((ax.get_legend_handles_labels() for ax in axes if ax.containers), ([], []))
    if handles:
        fig.legend(handles, labels, loc="outside lower center", fontsize="small", frameon=False, ncols=len(labels))
    axes[-1].set_xlabel("importance (normalised: sums to 1)")
    axes[-1].set_xlim(0.0, 1.0)
    if title:
        fig.suptitle(title)
    return fig
