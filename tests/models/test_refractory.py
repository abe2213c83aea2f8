"""The refractory period the network-state rules use comes from the model (Model.refractory_ms)."""

from __future__ import annotations

import pytest

from opsnn_opt.backends import get_backend
from opsnn_opt.models import get_model
from opsnn_opt.pipeline import RunSpec, run


def _tau_ref(name: str, **values):
    model = get_model(name)
    return model.refractory_ms(model.resolve(values, "test"))


def test_every_built_in_model_states_its_cells_refractory_period():
    assert _tau_ref("balanced") == {"exc": 5.0, "inh": 5.0}  # the Vogels-Abbott cells
    assert _tau_ref("brunel") == {"exc": 2.0, "inh": 2.0}  # Brunel's tau_rp
    assert _tau_ref("brunel", t_ref_ms=3.0) == {"exc": 3.0, "inh": 3.0}
    sheet = get_model("v1_sheet")
    assert set(_tau_ref("v1_sheet")) == set(sheet.populations)


def test_the_example_plug_in_states_its_refractory_period():
    pytest.importorskip("opsnn_ring.model")
    assert _tau_ref("ring") == {"exc": 5.0, "inh": 5.0}


def test_a_plug_in_that_states_none_gets_the_default_and_the_state_says_so(tmp_path):
    spec = RunSpec.create("tests.models.plugin_cases:Pair", {"n": 40}, simtime_ms=200.0)
    d = run(spec, tmp_path, backend=get_backend("nest")).as_dict()
    assert d["metrics"]["state_tau_ref_default"] == 1.0 and d["metrics"]["state_tau_ref_ms"] == 2.0
    assert d["network_state.tau_ref"] == "2 ms (default: the model states none)"


def test_the_results_file_keeps_the_models_refractory_period_for_metrics_computed_later(tmp_path):
    from opsnn_opt.analysis import compute_metrics
    from opsnn_opt.io import read_recording

    spec = RunSpec.create("balanced", {"n_neurons": 200}, simtime_ms=200.0)
    result = run(spec, tmp_path, backend=get_backend("nest"))
    data = read_recording(result.results_path).spike_data()
    assert data.refractory_ms == {"exc": 5.0, "inh": 5.0}
    again = compute_metrics(data, ["state", "state_tau_ref_ms", "state_tau_ref_default"])
    assert again["state_tau_ref_ms"] == 5.0 and again["state_tau_ref_default"] == 0.0
    assert again["state"] == result.metrics["state"]
