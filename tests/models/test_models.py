"""Every registered model: its parameter table, a small run on NEST, and the command line."""

from __future__ import annotations

import json
import math

import pytest

from opsnn_opt.backends import get_backend
from opsnn_opt.cli import main
from opsnn_opt.errors import ConfigError
from opsnn_opt.io import read_block, read_metadata
from opsnn_opt.models import MODELS, get_model
from opsnn_opt.params import Param
from opsnn_opt.pipeline import RunSpec, run
from tests.models.small import SMALL

#: A name ending in one of these must carry that unit.
UNIT_SUFFIXES = {
    "_ms": "ms",
    "_mv": "mV",
    "_nS": "nS",
    "_hz": "Hz",
    "_mm": "mm",
    "_mm_per_ms": "mm/ms",
    "_per_ms": "field/ms",
}


@pytest.fixture(scope="module")
def nest_backend():
    return get_backend("nest")


def test_every_model_has_a_small_configuration():
    assert set(SMALL) == set(MODELS) >= {"balanced", "brunel", "v1_sheet"}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_parameter_tables_are_declarative_with_units(name):
    model = get_model(name)
    for p in model.params.values():
        assert p.doc and len(p.doc) < 100, p.name
        suffix = max((s for s in UNIT_SUFFIXES if p.name.endswith(s)), key=len, default=None)
        if suffix is not None:
            assert p.unit == UNIT_SUFFIXES[suffix], p.name
        if isinstance(p, Param):
            assert p.low <= p.default <= p.high
    assert model.resolve({}, "test") == model.params.defaults()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_builds_and_runs_on_nest(name, tmp_path, nest_backend):
    spec = RunSpec.create(name, SMALL[name], simtime_ms=60.0, chunk_ms=30.0)
    result = run(spec, tmp_path, backend=nest_backend)
    assert result.metrics_unavailable is None and result.resources == {}
    assert result.metrics["rate_hz.all"] > 0 and math.isfinite(result.metrics["rate_hz.exc"])
    meta = read_metadata(result.results_path)
    assert meta["params"] == dict(spec.params) and meta["model"] == name


def test_balanced_stimulus_is_off_by_default_and_adds_a_source_when_on(tmp_path, nest_backend):
    model = get_model("balanced")
    assert model.params["stimulus"].default == "none"
    spec = RunSpec.create(
        "balanced",
        {
            **SMALL["balanced"],
            "stimulus": "pulse",
            "stim_onset_ms": 20.0,
            "stim_radius": 0.3,
            "stim_rate_hz": 2000.0,
            "stim_weight_nS": 20.0,
            "input_rate_hz": 0.0,
        },
        simtime_ms=40.0,
    )
    result = run(spec, tmp_path, backend=nest_backend)
    block = read_block(result.results_path)
    assert block.annotations["stimulus"]["kind"] == "pulse"
    assert result.metrics["rate_hz.exc"] > 0  # only the pulse drives it


def test_unknown_stimulus_lists_the_valid_ones():
    with pytest.raises(ConfigError, match=r"--set: unknown stimulus 'x'; valid stimuli are: none, pulse, dot, events"):
        RunSpec.create("v1_sheet", {"stimulus": "x"})
    with pytest.raises(ConfigError, match=r"unknown value 'maybe' for periodic; valid values are: false, true"):
        RunSpec.create("v1_sheet", {"periodic": "maybe"})
    assert get_model("v1_sheet").resolve({"periodic": True}, "x")["periodic"] == "true"  # a TOML bool


def test_cli_lists_models_with_choices(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "brunel:" in out and "v1_sheet:" in out
    assert "stimulus" in out and "one of: none, pulse, dot, events" in out
    assert main(["models", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert table["brunel"]["params"]["j_mv"]["unit"] == "mV"
    assert table["v1_sheet"]["params"]["stimulus"]["choices"] == ["none", "pulse", "dot", "events"]
    assert table["v1_sheet"]["params"]["sigma_exc_mm"]["low"] > 0


def test_cli_runs_a_model_with_a_stimulus(workdir, capsys):
    argv = ["run", "v1_sheet", "--simtime", "40", "--json", "--out", str(workdir / "out")]
    for k, v in SMALL["v1_sheet"].items():
        argv += ["--set", f"{k}={v}"]
    assert main([*argv, "--set", "stimulus=dot", "--set", "dot_vx_per_ms=0.01"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["params"]["stimulus"] == "dot" and d["params"]["dot_vx_per_ms"] == 0.01
    assert main(["run", "v1_sheet", "--set", "stimulus=flash"]) == 2
    assert "unknown stimulus 'flash'; valid stimuli are: none, pulse, dot, events" in capsys.readouterr().err
    assert main(["run", "v1_sheet", *argv[2:4], "--set", "stimulus=none", "--set", "n_side=20"]) == 0
    assert "stimulus=none" in capsys.readouterr().out  # the readable summary prints text values
    assert list((workdir / "storage" / "runs").glob("v1_sheet-*/results.nix"))
