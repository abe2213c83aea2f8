"""``opsnn bench chaos``: N workers × M short trials with faults injected while they run.

Every configuration is enqueued up front (random ``g_exc_nS`` from a seeded generator), so each
can be followed to its end. During the study the bench SIGKILLs one worker and SIGTERMs another
while each runs a trial, one configuration hangs in its build past ``timeout_s`` (the ``faulty``
model), and on PostgreSQL (a throwaway cluster of its own) the server is restarted. It reports
worker crashes, trials by state, lost, duplicated and left-RUNNING configurations, disagreements
between Optuna and ``opsnn_trial_runs``, each fault's outcome, and the seconds from each fault to
its recovery (read from the study by :mod:`opsnn_opt.bench._chaos_findings`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from opsnn_opt.bench._args import names_from, positive_int
from opsnn_opt.bench._chaos_findings import config_key, findings

__all__ = ["add_parser", "run_chaos"]

#: The stores the bench runs on, each in a database of its own.
STORES = ("sqlite", "postgresql")
TIMEOUT_S = 10.0
# Heartbeats every second; a trial silent for 20 s is stale (a 2-core machine running 8 workers
# and their simulations can delay a heartbeat by several seconds).
GRACE_S = 20
HANG_S = 3600.0
#: The build sleep of the trials whose workers are signalled: long enough to be caught in it.
SLOW_S = 4.0
_SPACE = {
    "model": "opsnn_opt.models._faulty:Faulty",
    "simtime_ms": 100.0,
    "chunk_ms": 50.0,
    "timeout_s": TIMEOUT_S,
    "fixed": {"n_neurons": 40, "p_connect": 0.1, "seed": 1},
    "params": {"g_exc_nS": {"low": 1.0, "high": 8.0}, "build_sleep_s": {"choices": [0.0, SLOW_S, HANG_S]}},
}
_OBJECTIVE = {"missing": 5.0, "metrics": [{"name": "rate_hz.exc", "target": 5.0}]}


def _running_worker(opened: Any, procs: dict[int, subprocess.Popen], trial: int) -> int | None:
    """The pid of the live worker running ``trial`` (a slow one) for at least a second, or None."""
    host = socket.gethostname()
    for t in opened.study.get_trials(deepcopy=False):
        worker = t.user_attrs.get("worker") or ""
        if t.number != trial or t.state.name != "RUNNING" or not worker.startswith(f"{host}:"):
            continue
        if t.datetime_start is None or (datetime.now() - t.datetime_start).total_seconds() < 1.0:
            return None
        pid = int(worker.rsplit(":", 1)[1])
        if pid in procs and procs[pid].poll() is None:
            return pid
    return None


def _slow_trial(opened: Any, position: int) -> int | None:
    """The number of the trial that took the slow configuration at ``position`` (once started)."""
    for t in opened.study.get_trials(deepcopy=False):
        if t.user_attrs.get("chaos_slot") == position and t.state.name == "RUNNING":
            return t.number
    return None


def _finished(opened: Any) -> int:
    return sum(t.state.is_finished() for t in opened.study.get_trials(deepcopy=False))


@dataclass(frozen=True)
class _Plan:
    """The configurations enqueued, in order, and where the faults are among them."""

    configs: list[dict[str, float]]
    #: The position of the configuration that hangs in its build past ``timeout_s``.
    hang_at: int
    #: Fault name -> position of the slow configuration whose worker it signals.
    slow: dict[str, int]

    @property
    def hung(self) -> tuple[float, float]:
        return config_key(self.configs[self.hang_at])


def _plan(budget: int, seed: int) -> _Plan:
    """``budget`` configurations drawn from ``seed``: one hangs, two are slow (to be signalled)."""
    rng = np.random.default_rng(seed)
    hang_at = int(rng.integers(budget // 4, budget // 2))
    slow = {"sigkill": max(1, int(0.15 * budget)), "sigterm": max(2, int(0.3 * budget))}
    sleeps = {hang_at: HANG_S, **{i: SLOW_S for i in slow.values()}}
    configs = [
        {"g_exc_nS": round(float(rng.uniform(1.0, 8.0)), 6), "build_sleep_s": sleeps.get(i, 0.0)} for i in range(budget)
    ]
    return _Plan(configs, hang_at, slow)


def _create(store: Any, plan: _Plan, seed: int) -> Any:
    """The study ``chaos``, its budget exactly the plan, every configuration enqueued."""
    from opsnn_opt.study import ObjectiveSpec, SearchSpace, create_study
    from opsnn_opt.study.worker import set_max_trials

    space = SearchSpace.from_dict(_SPACE, "bench chaos")
    objective = ObjectiveSpec.from_dict(_OBJECTIVE, "bench chaos", space.populations)
    opened = create_study("chaos", space, objective, sampler="random", seed=seed, store=store)
    set_max_trials(opened.study, len(plan.configs))
    slots = set(plan.slow.values())
    for i, c in enumerate(plan.configs):
        opened.study.enqueue_trial(c, user_attrs={"chaos_slot": i} if i in slots else None)
    return opened


def _database(kind: str, root: Path, stack: ExitStack) -> tuple[str, Any]:
    """The store's URL and, on PostgreSQL, the throwaway server (removed when ``stack`` closes)."""
    from opsnn_opt.store import ThrowawayPostgres

    if kind != "postgresql":
        return f"sqlite:///{root / 'chaos.sqlite3'}", None
    pg = ThrowawayPostgres().start()
    stack.callback(pg.remove)
    return pg.url, pg


