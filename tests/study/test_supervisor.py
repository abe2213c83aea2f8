"""Supervised workers on real NEST: timeouts, memory limits, signal deaths, SIGTERM re-queueing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import optuna
import pytest

from opsnn_opt.cli import main
from opsnn_opt.store import Store
from opsnn_opt.study import open_study
from tests.study.faults import PLAIN, wait_for, write_specs

pytestmark = pytest.mark.slow


def _states(url: str, name: str) -> list[tuple[str, str | None]]:
    study = optuna.load_study(study_name=name, storage=url)
    return [(t.state.name, t.user_attrs.get("fail_reason")) for t in study.trials]


def test_a_hung_a_crashed_and_a_bloated_trial_fail_and_the_worker_goes_on(workdir, storage_url, capsys):
    space, objective = write_specs(workdir, limits="timeout_s = 600.0\nmax_memory_mb = 1000.0")
    store = ["--storage", storage_url]
    assert main(["study", "create", "faults", "--space", str(space), "--objective", str(objective), *store]) == 0
    opened = open_study("faults", Store(storage_url))
    for fault in ({"build_sleep_s": 60.0}, {"build_signal": 11}, {"build_alloc_mb": 1500.0}, {}):
        opened.study.enqueue_trial({**PLAIN, **fault})
    t0 = time.monotonic()
    # --timeout overrides the space's timeout_s.
    assert main(["worker", "faults", "--n-trials", "4", "--timeout", "4", *store]) == 0, capsys.readouterr().err
    assert time.monotonic() - t0 < 120
    states = _states(storage_url, "faults")
    assert states[0] == ("FAIL", "timed out after 4 s (the trial; timeout_s)")
    assert states[1] == ("FAIL", "the simulation process was killed by SIGSEGV")
    assert states[2][0] == "FAIL"
    assert states[2][1].startswith("exceeded the memory limit of 1000 MB (max_memory_mb): peak ")
    assert float(states[2][1].split("peak ")[1].split()[0]) > 1000
    assert states[3] == ("COMPLETE", None)
    rows = Store(storage_url).runs("faults")
    assert [(r.state, r.fail_reason) for r in rows] == [(s, r) for s, r in states]
    assert rows[3].results_path and "faults-" in rows[3].results_path  # the study's unique id is in the path
    assert main(["study", "check", "faults", "--dry-run", *store]) == 0
    assert "0 finding(s), 0 disagreement(s) left" in capsys.readouterr().out


def _worker(name: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "opsnn_opt", "worker", name, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )


def test_sigterm_fails_the_trial_requeues_it_and_exits_0(workdir, storage_url, capsys, monkeypatch):
    monkeypatch.setenv("OPSNN_STORAGE", storage_url)
    space, objective = write_specs(workdir, sleep_s=6.0)
    assert main(["study", "create", "term", "--space", str(space), "--objective", str(objective)]) == 0
    assert (
        main(
            [
                "study",
                "create",
                "term",
                "--space",
                str(space),
                "--objective",
                str(objective),
                "--load-if-exists",
                "--max-trials",
                "2",
            ]
        )
        == 0
    )
    opened = open_study("term", Store(storage_url))
    opened.study.enqueue_trial({**PLAIN, "build_sleep_s": 6.0})
    opened.study.enqueue_trial(PLAIN)
    worker = _worker("term")  # no --n-trials: serves until the budget (2) is met
    try:
        wait_for(lambda: [r for r in Store(storage_url).runs("term") if r.state == "RUNNING"], 60, "a running trial")
        time.sleep(1.0)  # inside the sleeping build
        t0 = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(10) == 0, worker.stderr.read().decode()
        assert time.monotonic() - t0 < 10
    finally:
        worker.kill()
        worker.wait()
    trials = optuna.load_study(study_name="term", storage=storage_url).trials
    assert (trials[0].state.name, trials[0].user_attrs["fail_reason"]) == ("FAIL", "worker stopped by SIGTERM")
    requeued = [t for t in trials if t.user_attrs.get("requeued_from") == 0]
    assert len(requeued) == 1 and requeued[0].state.name == "WAITING"
    assert requeued[0].system_attrs["fixed_params"] == trials[0].params
    assert not [t for t in trials if t.state.name == "RUNNING"]
    assert Store(storage_url).runs("term")[0].state == "FAIL"

    # The next worker runs the re-queued configuration and finishes the budget of 2.
    assert main(["worker", "term"]) == 0
    trials = optuna.load_study(study_name="term", storage=storage_url).trials
    assert [t.state.name for t in trials] == ["FAIL", "COMPLETE", "COMPLETE"]
    assert trials[2].params == trials[0].params and trials[2].user_attrs["requeued_from"] == 0
    assert main(["study", "check", "term", "--dry-run"]) == 0


def test_ctrl_c_in_study_run_stops_every_worker_and_leaves_nothing_running(workdir, capsys):
    space, objective = write_specs(workdir, sleep_s=60.0)
    assert main(["study", "create", "intr", "--space", str(space), "--objective", str(objective)]) == 0
    opened = open_study("intr", Store())
    for _ in range(2):
        opened.study.enqueue_trial({**PLAIN, "build_sleep_s": 60.0})
    run = subprocess.Popen(
        [sys.executable, "-m", "opsnn_opt", "study", "run", "intr", "--n-trials", "4", "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    try:
        wait_for(lambda: len([r for r in Store().runs("intr") if r.state == "RUNNING"]) == 2, 90, "two running trials")
        run.send_signal(signal.SIGINT)
        assert run.wait(20) == 130
    finally:
        run.kill()
        run.wait()
    trials = optuna.load_study(study_name="intr", storage=Store().url).trials
    assert sorted(t.state.name for t in trials) == ["FAIL", "FAIL", "WAITING", "WAITING"]
    assert {t.user_attrs.get("fail_reason") for t in trials if t.state.name == "FAIL"} == {"worker stopped by SIGTERM"}
    assert main(["study", "check", "intr", "--dry-run"]) == 0
