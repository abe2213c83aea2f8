"""``opsnn bench prune``: simulated time saved by pruning on Brunel's g-eta plane, with the same best.

A grid over Brunel's relative inhibition ``g`` and external drive ``eta`` at a small scale, where
a good share of the plane is pathological (runaway or silent), runs twice through the real study
loop (in-process worker, SQLite store): without pruning, and with two ``[[prune]]`` rules
(runaway, silent) and the median pruner. The grid sampler visits the same configurations in the
same order both times, so the best trials can be compared.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from opsnn_opt.bench._args import at_least_two

__all__ = ["add_parser", "run_prune_bench"]

TARGET_SAVED = 0.5
RUNAWAY_HZ, SILENT_HZ = 100.0, 0.5


def _specs(scale: float, simtime_ms: float, n_side: int, prune: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    g_step, eta_step = 6.0 / (n_side - 1), 3.5 / (n_side - 1)
    space = {
        "model": "brunel",
        "simtime_ms": simtime_ms,
        "chunk_ms": simtime_ms / 10,
        "fixed": {"scale": scale, "seed": 2000},
        "params": {"g": {"low": 2.0, "high": 8.0, "step": g_step}, "eta": {"low": 0.5, "high": 4.0, "step": eta_step}},
    }
    objective: dict[str, Any] = {
        "missing": 10.0,
        "metrics": [
            {"name": "rate_hz.exc", "target": 10.0, "scale": 10.0},
            {"name": "cv_isi.exc", "target": 1.0, "scale": 0.25},
        ],
    }
    if prune:
        after = simtime_ms / 5
        objective["prune"] = [
            {"metric": "rate_hz.all", "max": RUNAWAY_HZ, "after_ms": after},
            {"metric": "rate_hz.all", "min": SILENT_HZ, "after_ms": after},
        ]
        objective["pruner"] = {"name": "median", "n_startup_trials": 5, "n_warmup_steps": 2}
    return space, objective


def _study(root: Path, name: str, scale: float, simtime_ms: float, n_side: int, prune: bool) -> dict[str, Any]:
    from opsnn_opt.backends import get_backend
    from opsnn_opt.store import Store
    from opsnn_opt.study import ObjectiveSpec, SearchSpace, Worker, create_study, open_study
    from opsnn_opt.study.spec import pruning_summary

    space_d, objective_d = _specs(scale, simtime_ms, n_side, prune)
    space = SearchSpace.from_dict(space_d, f"bench prune ({name})")
    objective = ObjectiveSpec.from_dict(objective_d, f"bench prune ({name})", space.populations)
    store = Store(f"sqlite:///{root / f'{name}.sqlite3'}")
    create_study(name, space, objective, sampler="grid", seed=0, store=store)
    opened = open_study(name, store)
    t0 = time.perf_counter()
    Worker(opened, backend=get_backend("nest")).run(n_side * n_side)
    wall = time.perf_counter() - t0
    trials = opened.study.get_trials(deepcopy=False)
    done = [t for t in trials if t.state.name == "COMPLETE"]
    best = min(done, key=lambda t: t.value)
    saved = sum(float(t.user_attrs.get("simtime_saved_ms") or 0.0) for t in trials)
    rates = [t.user_attrs.get("rate_hz.all") for t in done]
    out = {
        "wall_s": wall,
        "trials": len(trials),
        "pruned": sum(t.state.name == "PRUNED" for t in trials),
        "failed": sum(t.state.name == "FAIL" for t in trials),
        "simtime_saved_ms": saved,
        "simtime_planned_ms": simtime_ms * len(trials),
        "best": {"params": best.params, "value": best.value},
        "summary": pruning_summary(opened),
        "pathological": sum(r is not None and not SILENT_HZ <= r <= RUNAWAY_HZ for r in rates),
    }
    store.dispose()
    return out


def run_prune_bench(scale: float = 0.11, simtime_ms: float = 300.0, n_side: int = 5) -> dict[str, Any]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        plain = _study(Path(tmp), "plain", scale, simtime_ms, n_side, prune=False)
        pruned = _study(Path(tmp), "pruned", scale, simtime_ms, n_side, prune=True)
    saved_share = pruned["simtime_saved_ms"] / pruned["simtime_planned_ms"]
    same_best = plain["best"]["params"] == pruned["best"]["params"]
    pathological_share = plain["pathological"] / max(plain["trials"], 1)
    return {
        "scale": scale,
        "simtime_ms": simtime_ms,
        "grid": f"{n_side} x {n_side}",
        "without_pruning": plain,
        "with_pruning": pruned,
        "pathological_share": pathological_share,
        "same_best": same_best,
        "ratios": {"simtime_saved": saved_share, "wall_with_vs_without": pruned["wall_s"] / plain["wall_s"]},
        "targets": {"simtime_saved_min": TARGET_SAVED, "same_best": True, "pathological_share_min": 0.3},
        "targets_met": {
            "simtime_saved_min": saved_share >= TARGET_SAVED,
            "same_best": same_best,
            "pathological_share_min": pathological_share >= 0.3,
        },
    }


def add_parser(sub: Any, parents: list[Any]) -> None:
    p = sub.add_parser("prune", parents=parents, help="simulated time pruning saves on Brunel's g-eta plane")
    p.add_argument("--scale", type=float, default=0.11, help="Brunel network scale (default 0.11, near the smallest)")
    p.add_argument("--simtime", type=float, default=300.0, metavar="MS")
    p.add_argument("--grid", type=at_least_two, default=5, help="points per axis of the g-eta grid (>= 2)")
    p.set_defaults(
        bench=lambda a: run_prune_bench(a.scale, a.simtime, a.grid),
        bench_settings=lambda a: {"scale": a.scale, "simtime_ms": a.simtime, "grid": a.grid},
    )
