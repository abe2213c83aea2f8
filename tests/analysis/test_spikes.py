"""The neo boundary and SpikeData: conversion, units, positions, V_m, selection, validation."""

from __future__ import annotations

import neo
import numpy as np
import pytest
import quantities as pq

from opsnn_opt.analysis import SpikeData, compute_metrics
from opsnn_opt.io import spike_data_from_block, spike_data_from_segment
from tests.analysis.synthetic import poisson, to_trains


def _block(data: SpikeData, units: str = "ms", **annotations) -> neo.Block:
    seg = neo.Segment()
    for name, (start, _) in data.populations.items():
        for i, train in enumerate(to_trains(data.select(name), units)):
            train.annotate(source_population=name, source_index=i, source_id=start + i + 1)
            seg.spiketrains.append(train)
    block = neo.Block(**annotations)
    block.segments.append(seg)
    return block


@pytest.fixture(scope="module")
def data() -> SpikeData:
    return poisson(50, 20.0, 500.0, populations={"exc": (0, 40), "inh": (40, 50)}, seed=3)


def _same_spikes(a: SpikeData, b: SpikeData) -> None:
    ka, kb = np.lexsort((a.times_ms, a.senders)), np.lexsort((b.times_ms, b.senders))
    np.testing.assert_allclose(a.times_ms[ka], b.times_ms[kb], rtol=1e-12)
    np.testing.assert_array_equal(a.senders[ka], b.senders[kb])


@pytest.mark.parametrize("units", ["ms", "s"])
def test_block_round_trip_in_any_time_unit(data, units):
    back = spike_data_from_block(_block(data, units))
    assert back.populations == data.populations
    assert (back.t_start_ms, back.t_stop_ms) == (0.0, 500.0)
    _same_spikes(back, data)
    assert back.positions_mm is None and back.v_mv is None


def test_source_index_places_trains_out_of_order(data):
    block = _block(data)
    trains = list(block.segments[0].spiketrains)
    block.segments[0].spiketrains = trains[:40][::-1] + trains[40:][::-1]  # each population reversed
    _same_spikes(spike_data_from_block(block), data)


def test_positions_and_stimulus_are_read_from_block_annotations(data):
    pos = {"exc": np.random.default_rng(0).uniform(0, 2, (40, 3)), "inh": np.zeros((10, 3))}
    block = _block(data, positions_mm=pos, stimulus_center_mm=[1.0, 0.5], stimulus_onset_ms=100.0)
    back = spike_data_from_block(block)
    np.testing.assert_array_equal(back.positions_mm[:40], pos["exc"])
    np.testing.assert_array_equal(back.center_mm, [1.0, 0.5, 0.0])
    assert back.onset_ms == 100.0
    exc = back.select("exc")
    np.testing.assert_array_equal(exc.positions_mm, pos["exc"])


def test_default_stimulus_centre_is_the_sheet_centre():
    pos = np.array([[0.0, 0.0, 0.0], [2.0, 4.0, 0.0], [np.nan, np.nan, np.nan]])
    d = SpikeData(np.empty(0), np.empty(0, dtype=np.int64), {"all": (0, 3)}, 0.0, 1.0, positions_mm=pos)
    np.testing.assert_array_equal(d.center_mm, [1.0, 2.0, 0.0])
    assert d.onset_ms == 0.0


def test_positions_of_the_wrong_shape_are_an_error(data):
    block = _block(data, positions_mm={"exc": np.zeros((39, 3))})
    with pytest.raises(
        ValueError,
        match=r"positions_mm\['exc'\] must have shape \(n, 3\) with n = 40 neurons, "
        r"but got \(39, 3\)",
    ):
        spike_data_from_block(block)


