"""Model plug-ins: found by reference or entry point, checked like built-ins, every bad one named."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from opsnn_opt.backends import get_backend
from opsnn_opt.cli import main
from opsnn_opt.errors import ConfigError
from opsnn_opt.models import available_models, get_model, model_reference
from opsnn_opt.pipeline import RunSpec, run
from tests.models.plugin_cases import Pair
from tests.models.small import SMALL

CASES = "tests.models.plugin_cases"


def _error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (
            "no_such_pkg.nets:Ring",
            r"model: model 'no_such_pkg.nets:Ring': no module named 'no_such_pkg' on this host; install the "
            r"package that provides it, or put the folder that holds it on PYTHONPATH",
        ),
        (f"{CASES}:Rung", rf"model: model '{CASES}:Rung': {CASES} has no 'Rung'"),
        (
            f"{CASES}:NoTable",
            rf"model '{CASES}:NoTable' has no parameter table: set the class attribute "
            r"params = ParamTable\(Param\(...\), ...\); got params = None",
        ),
        (
            f"{CASES}:BadTable",
            rf"model '{CASES}:BadTable' has a malformed parameter table: delay_ms must be Param, Choice or Text",
        ),
        (f"{CASES}:NotAModel", rf"model '{CASES}:NotAModel' must be a subclass of opsnn_opt.models.Model"),
        (
            "tests.models.plugin_bad_default:OutOfRange",
            r"model 'tests.models.plugin_bad_default:OutOfRange': importing tests.models.plugin_bad_default failed: "
            r"ValueError: n: default 50 outside \[1, 10\]",
        ),
        ("/nowhere/ring.py:Ring", r"no file /nowhere/ring.py on this host; copy it there at the same path"),
        ("ring.py", r"unknown model 'ring.py'; valid models are: balanced, brunel, v1_sheet, ring"),
        ("a:b:", r"model must be 'package.module:Name' or 'path/to/file.py:Name'; got 'a:b:'"),
    ],
)
def test_a_bad_plugin_is_one_line_with_exit_2_and_nothing_runs(model, message, capsys, tmp_path):
    assert main(["run", model, "--out", str(tmp_path / "out"), "--simtime", "10"]) == 2
    assert re.search(message, _error_line(capsys))
    assert not (tmp_path / "out").exists()


def test_a_build_that_returns_no_network_is_refused(capsys, tmp_path):
    assert main(["run", f"{CASES}:NotANetwork", "--out", str(tmp_path), "--simtime", "10"]) == 2
    assert (
        f"model '{CASES}:NotANetwork': build(sim, params) must return an opsnn_opt.models.Network; got dict"
        in _error_line(capsys)
    )
    assert not list(tmp_path.glob("results*"))


def test_a_plugin_gets_the_checks_of_a_built_in():
    with pytest.raises(ConfigError, match=r"--set: n must be an int in \[2, 1000\] \(no unit\); got 1"):
        RunSpec.create(f"{CASES}:Pair", {"n": 1})
    with pytest.raises(ConfigError, match=r"delay_ms must be >= the time step \(0.5 ms\); got 0.1"):
        RunSpec.create(f"{CASES}:Pair", {"delay_ms": 0.1}, timestep_ms=0.5)


def test_a_plugin_class_is_named_by_its_reference():
    assert model_reference(Pair) == f"{CASES}:Pair"
    assert model_reference(get_model("balanced").__class__) == "balanced"
    model = get_model(f"{CASES}:Pair")
    assert model.name == f"{CASES}:Pair" and model.summary.startswith("Two populations")


def test_a_plugin_runs_like_a_built_in_and_gives_the_same_results(tmp_path):
    backend = get_backend("nest")
    results = {}
    for name in ("balanced", "opsnn_opt.models._balanced:Balanced"):
        spec = RunSpec.create(name, SMALL["balanced"], simtime_ms=60.0, chunk_ms=30.0)
        results[name] = run(spec, tmp_path / name.replace(":", "_"), backend=backend).metrics
    builtin, plugin = results.values()
    assert builtin.keys() == plugin.keys() and builtin["rate_hz.all"] > 0
    assert all(
        math.isclose(builtin[k], plugin[k]) or (math.isnan(builtin[k]) and math.isnan(plugin[k])) for k in builtin
    )


def test_a_model_in_a_script_is_imported_from_its_file(tmp_path, capsys):
    script = tmp_path / "my_net.py"
    script.write_text(
        "from tests.models.plugin_cases import Pair\n\n"
        "class MyPair(Pair):\n    '''Pair, from a script.'''\n\n"
        "if __name__ == '__main__':\n    raise SystemExit('a worker must not run the script')\n"
    )
    assert main(["run", f"{script}:MyPair", "--out", str(tmp_path / "out"), "--simtime", "20", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"] == f"{script}:MyPair" and out["metrics"]["rate_hz.exc"] > 0


def test_the_example_package_is_found_through_its_entry_point(capsys):
    entries = {e.name: e for e in available_models()}
    assert list(entries)[:3] == ["balanced", "brunel", "v1_sheet"] and entries["balanced"].origin == "built-in"
    assert "opsnn-ring 0.1.0 (entry point opsnn_ring.model:Ring)" == entries["ring"].origin, (
        "the example plug-in is not installed: run make install"
    )
    assert get_model("ring").name == "ring"
    assert main(["models"]) == 0
    listing = capsys.readouterr().out
    assert "ring: example plug-in: E/I ring" in listing and "[opsnn-ring 0.1.0" in listing
    assert main(["models", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ring"]["origin"].startswith("opsnn-ring")


def _fake_distribution(root: Path, entry_points: str) -> dict[str, str]:
    """A distribution with these entry points, found through PYTHONPATH."""
    info = root / "broken_plugins-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugins\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(entry_points)
    path = os.pathsep.join([str(root), str(Path.cwd())])
    return {**os.environ, "PYTHONPATH": path}


def test_a_broken_entry_point_is_named_without_hiding_the_others(tmp_path):
    env = _fake_distribution(
        tmp_path,
        "[opsnn_opt.models]\nbroken = no_such_module_xyz:Net\nbalanced = tests.models.plugin_cases:Pair\n",
    )
    out = subprocess.run([sys.executable, "-m", "opsnn_opt", "models"], capture_output=True, text=True, env=env)
    assert out.returncode == 2
    assert "ring: example plug-in" in out.stdout and "balanced: Vogels-Abbott" in out.stdout
    errors = out.stderr.strip().splitlines()
    assert len(errors) == 2
    assert (
        "model 'broken' (entry point 'no_such_module_xyz:Net' of broken-plugins 0.1) cannot be imported: "
        "ModuleNotFoundError: No module named 'no_such_module_xyz'" in errors[1]
    )
    assert "the name clashes with the built-in model 'balanced'" in errors[0]
    run_broken = subprocess.run(
        [sys.executable, "-m", "opsnn_opt", "run", "broken", "--simtime", "10", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert run_broken.returncode == 2 and len(run_broken.stderr.strip().splitlines()) == 1
    assert "model 'broken' (entry point" in run_broken.stderr and not (tmp_path / "o").exists()


def test_a_delay_outside_the_declared_range_is_explained(capsys, tmp_path):
    assert main(["run", f"{CASES}:ShortDelay", "--out", str(tmp_path), "--simtime", "10"]) == 1
    assert "every delay must lie within delays_ms(params) = (1.0, 1.0) ms" in _error_line(capsys)