def _start_workers(workers: int, env: dict[str, str], logs: Path, stack: ExitStack) -> dict[int, subprocess.Popen]:
    """``opsnn worker chaos`` processes by pid, each logging to ``logs/worker-I.log``."""
    procs: dict[int, subprocess.Popen] = {}
    for i in range(workers):
        log = (logs / f"worker-{i}.log").open("wb")
        stack.callback(log.close)
        p = subprocess.Popen(
            [sys.executable, "-m", "opsnn_opt", "worker", "chaos"], stdout=log, stderr=subprocess.STDOUT, env=env
        )
        procs[p.pid] = p
    return procs


def _signal_slow_worker(opened: Any, procs: dict[int, subprocess.Popen], name: str, position: int) -> dict | None:
    """Send fault ``name`` to the worker caught in the slow build of ``position``; None if none is yet."""
    number = _slow_trial(opened, position)
    pid = None if number is None else _running_worker(opened, procs, number)
    if pid is None:
        return None
    fault = {"at": datetime.now(), "pid": pid, "trial": number, "t": time.monotonic()}
    os.kill(pid, signal.SIGKILL if name == "sigkill" else signal.SIGTERM)
    return fault


def _inject_faults(
    opened: Any, procs: dict[int, subprocess.Popen], pg: Any, plan: _Plan, t0: float, deadline_s: float
) -> dict[str, dict[str, Any]]:
    """Inject the faults in turn while the workers run, until all have exited or ``deadline_s``
    (from the monotonic time ``t0``) has passed; returns each fault's time, worker and trial."""
    faults: dict[str, dict[str, Any]] = {}
    todo = ["sigkill", "sigterm"] + (["db_restart"] if pg is not None else [])
    while any(p.poll() is None for p in procs.values()) and time.monotonic() - t0 < deadline_s:
        if todo and todo[0] == "db_restart":
            if _finished(opened) >= 0.5 * len(plan.configs):
                at = datetime.now()
                pg.restart(down_s=3.0)
                faults["db_restart"] = {"at": at, "down_s": 3.0}
                todo.pop(0)
        elif todo:
            fault = _signal_slow_worker(opened, procs, todo[0], plan.slow[todo[0]])
            if fault is not None:
                faults[todo.pop(0)] = fault
        if "sigterm" in faults and "exit_s" not in faults["sigterm"]:
            if procs[faults["sigterm"]["pid"]].poll() is not None:
                faults["sigterm"]["exit_s"] = round(time.monotonic() - faults["sigterm"]["t"], 2)
        time.sleep(0.2)
    return faults


def _stop(procs: dict[int, subprocess.Popen]) -> None:
    for p in procs.values():
        if p.poll() is None:
            p.kill()
        p.wait()


