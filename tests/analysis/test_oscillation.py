"""Oscillation: the population-rate spectrum peaks at the volley frequency; Poisson is flat."""

from __future__ import annotations

import numpy as np
import pytest

from opsnn_opt.analysis import oscillation_peak, population_rate_hz, rate_spectrum
from tests.analysis.synthetic import poisson, volleys


@pytest.mark.parametrize("freq_hz", [20.0, 40.0, 150.0])
def test_peak_at_the_volley_frequency(freq_hz):
    d = volleys(200, freq_hz, 2000.0, p_fire=0.3, jitter_ms=1.0)
    peak = oscillation_peak(d.times_ms, 200, 0.0, 2000.0)
    assert peak.peak_hz == pytest.approx(freq_hz, abs=1000.0 / 256)  # one frequency bin


@pytest.mark.parametrize("freq_hz", [20.0, 150.0])
def test_a_rhythmic_rate_holds_most_power_at_its_peak(freq_hz):
    # Volleys jittered by a sixth of the period: a near-sinusoidal rate, few harmonics.
    d = volleys(200, freq_hz, 2000.0, p_fire=0.3, jitter_ms=1000.0 / freq_hz / 6)
    peak = oscillation_peak(d.times_ms, 200, 0.0, 2000.0)
    assert peak.peak_hz == pytest.approx(freq_hz, abs=1000.0 / 256)
    assert peak.rel_power > 0.3


def test_poisson_spectrum_is_flat():
    d = poisson(500, 20.0, 2000.0, seed=1)
    assert oscillation_peak(d.times_ms, 500, 0.0, 2000.0).rel_power < 0.1


def test_population_rate_is_per_neuron_hz():
    rate = population_rate_hz(np.array([0.5, 0.7, 1.2]), 2, 0.0, 3.0, bin_ms=1.0)
    np.testing.assert_allclose(rate, [1000.0, 500.0, 0.0])


def test_spectrum_resolution_follows_the_segment():
    freqs, psd = rate_spectrum(np.random.default_rng(0).normal(size=2000), bin_ms=1.0, segment_ms=500.0)
    assert freqs[1] == pytest.approx(2.0) and freqs[-1] == pytest.approx(500.0) and psd.shape == freqs.shape


@pytest.mark.parametrize("times, t_stop", [(np.empty(0), 1000.0), (np.array([1.0]), 5.0)])
def test_no_spikes_or_too_short_gives_nan(times, t_stop):
    peak = oscillation_peak(times, 10, 0.0, t_stop)
    assert np.isnan(peak.peak_hz) and np.isnan(peak.rel_power)


@pytest.mark.parametrize(("n", "nperseg"), [(1000, 256), (300, 256), (257, 256), (999, 255), (8, 8), (100, 33)])
def test_welch_psd_equals_scipy(n, nperseg):
    from scipy.signal import welch

    from opsnn_opt.analysis._oscillation import welch_psd

    x = np.random.default_rng(n).normal(size=n)
    f_ref, p_ref = welch(x, fs=1000.0, nperseg=nperseg, detrend="constant")
    f, p = welch_psd(x, 1000.0, nperseg)
    np.testing.assert_allclose(f, f_ref)
    np.testing.assert_allclose(p, p_ref, rtol=1e-12)
