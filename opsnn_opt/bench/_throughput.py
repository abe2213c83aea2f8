"""``opsnn bench throughput``: trials per minute of an opsnn study against a raw PyNEST loop.

The configurations are drawn once (random search, seed 0) from the demo's search space
(``search_spaces/balanced_ai.toml``: the ``balanced`` model, four free parameters, 100 ms chunks)
at each size, and run three ways, each on 2 processes and timed from start-up to the last trial:

- ``raw``: a PyNEST loop (:func:`~opsnn_opt.bench._pynest.build_balanced_pynest`: ResetKernel,
  create, connect; then Simulate), nothing else;
- ``default``: a 2-worker opsnn study on SQLite that runs them (enqueued), with the default
  figure and keep settings;
- ``lean``: the same with ``keep = "metrics"`` and, where the search space has the ``figures``
  field, ``figures = "none"`` (written only when :class:`~opsnn_opt.study.SearchSpace` knows it).

``breakdown`` is the default study's seconds per part, summed over its trials: the run's own
timings (``build_s``, ``sim_s``, ...), the parts of the trial's wall time the worker records
(``sample_s``, ``tell_s``, ``store_s``, ``figures_s``, ``upload_s``, ``artifacts_s``: whichever
the trials have), ``wall_s`` (Optuna's start to complete) and ``other_s`` (the wall time no part
accounts for). Targets at N = 300: ``ratio_lean >= 0.8`` and ``ratio_default >= 0.6``.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from opsnn_opt.bench._args import whole_numbers
from opsnn_opt.bench._efficiency import SPACE as DEMO_SPACE
from opsnn_opt.errors import ConfigError

__all__ = ["add_parser", "run_throughput_bench"]

SIZES = ((300, 300.0), (1000, 1000.0))
TRIALS = (200, 30)
TARGETS = {"ratio_lean_min": 0.8, "ratio_default_min": 0.6}
TARGET_N = 300
_OBJECTIVE = {"missing": 5.0, "metrics": [{"name": "rate_hz.exc", "target": 5.0, "scale": 5.0}]}
_TIMINGS = ("import_s", "build_s", "sim_s", "checks_s", "collect_s", "write_s", "analysis_s", "total_s")
_WORKER_PARTS = ("sample_s", "tell_s", "store_s", "figures_s", "upload_s", "artifacts_s")


def _space(n_neurons: int, simtime_ms: float, lean: bool) -> Any:
    from opsnn_opt.study import SearchSpace

    data: dict[str, Any] = {
        **DEMO_SPACE,
        "simtime_ms": simtime_ms,
        "chunk_ms": min(100.0, simtime_ms),  # the demo's chunks
        "fixed": {**DEMO_SPACE["fixed"], "n_neurons": n_neurons},
    }
    if lean:
        data["keep"] = "metrics"
        if "figures" in {f.name for f in dataclasses.fields(SearchSpace)}:  # the figures setting, once it exists
            data["figures"] = "none"
    return SearchSpace.from_dict(data, "bench throughput")


def _configurations(space: Any, n: int) -> list[dict[str, float]]:
    """``n`` free-parameter values drawn by random search (seed 0)."""
    import optuna

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    out = []
    for _ in range(n):
        trial = study.ask()
        out.append({p.name: p.suggest(trial) for p in space.free})
        study.tell(trial, 0.0)
    return out


def _raw_worker(job: tuple[list[dict[str, Any]], float]) -> int:
    os.environ.setdefault("PYNEST_QUIET", "1")  # NEST's banner would go into the bench's JSON
    import nest

    from opsnn_opt.bench._pynest import build_balanced_pynest

    if hasattr(nest, "VerbosityLevel"):  # NEST 3.9+; set_verbosity warns there
        nest.verbosity = nest.VerbosityLevel.ERROR
    else:
        nest.set_verbosity("M_ERROR")
    params_list, simtime_ms = job
    for params in params_list:
        build_balanced_pynest(params)
        nest.Simulate(simtime_ms)
    return len(params_list)


def _raw(space: Any, configs: list[dict[str, float]], processes: int = 2) -> float:
    """Wall time (s) of the raw PyNEST loop on ``processes`` fresh processes (NEST imported there)."""
    full = [dict(space.run_spec({**space.fixed, **c}, "bench throughput").params) for c in configs]
    jobs = [(full[i::processes], space.settings["simtime_ms"]) for i in range(processes)]
    t0 = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        done = sum(pool.map(_raw_worker, jobs))
    if done != len(configs):
        raise RuntimeError(f"raw PyNEST: {done}/{len(configs)} configurations ran")
    return time.perf_counter() - t0


def _study(space: Any, configs: list[dict[str, float]], root: Path, name: str) -> tuple[float, list[Any]]:
    """Wall time (s) of a 2-worker study on SQLite that runs ``configs`` (enqueued), and its trials."""
    from opsnn_opt.store import Store
    from opsnn_opt.study import ObjectiveSpec, create_study, run_local_workers

    objective = ObjectiveSpec.from_dict(_OBJECTIVE, "bench throughput", space.populations)
    store = Store(f"sqlite:///{root / f'{name}.sqlite3'}")
    opened = create_study(name, space, objective, sampler="random", seed=0, store=store)
    for params in configs:
        opened.study.enqueue_trial(params)
    t0 = time.perf_counter()
    failed = run_local_workers(opened, len(configs), 2, echo=lambda line: None)
    wall = time.perf_counter() - t0
    trials = opened.study.get_trials(deepcopy=True)
    done = sum(t.state.name == "COMPLETE" for t in trials)
    store.dispose()
    if failed or done != len(configs):
        raise RuntimeError(f"study {name}: {done}/{len(configs)} trials completed, {failed} workers failed")
    return wall, trials


def _breakdown(trials: list[Any]) -> dict[str, float]:
    """Seconds per part over the trials (see the module docstring)."""
    out: dict[str, float] = {}
    for key in (*_TIMINGS, *_WORKER_PARTS):
        values = [float(t.user_attrs[key]) for t in trials if isinstance(t.user_attrs.get(key), (int, float))]
        if values:
            out[key] = sum(values)
    wall = sum((t.datetime_complete - t.datetime_start).total_seconds() for t in trials)
    parts = out.get("total_s", 0.0) + sum(out.get(k, 0.0) for k in _WORKER_PARTS if k != "artifacts_s")
    if "figures_s" not in out and "upload_s" not in out:  # before the finer timings: the figures and uploads
        parts += out.get("artifacts_s", 0.0)
    out["wall_s"] = wall
    out["other_s"] = max(wall - parts, 0.0)
    return out


def _one_size(n_neurons: int, simtime_ms: float, n_trials: int, root: Path) -> dict[str, Any]:
    default, lean = _space(n_neurons, simtime_ms, False), _space(n_neurons, simtime_ms, True)
    configs = _configurations(default, n_trials)
    wall = {"raw": _raw(default, configs)}
    wall["default"], trials = _study(default, configs, root, f"default-{n_neurons}")
    wall["lean"], _ = _study(lean, configs, root, f"lean-{n_neurons}")
    per_min = {k: 60.0 * n_trials / v for k, v in wall.items()}
    return {
        "n_neurons": n_neurons,
        "simtime_ms": simtime_ms,
        "n_trials": n_trials,
        "lean_settings": {"keep": lean.keep, "figures": getattr(lean, "figures", None)},
        "wall_s": wall,
        "trials_per_min": per_min,
        "ratio_default": per_min["default"] / per_min["raw"],
        "ratio_lean": per_min["lean"] / per_min["raw"],
        "breakdown": _breakdown(trials),
    }


def run_throughput_bench(
    sizes: tuple[tuple[int, float], ...] = SIZES, trials: tuple[int, ...] = TRIALS
) -> dict[str, Any]:
    """Raw PyNEST, the default study and the lean study at each (N, simtime) with its trial count."""
    import optuna

    if len(trials) == 1:
        trials = trials * len(sizes)
    if len(trials) != len(sizes):
        raise ConfigError(f"trials must give one count, or one per size ({len(sizes)}); got {list(trials)}")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="opsnn-bench-throughput-") as tmp:
        entries = [_one_size(n, ms, k, Path(tmp)) for (n, ms), k in zip(sizes, trials)]
    result: dict[str, Any] = {
        "sizes": entries,
        "ratios": {f"{k}_{e['n_neurons']}": e[k] for e in entries for k in ("ratio_default", "ratio_lean")},
    }
    at_target = [e for e in entries if e["n_neurons"] == TARGET_N]
    if at_target:
        e = at_target[0]
        result["targets"] = dict(TARGETS)
        result["targets_met"] = {
            "ratio_lean_min": e["ratio_lean"] >= TARGETS["ratio_lean_min"],
            "ratio_default_min": e["ratio_default"] >= TARGETS["ratio_default_min"],
        }
    return result


def parse_size_list(text: str) -> tuple[tuple[int, float], ...]:
    """``--sizes``: ``NxMS`` pairs separated by commas, e.g. ``300x300,1000x1000``."""
    try:
        pairs = [part.split("x") for part in text.split(",") if part]
        sizes = tuple((int(n), float(ms)) for n, ms in pairs)
    except ValueError:
        sizes = ()
    if not sizes or min(n for n, _ in sizes) < 5 or min(ms for _, ms in sizes) <= 0:
        raise ConfigError(f"--sizes must be NxMS pairs (N >= 5, MS > 0) separated by commas; got {text!r}")
    return sizes


def _trial_counts(text: str) -> tuple[int, ...]:
    return whole_numbers(text, 2, "--trials")


def add_parser(sub: Any, parents: list[Any]) -> None:
    p = sub.add_parser("throughput", parents=parents, help="study trials per minute against a raw PyNEST loop")
    p.add_argument("--sizes", default="300x300,1000x1000", help="NxMS pairs (default 300x300,1000x1000)")
    p.add_argument("--trials", default="200,30", help="trials per size, or one count for all (default 200,30)")
    p.set_defaults(
        bench=lambda a: run_throughput_bench(parse_size_list(a.sizes), _trial_counts(a.trials)),
        bench_settings=lambda a: {"sizes": a.sizes, "trials": a.trials},
    )
