"""``opsnn bench chaos``: N workers × M short trials with faults injected while they run.

Every configuration is enqueued up front (random ``g_exc_nS`` from a seeded generator), so each
can be followed to its end. During the study the bench SIGKILLs one worker and SIGTERMs another
while each runs a trial, one configuration hangs in its build past ``timeout_s`` (the ``faulty``
model), and on PostgreSQL (a throwaway cluster of its own) the server is restarted. It reports
worker crashes, trials by state, lost, duplicated and left-RUNNING configurations, disagreements
between Optuna and ``opsnn_trial_runs``, and the seconds from each fault to its recovery.
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
from collections import Counter
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["add_parser", "run_chaos"]

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


def _seconds(later: datetime | None, earlier: datetime) -> float | None:
    return None if later is None else round((later - earlier).total_seconds(), 2)


def _one_store(
    kind: str, workers: int, trials: int, seed: int, deadline_s: float, keep_logs: Path | None = None
) -> dict[str, Any]:
    from opsnn_opt.store import Store, ThrowawayPostgres
    from opsnn_opt.study import ObjectiveSpec, SearchSpace, create_study, disagreements
    from opsnn_opt.study.worker import set_max_trials

    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="opsnn-chaos-")))
        pg = None
        if kind == "postgresql":
            pg = ThrowawayPostgres().start()
            stack.callback(pg.remove)
            url = pg.url
        else:
            url = f"sqlite:///{root / 'chaos.sqlite3'}"
        env = {
            **os.environ,
            "OPSNN_STORAGE": url,
            "OPSNN_ARTIFACTS": str(root / "artifacts"),
            "OPSNN_HEARTBEAT_S": "1",
            "OPSNN_GRACE_S": str(GRACE_S),
        }
        os.environ["OPSNN_ARTIFACTS"] = env["OPSNN_ARTIFACTS"]
        store = Store(url)
        space = SearchSpace.from_dict(_SPACE, "bench chaos")
        objective = ObjectiveSpec.from_dict(_OBJECTIVE, "bench chaos", space.populations)
        opened = create_study("chaos", space, objective, sampler="random", seed=seed, store=store)
        budget = workers * trials
        set_max_trials(opened.study, budget)
        rng = np.random.default_rng(seed)
        hang_at = int(rng.integers(budget // 4, budget // 2))
        slow = {"sigkill": max(1, int(0.15 * budget)), "sigterm": max(2, int(0.3 * budget))}
        sleeps = {hang_at: HANG_S, **{i: SLOW_S for i in slow.values()}}
        configs = [
            {"g_exc_nS": round(float(rng.uniform(1.0, 8.0)), 6), "build_sleep_s": sleeps.get(i, 0.0)}
            for i in range(budget)
        ]
        for i, c in enumerate(configs):
            opened.study.enqueue_trial(c, user_attrs={"chaos_slot": i} if i in slow.values() else None)

        t0 = time.monotonic()
        logs = root / "logs"
        logs.mkdir()
        procs: dict[int, subprocess.Popen] = {}
        for i in range(workers):
            log = (logs / f"worker-{i}.log").open("wb")
            stack.callback(log.close)
            p = subprocess.Popen(
                [sys.executable, "-m", "opsnn_opt", "worker", "chaos"], stdout=log, stderr=subprocess.STDOUT, env=env
            )
            procs[p.pid] = p
        faults: dict[str, dict[str, Any]] = {}
        plan = ["sigkill", "sigterm"] + (["db_restart"] if pg is not None else [])
        while any(p.poll() is None for p in procs.values()) and time.monotonic() - t0 < deadline_s:
            if plan and plan[0] == "db_restart":
                if _finished(opened) >= 0.5 * budget:
                    at = datetime.now()
                    pg.restart(down_s=3.0)
                    faults["db_restart"] = {"at": at, "down_s": 3.0}
                    plan.pop(0)
            elif plan:
                name = plan[0]
                number = _slow_trial(opened, slow[name])
                pid = None if number is None else _running_worker(opened, procs, number)
                if pid is not None:  # caught in its slow build
                    faults[name] = {"at": datetime.now(), "pid": pid, "trial": number, "t": time.monotonic()}
                    os.kill(pid, signal.SIGKILL if name == "sigkill" else signal.SIGTERM)
                    plan.pop(0)
            if "sigterm" in faults and "exit_s" not in faults["sigterm"]:
                p = procs[faults["sigterm"]["pid"]]
                if p.poll() is not None:
                    faults["sigterm"]["exit_s"] = round(time.monotonic() - faults["sigterm"]["t"], 2)
            time.sleep(0.2)
        wall_s = time.monotonic() - t0
        timed_out = any(p.poll() is None for p in procs.values())
        for p in procs.values():
            if p.poll() is None:
                p.kill()
            p.wait()
        if keep_logs is not None:
            shutil.copytree(logs, keep_logs / kind, dirs_exist_ok=True)

        trials_now = opened.study.get_trials(deepcopy=False)
        rows = {r.trial_number: r for r in store.runs("chaos")}
        by_state = Counter(t.state.name for t in trials_now)
        key = lambda p: (round(float(p["g_exc_nS"]), 6), float(p["build_sleep_s"]))  # noqa: E731
        complete = Counter(key(t.params) for t in trials_now if t.state.name == "COMPLETE")
        hung = key(configs[hang_at])
        lost = [c for c in configs if key(c) != hung and complete[key(c)] == 0]
        duplicated = [k for k, n in complete.items() if n > 1]
        left_running = sum(t.state.name == "RUNNING" for t in trials_now) + sum(
            r.state == "RUNNING" for r in rows.values()
        )
        killed = faults.get("sigkill", {}).get("pid")
        codes = {str(pid): p.returncode for pid, p in procs.items()}
        crashes = sum(p.returncode != 0 for pid, p in procs.items() if pid != killed)

        def completed_retry(origin: int | None) -> datetime | None:
            for t in trials_now:
                attrs = (t.system_attrs.get("retry_history") or []) + [t.user_attrs.get("requeued_from")]
                if origin in attrs and t.state.name == "COMPLETE":
                    return t.datetime_complete
            return None

        recovery: dict[str, Any] = {}
        by_number = {t.number: t for t in trials_now}
        for name in ("sigkill", "sigterm"):
            if name in faults:
                f = faults[name]
                recovery[f"{name}_to_trial_failed_s"] = _seconds(by_number[f["trial"]].datetime_complete, f["at"])
                # A retry joins the end of the queue of enqueued configurations: this includes the wait.
                recovery[f"{name}_to_retry_complete_s"] = _seconds(completed_retry(f["trial"]), f["at"])
        if "sigterm" in faults:
            recovery["sigterm_to_worker_exit_s"] = faults["sigterm"].get("exit_s")
        if "db_restart" in faults:
            at = faults["db_restart"]["at"]
            after = [t.datetime_complete for t in trials_now if t.datetime_complete and t.datetime_complete > at]
            recovery["db_restart_to_next_complete_s"] = _seconds(min(after) if after else None, at)
        hung_trial = next((t for t in trials_now if key(t.params) == hung and t.state.is_finished()), None)
        hang_s = None
        if hung_trial is not None and hung_trial.datetime_start and hung_trial.datetime_complete:
            hang_s = _seconds(hung_trial.datetime_complete, hung_trial.datetime_start)
        recovery["hung_trial_failed_after_s"] = hang_s
        result = {
            "store": kind,
            "workers": workers,
            "trials_per_worker": trials,
            "budget": budget,
            "wall_s": round(wall_s, 1),
            "timed_out": timed_out,
            "worker_exit_codes": codes,
            "crashes": crashes,
            "trials_by_state": dict(by_state),
            "lost": len(lost),
            "duplicated": len(duplicated),
            "left_running": left_running,
            "disagreements": len(disagreements(opened)),
            "hung_trial_reason": None if hung_trial is None else hung_trial.user_attrs.get("fail_reason"),
            "fail_reasons": dict(
                Counter(
                    (rows[t.number].fail_reason if t.number in rows else None) or "(no row)"
                    for t in trials_now
                    if t.state.name == "FAIL"
                )
            ),
            "recovery_s": recovery,
        }
        limit = TIMEOUT_S + 10
        result["targets_met"] = {
            "no_crash": crashes == 0 and not timed_out,
            "none_lost_duplicated_or_running": not lost and not duplicated and left_running == 0,
            "no_disagreement": result["disagreements"] == 0,
            "hung_trial_failed_in_time": hang_s is not None and hang_s <= limit,
        }
        result["ratios"] = {"hung_trial_failed_after_vs_limit": None if hang_s is None else round(hang_s / limit, 3)}
        store.dispose()
        return result


def run_chaos(
    workers: int = 8,
    trials: int = 25,
    stores: tuple[str, ...] = ("sqlite", "postgresql"),
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


def _stores(text: str) -> tuple[str, ...]:
    import argparse

    names = tuple(s.strip() for s in text.split(",") if s.strip())
    if not names or any(n not in ("sqlite", "postgresql") for n in names):
        raise argparse.ArgumentTypeError(f"must be a comma-separated list of sqlite, postgresql; got {text!r}")
    return names


def add_parser(sub: Any, parents: list[Any]) -> None:
    from opsnn_opt.cli import _positive_int

    p = sub.add_parser("chaos", parents=parents, help="workers under SIGKILL, SIGTERM, a hung trial, a DB restart")
    p.add_argument("--workers", type=_positive_int, default=8)
    p.add_argument("--trials", type=_positive_int, default=25, help="trials per worker (the study's budget: N × M)")
    p.add_argument("--stores", type=_stores, default=("sqlite", "postgresql"), help="sqlite,postgresql (default both)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--logs", type=Path, help="copy the workers' logs into this folder")
    p.set_defaults(
        bench=lambda a: run_chaos(a.workers, a.trials, a.stores, a.seed, a.logs),
        bench_settings=lambda a: {"workers": a.workers, "trials": a.trials, "stores": list(a.stores), "seed": a.seed},
    )