def _one_store(
    kind: str, workers: int, trials: int, seed: int, deadline_s: float, keep_logs: Path | None = None
) -> dict[str, Any]:
    from opsnn_opt.store import Store

    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="opsnn-chaos-")))
        url, pg = _database(kind, root, stack)
        env = {
            **os.environ,
            "OPSNN_STORAGE": url,
            "OPSNN_ARTIFACTS": str(root / "artifacts"),
            "OPSNN_HEARTBEAT_S": "1",
            "OPSNN_GRACE_S": str(GRACE_S),
        }
        os.environ["OPSNN_ARTIFACTS"] = env["OPSNN_ARTIFACTS"]
        store = Store(url)
        stack.callback(store.dispose)
        budget = workers * trials
        plan = _plan(budget, seed)
        opened = _create(store, plan, seed)

        t0 = time.monotonic()
        logs = root / "logs"
        logs.mkdir()
        procs = _start_workers(workers, env, logs, stack)
        faults = _inject_faults(opened, procs, pg, plan, t0, deadline_s)
        wall_s = time.monotonic() - t0
        timed_out = any(p.poll() is None for p in procs.values())
        _stop(procs)
        if keep_logs is not None:
            shutil.copytree(logs, keep_logs / kind, dirs_exist_ok=True)

        result = {
            "store": kind,
            "workers": workers,
            "trials_per_worker": trials,
            "budget": budget,
            "wall_s": round(wall_s, 1),
            "timed_out": timed_out,
            **findings(opened, store, plan.configs, plan.hung, faults, procs),
        }
        hang_s = result["recovery_s"]["hung_trial_failed_after_s"]
        limit = TIMEOUT_S + 10
        result["targets_met"] = {
            "no_crash": result["crashes"] == 0 and not timed_out,
            "none_lost_duplicated_or_running": (result["lost"], result["duplicated"], result["left_running"])
            == (0, 0, 0),
            "no_disagreement": result["disagreements"] == 0,
            "hung_trial_failed_in_time": hang_s is not None and hang_s <= limit,
        }
        result["ratios"] = {"hung_trial_failed_after_vs_limit": None if hang_s is None else round(hang_s / limit, 3)}
        return result


def run_chaos(
    workers: int = 8,
    trials: int = 25,
    stores: tuple[str, ...] = STORES,
    seed: int = 1,
    keep_logs: Path | None = None,
) -> dict[str, Any]:
    """Run the chaos study on each store; returns the figures per store and overall."""
    from opsnn_opt.store import throwaway_unavailable_reason

    out: dict[str, Any] = {"timeout_s": TIMEOUT_S, "grace_s": GRACE_S, "stores": {}}
    saved = os.environ.get("OPSNN_ARTIFACTS")
    try:
        for kind in stores:
            if kind == "postgresql" and throwaway_unavailable_reason():
                out["stores"][kind] = {"skipped": throwaway_unavailable_reason()}
                continue
            deadline_s = 600 + 6 * workers * trials
            out["stores"][kind] = _one_store(kind, workers, trials, seed, deadline_s, keep_logs)
    finally:
        if saved is None:
            os.environ.pop("OPSNN_ARTIFACTS", None)
        else:
            os.environ["OPSNN_ARTIFACTS"] = saved
    ran = [r for r in out["stores"].values() if "targets_met" in r]
    out["all_targets_met"] = bool(ran) and all(all(r["targets_met"].values()) for r in ran)
    out["ratios"] = {f"{k}.{name}": v for k, r in out["stores"].items() for name, v in r.get("ratios", {}).items()}
    return out


def add_parser(sub: Any, parents: list[Any]) -> None:
    p = sub.add_parser("chaos", parents=parents, help="workers under SIGKILL, SIGTERM, a hung trial, a DB restart")
    p.add_argument("--workers", type=positive_int, default=8)
    p.add_argument("--trials", type=positive_int, default=25, help="trials per worker (the study's budget: N × M)")
    p.add_argument("--stores", type=names_from(STORES), default=STORES, help="sqlite,postgresql (default both)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--logs", type=Path, help="copy the workers' logs into this folder")
    p.set_defaults(
        bench=lambda a: run_chaos(a.workers, a.trials, a.stores, a.seed, a.logs),
        bench_settings=lambda a: {"workers": a.workers, "trials": a.trials, "stores": list(a.stores), "seed": a.seed},
    )
