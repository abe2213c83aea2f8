"""NEST's kernel as the backend sets it up: delay range from the model's delays, and threads
(the ``threads`` run setting, through a whole run)."""

from __future__ import annotations

import numpy as np
import pytest

from opsnn_opt.backends import delay_range, get_backend
from opsnn_opt.io import read_metadata, read_recording
from opsnn_opt.models import get_model
from opsnn_opt.pipeline import RunSpec, run
from tests.models.small import SMALL


@pytest.fixture(scope="module")
def backend():
    return get_backend("nest")


@pytest.mark.parametrize(
    ("timestep_ms", "delays_ms", "expected"),
    [
        (0.1, (0.2, 0.2), (0.2, 0.2)),
        (0.1, (1.5, 1.5), (1.5, 1.5)),
        (0.1, (0.14, 31.03), (0.1, 31.1)),  # min rounded down, max up, to whole steps
        (0.1, (0.05, 0.05), (0.1, 0.1)),  # never below one step
        (0.25, (1.0, 0.5), (1.0, 1.0)),  # max never below min
        (0.1, None, (0.1, 10.0)),  # no declared delays: one step and PyNN's default
    ],
)
def test_delay_range_is_on_the_time_grid(timestep_ms, delays_ms, expected):
    np.testing.assert_allclose(delay_range(timestep_ms, delays_ms), expected)


def _kernel_delays_and_connection_delays(backend, name, values):
    import nest

    model = get_model(name)
    params = model.resolve(values, "test")
    delays = model.delays_ms(params)
    sim = backend.setup(timestep_ms=0.1, seed=params["seed"], delays_ms=delays)
    model.build(sim, params)
    status = nest.GetKernelStatus()
    used = np.asarray(nest.GetConnections().get("delay"))
    return delays, (status["min_delay"], status["max_delay"]), used


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("balanced", {**SMALL["balanced"], "delay_ms": 0.3, "stimulus": "pulse", "stim_onset_ms": 5.0}),
        ("brunel", SMALL["brunel"]),
        ("v1_sheet", SMALL["v1_sheet"]),
    ],
)
def test_min_delay_is_the_shortest_delay_of_every_projection(backend, name, values):
    declared, (min_delay, max_delay), used = _kernel_delays_and_connection_delays(backend, name, values)
    assert min_delay == pytest.approx(declared[0]) and min_delay > 0.1  # not the time step
    assert used.min() == pytest.approx(min_delay)  # inputs and stimuli included
    assert used.max() <= max_delay + 1e-9
    backend.end()


def test_a_v1_sheet_with_slow_conduction_runs_on_nest(backend):
    """At 0.1 mm/ms the longest delay is far beyond PyNN's default maximum of 10 ms."""
    import nest

    model = get_model("v1_sheet")
    params = model.resolve({**SMALL["v1_sheet"], "conduction_speed_mm_per_ms": 0.1}, "test")
    backend.check_model(model, params, 0.1, "test")
    sim = backend.setup(timestep_ms=0.1, seed=params["seed"], delays_ms=model.delays_ms(params))
    network = model.build(sim, params)
    for pop in network.populations.values():
        pop.record("spikes")
    backend.run(40.0)
    used = np.asarray(nest.GetConnections().get("delay"))
    assert used.max() > 10.0 and nest.GetKernelStatus("max_delay") >= used.max()
    n_spikes = sum(
        sum(len(t) for t in pop.get_data("spikes").segments[0].spiketrains) for pop in network.populations.values()
    )
    assert n_spikes > 0
    backend.end()


def test_a_v1_sheet_with_slow_conduction_runs_through_the_pipeline(tmp_path):
    spec = RunSpec.create("v1_sheet", {**SMALL["v1_sheet"], "conduction_speed_mm_per_ms": 0.1}, simtime_ms=40.0)
    assert spec.params["conduction_speed_mm_per_ms"] == 0.1
    assert run(spec, tmp_path).metrics["rate_hz.exc"] > 0


def _rates_hz(threads: int, out_dir) -> np.ndarray:
    """A whole run (the ``threads`` run setting), and each neuron's rate read back from its file."""
    spec = RunSpec.create("brunel", {**SMALL["brunel"], "seed": 5}, simtime_ms=300.0, threads=threads)
    result = run(spec, out_dir)
    assert result.as_dict()["threads"] == threads and read_metadata(result.results_path)["threads"] == threads
    data = read_recording(result.results_path).spike_data()
    return np.bincount(data.senders, minlength=data.n_neurons) / (spec.simtime_ms / 1000.0)


@pytest.mark.slow
def test_a_two_thread_run_records_it_and_gives_the_rates_of_one(tmp_path):
    import nest

    one, two = _rates_hz(1, tmp_path / "one"), _rates_hz(2, tmp_path / "two")
    assert nest.GetKernelStatus("local_num_threads") == 2
    assert one.mean() > 10.0
    # Two threads draw another network and other inputs from the same seed, so the runs differ
    # spike by spike; the mean rates agree within 5 standard errors of their difference. (Fixed
    # in-degrees make the cells alike: the error is about 0.15 Hz at 88 Hz.)
    tolerance = 5.0 * np.sqrt(one.var() / one.size + two.var() / two.size)
    assert abs(one.mean() - two.mean()) < tolerance, (one.mean(), two.mean(), tolerance)
