"""User metrics: registered from objectives or entry points, computed and stored like built-ins."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from opsnn_opt.analysis import SpikeData, compute_metrics, metric_origin
from opsnn_opt.cli import main
from opsnn_opt.errors import ConfigError
from opsnn_opt.store import Store
from opsnn_opt.study import load_objective

pytestmark = pytest.mark.usefixtures("metric_registry_restored")
PLUGINS = "tests.analysis.plugin_metrics"


def _objective(tmp_path, body: str, plugins: tuple[str, ...] = ("n_spikes", "last_spike_ms")):
    path = tmp_path / "objective.toml"
    refs = ", ".join(f'"{PLUGINS}:{name}"' for name in plugins)
    path.write_text(f"[[plugins]]\nmetrics = [{refs}]\n{body}")
    return path


def _data() -> SpikeData:
    return SpikeData(np.array([1.0, 2.0, 5.0]), np.array([0, 0, 2]), {"exc": (0, 2), "inh": (2, 3)}, 0.0, 10.0)


def test_an_objective_registers_its_metrics_which_then_compute_like_built_ins(tmp_path):
    spec = load_objective(
        _objective(tmp_path, '[[metrics]]\nname = "n_spikes.exc"\ntarget = 2.0\n'), populations=("exc", "inh")
    )
    assert spec.plugins == (f"{PLUGINS}:n_spikes", f"{PLUGINS}:last_spike_ms")
    assert spec.to_dict()["plugins"] == [{"metrics": list(spec.plugins)}]
    assert metric_origin("n_spikes") == f"{PLUGINS}:n_spikes" and metric_origin("rate_hz") == "built-in"
    values = compute_metrics(_data(), ["n_spikes.exc", "n_spikes.inh", "n_spikes.all", "last_spike_ms"])
    assert values == {"n_spikes.exc": 2.0, "n_spikes.inh": 1.0, "n_spikes.all": 3.0, "last_spike_ms": 5.0}
    assert {"n_spikes.all", "last_spike_ms"} <= set(compute_metrics(_data()))  # in the default set too
    with pytest.raises(ConfigError, match=r"metric 'last_spike_ms' is computed from the whole network"):
        load_objective(_objective(tmp_path, '[[metrics]]\nname = "last_spike_ms.exc"\ntarget = 2.0\n'))


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        (
            "rate_hz",
            r"objective.toml \[\[plugins\]\] #1 'metrics': metric 'tests.analysis.plugin_metrics:rate_hz': the name "
            r"'rate_hz' clashes with the built-in metric 'rate_hz'",
        ),
        ("nothing_here", r"metric 'tests.analysis.plugin_metrics:nothing_here': tests.analysis.plugin_metrics has no"),
    ],
)
def test_a_bad_metric_plugin_is_one_line_with_exit_2(tmp_path, capsys, plugin, message, tiny_specs):
    space, _ = tiny_specs
    objective = _objective(tmp_path, '[[metrics]]\nname = "rate_hz.exc"\ntarget = 2.0\n', (plugin,))
    code = main(["study", "create", "x", "--space", str(space), "--objective", str(objective)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert re.search(message, err)


def test_an_unknown_metrics_module_says_what_to_install(tmp_path):
    path = tmp_path / "o.toml"
    path.write_text('[[plugins]]\nmetrics = ["my_lab.metrics:burst"]\n[[metrics]]\nname = "burst.exc"\ntarget = 1.0\n')
    with pytest.raises(ConfigError, match=r"no module named 'my_lab' on this host; install the package"):
        load_objective(path)


def test_a_failing_user_metric_names_itself():
    from opsnn_opt.analysis import MetricError, load_metric

    load_metric(f"{PLUGINS}:explodes", "test")
    load_metric(f"{PLUGINS}:words", "test")
    with pytest.raises(MetricError, match=rf"metric 'explodes' \({PLUGINS}:explodes\) failed: ZeroDivisionError"):
        compute_metrics(_data(), ["explodes.exc"])
    with pytest.raises(MetricError, match=r"metric 'words' .* returned 'many', not a number"):
        compute_metrics(_data(), ["words.all"])


def _run_worker(capsys, name: str, space, objective, n: int, *extra: str) -> list:
    assert main(["study", "create", name, "--space", str(space), "--objective", str(objective), *extra]) == 0
    assert main(["worker", name, "--n-trials", str(n)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return sorted(Store().runs(name), key=lambda r: r.trial_number)


def test_a_user_metric_as_objective_constraint_and_prune_rule(workdir, tiny_specs, capsys, tmp_path):
    space, _ = tiny_specs
    scored = _objective(
        tmp_path,
        '[[metrics]]\nname = "n_spikes.exc"\ntarget = 0.0\nscale = 100.0\n'
        '[[constraints]]\nmetric = "n_spikes.all"\nmin = 1.0\n',
    )
    runs = _run_worker(capsys, "scored", space, scored, 2, "--sampler", "random")
    assert [r.state for r in runs] == ["COMPLETE", "COMPLETE"]
    for r in runs:
        assert r.metrics["n_spikes.exc"] > 0 and r.objective_values == [pytest.approx(r.metrics["n_spikes.exc"] / 100)]
    import optuna

    trials = optuna.load_study(study_name="scored", storage=Store().url).trials
    assert all(t.user_attrs["n_spikes.all"] >= t.user_attrs["n_spikes.exc"] > 0 for t in trials)
    assert all(t.constraints == {"n_spikes.all in [1, inf]": 0.0} for t in trials)  # feasible: it spiked

    pruned = _objective(
        tmp_path,
        '[[metrics]]\nname = "n_spikes.exc"\ntarget = 0.0\n[[prune]]\nmetric = "n_spikes.all"\nmax = 0.0\nafter_ms = 50.0\n',
    )
    runs = _run_worker(capsys, "pruned", space, pruned, 1)
    assert runs[0].state == "PRUNED" and "n_spikes.all = " in runs[0].fail_reason
    assert "outside [-inf, 0] at 50 ms" in runs[0].fail_reason

    failing = _objective(tmp_path, '[[metrics]]\nname = "explodes.exc"\ntarget = 0.0\n', ("explodes",))
    runs = _run_worker(capsys, "failing", space, failing, 2)
    assert [r.state for r in runs] == ["FAIL", "FAIL"]  # and the study went on to the second trial
    assert runs[0].fail_reason.startswith(
        f"MetricError: metric 'explodes' ({PLUGINS}:explodes) failed: ZeroDivisionError"
    )


def test_opsnn_metrics_lists_units_and_origins(tmp_path, capsys):
    assert main(["metrics"]) == 0
    out = capsys.readouterr().out
    assert "rate_hz.POPULATION" in out and "burst_index.POPULATION" in out and "[opsnn-ring 0.1.0" in out
    assert (
        main(
            [
                "metrics",
                "--json",
                "--objective",
                str(_objective(tmp_path, '[[metrics]]\nname = "n_spikes.exc"\ntarget = 1.0\n')),
            ]
        )
        == 0
    )
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)["metrics"]}
    assert rows["last_spike_ms"]["unit"] == "ms" and rows["last_spike_ms"]["origin"] == f"{PLUGINS}:last_spike_ms"
    assert rows["rate_hz.POPULATION"]["origin"] == "built-in"


def test_a_broken_or_clashing_metric_entry_point_is_named(tmp_path):
    info = tmp_path / "broken_metrics-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-metrics\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        f"[opsnn_opt.metrics]\ngone = no_such_module_xyz:f\nrate_hz = {PLUGINS}:rate_hz\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.getcwd()])}
    out = subprocess.run([sys.executable, "-m", "opsnn_opt", "metrics"], capture_output=True, text=True, env=env)
    assert out.returncode == 2 and "burst_index.POPULATION" in out.stdout and "rate_hz.POPULATION" in out.stdout
    errors = out.stderr.strip().splitlines()
    assert len(errors) == 2
    assert "metric 'gone' from broken-metrics 0.1 (entry point no_such_module_xyz:f) cannot be imported" in errors[0]
    assert "the name 'rate_hz' clashes with the built-in metric 'rate_hz'" in errors[1]
