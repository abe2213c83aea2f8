"""One configuration through build, chunked simulation, write and analysis, on real NEST."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from opsnn_opt.analysis import compute_metrics
from opsnn_opt.backends import get_backend
from opsnn_opt.errors import ConfigError
from opsnn_opt.io import read_block, read_metadata, spike_data_from_segment
from opsnn_opt.pipeline import RunSpec, run

SMALL = {"n_neurons": 80, "p_connect": 0.1, "input_rate_hz": 500.0}


@pytest.fixture(scope="module")
def backend():
    return get_backend("nest")


def _spikes(path):
    return spike_data_from_segment(read_block(path).segments[0])


def test_run_writes_results_and_reports_the_contract(tmp_path, backend):
    spec = RunSpec.create("balanced", SMALL, simtime_ms=200.0, chunk_ms=50.0)
    result = run(spec, tmp_path, backend=backend)
    d = result.as_dict()
    assert set(d) >= {"metrics", "timings", "peak_rss_mb", "params", "seed", "results_path"}
    assert set(d["timings"]) >= {"import_s", "build_s", "sim_s", "checks_s", "collect_s", "write_s", "analysis_s"}
    assert d["params"] == {**spec.params} and d["params"]["delay_ms"] == 0.2  # defaults included
    assert d["metrics"]["rate_hz.exc"] > 0
    assert d["peak_rss_mb"] > 10
    # The file holds what was analysed, with the model's τ_ref: recompute the metrics from it.
    tau_ref = read_block(d["results_path"]).annotations["refractory_ms"]
    assert tau_ref == {"exc": 5.0, "inh": 5.0}
    again = compute_metrics(replace(_spikes(d["results_path"]), refractory_ms=tau_ref))
    assert again == pytest.approx(dict(result.metrics), nan_ok=True)
    meta = read_metadata(d["results_path"])
    assert meta["params"] == d["params"] and meta["seed"] == d["seed"]
    assert meta["provenance"]["nest"] == d["versions"]["nest"]
    block = read_block(d["results_path"])
    assert len(block.segments[0].spiketrains) == 80
    assert any(sig.name == "v" for sig in block.segments[0].analogsignals)


def test_same_seed_same_spikes_other_seed_other_spikes(tmp_path, backend):
    def spikes(seed, folder):
        spec = RunSpec.create("balanced", {**SMALL, "seed": seed}, simtime_ms=150.0)
        return _spikes(run(spec, tmp_path / folder, backend=backend).results_path)

    a, b, c = spikes(1, "a"), spikes(1, "b"), spikes(2, "c")
    assert a.times_ms.size > 0
    np.testing.assert_array_equal(a.times_ms, b.times_ms)
    np.testing.assert_array_equal(a.senders, b.senders)
    assert a.times_ms.size != c.times_ms.size or not np.array_equal(a.times_ms, c.times_ms)


def test_chunks_call_back_with_the_spikes_so_far(tmp_path, backend):
    seen = []

    def on_chunk(t_ms, so_far):
        data = so_far.spike_data()
        assert data.times_ms.size == 0 or data.times_ms.max() <= t_ms
        seen.append((t_ms, data.times_ms.size))

    run(
        RunSpec.create("balanced", SMALL, simtime_ms=200.0, chunk_ms=50.0), tmp_path, backend=backend, on_chunk=on_chunk
    )
    assert [t for t, _ in seen] == [50.0, 100.0, 150.0, 200.0]
    counts = [n for _, n in seen]
    assert counts == sorted(counts) and counts[-1] > 0


def test_a_raising_callback_stops_the_run_and_the_backend_is_reusable(tmp_path, backend):
    class Stop(Exception):
        pass

    def stop(t_ms, spikes):
        raise Stop(t_ms)

    with pytest.raises(Stop):
        run(
            RunSpec.create("balanced", SMALL, simtime_ms=200.0, chunk_ms=50.0),
            tmp_path / "x",
            backend=backend,
            on_chunk=stop,
        )
    result = run(RunSpec.create("balanced", SMALL, simtime_ms=100.0), tmp_path / "y", backend=backend)
    assert result.metrics["rate_hz.all"] > 0


def test_delay_below_the_time_step_is_refused_before_simulating():
    with pytest.raises(ConfigError, match=r"delay_ms must be >= the time step \(0.5 ms\); got 0.2"):
        RunSpec.create("balanced", {"delay_ms": 0.2}, timestep_ms=0.5)


def test_a_results_folder_that_cannot_be_made_names_the_field_not_a_flag(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    spec = RunSpec.create("balanced", SMALL, simtime_ms=20.0)
    with pytest.raises(ConfigError, match=r"^out: cannot create the results folder .*file/run") as info:
        run(spec, blocker / "run")
    assert info.value.field == "out"


def test_too_few_neurons_for_both_populations():
    with pytest.raises(ConfigError, match="at least one E and one I cell"):
        RunSpec.create("balanced", {"n_neurons": 5, "exc_fraction": 0.95})


@pytest.mark.parametrize("fmt", ["pickle", "neo-nix"])
def test_other_results_formats(tmp_path, backend, fmt):
    spec = RunSpec.create("balanced", {**SMALL, "n_neurons": 20}, simtime_ms=50.0, results_format=fmt)
    result = run(spec, tmp_path, backend=backend)
    block = read_block(result.results_path, allow_pickle=True)
    assert len(block.segments[0].spiketrains) == 20


def test_opsnn_run_prints_the_state_labels_and_its_json_carries_them(tmp_path, capsys):
    from opsnn_opt.cli import main

    argv = ["run", "balanced", "--set", "n_neurons=200", "--set", "input_rate_hz=0", "--simtime", "200"]
    assert main([*argv, "--out", str(tmp_path / "text")]) == 0
    out = capsys.readouterr().out
    assert "state:   quiescent (exc quiescent, inh quiescent); tau_ref 5 ms (model)" in out
    assert main([*argv, "--json", "--out", str(tmp_path / "json")]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["metrics"]["state"] == 0.0 and d["metrics"]["pop_state.exc"] == 0.0
    assert {k: v for k, v in d.items() if k.startswith("network_state")} == {
        "network_state": "quiescent",
        "network_state.exc": "quiescent",
        "network_state.inh": "quiescent",
        "network_state.tau_ref": "5 ms (model)",
    }
