"""The V1 sheet: grid geometry, distance-dependent connections and delays, and the evoked wave."""

from __future__ import annotations

import numpy as np
import pytest

from opsnn_opt.backends import get_backend
from opsnn_opt.errors import ConfigError
from opsnn_opt.io import read_block, read_metadata, spike_data_from_segment
from opsnn_opt.models import get_model
from opsnn_opt.models._v1_sheet import CUTOFF_SIGMAS, grid_positions, sample_connections
from opsnn_opt.pipeline import RunSpec, run

#: A 2 mm sheet of 20 x 20 E cells, for the geometry.
SMALL_SHEET = {"side_mm": 2.0, "n_side": 20, "n_side_inh": 10}
#: The default 4 mm sheet of 40 x 40 E cells (smaller ones start the wave less reliably).
WAVE = {"stim_onset_ms": 20.0}


@pytest.fixture(scope="module")
def nest_backend():
    return get_backend("nest")


def test_grid_positions_are_cell_centres():
    xyz = grid_positions(4, 2.0)
    assert xyz.shape == (16, 3) and np.all(xyz[:, 2] == 0)
    assert xyz[0, :2].tolist() == [0.25, 0.25] and xyz[5, :2].tolist() == [0.75, 0.75]


def test_connection_probability_is_gaussian_in_distance():
    pos = grid_positions(40, 4.0)
    pre, post, d = sample_connections(pos, pos, 0.5, 0.4, np.random.default_rng(1), same_population=True)
    assert d.max() <= CUTOFF_SIGMAS * 0.4 and not np.any(pre == post)
    # Fraction connected per distance bin against p exp(-d^2 / 2 sigma^2), among all pairs.
    all_d = np.hypot(*(pos[:, None, :2] - pos[None, :, :2]).transpose(2, 0, 1)).ravel()
    bins = np.array([0.05, 0.3, 0.5, 0.7, 0.9])
    counts, _ = np.histogram(d, bins)
    pairs, _ = np.histogram(all_d, bins)
    mid = (bins[:-1] + bins[1:]) / 2
    np.testing.assert_allclose(counts / pairs, 0.5 * np.exp(-(mid**2) / (2 * 0.4**2)), rtol=0.15)


def test_periodic_boundaries_connect_across_the_edges():
    pos = grid_positions(10, 1.0)
    corner, opposite = 0, 99  # (0.05, 0.05) and (0.95, 0.95): 0.14 mm apart on the torus
    rng = np.random.default_rng(0)
    pre, post, d = sample_connections(pos, pos, 1.0, 0.1, rng, periodic_mm=1.0)
    k = np.flatnonzero((pre == corner) & (post == opposite))
    assert k.size == 1 and d[k[0]] == pytest.approx(np.hypot(0.1, 0.1))
    pre, post, _ = sample_connections(pos, pos, 1.0, 0.1, rng)
    assert not np.any((pre == corner) & (post == opposite))


def test_delays_grow_with_distance_and_sit_on_the_time_step(nest_backend):
    model = get_model("v1_sheet")
    params = model.resolve({**SMALL_SHEET, "delay_min_ms": 0.3, "conduction_speed_mm_per_ms": 0.2}, "test")
    sim = nest_backend.setup(timestep_ms=0.1, seed=1)
    try:
        network = model.build(sim, params)
        conns = np.array(network.projections["exc_inh"].get(["delay"], format="list"))
    finally:
        nest_backend.end()
    pos_e, pos_i = network.positions_mm["exc"], network.positions_mm["inh"]
    d = np.hypot(*(pos_e[conns[:, 0].astype(int), :2] - pos_i[conns[:, 1].astype(int), :2]).T)
    np.testing.assert_allclose(conns[:, 2], np.round((0.3 + d / 0.2) / 0.1) * 0.1, atol=1e-9)
    assert (pos_e.shape, pos_i.shape) == ((400, 3), (100, 3))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"sigma_exc_mm": -0.1}, r"--set: sigma_exc_mm must be a number in \[0.001, 100\] \(mm\); got -0.1"),
        ({"delay_min_ms": 0.05}, r"--set: delay_min_ms must be >= the time step \(0.1 ms\); got 0.05"),
        (
            {"n_side": 5},
            r"the excitatory grid does not fit the connectivity: its spacing side_mm / n_side "
            r"\(= 0.8 mm\) must be <= sigma_exc_mm \(= 0.3 mm\); got side_mm=4, n_side=5",
        ),
        ({"n_side_inh": 50}, r"n_side_inh <= n_side must hold; got n_side_inh=50, n_side=40"),
        ({"periodic": "true", "side_mm": 2.0}, r"with periodic = true, 4 x sigma_exc_mm must be < side_mm / 2"),
        ({"stimulus": "glider"}, r"unknown stimulus 'glider'; valid stimuli are: none, pulse, dot, events"),
    ],
)
def test_bad_parameters_are_refused_before_building(values, message):
    with pytest.raises(ConfigError, match=message):
        RunSpec.create("v1_sheet", values)


