"""Phase timings printed as one JSON line by the baseline scripts that ``opsnn bench`` runs.

The scripts (:mod:`~opsnn_opt.bench._seed_recipe`, :mod:`~opsnn_opt.bench._brunel_pynest`) run
as plain files, so they import this sibling module by name, not through opsnn_opt.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["print_phases"]


def print_phases(t0: float, marks: list[tuple[str, float]], **extra: Any) -> None:
    """Print ``{"<phase>_s": seconds, ...}`` from ``t0`` and the end time of each phase, plus ``extra``."""
    out: dict[str, Any] = {}
    last = t0
    for name, t in marks:
        out[f"{name}_s"] = t - last
        last = t
    print(json.dumps({**out, **extra}))
