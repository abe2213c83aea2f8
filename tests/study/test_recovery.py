"""A worker killed mid-trial: its trial goes stale, is marked failed, and a live worker reruns it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest

from opsnn_opt.cli import main
from opsnn_opt.store import Store

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def test_killed_worker_trial_is_failed_and_retried(workdir, storage_url, tiny_specs, monkeypatch):
    monkeypatch.setenv("OPSNN_STORAGE", storage_url)
    space, _ = tiny_specs
    objective = workdir / "hang.toml"
    objective.write_text('callable = "tests.study.custom_objectives:hangs_in_the_victim"\n')
    assert main(["study", "create", "crash", "--space", str(space), "--objective", str(objective)]) == 0
    monkeypatch.setenv("OPSNN_HEARTBEAT_S", "1")
    monkeypatch.setenv("OPSNN_GRACE_S", "3")
    env = {**os.environ, "OPSNN_TEST_VICTIM": "1", "PYTHONPATH": str(REPO)}
    victim = subprocess.Popen(
        [sys.executable, "-m", "opsnn_opt", "worker", "crash"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store = Store()
    try:
        deadline = time.monotonic() + 90
        # The run is done and the objective is hanging once the results file is written (its
        # attributes are reported with the outcome, after the objective).
        while not list((workdir / "artifacts").glob("crash-*/trial-00000/results.nix")):
            assert time.monotonic() < deadline, "the first worker never reached its objective"
            time.sleep(0.3)
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    assert [(r.trial_number, r.state) for r in store.runs("crash")] == [(0, "RUNNING")]
    time.sleep(4)  # longer than the grace period: the trial is now stale

    assert main(["worker", "crash", "--n-trials", "1"]) == 0
    trials = optuna.load_study(study_name="crash", storage=store.url).trials
    assert [t.state.name for t in trials] == ["FAIL", "COMPLETE"]
    assert trials[1].params == trials[0].params
    assert optuna.storages.RetryHeartbeatStaleTrialCallback.retried_trial_number(trials[1]) == 0
    rows = store.runs("crash")
    assert [(r.trial_number, r.state) for r in rows] == [(0, "FAIL"), (1, "COMPLETE")]
    assert rows[0].fail_reason == "the worker stopped sending heartbeats (crashed or killed)"


@pytest.mark.filterwarnings("ignore:Heartbeat of storage is supposed to be used with Study.optimize")
def test_a_stopped_trial_told_twice_is_requeued_once(workdir, tiny_specs):
    """A pending outcome told again (its first tell committed before the worker died) neither
    fails the trial twice nor queues its configuration twice."""
    from opsnn_opt.study import open_study
    from opsnn_opt.study.trial import fail_and_requeue

    space, objective = tiny_specs
    assert main(["study", "create", "twice", "--space", str(space), "--objective", str(objective)]) == 0
    opened = open_study("twice", Store())
    trial = opened.study.ask()
    params = opened.space.suggest(trial)
    record = {"model": opened.space.model, "backend": opened.space.backend, "params": params}
    for _ in range(2):
        assert fail_and_requeue(opened, trial.number, trial._trial_id, "worker stopped by SIGTERM", record) == "FAIL"
    trials = opened.study.get_trials()
    assert [t.state.name for t in trials] == ["FAIL", "WAITING"]
    assert trials[0].user_attrs["fail_reason"] == "worker stopped by SIGTERM"
    assert trials[1].user_attrs["requeued_from"] == 0
    assert trials[1].system_attrs["fixed_params"] == trials[0].params
    assert [(r.trial_number, r.state, r.fail_reason) for r in Store().runs("twice")] == [
        (0, "FAIL", "worker stopped by SIGTERM")
    ]
