"""SpiNNaker through sPyNNaker on the virtual board: constraints, config location, mapping every model."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from opsnn_opt.backends import get_backend
from opsnn_opt.backends._spinnaker import (
    CELL_TYPES,
    MAX_DELAY_STEPS,
    MAX_ROW_SYNAPSES,
    NEURONS_PER_CORE,
    SpinnakerBackend,
    row_synapses,
)
from opsnn_opt.cli import main
from opsnn_opt.errors import ConfigError
from opsnn_opt.io import read_metadata
from opsnn_opt.models import MODELS
from opsnn_opt.models._base import ConnectionRule, Model, Network
from opsnn_opt.params import Param, ParamTable
from opsnn_opt.pipeline import RunSpec, run
from tests.models.small import SMALL


@pytest.fixture
def clean_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty home and config dir: sPyNNaker would write its ~/.spynnaker.cfg here."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("OPSNN_SPINNAKER_CFG", raising=False)
    return home


def test_cell_types_are_the_ones_spynnaker_has():
    import spynnaker.pyNN as spinnaker

    assert all(hasattr(spinnaker, name) for name in CELL_TYPES)
    assert not hasattr(spinnaker, "EIF_cond_exp_isfa_ista")


class _Exotic(Model):
    name = "exotic"
    summary = "a model with a cell type sPyNNaker lacks"
    populations = ("exc",)
    params = ParamTable(Param("delay_ms", "ms", 1.0, 0.01, 100.0, "delay"))

    def cell_types(self, params):
        return ("EIF_cond_exp_isfa_ista",)

    def build(self, sim, params):
        return Network({"exc": sim.Population(1, sim.EIF_cond_exp_isfa_ista())})


@pytest.mark.parametrize(
    ("model", "values", "timestep_ms", "message"),
    [
        ("brunel", {}, 0.05, r"the spinnaker backend needs timestep_ms >= 0.1 ms; got 0.05"),
        (
            "brunel",
            {"delay_ms": 1.55},
            0.1,
            r"on spinnaker delay_ms must be a whole multiple of the time step "
            r"\(0.1 ms\); got 1.55",
        ),
        (
            "brunel",
            {"delay_ms": 20.0},
            0.1,
            rf"on spinnaker delays must be <= {MAX_DELAY_STEPS} time steps "
            r"\(= 14.4 ms at 0.1 ms\), but brunel would use up to 20 ms",
        ),
        ("v1_sheet", {"delay_min_ms": 0.5}, 1.0, r"delay_min_ms must be >= the time step \(1 ms\); got 0.5"),
        ("v1_sheet", {"conduction_speed_mm_per_ms": 0.05}, 0.1, r"on spinnaker delays must be <= 144 time steps"),
        (
            "brunel",
            {"scale": 0.12},
            0.1,
            r"on spinnaker a synaptic row \(one source cell onto one core of 256 target cells\) holds at most "
            r"256 synapses, but brunel's exc_exc connections \(fixed_indegree 1000, 1200 -> 1200 cells\) need "
            r"rows of up to 358 synapses with these parameters",
        ),
    ],
)
def test_what_spinnaker_cannot_run_is_refused_before_mapping(model, values, timestep_ms, message):
    with pytest.raises(ConfigError, match=message):
        RunSpec.create(model, values, backend="spinnaker", timestep_ms=timestep_ms)


@pytest.mark.parametrize(
    ("connector", "rule", "value", "n_pre", "n_post"),
    [
        ("FixedNumberPreConnector", "fixed_indegree", 1000, 1200, 1200),  # brunel at scale 0.12: 358
        ("FixedNumberPreConnector", "fixed_indegree", 250, 300, 1200),
        ("FixedNumberPreConnector", "fixed_indegree", 40, 400, 100),
        ("FixedProbabilityConnector", "fixed_probability", 0.9, 1200, 1200),
        ("FixedProbabilityConnector", "fixed_probability", 0.02, 800, 200),
    ],
)
def test_row_sizes_are_spynnakers_own_estimates(connector, rule, value, n_pre, n_post):
    from types import SimpleNamespace

    from spynnaker.pyNN.models.neural_projections import connectors
    from spynnaker.pyNN.models.neuron.abstract_pynn_neuron_model import DEFAULT_MAX_ATOMS_PER_CORE
    from spynnaker.pyNN.utilities.constants import POP_TABLE_MAX_ROW_LENGTH

    assert (MAX_ROW_SYNAPSES, NEURONS_PER_CORE) == (POP_TABLE_MAX_ROW_LENGTH, DEFAULT_MAX_ATOMS_PER_CORE)
    # Only the sizes of the two populations enter sPyNNaker's estimate.
    info = SimpleNamespace(n_pre_neurons=n_pre, n_post_neurons=n_post)
    theirs = getattr(connectors, connector)(value).get_n_connections_from_pre_vertex_maximum(
        min(DEFAULT_MAX_ATOMS_PER_CORE, n_post), info
    )
    assert row_synapses(ConnectionRule("x", n_pre, n_post, rule, value)) == theirs


def test_a_missing_cell_type_is_named():
    backend = SpinnakerBackend()
    with pytest.raises(
        ConfigError,
        match=r"exotic uses EIF_cond_exp_isfa_ista, which the spinnaker backend lacks; "
        r"valid cell types are: IF_curr_exp, IF_cond_exp",
    ):
        backend.check_model(_Exotic(), {"delay_ms": 1.0}, 0.1, "test")


def test_config_goes_to_the_run_folder_never_home(tmp_path, clean_home):
    backend = SpinnakerBackend()
    backend.use_folder(tmp_path / "run")
    sim = backend.setup(timestep_ms=1.0, seed=1)
    try:
        with pytest.raises(ConfigError, match=r"the spinnaker backend has no cell type 'EIF_cond_exp_isfa_ista'"):
            sim.EIF_cond_exp_isfa_ista()
        pop = sim.Population(10, sim.IF_curr_exp(), label="cells")
        sim.Projection(pop, pop, sim.FixedProbabilityConnector(0.2, rng=sim.NativeRNG()), sim.StaticSynapse())
        backend.run(10.0)
    finally:
        backend.end()
    cfg = (tmp_path / "run" / "spinnaker" / "spynnaker.cfg").read_text()
    assert "virtual_board = True" in cfg and "default_report_file_path" in cfg
    assert not list(clean_home.rglob("*.cfg")) and Path.cwd() != tmp_path / "run" / "spinnaker"
    assert backend.data_unavailable.startswith("virtual SpiNNaker board")
    assert backend.resources()["cores_used"] >= 1


def test_a_config_naming_a_machine_turns_the_virtual_board_off(tmp_path, clean_home, monkeypatch):
    extra = tmp_path / "board.cfg"
    extra.write_text("[Machine]\nmachineName = 192.168.240.253\nversion = 5\n\n[Reports]\nextract_iobuf = True\n")
    monkeypatch.setenv("OPSNN_SPINNAKER_CFG", str(extra))
    backend = get_backend("spinnaker")
    backend.write_config(tmp_path / "run")
    text = (tmp_path / "run" / "spynnaker.cfg").read_text()
    assert "virtual_board" not in text and "machinename = 192.168.240.253" in text
    assert "extract_iobuf = True" in text and backend.data_unavailable is None
    monkeypatch.setenv("OPSNN_SPINNAKER_CFG", str(tmp_path / "nope.cfg"))
    with pytest.raises(ConfigError, match=r"OPSNN_SPINNAKER_CFG: no SpiNNaker config file at"):
        get_backend("spinnaker").write_config(tmp_path / "run2")


@pytest.fixture(scope="module")
def spinnaker_backend():
    return get_backend("spinnaker")


@pytest.mark.parametrize(
    ("name", "values"),
    [*((name, SMALL[name]) for name in sorted(MODELS)), ("ring", {"n_exc": 80, "n_inh": 20, "kick_ms": 5.0})],
)
def test_every_model_maps_on_the_virtual_board(name, values, tmp_path, spinnaker_backend):
    """The built-ins, and the example plug-in (examples/opsnn_ring) with its own connectivity."""
    spec = RunSpec.create(name, values, backend="spinnaker", simtime_ms=20.0, chunk_ms=20.0)
    result = run(spec, tmp_path, backend=spinnaker_backend)
    assert all(math.isnan(v) for v in result.metrics.values())  # no data, no invented numbers
    assert "virtual SpiNNaker board" in result.metrics_unavailable
    res = result.resources
    assert res["virtual_board"] is True and res["cores_used"] >= 2 and res["chips_used"] >= 1
    assert res["machine_chips"] == 48 and res["mapping_s"] > 0
    meta = read_metadata(result.results_path)
    assert meta["metrics_unavailable"] == result.metrics_unavailable and meta["resources"] == res
    assert (tmp_path / "spinnaker" / "spynnaker.cfg").is_file()


def test_cli_reports_resources_and_unavailable_metrics(workdir, capsys, monkeypatch):
    monkeypatch.delenv("OPSNN_SPINNAKER_CFG", raising=False)
    assert (
        main(
            [
                "run",
                "brunel",
                "--backend",
                "spinnaker",
                "--simtime",
                "10",
                "--json",
                "--out",
                "out",
                *[f"--set={k}={v}" for k, v in SMALL["brunel"].items()],
            ]
        )
        == 0
    )
    d = json.loads(capsys.readouterr().out)  # sPyNNaker's chatter stays out of stdout
    assert d["backend"] == "spinnaker" and set(d["metrics"].values()) == {None}
    assert d["metrics_unavailable"].startswith("virtual SpiNNaker board") and d["resources"]["cores_used"] >= 2
    assert (workdir / "out" / "spinnaker" / "spinnaker.log").is_file()
