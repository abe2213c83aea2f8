"""``opsnn bench workers``: a small study's throughput with 1 and with 2 local workers."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from opsnn_opt.bench._args import at_least_two

__all__ = ["add_parser", "run_workers_bench"]

TARGET_SPEEDUP_2_WORKERS = 1.8

_OBJECTIVE = {"metrics": [{"name": "rate_hz.exc", "target": 5.0}]}


def run_workers_bench(
    n_trials: int = 8, n_neurons: int = 1000, simtime_ms: float = 1000.0, worker_counts: tuple[int, ...] = (1, 2)
) -> dict[str, Any]:
    """Run the same study (random sampler, ``n_trials`` trials) once per worker count on a fresh
    SQLite store; trials per minute include worker start-up (importing NEST) and the store."""
    from opsnn_opt.store import Store
    from opsnn_opt.study import ObjectiveSpec, SearchSpace, create_study, run_local_workers

    throughput: dict[str, float] = {}
    wall: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        space = SearchSpace.from_dict(
            {
                "model": "balanced",
                "simtime_ms": float(simtime_ms),
                "fixed": {"n_neurons": n_neurons, "seed": 1},
                "params": {"g_inh_nS": {"low": 30.0, "high": 90.0}},
            },
            "bench workers",
        )
        objective = ObjectiveSpec.from_dict(_OBJECTIVE, "bench workers", space.populations)
        for k in worker_counts:
            store = Store(f"sqlite:///{root / f'workers-{k}.sqlite3'}")
            opened = create_study(f"bench-{k}", space, objective, sampler="random", seed=0, store=store)
            t0 = time.perf_counter()
            failed = run_local_workers(opened, n_trials, k, echo=lambda line: None)
            wall[str(k)] = time.perf_counter() - t0
            done = sum(t.state.name == "COMPLETE" for t in opened.study.get_trials(deepcopy=False))
            if failed or done != n_trials:
                raise RuntimeError(f"{k} workers: {done}/{n_trials} trials completed, {failed} workers failed")
            throughput[str(k)] = 60.0 * n_trials / wall[str(k)]
            store.dispose()
    base = throughput[str(worker_counts[0])]
    ratios = {f"throughput_{k}_vs_{worker_counts[0]}_workers": throughput[str(k)] / base for k in worker_counts[1:]}
    result: dict[str, Any] = {
        "n_trials": n_trials,
        "n_neurons": n_neurons,
        "simtime_ms": simtime_ms,
        "wall_s": wall,
        "trials_per_minute": throughput,
        "ratios": ratios,
    }
    key = "throughput_2_vs_1_workers"
    if key in ratios:
        result["targets"] = {f"{key}_min": TARGET_SPEEDUP_2_WORKERS}
        result["targets_met"] = {f"{key}_min": ratios[key] >= TARGET_SPEEDUP_2_WORKERS}
    return result


def add_parser(sub: Any, parents: list[Any]) -> None:
    p = sub.add_parser("workers", parents=parents, help="study throughput with 1 and 2 local workers")
    p.add_argument("--n-trials", type=at_least_two, default=8, help="trials per worker count (>= 2)")
    p.add_argument("--n-neurons", type=int, default=1000)
    p.add_argument("--simtime", type=float, default=1000.0, metavar="MS")
    p.set_defaults(
        bench=lambda a: run_workers_bench(a.n_trials, a.n_neurons, a.simtime),
        bench_settings=lambda a: {"n_trials": a.n_trials, "n_neurons": a.n_neurons, "simtime_ms": a.simtime},
    )
