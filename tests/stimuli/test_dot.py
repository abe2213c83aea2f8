"""The pulse and the moving dot: disc movies, inhomogeneous Poisson trains, explicit seeds."""

from __future__ import annotations

import numpy as np
import pytest

from opsnn_opt.models import get_model
from opsnn_opt.stimuli import Disc, SpikeInput, disc_movie, inhomogeneous_poisson, make_input, pixel_centres


def reference_poisson(rates_hz, bin_ms, t0_ms, seed):
    """The same draws as the vectorised code, turned into spikes with plain loops."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rates_hz * bin_ms / 1000.0)
    spikes = [(b, s) for b in range(counts.shape[0]) for s in range(counts.shape[1]) for _ in range(counts[b, s])]
    offsets = rng.random(len(spikes))
    return ([t0_ms + (b + u) * bin_ms for (b, _), u in zip(spikes, offsets)], [s for _, s in spikes])


def test_poisson_trains_match_a_loop_reference_exactly():
    rates = np.random.default_rng(1).uniform(0, 400, (30, 50))
    times, sources = inhomogeneous_poisson(rates, 2.0, 10.0, np.random.default_rng(7))
    ref_times, ref_sources = reference_poisson(rates, 2.0, 10.0, 7)
    got = SpikeInput.from_unsorted(times, sources, 50, 1)
    want = SpikeInput.from_unsorted(np.array(ref_times), np.array(ref_sources), 50, 1)
    np.testing.assert_array_equal(got.times_ms, want.times_ms)
    np.testing.assert_array_equal(got.sources, want.sources)


def test_poisson_counts_follow_the_rates():
    rates = np.zeros((100, 2))
    rates[:50, 0], rates[50:, 1] = 1000.0, 200.0
    times, sources = inhomogeneous_poisson(rates, 10.0, 0.0, np.random.default_rng(0))
    assert abs((sources == 0).sum() - 500) < 5 * np.sqrt(500)
    assert abs((sources == 1).sum() - 100) < 5 * np.sqrt(100)
    assert times[sources == 0].max() < 500.0 and times[sources == 1].min() >= 500.0
    assert inhomogeneous_poisson(np.zeros((3, 4)), 1.0, 0.0, np.random.default_rng(0))[0].size == 0


def test_moving_dot_covers_the_pixels_under_it():
    disc = Disc(0.2, 0.5, 0.1, onset_ms=10.0, duration_ms=40.0, contrast=0.8, vx=0.01)
    movie = disc_movie(disc, 20, 20, 10.0, noise=0.0, rng=np.random.default_rng(0))
    assert movie.shape == (4, 400)
    pix = pixel_centres(20, 20)
    for frame, t in zip(movie, [15.0, 25.0, 35.0, 45.0]):
        cx = 0.2 + 0.01 * (t - 10.0)
        inside = np.hypot(pix[:, 0] - cx, pix[:, 1] - 0.5) <= 0.1
        np.testing.assert_array_equal(frame, np.where(inside, 0.8, 0.0))


def test_noise_is_seeded_and_clipped():
    disc = Disc(0.5, 0.5, 0.2, 0.0, 5.0)
    a = disc_movie(disc, 8, 8, 1.0, 0.3, np.random.default_rng(4))
    b = disc_movie(disc, 8, 8, 1.0, 0.3, np.random.default_rng(4))
    np.testing.assert_array_equal(a, b)
    assert a.min() >= 0.0 and a.max() <= 1.0 and 0 < a[a < 1].mean()


def _params(**values):
    return get_model("v1_sheet").resolve({"stim_pixels": 16, **values}, "test")


def test_dot_stimulus_is_the_movie_through_poisson():
    params = _params(
        stimulus="dot",
        dot_vx_per_ms=0.01,
        stim_onset_ms=5.0,
        stim_duration_ms=30.0,
        stim_x=0.2,
        stim_radius=0.15,
        stim_rate_hz=800.0,
    )
    spikes = make_input(params)
    assert (spikes.width, spikes.height, spikes.channels) == (16, 16, 1)
    assert spikes.times_ms.min() >= 5.0 and spikes.times_ms.max() < 35.0
    # The centre of mass of the spiking pixels moves with the dot.
    xy = spikes.source_xy()[spikes.sources]
    early, late = spikes.times_ms < 15.0, spikes.times_ms >= 25.0
    shift = (xy[late, 0].mean() - xy[early, 0].mean()) / 16  # field units
    assert shift == pytest.approx(0.01 * 20.0, abs=0.05)
    again = make_input(params)  # the seed fixes everything
    np.testing.assert_array_equal(spikes.times_ms, again.times_ms)
    other = make_input({**params, "seed": params["seed"] + 1})
    assert not np.array_equal(spikes.times_ms, other.times_ms)


def test_pulse_fires_only_inside_the_disc_during_its_window():
    params = _params(
        stimulus="pulse",
        stim_x=0.25,
        stim_y=0.75,
        stim_radius=0.2,
        stim_onset_ms=20.0,
        stim_duration_ms=10.0,
        stim_noise=0.5,
    )  # noise is for the dot only
    spikes = make_input(params)
    centres = pixel_centres(16, 16)[spikes.sources]
    assert np.all(np.hypot(centres[:, 0] - 0.25, centres[:, 1] - 0.75) <= 0.2)
    assert spikes.times_ms.min() >= 20.0 and spikes.times_ms.max() < 30.0
    assert make_input(_params(stimulus="none")) is None
