"""Brunel (2000): the paper's parameters, its connectivity, and its four regimes at reduced scale."""

from __future__ import annotations

import numpy as np
import pytest

from opsnn_opt.analysis._irregularity import cv_isi
from opsnn_opt.backends import get_backend
from opsnn_opt.errors import ConfigError
from opsnn_opt.io import read_block, spike_data_from_segment
from opsnn_opt.models import get_model
from opsnn_opt.pipeline import RunSpec, run
from tests.models.small import SMALL


@pytest.fixture(scope="module")
def nest_backend():
    return get_backend("nest")


def test_defaults_are_the_papers():
    model = get_model("brunel")
    p = model.resolve({}, "test")
    assert (p["n_exc"], p["n_inh"], p["epsilon"], p["j_mv"], p["delay_ms"]) == (10_000, 2_500, 0.1, 0.1, 1.5)
    assert (p["theta_mv"], p["v_reset_mv"], p["tau_m_ms"], p["t_ref_ms"]) == (20.0, 10.0, 20.0, 2.0)
    assert model.indegrees(p) == (1000, 250) and model.sizes(p) == (10_000, 2_500)
    # nu_thr = theta / (J C_E tau) = 1 spike/ms / 100 ... C_E eta nu_thr = 2 x 10 kHz.
    assert model.external_rate_hz(p) == pytest.approx(20_000.0)
    assert model.sizes({**p, "scale": 0.2}) == (2000, 500) and model.indegrees({**p, "scale": 0.2}) == (1000, 250)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"scale": 0.05},
            r"scale must leave more excitatory cells than the in-degree 1000 \(without self-"
            r"connections\), i.e. scale >= 0.1001; got scale=0.05 \(500 cells\)",
        ),
        ({"epsilon": 0.0001, "n_inh": 100}, r"epsilon x n_inh must give at least one inhibitory input per cell"),
        ({"v_reset_mv": 25.0}, r"v_reset_mv < theta_mv must hold; got v_reset_mv=25, theta_mv=20"),
        ({"g": -1}, r"g must be a number in \[0, 20\] \(no unit\); got -1"),
        ({"delay_ms": 0.05}, r"delay_ms must be >= the time step \(0.1 ms\); got 0.05"),
    ],
)
def test_bad_parameters_are_refused(values, message):
    with pytest.raises(ConfigError, match=message):
        RunSpec.create("brunel", values)


def test_every_cell_gets_exactly_c_e_and_c_i_inputs_of_j_and_minus_g_j(nest_backend):
    import nest

    model = get_model("brunel")
    params = model.resolve({**SMALL["brunel"], "g": 4.0}, "test")
    sim = nest_backend.setup(timestep_ms=0.1, seed=2)
    try:
        net = model.build(sim, params)
        for pre in ("exc", "inh"):
            for post in ("exc", "inh"):
                proj = net.projections[f"{pre}_{post}"]
                conns = nest.GetConnections(synapse_label=proj.nest_synapse_label)
                targets = np.asarray(conns.get("target"))
                assert np.all(np.unique(targets, return_counts=True)[1] == (40 if pre == "exc" else 10))
                weights = np.unique(np.asarray(conns.get("weight")))  # NEST's delta weights are in mV
                np.testing.assert_allclose(weights, [0.2 if pre == "exc" else -0.8])
                np.testing.assert_allclose(np.unique(conns.get("delay")), [1.5])
        v = np.asarray(net.populations["exc"].node_collection.get("V_m"))  # random in [V_r, theta]
        assert v.min() >= 10.0 and v.max() <= 20.0 and v.std() > 1.0
    finally:
        nest_backend.end()


#: (g, eta) of the paper's four regimes.
REGIMES = {"SR": (3.0, 2.0), "AI": (5.0, 2.0), "SI_fast": (6.0, 4.0), "SI_slow": (4.5, 0.9)}
#: The smallest scale that keeps the paper's in-degrees (C_E = 1000 needs N_E > 1000).
SCALE = 0.12


@pytest.fixture(scope="module")
def regimes(tmp_path_factory, nest_backend):
    """Rate (Hz), CV of ISIs and the population rate's spectral peak (Hz) after a 50 ms transient."""
    out = {}
    for name, (g, eta) in REGIMES.items():
        spec = RunSpec.create("brunel", {"g": g, "eta": eta, "scale": SCALE}, simtime_ms=250.0, chunk_ms=250.0)
        result = run(spec, tmp_path_factory.mktemp(name), backend=nest_backend)
        data = spike_data_from_segment(read_block(result.results_path).segments[0]).select("exc")
        keep = data.times_ms >= 50.0
        t, s = data.times_ms[keep], data.senders[keep]
        counts, _ = np.histogram(t, bins=np.arange(50.0, 250.0 + 1e-9, 1.0))
        power = np.abs(np.fft.rfft(counts - counts.mean())) ** 2
        freqs = np.fft.rfftfreq(counts.size, 1e-3)
        out[name] = {
            "rate_hz": t.size / data.n_neurons / 0.2,
            "cv": cv_isi(t, s, data.n_neurons),
            "peak_hz": freqs[1:][np.argmax(power[1:])],
        }
    return out


def test_the_four_regimes_at_reduced_scale(regimes):
    sr, ai, fast, slow = (regimes[k] for k in ("SR", "AI", "SI_fast", "SI_slow"))
    # Synchronous regular: every cell fires at the refractory-limited maximum, like a clock.
    assert sr["rate_hz"] > 250 and sr["cv"] < 0.1 and sr["peak_hz"] > 250
    # Asynchronous irregular: moderate rates, irregular firing.
    assert 15 < ai["rate_hz"] < 90 and ai["cv"] > 0.3
    # Synchronous irregular, fast: the paper's ~180 Hz population oscillation, more irregular cells.
    assert 150 <= fast["peak_hz"] <= 220 and fast["cv"] > ai["cv"] + 0.15
    # Synchronous irregular, slow: low rates, a slow population rhythm.
    assert slow["rate_hz"] < 15 and slow["rate_hz"] < ai["rate_hz"] / 3 and slow["peak_hz"] < 80
