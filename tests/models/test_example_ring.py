"""The example plug-in package (examples/opsnn_ring), installed, driven as a user would drive it."""

from __future__ import annotations

import json
import math

import pytest

import opsnn_opt as op
from opsnn_opt.cli import main
from opsnn_opt.store import Store

SMALL_RING = {"n_exc": 80, "n_inh": 20, "circumference_mm": 4.0, "kick_ms": 10.0}

SPACE = """
model = "ring"
simtime_ms = 60.0
chunk_ms = 30.0

[fixed]
n_exc = 80
n_inh = 20
circumference_mm = 4.0
kick_ms = 10.0

[params.g_exc_nS]
choices = [3.0, 5.0]
"""

OBJECTIVE = """
missing = 1.0

[[metrics]]
name = "burst_index.exc"
target = 0.2

[[constraints]]
metric = "rate_hz.exc"
max = 500.0
"""


def test_the_example_package_is_installed():
    try:
        import opsnn_ring  # noqa: F401
    except ImportError:
        pytest.fail("the example plug-in package is not installed: run make install")


def test_opsnn_run_drives_the_example_model_and_metric(tmp_path, capsys):
    sets = [f"--set={k}={v}" for k, v in SMALL_RING.items()]
    assert main(["run", "ring", *sets, "--simtime", "60", "--out", str(tmp_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"] == "ring" and out["metrics"]["rate_hz.exc"] > 0
    assert "burst_index.exc" in out["metrics"] and "burst_index.all" in out["metrics"]
    # Positions and the kick's place reach the spatial metrics: a fit, not nan.
    assert out["metrics"]["wave_fit_r2"] is not None and math.isfinite(out["metrics"]["wave_fit_r2"])


@pytest.mark.slow
def test_a_two_worker_study_of_the_example(workdir, storage_url, capsys, tmp_path):
    (tmp_path / "space.toml").write_text(SPACE)
    (tmp_path / "objective.toml").write_text(OBJECTIVE)
    store = ["--storage", storage_url]
    files = ["--space", str(tmp_path / "space.toml"), "--objective", str(tmp_path / "objective.toml")]
    assert main(["study", "create", "ring", *files, "--sampler", "grid", *store]) == 0
    assert main(["study", "run", "ring", "--n-trials", "2", "--workers", "2", *store]) == 0, capsys.readouterr().err
    runs = Store(storage_url).runs("ring")
    assert sorted(r.params["g_exc_nS"] for r in runs) == [3.0, 5.0]
    assert all(r.state == "COMPLETE" and r.model == "ring" and "burst_index.exc" in r.metrics for r in runs)


@pytest.mark.slow
def test_the_python_api_drives_the_example(workdir):
    space = op.SearchSpace(
        "ring", simtime_ms=60.0, chunk_ms=30.0, fixed=SMALL_RING, params={"g_exc_nS": op.Uniform(3.0, 5.0, unit="nS")}
    )
    objective = op.Objective(metrics=[op.Target("burst_index.exc", 0.2)], missing=1.0)
    study = op.create_study("ring-api", space, objective, sampler="random", seed=1)
    study.run(n_trials=2, workers=2, echo=lambda line: None)
    rows = study.trials()
    assert [r["state"] for r in rows] == ["COMPLETE", "COMPLETE"]
    assert all("burst_index.exc" in r for r in rows) and study.best() is not None
