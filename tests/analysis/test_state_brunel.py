"""The Brunel (2000) regimes of Fig. 8, simulated on NEST at reduced size, get the right labels.

No single small network shows all four states (see the ``brunel`` model's docstring), so two
reductions are used, both keeping the paper's mean input C_E·J = 100 mV:

* ``SMALL``: N_E = 1000 with the in-degree cut to C_E = 100 and J = 1 mV, so the network stays
  sparse (C/N = 0.1): its AI state is asynchronous, but its fast SI rhythm is lost (fewer,
  larger inputs are noisier).
* ``DENSE``: N_E = 1000 with C_E = 500 and J = 0.2 mV (C/N = 0.5): closer to the paper's
  in-degree, it keeps the fast SI rhythm, but shared inputs correlate its AI state (χ ≈ 0.3:
  read as SI).

The first 100 ms (the start from random V_m) are dropped.
"""

from __future__ import annotations

import pytest

from opsnn_opt.analysis import classify_state
from opsnn_opt.backends import get_backend
from opsnn_opt.io import read_block, spike_data_from_block
from opsnn_opt.models import MODELS
from opsnn_opt.pipeline import RunSpec, run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif("brunel" not in MODELS, reason="the brunel model is not in this checkout"),
]

SMALL = {"epsilon": 0.01, "j_mv": 1.0, "scale": 0.1}
DENSE = {"epsilon": 0.05, "j_mv": 0.2, "scale": 0.1}
TRANSIENT_MS = 100.0


@pytest.fixture(scope="module")
def backend():
    return get_backend("nest")


def _state(tmp_path, backend, g: float, eta: float, reduction: dict, simtime_ms: float):
    spec = RunSpec.create(
        "brunel",
        {"g": g, "eta": eta, "seed": 1, **reduction},
        simtime_ms=simtime_ms,
        chunk_ms=simtime_ms,
        record_v_cells=0,
    )
    result = run(spec, tmp_path, backend=backend)
    data = spike_data_from_block(read_block(result.results_path)).window(TRANSIENT_MS, simtime_ms)
    return classify_state(data)


def test_synchronous_regular(tmp_path, backend):
    state = _state(tmp_path, backend, 3.0, 2.0, SMALL, 300.0)
    assert state.label == "SR", state
    assert state.cv_isi < 0.1


def test_asynchronous_irregular(tmp_path, backend):
    state = _state(tmp_path, backend, 5.0, 2.0, SMALL, 600.0)
    assert state.label == "AI", state


def test_synchronous_irregular_fast(tmp_path, backend):
    state = _state(tmp_path, backend, 6.0, 4.0, DENSE, 300.0)
    assert state.label == "SI", state
    assert 120.0 < state.osc_peak_hz < 250.0  # the paper's fast rhythm is near 180 Hz


def test_synchronous_irregular_slow(tmp_path, backend):
    state = _state(tmp_path, backend, 4.5, 0.9, SMALL, 600.0)
    assert state.label == "SI", state
    assert state.osc_peak_hz < 60.0  # slow: set by the membrane time constant
