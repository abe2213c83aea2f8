"""Studies from Python: the same validation and messages as the files, stored the same way, and a
model and metric defined in a script run by local workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import opsnn_opt as op
from opsnn_opt.errors import ConfigError
from opsnn_opt.study import load_objective, load_space
from tests.conftest import TINY_OBJECTIVE, TINY_SPACE

pytestmark = pytest.mark.usefixtures("metric_registry_restored")


def _tiny_space(**changes):
    params = {"g_exc_nS": op.LogUniform(1.0, 6.0, unit="nS"), "input_rate_hz": op.Choices([300.0, 800.0])}
    return op.SearchSpace(
        "balanced",
        simtime_ms=200.0,
        chunk_ms=50.0,
        fixed={"n_neurons": 60, "p_connect": 0.1, "seed": 7},
        params={**params, **changes},
    )


def _tiny_objective():
    return op.Objective(
        metrics=[op.Target("rate_hz.exc", 5.0, scale=5.0), op.Target("cv_isi.exc", 1.0, scale=0.25)],
        missing=5.0,
        constraints=[op.Constraint("rate_hz.exc", max=1000.0)],
    )


def test_python_specs_equal_the_files(tmp_path):
    (tmp_path / "s.toml").write_text(TINY_SPACE)
    (tmp_path / "o.toml").write_text(TINY_OBJECTIVE)
    assert _tiny_space().to_dict() == load_space(tmp_path / "s.toml").to_dict()
    assert _tiny_objective().to_dict() == load_objective(tmp_path / "o.toml").to_dict()


def test_the_python_types_are_the_files_types(tmp_path):
    from opsnn_opt.study import spec

    assert op.Constraint is spec.Constraint and op.Prune is spec.PruneRule
    assert isinstance(op.Uniform(1.0, 2.0), spec.FreeParam) and isinstance(op.Choices([1, 2]), spec.FreeParam)
    assert op.Target("rate_hz.exc", 5.0, scale=5.0) == spec.MetricTerm("rate_hz.exc", 1.0, 5.0, 5.0)
    assert op.Maximize("rate_hz.exc").direction == "maximize"
    (tmp_path / "o.toml").write_text(TINY_OBJECTIVE)
    from_file = load_objective(tmp_path / "o.toml")
    assert from_file.terms == _tiny_objective().terms and from_file.constraints == _tiny_objective().constraints
    (tmp_path / "s.toml").write_text(TINY_SPACE)
    assert load_space(tmp_path / "s.toml").free == _tiny_space().free


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: _tiny_space(g_exc_nS=op.Uniform(6.0, 1.0)),
            r"SearchSpace\(...\) \[params.g_exc_nS\]: low < high must hold, but got \(low=6, high=1\)",
        ),
        (
            lambda: _tiny_space(g_exc_nS=op.LogUniform(1.0, 6.0, unit="mS")),
            r"SearchSpace\(...\) \[params.g_exc_nS\]: 'unit' must be 'nS' \(the model's unit for g_exc_nS\); got 'mS'",
        ),
        (
            lambda: _tiny_space(g_exc_nS=3.0),
            r"SearchSpace\(...\) params\['g_exc_nS'\] must be Uniform\(...\) or LogUniform\(...\) or Choices\(...\); "
            r"got 3.0",
        ),
        (lambda: _tiny_space(g_ext=op.Uniform(1, 2)), r"unknown parameter 'g_ext' for model 'balanced'"),
        (
            lambda: op.Objective(metrics=[op.Target("rate_hz.exc", 5.0, scale=-1.0)]),
            r"Objective\(...\) \[\[metrics\]\] #1: 'scale' must be a number in \(0, inf\); got -1.0",
        ),
        (lambda: op.Objective(metrics=["rate_hz.exc"]), r"Objective\(...\) metrics\[0\] must be Target\(...\)"),
        (
            lambda: op.create_study("x", _tiny_space(), op.Objective(metrics=[op.Target("rate_hz.l4", 5.0)])),
            r"metric 'rate_hz.l4' needs a population suffix, one of: exc, inh, all",
        ),
    ],
)
def test_bad_python_specs_get_the_messages_of_the_files(make, message, workdir):
    with pytest.raises(ConfigError, match=message):
        make()
    assert not (workdir / "storage").exists()  # nothing was created


def test_a_study_made_in_python_runs_and_reads_back(workdir):
    study = op.create_study("py", _tiny_space(), _tiny_objective(), sampler="random", seed=3)
    lines: list[str] = []
    study.run(n_trials=2, workers=1, echo=lines.append)
    assert len([line for line in lines if "state=COMPLETE" in line]) == 2
    best = study.best()
    assert best is not None and set(best) == {"trial", "values", "params", "metrics", "results_path"}
    assert best["metrics"]["rate_hz.exc"] > 0 and Path(best["results_path"]).is_file()
    rows = op.open_study("py").trials()
    try:
        import pandas  # noqa: F401
    except ImportError:
        assert [r["state"] for r in rows] == ["COMPLETE", "COMPLETE"]
        assert {"g_exc_nS", "rate_hz.exc", "build_s", "sim_s", "total_s", "note"} <= set(rows[0])
    else:
        assert list(rows["state"]) == ["COMPLETE", "COMPLETE"]


_SCRIPT = '''
import sys

import opsnn_opt as op
from opsnn_opt.analysis import SpikeData, metric
from opsnn_opt.models import Network
from tests.models.plugin_cases import Pair


class ScriptPair(Pair):
    """Pair, defined in the study script."""


@metric(unit="")
def spikes_per_cell(data: SpikeData) -> float:
    """Spikes per neuron."""
    return data.times_ms.size / data.n_neurons


if __name__ == "__main__":
    space = op.SearchSpace(ScriptPair, simtime_ms=60.0, chunk_ms=30.0, params={{"n": op.Choices([20, 30])}})
    objective = op.Objective(
        metrics=[op.Target("spikes_per_cell.exc", 1.0)],
        plugins=[spikes_per_cell],
        constraints=[op.Constraint("spikes_per_cell.all", min=0.0)],
    )
    study = op.create_study("script", space, objective, storage=sys.argv[1], sampler="grid")
    study.run(n_trials=2, workers=2, echo=lambda line: None)
    print(json.dumps([r["state"] for r in study.trials()]))
'''


@pytest.mark.slow
def test_a_model_and_metric_in_a_script_run_on_two_local_workers(workdir, storage_url):
    script = workdir / "study_script.py"
    script.write_text("import json\n" + textwrap.dedent(_SCRIPT.format()))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2]), os.environ.get("PYTHONPATH", "")]),
    }
    out = subprocess.run(
        [sys.executable, str(script), storage_url], capture_output=True, text=True, env=env, cwd=workdir, timeout=600
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["COMPLETE", "COMPLETE"]

    opened = op.open_study("script", storage=storage_url)
    assert opened._opened.space.model == f"{script}:ScriptPair"
    trials = opened.optuna_study.trials
    assert all(t.user_attrs["spikes_per_cell.exc"] > 0 for t in trials)

    # A host without the script: the error names the file and what to do.
    script.rename(workdir / "moved.py")
    with pytest.raises(ConfigError, match=rf"no file {script} on this host; copy it there at the same path"):
        op.open_study("script", storage=storage_url)
