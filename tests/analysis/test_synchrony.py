"""Synchrony: Poisson and volley ground truth, scaling with N, Elephant agreement, edge cases."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import quantities as pq
from elephant import statistics as es
from elephant.conversion import BinnedSpikeTrain
from elephant.spike_train_correlation import correlation_coefficient

from opsnn_opt.analysis import (
    binned_counts,
    golomb_chi,
    golomb_chi_vm,
    pair_correlations,
    population_fano,
    spike_count_correlation,
)
from tests.analysis.synthetic import poisson, to_trains, volleys


def _chi(d, bin_ms=5.0):
    return golomb_chi(d.times_ms, d.senders, d.n_neurons, d.t_start_ms, d.t_stop_ms, bin_ms)


@pytest.mark.parametrize("n", [100, 400])
def test_poisson_chi_is_one_over_sqrt_n(n):
    d = poisson(n, 20.0, 4000.0, seed=n)
    assert _chi(d) == pytest.approx(1 / np.sqrt(n), rel=0.2)


def test_poisson_correlation_is_zero_and_fano_one():
    d = poisson(200, 20.0, 4000.0, seed=2)
    corr = spike_count_correlation(d.times_ms, d.senders, 200, 0.0, 4000.0, 5.0, n_pairs=500, seed=1)
    assert corr == pytest.approx(0.0, abs=0.01)
    assert population_fano(d.times_ms, 0.0, 4000.0, 5.0) == pytest.approx(1.0, abs=0.1)


def test_volleys_are_synchronous():
    d = volleys(200, 10.0, 2000.0, p_fire=0.5, jitter_ms=1.0)
    assert _chi(d) > 0.6
    assert spike_count_correlation(d.times_ms, d.senders, 200, 0.0, 2000.0, 5.0) > 0.3
    assert population_fano(d.times_ms, 0.0, 2000.0, 5.0) > 20


def test_identical_trains_give_chi_one():
    t = np.tile(np.array([3.0, 17.0, 44.0, 80.0]), 5)
    s = np.repeat(np.arange(5), 4)
    assert _chi_arrays(t, s, 5) == pytest.approx(1.0)


def _chi_arrays(t, s, n):
    return golomb_chi(t, s, n, 0.0, 100.0, 5.0)


def test_pair_correlations_agree_with_elephant():
    d = volleys(40, 25.0, 1000.0, p_fire=0.3, jitter_ms=3.0, seed=4)
    i, j, r = pair_correlations(d.times_ms, d.senders, 40, 0.0, 1000.0, 5.0, n_pairs=10_000, seed=0)
    assert i.size == 40 * 39 // 2  # few neurons: every pair exactly once
    matrix = correlation_coefficient(BinnedSpikeTrain(to_trains(d), bin_size=5 * pq.ms))
    np.testing.assert_allclose(r, matrix[i, j], rtol=1e-9, atol=1e-12)


def test_sampled_pairs_are_seeded():
    d = poisson(300, 20.0, 1000.0)
    a = pair_correlations(d.times_ms, d.senders, 300, 0.0, 1000.0, 5.0, n_pairs=50, seed=7)
    b = pair_correlations(d.times_ms, d.senders, 300, 0.0, 1000.0, 5.0, n_pairs=50, seed=7)
    c = pair_correlations(d.times_ms, d.senders, 300, 0.0, 1000.0, 5.0, n_pairs=50, seed=8)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[2], b[2]) and not np.array_equal(a[0], c[0])
    assert np.all(a[0] != a[1])


def test_population_fano_agrees_with_elephant_over_windows():
    d = volleys(100, 8.0, 1000.0, p_fire=0.2, jitter_ms=4.0, seed=5)
    pooled = np.sort(d.times_ms)
    edges = np.arange(0.0, 1000.0 + 1e-9, 5.0)
    windows = [pooled[(pooled >= a) & (pooled < b)] for a, b in itertools.pairwise(edges)]
    assert population_fano(d.times_ms, 0.0, 1000.0, 5.0) == pytest.approx(es.fanofactor(windows), rel=1e-12)


def test_binned_counts_match_elephant_binning():
    d = poisson(20, 40.0, 500.0, seed=6)
    ours = binned_counts(d.times_ms, d.senders, 20, 0.0, 500.0, 5.0)
    theirs = BinnedSpikeTrain(to_trains(d), bin_size=5 * pq.ms).to_array()
    np.testing.assert_array_equal(ours, theirs)


def test_chi_from_membrane_potentials():
    rng = np.random.default_rng(0)
    common = rng.normal(size=(2000, 1))
    assert golomb_chi_vm(np.repeat(common, 4, axis=1)) == pytest.approx(1.0)
    assert golomb_chi_vm(rng.normal(size=(20_000, 16))) == pytest.approx(0.25, rel=0.1)  # 1/sqrt(16)


@pytest.mark.parametrize("v", [np.zeros((100, 1)), np.zeros((1, 5)), np.full((50, 3), -65.0)])
def test_chi_vm_degenerate_is_nan(v):
    assert np.isnan(golomb_chi_vm(v))


@pytest.mark.parametrize(
    "times, senders, n, t_stop",
    [
        (np.empty(0), np.empty(0, dtype=np.int64), 10, 100.0),  # no spikes
        (np.array([3.0]), np.array([0]), 10, 100.0),  # a single spike
        (np.array([3.0, 50.0]), np.array([0, 0]), 1, 100.0),  # a single neuron
        (np.array([3.0, 4.0]), np.array([0, 1]), 2, 4.0),  # less than two bins
    ],
)
def test_degenerate_input_gives_nan(times, senders, n, t_stop):
    assert np.isnan(golomb_chi(times, senders, n, 0.0, t_stop, 5.0))
    assert np.isnan(spike_count_correlation(times, senders, n, 0.0, t_stop, 5.0))
    assert pair_correlations(times, senders, n, 0.0, t_stop, 5.0, 10, 0)[2].size == 0


def test_no_spikes_fano_is_nan():
    assert np.isnan(population_fano(np.empty(0), 0.0, 100.0, 5.0))


def test_neuron_with_a_constant_count_is_not_paired():
    # Neuron 0 fires once in every bin (variance 0): its correlation is undefined.
    t = np.concatenate([np.arange(20) * 5.0 + 1.0, [2.0, 12.0, 13.0, 40.0]])
    s = np.concatenate([np.zeros(20, dtype=np.int64), [1, 1, 2, 2]])
    i, j, _ = pair_correlations(t, s, 3, 0.0, 100.0, 5.0, 10, 0)
    assert set(i) | set(j) == {1, 2}


def test_bad_bin_width_is_an_error():
    with pytest.raises(ValueError, match=r"bin_ms must be > 0, but got bin_ms=0"):
        golomb_chi(np.array([1.0]), np.array([0]), 1, 0.0, 10.0, 0.0)
