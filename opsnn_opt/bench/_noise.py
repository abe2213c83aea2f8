"""``opsnn bench noise``: how much a trial's score owes to its seed, and what replicates change.

1. At one configuration (the best of ``--study`` in the store if given, else a balanced AI point of
   the demo's space) the objective is evaluated with ``seeds`` different seeds (network and input):
   mean, standard deviation, range.
2. A 1-replicate study and a ``replicates = 3`` study (random sampler, same seed, so the same
   configurations) each pick a best trial. The ``top`` best trials of each are re-evaluated with
   5 fresh replicates: does the study's pick stay best?
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from opsnn_opt.bench._args import at_least_two

__all__ = ["add_parser", "run_noise_bench"]

#: A point of the demo's space with asynchronous irregular activity at a few Hz.
DEFAULT_POINT = {"p_connect": 0.05, "g_exc_nS": 2.0, "g_inh_nS": 60.0, "input_rate_hz": 600.0}
REEVALUATE = 5


def _space(n_neurons: int, simtime_ms: float, replicates: int = 1) -> Any:
    from opsnn_opt.bench._efficiency import SPACE
    from opsnn_opt.study import SearchSpace

    data = {
        **SPACE,
        "simtime_ms": simtime_ms,
        "chunk_ms": simtime_ms,
        "fixed": {**SPACE["fixed"], "n_neurons": n_neurons},
    }
    if replicates > 1:
        data["replicates"] = replicates
    return SearchSpace.from_dict(data, "bench noise")


def _scores(space: Any, objective: Any, params: dict[str, Any], seeds: list[int], backend: Any, folder: Path) -> list:
    from opsnn_opt.pipeline import run
    from opsnn_opt.study.spec import replicate_params

    out = []
    for r in seeds:
        values = replicate_params({**space.fixed, **params}, space.replicates, r, None)
        result = run(space.run_spec(values, "bench noise"), folder, backend=backend)
        out.append(objective.evaluate(result.metrics)[0])
    return out


def _pick(root: Path, name: str, space: Any, objective: Any, n_trials: int, backend: Any) -> list[Any]:
    from opsnn_opt.store import Store
    from opsnn_opt.study import Worker, create_study, open_study

    store = Store(f"sqlite:///{root / f'{name}.sqlite3'}")
    create_study(name, space, objective, sampler="random", seed=11, store=store)
    opened = open_study(name, store)
    Worker(opened, backend=backend).run(n_trials)
    done = [t for t in opened.study.get_trials(deepcopy=False) if t.state.name == "COMPLETE"]
    store.dispose()
    return sorted(done, key=lambda t: t.value)


def _stays_best(ranked: list[Any], space: Any, objective: Any, top: int, backend: Any, folder: Path) -> dict:
    """Re-evaluate the ``top`` trials with replicates 10..14 (seeds no study used)."""
    means = []
    for t in ranked[:top]:
        means.append(
            statistics.mean(_scores(space, objective, t.params, list(range(10, 10 + REEVALUATE)), backend, folder))
        )
    order = sorted(range(len(means)), key=means.__getitem__)
    return {
        "picked_trial": ranked[0].number,
        "picked_rank_after_reevaluation": order.index(0) + 1,
        "stays_best": order[0] == 0,
        "reevaluated_means": means,
    }


def run_noise_bench(
    n_neurons: int = 300,
    simtime_ms: float = 300.0,
    seeds: int = 10,
    n_trials: int = 12,
    top: int = 4,
    study: str | None = None,
    storage: str | None = None,
) -> dict[str, Any]:
    import optuna

    from opsnn_opt.backends import get_backend
    from opsnn_opt.bench._efficiency import OBJECTIVE
    from opsnn_opt.study import ObjectiveSpec

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    backend = get_backend("nest")
    space = _space(n_neurons, simtime_ms)
    objective = ObjectiveSpec.from_dict(OBJECTIVE, "bench noise", space.populations)
    point, source = dict(DEFAULT_POINT), "default AI point"
    if study:
        from opsnn_opt.store import Store
        from opsnn_opt.study import open_study

        best = open_study(study, Store(storage), for_trials=False).study.best_trial
        point = {k: v for k, v in best.params.items() if k in DEFAULT_POINT}
        source = f"best trial {best.number} of study {study!r}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        spread = _scores(space, objective, point, list(range(seeds)), backend, root / "spread")
        one = _pick(root, "one", space, objective, n_trials, backend)
        three = _pick(root, "three", _space(n_neurons, simtime_ms, 3), objective, n_trials, backend)
        one_check = _stays_best(one, space, objective, top, backend, root / "check")
        three_check = _stays_best(three, space, objective, top, backend, root / "check")
    mean, std = statistics.mean(spread), statistics.stdev(spread)
    return {
        "n_neurons": n_neurons,
        "simtime_ms": simtime_ms,
        "configuration": {"source": source, "params": point},
        "spread": {"seeds": seeds, "mean": mean, "std": std, "min": min(spread), "max": max(spread), "values": spread},
        "one_replicate_study": one_check,
        "three_replicate_study": three_check,
        "ratios": {"std_vs_mean": std / mean if mean else float("nan")},
    }


def add_parser(sub: Any, parents: list[Any]) -> None:
    p = sub.add_parser("noise", parents=parents, help="the objective's spread over seeds; do replicates pick better?")
    p.add_argument("--n-neurons", type=at_least_two, default=300)
    p.add_argument("--simtime", type=float, default=300.0, metavar="MS")
    p.add_argument("--seeds", type=at_least_two, default=10, help="seeds at the one configuration (>= 2)")
    p.add_argument("--n-trials", type=at_least_two, default=12, help="trials of each of the two studies (>= 2)")
    p.add_argument("--top", type=at_least_two, default=4, help="best trials re-evaluated with 5 replicates (>= 2)")
    p.add_argument("--study", help="take the configuration from this study's best trial (in --storage)")
    p.set_defaults(
        bench=lambda a: run_noise_bench(a.n_neurons, a.simtime, a.seeds, a.n_trials, a.top, a.study, a.storage),
        bench_settings=lambda a: {
            "n_neurons": a.n_neurons,
            "simtime_ms": a.simtime,
            "seeds": a.seeds,
            "n_trials": a.n_trials,
            "top": a.top,
            "study": a.study,
        },
    )
