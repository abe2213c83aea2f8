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
    """``spec`` run through a warm :class:`ChildRunner` (the pipe, pickling the result, the
    supervisor's polling): the run with the median wall time of ``repeats``, its
    ``overhead_excl_build`` (as in :mod:`opsnn_opt.bench._overhead`) and its ratio to
    ``in_process_wall_s``.

    The child first runs a small warm-up trial, as the in-process trials follow one: a worker's
    child serves many trials, so its first trial's one-off costs are not the split's.
    """
    from opsnn_opt.pipeline import RunSpec
    from opsnn_opt.study.worker import ChildRunner

    runner = ChildRunner(spec.backend)
    try:
        t0 = time.perf_counter()
        runner.ensure_started()
        start_s = time.perf_counter() - t0
        warm_up = RunSpec.create(spec.model, {"n_neurons": 50}, simtime_ms=100.0, backend=spec.backend)
        runner.run(warm_up, folder / "supervised-warm-up", ())
        runs = []
        for i in range(max(repeats, 1)):
            t0 = time.perf_counter()
            t = runner.run(spec, folder / f"supervised-{i}", rules).timings
            wall = time.perf_counter() - t0
            runs.append({"wall_s": wall, **t, "overhead_excl_build": (wall - t["build_s"] - t["sim_s"]) / t["sim_s"]})
    finally:
        runner.close()
    runs.sort(key=lambda r: r["wall_s"])
    median = runs[len(runs) // 2]
    return {**median, "vs_in_process": median["wall_s"] / in_process_wall_s, "child_start_s": start_s}