def test_membrane_potential_channels_map_to_neurons(data):
    block = _block(data)
    v = np.random.default_rng(1).normal(-60, 1, (100, 2))
    for pop, index in (("exc", [3, 7]), ("inh", [2, 5])):
        block.segments[0].analogsignals.append(
            neo.AnalogSignal(
                v / 1000.0,
                units="V",
                sampling_period=0.1 * pq.ms,
                name="v",
                source_population=pop,
                array_annotations={"channel_index": np.array(index)},
            )
        )
    back = spike_data_from_block(block)
    np.testing.assert_array_equal(back.v_senders, [3, 7, 42, 45])
    np.testing.assert_allclose(back.v_mv[:, :2], v)
    assert back.v_dt_ms == pytest.approx(0.1)
    inh = back.select("inh")
    np.testing.assert_array_equal(inh.v_senders, [2, 5])


def test_real_nest_block_has_vm_of_the_recorded_cells():
    from opsnn_opt.bench import simulate_balanced_block

    block = simulate_balanced_block(100, 100.0)
    d = spike_data_from_block(block)
    assert d.populations == {"exc": (0, 80), "inh": (80, 100)}
    np.testing.assert_array_equal(d.v_senders, [0, 1, 80, 81])  # PyNN records the first 2 cells of each
    assert d.v_mv.shape == (1001, 4) and -90 < d.v_mv.mean() < -40
    assert compute_metrics(d) == pytest.approx(compute_metrics(spike_data_from_segment(block.segments[0])), nan_ok=True)


def test_empty_block_and_segment():
    assert spike_data_from_block(neo.Block()).n_neurons == 0
    block = neo.Block()
    block.segments.append(neo.Segment())
    d = spike_data_from_block(block)
    assert d.n_neurons == 0 and d.times_ms.size == 0


def test_window_drops_spikes_and_samples(data):
    v = np.arange(5000.0)[:, None] * np.ones((1, 2))
    d = SpikeData(data.times_ms, data.senders, data.populations, 0.0, 500.0, v_mv=v, v_senders=np.array([0, 1]))
    w = d.window(100.0, 300.0)
    assert w.times_ms.min() >= 100.0 and w.times_ms.max() < 300.0 and w.duration_ms == 200.0
    assert w.v_mv.shape[0] == 2000 and w.v_mv[0, 0] == 1000.0 and w.v_t_start_ms == pytest.approx(100.0)
    with pytest.raises(
        ValueError,
        match=r"the window must satisfy t_start_ms <= start < stop <= t_stop_ms, but got "
        r"\[100.0, 600.0\) for data in \[0.0, 500.0\]",
    ):
        d.window(100.0, 600.0)


def test_invalid_arrays_are_rejected():
    with pytest.raises(
        ValueError,
        match=r"senders must lie in \[0, n_neurons\) = \[0, 2\), but got values in "
        r"\[0, 5\]",
    ):
        SpikeData(np.array([1.0, 2.0]), np.array([0, 5]), {"all": (0, 2)}, 0.0, 10.0)
    with pytest.raises(ValueError, match=r"times_ms and senders must be 1-d arrays of equal length"):
        SpikeData(np.array([1.0]), np.array([0, 1]), {"all": (0, 2)}, 0.0, 10.0)
    with pytest.raises(ValueError, match=r"positions_mm must have shape \(n_neurons, 3\) = \(2, 3\), but got \(2, 2\)"):
        SpikeData(np.empty(0), np.empty(0, dtype=np.int64), {"all": (0, 2)}, 0.0, 1.0, positions_mm=np.zeros((2, 2)))


def test_select_unknown_population_names_the_valid_ones(data):
    with pytest.raises(KeyError, match=r"population must be 'all' or one of exc, inh, but got 'foo'"):
        data.select("foo")


@pytest.mark.parametrize("sort_parent_first", [True, False])
def test_by_neuron_is_shared_with_selections(data, sort_parent_first):
    shuffled = data.window(data.t_start_ms, data.t_stop_ms)
    if sort_parent_first:
        shuffled.by_neuron()
    for pop in ["all", "exc", "inh"]:
        part = shuffled.select(pop)
        t, s = part.by_neuron()
        order = np.lexsort((part.times_ms, part.senders))
        np.testing.assert_array_equal(t, part.times_ms[order])
        np.testing.assert_array_equal(s, part.senders[order])
        assert part.by_neuron()[0] is t  # sorted once
