"""Optuna and opsnn_trial_runs agree: reconciling after crashes, `opsnn study check`, the shared budget."""

from __future__ import annotations

import json
import time
from pathlib import Path

import optuna
import pytest

from opsnn_opt.cli import main
from opsnn_opt.store import Store
from opsnn_opt.study import open_study

pytestmark = pytest.mark.slow


def _check(capsys, *args: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["study", "check", "cons", "--json", *args])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.filterwarnings("ignore:Heartbeat of storage is supposed to be used with Study.optimize")
def test_study_check_reports_and_repairs_every_kind_of_disagreement(
    workdir, storage_url, tiny_specs, capsys, monkeypatch
):
    monkeypatch.setenv("OPSNN_STORAGE", storage_url)
    space, objective = tiny_specs
    assert main(["study", "create", "cons", "--space", str(space), "--objective", str(objective)]) == 0
    assert main(["worker", "cons", "--n-trials", "2"]) == 0
    store = Store()
    # A crash between Optuna's tell and the row: the row still says RUNNING.
    store.record_run("cons", 0, state="RUNNING")
    # A results file deleted by hand.
    missing = store.runs("cons")[1].results_path
    Path(missing).unlink()
    # A worker that died mid-trial, after its trial had been given a results path.
    monkeypatch.setenv("OPSNN_HEARTBEAT_S", "1")
    monkeypatch.setenv("OPSNN_GRACE_S", "2")
    opened = open_study("cons", Store())
    dead = opened.study.ask()
    opened.store.optuna_storage().record_heartbeat(dead._trial_id)
    dead.set_user_attr("results_path", "/gone/trial-00002/results.nix")
    dead.set_user_attr("rate_hz.exc", 3.0)
    store.record_run("cons", dead.number, state="RUNNING", model="balanced", backend="nest", params={})
    time.sleep(3.5)  # SQLite keeps heartbeats to the second

    code, report = _check(capsys, "--dry-run")
    problems = {(f["trial"], f["problem"]) for f in report["findings"]}
    assert (0, "Optuna has it COMPLETE, row RUNNING") in problems
    assert (1, f"results file missing: {missing}") in problems
    assert (2, "RUNNING without a live heartbeat") in problems
    assert all(f["repair"] is None for f in report["findings"]) and code == 1

    code, report = _check(capsys)
    repairs = {(f["trial"], f["repair"]) for f in report["findings"]}
    assert {(0, "row set to COMPLETE"), (1, "results_path cleared"), (2, "failed (and retried once)")} <= repairs
    # The retry (trial 3) inherited the dead trial's results path and metric: cleared too.
    assert (3, "attributes cleared") in repairs
    assert code == 0 and report["disagreements_left"] == 0
    retry = optuna.load_study(study_name="cons", storage=storage_url).trials[3]
    assert retry.state.name == "WAITING" and retry.user_attrs["results_path"] is None

    # A finished retry carrying inherited attributes is repaired in place.
    opened.study.ask()  # takes the WAITING retry
    opened.store.optuna_storage().set_trial_user_attr(retry._trial_id, "results_path", "/gone/trial-00002/results.nix")
    opened.study.tell(3, state=optuna.trial.TrialState.FAIL)
    store.record_run("cons", 3, state="FAIL", model="balanced", backend="nest", params={})
    code, report = _check(capsys)
    assert [(f["trial"], f["repair"]) for f in report["findings"]] == [(3, "attributes cleared")]
    assert optuna.load_study(study_name="cons", storage=storage_url).trials[3].user_attrs["results_path"] is None
    assert _check(capsys, "--dry-run") == (0, {"findings": [], "disagreements_left": 0})
    assert Store().runs("cons")[0].notes == "reconciled: Optuna has it COMPLETE, row RUNNING"


def test_local_workers_share_the_study_budget(workdir, tiny_specs, capsys):
    space, objective = tiny_specs
    create = ["study", "create", "budget", "--space", str(space), "--objective", str(objective)]
    assert main([*create, "--max-trials", "3"]) == 0
    assert main(["study", "run", "budget", "--workers", "2"]) == 0  # no --n-trials: up to max_trials
    assert "[3/3]" in capsys.readouterr().out
    assert main(["worker", "budget"]) == 0  # the budget is met: nothing to do
    study = optuna.load_study(study_name="budget", storage=Store().url)
    assert [t.state.name for t in study.trials] == ["COMPLETE"] * 3
    assert main(["study", "set", "budget", "--max-trials", "4"]) == 0
    assert main(["worker", "budget"]) == 0
    assert len(optuna.load_study(study_name="budget", storage=Store().url).trials) == 4
    assert main(["study", "set", "budget", "--max-trials", "0"]) == 2
    assert "--max-trials: must be a whole number >= 1 or 'none'; got '0'" in capsys.readouterr().err
    assert main(["study", "create", "nobudget", "--space", str(space), "--objective", str(objective)]) == 0
    assert main(["study", "run", "nobudget"]) == 2
    assert "--n-trials is required: study 'nobudget' has no max_trials budget" in capsys.readouterr().err
