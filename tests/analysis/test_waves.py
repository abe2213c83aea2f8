"""Travelling waves: planted plane, radial, evoked and diffusive activity with known parameters."""

from __future__ import annotations

import numpy as np
import pytest

from opsnn_opt.analysis import (
    SpikeData,
    activity_spread,
    first_spike_latency_ms,
    latency_fit,
    phase_waves,
    rate_maps,
)
from tests.analysis.synthetic import evoked_wave, grid_positions, plane_wave, radial_wave


def _waves(d: SpikeData, **kw):
    maps = rate_maps(d.times_ms, d.senders, d.positions_mm, d.t_start_ms, d.t_stop_ms, bin_ms=4.0)
    return phase_waves(maps, d.center_mm, **kw)


@pytest.mark.parametrize("speed, direction", [(0.15, 30.0), (0.1, 200.0), (0.3, 300.0)])
def test_plane_wave_speed_and_direction_are_recovered(speed, direction):
    w = _waves(plane_wave(speed, direction))
    assert w.speed_mm_per_ms == pytest.approx(speed, rel=0.05)
    assert (w.direction_deg - direction + 180) % 360 - 180 == pytest.approx(0.0, abs=0.05 * 360)
    assert w.pgd_mean > 0.7 and w.wave_fraction > 0.9  # noise alone gives ~0.1
    assert abs(w.radial_index) < 0.2


@pytest.mark.parametrize("speed", [0.1, 0.2])
def test_radial_wave_speed_is_recovered_and_pgd_is_low(speed):
    w = _waves(radial_wave(speed, (2.0, 2.0)))
    assert w.speed_mm_per_ms == pytest.approx(speed, rel=0.05)
    assert w.pgd_mean < 0.2 and w.wave_fraction < 0.1
    assert w.radial_index > 0.8  # expanding from the stimulus centre
    assert np.isnan(w.direction_deg)


def test_no_wave_has_low_pgd():
    rng = np.random.default_rng(0)
    pos = grid_positions(30, 0.1)
    s = rng.integers(0, 900, 40_000)
    d = SpikeData(rng.uniform(0, 1000, s.size), s, {"all": (0, 900)}, 0.0, 1000.0, positions_mm=pos)
    w = _waves(d)
    assert w.pgd_mean < 0.3 and w.wave_fraction < 0.2 and abs(w.radial_index) < 0.2


@pytest.mark.parametrize("speed", [0.03, 0.05, 0.08])
@pytest.mark.parametrize("onset_ms", [100.0, 200.0])  # 200: the wave ends near the window's end
def test_single_evoked_wave_speed_from_phase(speed, onset_ms):
    w = _waves(evoked_wave(speed, onset_ms=onset_ms, t_stop_ms=300.0))
    assert w.speed_mm_per_ms == pytest.approx(speed, rel=0.1)
    assert w.radial_index > 0.5


@pytest.mark.parametrize("speed", [0.05, 0.2, 0.5])
def test_evoked_wave_speed_from_latency(speed):
    d = evoked_wave(speed)
    lat = first_spike_latency_ms(d.times_ms, d.senders, d.n_neurons, d.onset_ms)
    fit = latency_fit(np.linalg.norm(d.positions_mm - d.center_mm, axis=1), lat)
    assert fit.speed_mm_per_ms == pytest.approx(speed, rel=0.05)
    assert fit.r2 > 0.8


def test_spread_speed_of_an_evoked_wave():
    d = evoked_wave(0.1)
    spread = activity_spread(d.times_ms, d.senders, d.positions_mm, d.center_mm, d.onset_ms, t_start_ms=0.0)
    assert spread.speed_mm_per_ms == pytest.approx(0.1, rel=0.05)


def test_diffusion_coefficient_of_diffusing_activity():
    rng = np.random.default_rng(1)
    d_mm2_per_ms, spacing, n_side = 0.01, 0.1, 81
    pos = grid_positions(n_side, spacing)
    center = pos[(n_side * n_side) // 2]
    t = np.repeat(np.arange(0.0, 50.0, 0.5), 100) + rng.uniform(0, 0.5, 10_000)
    per_axis_sd = np.sqrt(0.01 + 2 * d_mm2_per_ms * t)  # variance s0² + 2 D t per axis
    xy = center[:2] + rng.normal(size=(t.size, 2)) * per_axis_sd[:, None]
    ij = np.clip(np.round(xy / spacing).astype(int), 0, n_side - 1)
    senders = ij[:, 1] * n_side + ij[:, 0]
    spread = activity_spread(t, senders, pos, center, 0.0)
    assert spread.diffusion_mm2_per_ms == pytest.approx(d_mm2_per_ms, rel=0.05)


def test_latency_is_nan_for_silent_neurons_and_spikes_before_onset():
    lat = first_spike_latency_ms(np.array([5.0, 12.0, 30.0]), np.array([0, 0, 2]), 4, onset_ms=10.0)
    np.testing.assert_allclose(lat, [2.0, np.nan, 20.0, np.nan])


@pytest.mark.parametrize(
    "distance, latency",
    [
        (np.array([]), np.array([])),  # no data
        (np.array([1.0, 2.0]), np.array([1.0, 2.0])),  # too few points
        (np.ones(10), np.arange(10.0)),  # all at the same distance
    ],
)
def test_latency_fit_degenerate_is_nan(distance, latency):
    fit = latency_fit(distance, latency)
    assert np.isnan(fit.speed_mm_per_ms) and np.isnan(fit.r2)


def test_receding_activity_has_no_speed():
    fit = latency_fit(np.arange(10.0), 10.0 - np.arange(10.0))
    assert np.isnan(fit.speed_mm_per_ms) and fit.slope_ms_per_mm == pytest.approx(-1.0)


def test_waves_degenerate_input():
    pos = grid_positions(2, 0.1)  # too few cells for a gradient
    maps = rate_maps(np.array([1.0]), np.array([0]), pos, 0.0, 100.0)
    assert np.isnan(phase_waves(maps, np.zeros(3)).pgd_mean)
    pos = grid_positions(10, 0.1)
    empty = rate_maps(np.empty(0), np.empty(0, dtype=np.int64), pos, 0.0, 100.0)
    assert np.isnan(phase_waves(empty, np.zeros(3)).speed_mm_per_ms)
    with pytest.raises(ValueError, match="no neuron has a finite position"):
        rate_maps(np.empty(0), np.empty(0, dtype=np.int64), np.full((4, 3), np.nan), 0.0, 100.0)


def test_spread_without_spikes_after_onset_is_nan():
    pos = grid_positions(5, 0.1)
    spread = activity_spread(np.array([1.0]), np.array([0]), pos, np.zeros(3), onset_ms=10.0)
    assert np.isnan(spread.speed_mm_per_ms) and np.isnan(spread.diffusion_mm2_per_ms)


def test_row_medians_ignore_nan_like_numpy():
    from opsnn_opt.analysis._phase_waves import _nanmedian_rows

    rng = np.random.default_rng(0)
    a = rng.normal(size=(200, 37))
    a[rng.random(a.shape) < 0.4] = np.nan
    a[3] = np.nan
    with pytest.warns(RuntimeWarning, match="All-NaN slice"):
        expected = np.nanmedian(a, axis=1)
    np.testing.assert_allclose(_nanmedian_rows(a), expected, equal_nan=True)
    np.testing.assert_allclose(
        _nanmedian_rows(a[:, :4][~np.isnan(a[:, :4]).any(axis=1)]),
        np.median(a[:, :4][~np.isnan(a[:, :4]).any(axis=1)], axis=1),
    )
