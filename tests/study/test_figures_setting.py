"""Where a trial's wall time goes, the ``figures`` setting, and figures left pending by a stopped
worker (real NEST, real SQLite and PostgreSQL; issue 19)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import TINY_OBJECTIVE, TINY_SPACE, fresh_postgres_database

pytestmark = pytest.mark.slow

# The tiny network, the drive free among three rates: 3000 Hz is pruned at 100 ms.
SPACE = TINY_SPACE.replace("choices = [300.0, 800.0]", "choices = [300.0, 800.0, 3000.0]")
OBJECTIVE = TINY_OBJECTIVE + '[[prune]]\nmetric = "rate_hz.all"\nmax = 75.0\nafter_ms = 100.0\n'
FIGURES = {"raster.png", "rate.png"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path, monkeypatch):
    monkeypatch.setenv("OPSNN_ARTIFACTS", str(tmp_path / "results"))
    monkeypatch.delenv("OPSNN_STORAGE", raising=False)
    if request.param == "sqlite":
        monkeypatch.delenv("OPSNN_ARTIFACT_STORE", raising=False)
        yield f"sqlite:///{tmp_path / 'store' / 'opsnn.sqlite3'}"
        return
    monkeypatch.setenv("OPSNN_ARTIFACT_STORE", str(tmp_path / "artifacts"))
    with fresh_postgres_database(request.getfixturevalue("postgres_admin_url")) as url:
        yield url


def _study(tmp_path: Path, url: str, name: str, space_text: str = SPACE):
    from opsnn_opt.store import Store
    from opsnn_opt.study import create_study, load_objective, load_space, open_study

    (tmp_path / f"{name}.toml").write_text(space_text)
    (tmp_path / f"{name}-objective.toml").write_text(OBJECTIVE)
    space = load_space(tmp_path / f"{name}.toml")
    objective = load_objective(tmp_path / f"{name}-objective.toml", space.populations)
    store = Store(url)
    create_study(name, space, objective, sampler="random", seed=3, store=store)
    opened = open_study(name, store)
    opened.study.enqueue_trial({"g_exc_nS": 2.0, "input_rate_hz": 3000.0})  # pruned
    opened.study.enqueue_trial({"g_exc_nS": 2.0, "input_rate_hz": 300.0})
    return opened


def _trials(url: str, name: str):
    import optuna

    return optuna.load_study(study_name=name, storage=url).trials  # a fresh reader


def test_the_parts_of_a_trial_add_up_to_its_wall_time(tmp_path, monkeypatch):
    from opsnn_opt.study import Worker
    from opsnn_opt.study.read import time_in_simulator

    monkeypatch.setenv("OPSNN_ARTIFACTS", str(tmp_path / "results"))
    url = f"sqlite:///{tmp_path / 'opsnn.sqlite3'}"
    opened = _study(tmp_path, url, "timed")
    Worker(opened).run(3)
    trials = _trials(url, "timed")
    assert len(trials) == 3
    for t in trials:
        a = t.user_attrs
        wall = (t.datetime_complete - t.datetime_start).total_seconds()
        parts = a["sample_s"] + a["store_s"] + a["run_s"] + a["tell_s"]
        assert a.get("total_s", 0.0) <= a["run_s"]
        print({k: a.get(k) for k in ("sample_s", "store_s", "run_s", "total_s", "tell_s")}, wall)
    for t in trials:
        a = t.user_attrs
        wall = (t.datetime_complete - t.datetime_start).total_seconds()
        parts = a["sample_s"] + a["store_s"] + a["run_s"] + a["tell_s"]
        assert abs(parts - wall) <= 0.02 * wall, (t.number, parts, wall, a)
        assert a["figures_s"] > 0 and a["upload_s"] > 0
    rows = {r.trial_number: r for r in opened.store.runs("timed")}
    assert all(rows[t.number].tell_s == pytest.approx(t.user_attrs["tell_s"]) for t in trials)
    assert all(rows[t.number].sample_s is not None and rows[t.number].figures_s is not None for t in trials)
    line = time_in_simulator(opened)
    assert line.startswith("time in NEST: ") and "; store " in line and "; sampler " in line


@pytest.mark.parametrize("setting", ["all", "best", "failed", "none"])
def test_each_figures_setting_draws_what_it_says(tmp_path, store_url, setting):
    from opsnn_opt.study import Worker

    opened = _study(tmp_path, store_url, f"figs-{setting}", f'figures = "{setting}"\n' + SPACE)
    assert opened.space.figures == setting
    Worker(opened).run(4)
    trials = _trials(store_url, f"figs-{setting}")
    assert [t.state.name for t in trials[:2]] == ["PRUNED", "COMPLETE"]
    best_so_far = float("inf")
    for t in trials:
        files = set(t.user_attrs.get("artifacts") or {})
        drawn = FIGURES <= files
        assert not (files & FIGURES) or drawn, files
        if t.state.name == "COMPLETE":
            assert "results.nix" in files  # the results file is uploaded whatever the setting
        ends_badly = t.state.name in ("FAIL", "PRUNED")
        became_best = t.state.name == "COMPLETE" and t.value < best_so_far
        expected = {
            "all": True,
            "none": False,
            "failed": ends_badly,
            "best": ends_badly or became_best,
        }[setting]
        assert drawn == expected, (setting, t.number, t.state.name, files)
        if t.state.name == "COMPLETE":
            best_so_far = min(best_so_far, t.value)
    folder = opened.artifact_dir
    assert not list(folder.glob("trial-*/.figures.pending.json")) and not list(folder.glob("trial-*/.spikes*"))


def test_a_worker_stopped_with_uploads_pending_leaves_them_for_study_check(tmp_path):
    """SIGTERM while figures are queued: each finished trial has its figures, or a marker that
    ``opsnn study check`` turns into them."""
    from opsnn_opt.cli import main

    url = f"sqlite:///{tmp_path / 'opsnn.sqlite3'}"
    opened = _study(tmp_path, url, "stopped", SPACE.replace("simtime_ms = 200.0", "simtime_ms = 150.0"))
    env = {**os.environ, "OPSNN_ARTIFACTS": str(opened.artifact_dir.parent), "OPSNN_STORAGE": url}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")])
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "opsnn_opt", "worker", "stopped", "--n-trials", "40"], env=env, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # stop it once a few trials are told
        if sum(t.state.is_finished() for t in _trials(url, "stopped")) >= 3:
            break
        time.sleep(0.2)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(120) == 0, (tmp_path / "worker.log").read_text()
    markers = {p.parent.name for p in opened.artifact_dir.glob("trial-*/.figures.pending.json")}
    finished = [
        t
        for t in _trials(url, "stopped")
        if t.state.is_finished() and "stopped by" not in str(t.user_attrs.get("fail_reason"))
    ]
    assert len(finished) >= 3
    for t in finished:
        uploaded = FIGURES <= set(t.user_attrs.get("artifacts") or {})
        assert uploaded or f"trial-{t.number:05d}" in markers, t.number
    assert main(["study", "check", "stopped", "--storage", url]) == 0
    assert not list(opened.artifact_dir.glob("trial-*/.figures.pending.json"))
    for t in _trials(url, "stopped"):
        if t.state.is_finished() and "stopped by" not in str(t.user_attrs.get("fail_reason")):
            assert FIGURES <= set(t.user_attrs.get("artifacts") or {}), t.number


def test_study_check_draws_the_figures_a_dead_worker_left(tmp_path, monkeypatch):
    """A marker left by a worker that is gone (here: written by hand for a told trial)."""
    import json

    from opsnn_opt.study import Worker, check_study

    monkeypatch.setenv("OPSNN_ARTIFACTS", str(tmp_path / "results"))
    url = f"sqlite:///{tmp_path / 'opsnn.sqlite3'}"
    opened = _study(tmp_path, url, "left", 'figures = "none"\n' + SPACE)
    Worker(opened).run(2)
    t = _trials(url, "left")[1]
    assert not FIGURES & set(t.user_attrs["artifacts"])
    folder = opened.artifact_dir / f"trial-{t.number:05d}"
    job = {
        "study": "left",
        "trial_number": t.number,
        "trial_id": t._trial_id,
        "state": "COMPLETE",
        "figures": "all",
        "worker": "gone-host:1",
        "attrs": {"tell_s": 0.01},
    }
    (folder / ".figures.pending.json").write_text(json.dumps(job))
    found = check_study(opened)
    assert [(f.trial, f.repair) for f in found] == [(t.number, "drawn and uploaded")]
    assert FIGURES <= set(_trials(url, "left")[1].user_attrs["artifacts"])


def test_a_sampler_costlier_than_its_trials_is_named_once(caplog):
    from types import SimpleNamespace

    from opsnn_opt.study.trial._tell import Outcome
    from opsnn_opt.study.worker._costs import warn_costly_sampler

    worker = SimpleNamespace(opened=SimpleNamespace(sampler={"name": "gp"}))
    cheap = Outcome("COMPLETE", [1.0], record={"total_s": 1.0}, user_attrs={"sample_s": 0.1})
    costly = Outcome("COMPLETE", [1.0], record={"total_s": 0.2}, user_attrs={"sample_s": 0.9})
    with caplog.at_level("WARNING", logger="opsnn_opt.worker"):
        assert not warn_costly_sampler(worker, cheap)
        assert warn_costly_sampler(worker, costly)
        assert not warn_costly_sampler(worker, costly)  # once
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith("sampler gp: its ask took 0.9 s, more than the 0.2 s run") and "tpe" in line


def test_figures_from_the_command_line_override_the_space(tmp_path, capsys):
    from opsnn_opt.cli import main
    from opsnn_opt.store import Store
    from opsnn_opt.study import open_study

    (tmp_path / "space.toml").write_text('figures = "best"\n' + SPACE)
    (tmp_path / "objective.toml").write_text(OBJECTIVE)
    url = f"sqlite:///{tmp_path / 'opsnn.sqlite3'}"
    common = ["--space", str(tmp_path / "space.toml"), "--objective", str(tmp_path / "objective.toml")]
    assert main(["study", "create", "from-space", *common, "--storage", url]) == 0
    assert main(["study", "create", "from-flag", *common, "--figures", "none", "--storage", url]) == 0
    assert open_study("from-space", Store(url)).space.figures == "best"
    assert open_study("from-flag", Store(url)).space.figures == "none"
    assert main(["study", "run", "from-flag", "--figures", "bogus", "--n-trials", "1", "--storage", url]) == 2
    assert "--figures" in capsys.readouterr().err
    from opsnn_opt.errors import ConfigError
    from opsnn_opt.study.api import open_study as open_api_study

    with pytest.raises(ConfigError, match="figures must be one of all, best, failed, none"):
        open_api_study("from-flag", storage=url).run(1, figures="bogus")