def _first_spike_latency(path: str) -> tuple[np.ndarray, np.ndarray, dict]:
    block = read_block(path)
    stim = block.annotations["stimulus"]
    data = spike_data_from_segment(block.segments[0]).select("exc")
    xy = np.asarray(block.annotations["positions_mm"]["exc"])[:, :2]
    r = np.hypot(*(xy - np.asarray(stim["centre_mm"])).T)
    first = np.full(data.n_neurons, np.nan)
    after = data.times_ms >= stim["onset_ms"]
    t, s = data.times_ms[after], data.senders[after]
    order = np.lexsort((t, s))
    cells, idx = np.unique(s[order], return_index=True)
    first[cells] = t[order][idx] - stim["onset_ms"]
    quiet_before = np.count_nonzero(~after)
    return r, first, {"quiet_before": quiet_before, **stim}


def _wave(tmp_path, backend, speed: float):
    spec = RunSpec.create("v1_sheet", {**WAVE, "conduction_speed_mm_per_ms": speed}, simtime_ms=60.0)
    result = run(spec, tmp_path / f"v{speed}", backend=backend)
    return _first_spike_latency(result.results_path), result


def test_pulse_evokes_a_wave_whose_latency_grows_with_distance(tmp_path, nest_backend):
    (r, first, info), result = _wave(tmp_path, nest_backend, 0.25)
    assert info["quiet_before"] == 0 and info["centre_mm"] == [2.0, 2.0] and info["kind"] == "pulse"
    edges = np.arange(0.4, 2.0, 0.3)  # rings from just outside the pulse to the middle of an edge
    medians = [np.nanmedian(first[(r >= a) & (r < b)]) for a, b in zip(edges[:-1], edges[1:])]
    assert all(np.isfinite(medians)) and np.all(np.diff(medians) > 1.0), medians
    fired = np.isfinite(first) & (r < 1.9)
    assert fired.sum() > 0.75 * (r < 1.9).sum()  # the wave reaches most cells
    near = fired & (r > 0.4)
    slope = np.polyfit(r[near], first[near], 1)[0]  # ms per mm
    assert 1 / 0.25 < slope < 4 / 0.25  # slower than conduction alone, within a few times
    meta = read_metadata(result.results_path)
    assert meta["params"]["stim_x"] == 0.5 and meta["params"]["side_mm"] == 4.0


def test_faster_conduction_gives_a_faster_wave(tmp_path, nest_backend):
    slopes = []
    for speed in (0.15, 0.6):
        (r, first, _), _ = _wave(tmp_path, nest_backend, speed)
        ok = np.isfinite(first) & (r > 0.4) & (r < 1.9)
        slopes.append(np.polyfit(r[ok], first[ok], 1)[0])
    # 1/speed falls by 5 ms/mm; the latency slope falls by most of that.
    assert slopes[0] - slopes[1] > 0.6 * (1 / 0.15 - 1 / 0.6), slopes
