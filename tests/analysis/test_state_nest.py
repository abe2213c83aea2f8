"""Network-state labels of real NEST runs of the balanced network (1000 cells, seed 2026, 1 s).

The cases include the two that earlier versions labelled AI (issue 21): an asynchronous regular
network at 134 Hz (CV 0.18) and a nearly silent one (0.13 Hz, 88 % of the cells silent, CV nan).
The measures of each are in docs/network_states.md.
"""

from __future__ import annotations

import pytest

from opsnn_opt.backends import get_backend
from opsnn_opt.pipeline import RunSpec, run

SPARSE = {"p_connect": 0.02, "g_exc_nS": 0.9, "g_inh_nS": 100.0}
CASES = {
    "silent": ({"input_rate_hz": 0.0}, "quiescent"),
    "one spike a cell": ({**SPARSE, "input_rate_hz": 240.0}, "undetermined"),  # 0.7 Hz
    "nearly silent": ({**SPARSE, "input_rate_hz": 200.0}, "undetermined"),  # 0.13 Hz, was AI
    "asynchronous regular": ({"p_connect": 0.02, "g_exc_nS": 1.5, "g_inh_nS": 10.0, "input_rate_hz": 5000.0}, "AR"),
}


@pytest.fixture(scope="module")
def backend():
    return get_backend("nest")


@pytest.mark.parametrize("case", list(CASES))
def test_labels_of_real_networks(tmp_path, backend, case):
    params, label = CASES[case]
    spec = RunSpec.create("balanced", {**params, "seed": 2026}, simtime_ms=1000.0, chunk_ms=1000.0)
    d = run(spec, tmp_path, backend=backend).as_dict()
    m = d["metrics"]
    assert d["network_state"] == d["network_state.exc"] == d["network_state.inh"] == label, d
    assert d["network_state.tau_ref"] == "5 ms (model)"  # the balanced network's cells, not Brunel's 2 ms
    assert m["state_tau_ref_ms"] == 5.0 and m["state_tau_ref_default"] == 0.0
    if label == "undetermined":
        assert d["network_state.undetermined"] == "cv_isi" and m["state"] == 6.0
    if m["cv_isi.all"] is None or m["synchrony_chi.all"] is None:  # nan in the JSON
        assert label not in ("AI", "SI", "SR", "AR")  # a nan is never evidence for a state
    if label == "AR":
        assert 120.0 < m["rate_hz.all"] < 150.0  # below the runaway limit 0.8 / 5 ms = 160 Hz
        assert m["cv_isi.all"] < 0.3 and m["synchrony_chi.all"] < 0.23
