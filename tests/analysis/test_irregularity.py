"""Irregularity: Poisson and regular ground truth, Elephant agreement, degenerate input."""

from __future__ import annotations

import numpy as np
import pytest
from elephant import statistics as es

from opsnn_opt.analysis import SpikeData, cv2_isi, cv_isi, isi_stats, lv_isi
from opsnn_opt.analysis._irregularity import sorted_by_neuron
from tests.analysis.synthetic import poisson, regular, to_trains


@pytest.fixture(scope="module")
def pois() -> SpikeData:
    return poisson(300, 30.0, 5000.0, seed=1)


@pytest.mark.parametrize("measure", [cv_isi, cv2_isi, lv_isi])
def test_poisson_trains_are_irregular(pois, measure):
    assert measure(pois.times_ms, pois.senders, pois.n_neurons) == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("measure", [cv_isi, cv2_isi, lv_isi])
def test_regular_trains_have_zero_irregularity(measure):
    d = regular(50, 20.0, 2000.0)
    assert measure(d.times_ms, d.senders, d.n_neurons) == pytest.approx(0.0, abs=1e-9)


def test_per_neuron_values_agree_with_elephant(pois):
    stats = isi_stats(pois.times_ms, pois.senders, pois.n_neurons)
    trains = to_trains(pois)
    isis = [es.isi(st).magnitude for st in trains]
    np.testing.assert_allclose(stats.cv, [es.cv(i) for i in isis], rtol=1e-9)
    np.testing.assert_allclose(stats.cv2, [es.cv2(i) for i in isis], rtol=1e-9)
    np.testing.assert_allclose(stats.lv, [es.lv(i) for i in isis], rtol=1e-9)


def test_order_of_spikes_does_not_matter(pois):
    rng = np.random.default_rng(0)
    p = rng.permutation(pois.times_ms.size)
    shuffled = cv_isi(pois.times_ms[p], pois.senders[p], pois.n_neurons)
    assert shuffled == pytest.approx(cv_isi(pois.times_ms, pois.senders, pois.n_neurons), rel=1e-12)


def test_neurons_with_fewer_than_three_spikes_are_left_out():
    # Neuron 0: 2 spikes (left out); neuron 1: ISIs 10, 30 -> CV = 10/20 = 0.5.
    t = np.array([1.0, 5.0, 0.0, 10.0, 40.0])
    s = np.array([0, 0, 1, 1, 1])
    assert cv_isi(t, s, 2) == pytest.approx(0.5)
    stats = isi_stats(t, s, 2)
    assert np.isnan(stats.cv[0]) and np.isnan(stats.cv2[0]) and np.isnan(stats.lv[0])


@pytest.mark.parametrize(
    "times, senders, n",
    [
        (np.empty(0), np.empty(0, dtype=np.int64), 10),  # no spikes
        (np.array([3.0]), np.array([0]), 1),  # a single spike
        (np.array([3.0, 7.0]), np.array([0, 0]), 1),  # one ISI only
        (np.empty(0), np.empty(0, dtype=np.int64), 0),  # no neurons
    ],
)
@pytest.mark.parametrize("measure", [cv_isi, cv2_isi, lv_isi])
def test_too_few_spikes_give_nan(times, senders, n, measure):
    assert np.isnan(measure(times, senders, n))


def test_single_neuron():
    d = poisson(1, 50.0, 10_000.0, seed=3)
    assert cv_isi(d.times_ms, d.senders, 1) == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize("n_neurons", [7, 70_000])  # 16-bit radix sort, and the int64 stable sort
@pytest.mark.parametrize("layout", ["time_order", "shuffled", "by_population", "equal_times"])
def test_sorted_by_neuron_equals_lexsort(n_neurons, layout):
    rng = np.random.default_rng(5)
    times = np.sort(rng.uniform(0.0, 100.0, 3000))
    senders = rng.integers(0, n_neurons, times.size)
    if layout == "equal_times":
        times = np.round(times)  # ties: equal values, so any order among them gives the same arrays
    if layout == "shuffled":
        order = rng.permutation(times.size)
        times, senders = times[order], senders[order]
    if layout == "by_population":  # time order within each half, as a concatenation of recorders
        low = senders < n_neurons // 2
        times, senders = np.concatenate([times[low], times[~low]]), np.concatenate([senders[low], senders[~low]])
    t, s = sorted_by_neuron(times, senders)
    order = np.lexsort((times, senders))
    np.testing.assert_array_equal(s, senders[order])
    np.testing.assert_array_equal(t, times[order])
