"""What every backend promises, checked on each through one parametrized fixture."""

from __future__ import annotations

import math

import numpy as np
import pytest

from opsnn_opt.backends import BACKENDS, get_backend
from opsnn_opt.errors import ConfigError
from opsnn_opt.models import get_model
from opsnn_opt.pipeline import RunSpec, run
from tests.models.small import SMALL


@pytest.fixture(params=BACKENDS, scope="module")
def backend(request):
    return get_backend(request.param)


def test_unknown_backend_lists_the_valid_ones():
    with pytest.raises(ConfigError, match=r"unknown backend 'brian2'; valid backends are: nest, spinnaker"):
        get_backend("brian2")


def test_delays_shorter_than_the_step_are_refused_by_every_backend(backend):
    model = get_model("brunel")
    params = model.resolve({"delay_ms": 0.2}, "test")
    with pytest.raises(ConfigError, match=r"test: delay_ms must be >= the time step \(0.5 ms\); got 0.2"):
        backend.check_model(model, params, 0.5, "test")


#: Whether a run records data on each backend as set up below, decided from the set-up and not
#: from the run: NEST always does; sPyNNaker, with no machine named in any config file it reads, runs
#: on a virtual board that maps the network and runs nothing.
RECORDS_DATA = {"nest": True, "spinnaker": False}


def test_every_backend_has_its_expected_recording():
    assert set(RECORDS_DATA) == set(BACKENDS)


@pytest.mark.parametrize("name", BACKENDS)
def test_the_same_model_code_runs_and_reports_honestly(name, tmp_path, monkeypatch):
    # No machine named anywhere sPyNNaker looks (its config file, the user's and the site's
    # files), whatever this host has configured.
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(home / "etc"))
    monkeypatch.delenv("OPSNN_SPINNAKER_CFG", raising=False)
    backend = get_backend(name)
    spec = RunSpec.create("v1_sheet", {**SMALL["v1_sheet"], "stim_onset_ms": 5.0}, backend=name, simtime_ms=20.0)
    result = run(spec, tmp_path / "run", backend=backend)
    values = np.array(list(result.metrics.values()), dtype=float)
    if RECORDS_DATA[name]:
        assert result.metrics_unavailable is None
        assert np.isfinite(result.metrics["rate_hz.all"]) and result.metrics["rate_hz.all"] > 0
    else:  # no data: every metric is nan, with the reason, and nothing is made up
        assert isinstance(result.metrics_unavailable, str) and result.metrics_unavailable
        assert values.size > 0 and np.all(np.isnan(values)) and result.resources["cores_used"] > 0
    assert set(result.versions) >= {"pynn", "numpy", "neo", "python"}
    assert result.as_dict()["backend"] == name
    assert all(isinstance(v, float) for v in result.metrics.values()) and not math.isnan(result.timings["sim_s"])
