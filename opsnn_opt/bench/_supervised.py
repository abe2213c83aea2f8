"""What running a trial in the worker's supervised simulation process costs, against running it
in the calling process (part of ``opsnn bench overhead``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

__all__ = ["supervised_trial"]


def supervised_trial(
    spec: Any, folder: Path, in_process_wall_s: float, rules: tuple[Any, ...] = (), repeats: int = 1
) -> dict[str, float]:
    """Best wall time of ``spec`` run through a warm :class:`ChildRunner` (the pipe, pickling the
    result, the supervisor's polling), and its ratio to ``in_process_wall_s``."""
    from opsnn_opt.study._supervisor import ChildRunner

    runner = ChildRunner(spec.backend)
    try:
        t0 = time.perf_counter()
        runner.ensure_started()
        start_s = time.perf_counter() - t0
        walls = []
        sim_s = 0.0
        for i in range(max(repeats, 1)):
            t0 = time.perf_counter()
            result = runner.run(spec, folder / f"supervised-{i}", rules)
            walls.append(time.perf_counter() - t0)
            sim_s = result.timings["sim_s"]
    finally:
        runner.close()
    wall = min(walls)
    return {"wall_s": wall, "sim_s": sim_s, "vs_in_process": wall / in_process_wall_s, "child_start_s": start_s}
