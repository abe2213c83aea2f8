"""``opsnn bench efficiency``: how many trials TPE, GP and CMA-ES need against random search.

The problem is the demo's on a small network: the ``balanced`` model at N = 300 for 300 ms, four
free parameters (as ``search_spaces/balanced_ai.toml``), scored as ``objectives/ai_5hz.toml``
(asynchronous irregular at 5 Hz). Every sampler runs the same number of trials with each of
``seeds`` seeds; every trial is a real NEST run (the network's own seed is fixed, so a
configuration always scores the same). The cost threshold is measured in the same run: the median
of random search's best cost after all its trials, so random reaches it in about ``n_trials``
trials at the median. A run that never reaches it counts as ``n_trials + 1`` (censored).

The default budget is 100 trials, and the median best is reported after 20, 40 and 100. With 40,
the threshold (random's best after 40) is loose enough that the first trials decide it, and
TPE's and GP's 10 random start-up trials are a quarter of the budget; a model-based sampler's
advantage shows over a longer run.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from opsnn_opt.bench._args import at_least_two, names_from

__all__ = ["add_parser", "run_efficiency_bench"]

TARGET_RATIO = 3.0
SAMPLERS = ("random", "tpe", "gp", "cmaes")
#: The samplers ``--samplers`` accepts: those of one objective that need no grid.
SAMPLER_NAMES = ("tpe", "gp", "cmaes", "random", "qmc", "nsga2")

SPACE = {
    "model": "balanced",
    "simtime_ms": 300.0,
    "chunk_ms": 300.0,
    "fixed": {"n_neurons": 300, "exc_fraction": 0.8, "delay_ms": 1.0, "seed": 2026},
    "params": {
        "p_connect": {"low": 0.02, "high": 0.2, "scale": "log"},
        "g_exc_nS": {"low": 0.5, "high": 8.0, "scale": "log"},
        "g_inh_nS": {"low": 10.0, "high": 200.0, "scale": "log"},
        "input_rate_hz": {"low": 100.0, "high": 2000.0, "scale": "log"},
    },
}
OBJECTIVE = {
    "missing": 5.0,
    "metrics": [
        {"name": "rate_hz.exc", "target": 5.0, "scale": 5.0},
        {"name": "cv_isi.exc", "target": 1.0, "scale": 0.25},
        {"name": "synchrony.exc", "direction": "minimize"},
    ],
}


def _curve(sampler: str, seed: int, space: Any, objective: Any, backend: Any, n_trials: int, folder: Path) -> list:
    """Best cost after each trial of one in-memory study."""
    import optuna

    from opsnn_opt.pipeline import run
    from opsnn_opt.study.spec import make_sampler

    study = optuna.create_study(sampler=make_sampler({"name": sampler, "seed": seed}, space, objective, seed))

    def cost(trial: Any) -> float:
        spec = space.run_spec(space.suggest(trial), "bench efficiency")
        result = run(spec, folder, backend=backend)
        return objective.evaluate(result.metrics)[0]

    study.optimize(cost, n_trials=n_trials)
    best, out = float("inf"), []
    for t in study.trials:
        best = min(best, t.value)
        out.append(best)
    return out


def _trials_to(curve: list[float], threshold: float) -> int:
    return next((i + 1 for i, v in enumerate(curve) if v <= threshold), len(curve) + 1)


def run_efficiency_bench(
    samplers: tuple[str, ...] = SAMPLERS,
    seeds: int = 5,
    n_trials: int = 100,
    n_neurons: int = 300,
    simtime_ms: float = 300.0,
    threshold: float | None = None,
) -> dict[str, Any]:
    import optuna

    from opsnn_opt.backends import get_backend
    from opsnn_opt.study import ObjectiveSpec, SearchSpace

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    data = {
        **SPACE,
        "simtime_ms": simtime_ms,
        "chunk_ms": simtime_ms,
        "fixed": {**SPACE["fixed"], "n_neurons": n_neurons},
    }
    space = SearchSpace.from_dict(data, "bench efficiency")
    objective = ObjectiveSpec.from_dict(OBJECTIVE, "bench efficiency", space.populations)
    backend = get_backend("nest")
    order = ("random", *[s for s in samplers if s != "random"])
    curves: dict[str, list[list[float]]] = {}
    wall: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for sampler in order:
            t0 = time.perf_counter()
            curves[sampler] = [_curve(sampler, s, space, objective, backend, n_trials, Path(tmp)) for s in range(seeds)]
            wall[sampler] = time.perf_counter() - t0
    if threshold is None:
        threshold = statistics.median(c[-1] for c in curves["random"])
    per: dict[str, Any] = {}
    for sampler, cs in curves.items():
        per[sampler] = {
            "median_trials_to_threshold": statistics.median(_trials_to(c, threshold) for c in cs),
            "reached": sum(_trials_to(c, threshold) <= n_trials for c in cs),
            **{
                f"median_best_after_{k}": statistics.median(c[k - 1] for c in cs)
                for k in sorted({min(20, n_trials), min(40, n_trials), n_trials})
            },
            "wall_s": wall[sampler],
        }
    base = per["random"]["median_trials_to_threshold"]
    ratios = {f"trials_random_vs_{s}": base / per[s]["median_trials_to_threshold"] for s in per if s != "random"}
    best = max(ratios, key=ratios.get) if ratios else None
    result: dict[str, Any] = {
        "n_trials": n_trials,
        "seeds": seeds,
        "n_neurons": n_neurons,
        "simtime_ms": simtime_ms,
        "threshold": threshold,
        "samplers": per,
        "ratios": ratios,
    }
    if best is not None:
        result["targets"] = {"best_ratio_min": TARGET_RATIO}
        result["targets_met"] = {"best_ratio_min": ratios[best] >= TARGET_RATIO}
        result["best_sampler"] = best.removeprefix("trials_random_vs_")
    return result


def add_parser(sub: Any, parents: list[Any]) -> None:
    p = sub.add_parser("efficiency", parents=parents, help="trials TPE, GP and CMA-ES need against random search")
    p.add_argument("--samplers", type=names_from(SAMPLER_NAMES), default=SAMPLERS, help="default: random,tpe,gp,cmaes")
    p.add_argument("--seeds", type=at_least_two, default=5, help="studies per sampler (>= 2)")
    p.add_argument("--n-trials", type=at_least_two, default=100, help="trials per study (>= 2)")
    p.add_argument("--n-neurons", type=at_least_two, default=300)
    p.add_argument("--simtime", type=float, default=300.0, metavar="MS")
    p.add_argument("--threshold", type=float, default=None, help="cost threshold (default: random's median best)")
    p.set_defaults(
        bench=lambda a: run_efficiency_bench(a.samplers, a.seeds, a.n_trials, a.n_neurons, a.simtime, a.threshold),
        bench_settings=lambda a: {
            "samplers": list(a.samplers),
            "seeds": a.seeds,
            "n_trials": a.n_trials,
            "n_neurons": a.n_neurons,
            "simtime_ms": a.simtime,
            "threshold": a.threshold,
        },
    )
