"""Stimuli on NEST: the spike sources hold exactly the stimulus's spikes, mapped retinotopically."""

from __future__ import annotations

import numpy as np
import pytest

from opsnn_opt.backends import get_backend
from opsnn_opt.models import add_stimulus, get_model, poisson_background, spike_source_array
from opsnn_opt.stimuli import grid_field_positions, make_input, pixel_of


@pytest.fixture
def sim():
    backend = get_backend("nest")
    yield backend.setup(timestep_ms=0.1, seed=1)
    backend.end()


def _recorded(population, sim, t_stop_ms):
    population.record("spikes")
    sim.run(t_stop_ms)
    trains = population.get_data("spikes").segments[0].spiketrains
    return [np.asarray(t.rescale("ms").magnitude) for t in trains]


@pytest.mark.parametrize("kind", ["events", "dot"])
def test_spike_sources_replay_the_stimulus_exactly(sim, nmnist_root, kind):
    params = get_model("v1_sheet").resolve(
        {
            "stimulus": kind,
            "events_path": str(nmnist_root),
            "stim_onset_ms": 2.0,
            "stim_pixels": 10,
            "stim_noise": 0.2,
            "dot_vx_per_ms": 0.01,
            "stim_duration_ms": 30.0,
        },
        "test",
    )
    spikes = make_input(params)
    source = spike_source_array(sim, spikes, label="stimulus")
    assert source.size == spikes.n_sources
    for held, want in zip(source.get("spike_times"), spikes.trains(), strict=True):
        np.testing.assert_array_equal(np.ravel(held.value), want)
    # NEST plays them back through precise-time parrots: the recorded spikes are the same numbers.
    for got, want in zip(_recorded(source, sim, 300.0), spikes.trains(), strict=True):
        np.testing.assert_allclose(np.sort(got), want, rtol=0, atol=1e-9)


def test_pixel_of_maps_field_positions_to_the_containing_pixel():
    field = np.array([[0.0, 0.0], [0.99, 0.01], [0.5, 0.5], [1.0, 1.0]])
    np.testing.assert_array_equal(pixel_of(field, 4, 2), [0, 3, 6, 7])
    grid = grid_field_positions(10)  # 4 x 4 grid, 10 cells
    assert grid.shape == (10, 2) and grid[5].tolist() == pytest.approx([0.375, 0.375])


def test_every_cell_gets_its_pixel_in_every_channel(sim, nmnist_root):
    params = get_model("v1_sheet").resolve({"stimulus": "events", "events_path": str(nmnist_root)}, "test")
    cells = sim.Population(50, sim.IF_cond_exp(), label="cells")
    field = np.random.default_rng(0).random((50, 2))
    projections, source = add_stimulus(sim, params, {"cells": (cells, field)}, delay_ms=0.1)
    conns = np.array(projections["stimulus_cells"].get(["weight", "delay"], format="list"))
    pre, post = conns[:, 0].astype(int), conns[:, 1].astype(int)
    order = np.lexsort((pre, post))
    pixel = pixel_of(field, 34, 34)
    np.testing.assert_array_equal(post[order], np.repeat(np.arange(50), 2))
    np.testing.assert_array_equal(pre[order], np.column_stack([pixel, pixel + 34 * 34]).ravel())
    np.testing.assert_allclose(conns[:, 2], params["stim_weight_nS"] * 1e-3)
    np.testing.assert_allclose(conns[:, 3], 0.1)
    assert source.size == 34 * 34 * 2


def test_poisson_background_reaches_every_cell_once(sim):
    cells = sim.Population(20, sim.IF_cond_exp(), label="cells")
    _, projection = poisson_background(sim, cells, 1000.0, 0.002, 0.5)
    conns = np.array(projection.get(["weight", "delay"], format="list"))
    # On NEST one generator sends every cell its own train (source index 0 for all).
    assert sorted(conns[:, 1].astype(int).tolist()) == list(range(20))
    np.testing.assert_allclose(conns[:, 2:], [[0.002, 0.5]] * 20)
    assert poisson_background(sim, cells, 0.0, 0.002, 0.5) == (None, None)


def test_the_sheet_runs_with_an_event_sample(tmp_path, nmnist_root):
    from opsnn_opt.io import read_block
    from opsnn_opt.pipeline import RunSpec, run
    from tests.models.small import SMALL

    spec = RunSpec.create(
        "v1_sheet",
        {
            **SMALL["v1_sheet"],
            "stimulus": "events",
            "events_path": str(nmnist_root),
            "events_merge_polarities": "true",
            "stim_weight_nS": 20.0,
        },
        simtime_ms=60.0,
    )
    result = run(spec, tmp_path)
    assert read_block(result.results_path).annotations["stimulus"] == {"kind": "events", "onset_ms": 10.0}
    assert result.metrics["rate_hz.exc"] > 0
