"""tonic event samples become one spike per event, on the source of its pixel and polarity."""

from __future__ import annotations

import numpy as np
import pytest

from opsnn_opt.errors import ConfigError
from opsnn_opt.models import get_model
from opsnn_opt.stimuli import EventWindow, events_to_input, load_sample, make_input, transform_events
from tests.stimuli.conftest import sample_events

W = H = 34


def expected_trains(events: np.ndarray, onset_ms: float, channels: int = 2) -> list[np.ndarray]:
    """The reference, written the slow obvious way: a loop over events."""
    trains: list[list[float]] = [[] for _ in range(W * H * channels)]
    for e in events:
        p = int(e["p"]) if channels == 2 else 0
        trains[p * W * H + int(e["y"]) * W + int(e["x"])].append(onset_ms + e["t"] / 1000.0)
    return [np.sort(np.array(t, dtype=float)) for t in trains]


def events_params(root, **extra):
    return get_model("v1_sheet").resolve(
        {"stimulus": "events", "events_path": str(root), "stim_onset_ms": 5.0, **extra}, "test"
    )


def test_tonic_loads_the_sample_from_its_own_layout(nmnist_root):
    events, sensor = load_sample("nmnist", nmnist_root, 0)
    assert sensor == (34, 34, 2)
    ref = sample_events()
    for field in "xytp":
        np.testing.assert_array_equal(events[field], ref[field])


def test_every_event_is_one_spike_of_its_pixel_and_polarity(nmnist_root):
    spikes = make_input(events_params(nmnist_root))
    assert (spikes.width, spikes.height, spikes.channels) == (34, 34, 2)
    assert spikes.times_ms.size == sample_events().size  # duplicates included
    for got, want in zip(spikes.trains(), expected_trains(sample_events(), onset_ms=5.0), strict=True):
        np.testing.assert_array_equal(got, want)


def test_merge_polarities_and_time_window(nmnist_root):
    params = events_params(nmnist_root, events_merge_polarities="true", events_t_start_ms=50.0, events_t_stop_ms=150.0)
    spikes = make_input(params)
    ref = sample_events()
    kept = ref[(ref["t"] >= 50_000) & (ref["t"] <= 150_000)]
    kept["t"] -= 50_000  # the window's start is played at the onset
    assert spikes.channels == 1
    for got, want in zip(spikes.trains(), expected_trains(kept, onset_ms=5.0, channels=1), strict=True):
        np.testing.assert_array_equal(got, want)


def test_downsample_shrinks_the_sensor_and_keeps_every_event():
    ev = sample_events()
    out, sensor = transform_events(ev, (34, 34, 2), EventWindow(downsample=0.5))
    assert sensor == (17, 17, 2) and out.size == ev.size
    assert out["x"].max() < 17 and out["y"].max() < 17
    np.testing.assert_array_equal(out["x"], ev["x"] // 2)


def test_denoise_drops_isolated_events():
    ev = np.zeros(3, dtype=[("x", int), ("y", int), ("t", int), ("p", int)])
    # tonic starts every pixel's memory at filter_time, so the events come later than 5 ms.
    ev["x"], ev["y"], ev["t"] = [5, 6, 30], [5, 5, 30], [10_000, 10_500, 20_000]
    out, _ = transform_events(ev, (34, 34, 2), EventWindow(denoise_ms=5.0))
    assert out["x"].tolist() == [6]  # only the event with a neighbour that fired just before


def test_vectorised_conversion_handles_a_large_sample():
    rng = np.random.default_rng(0)
    n = 200_000
    ev = np.zeros(n, dtype=[("x", int), ("y", int), ("t", int), ("p", int)])
    ev["x"], ev["y"], ev["p"] = rng.integers(0, 34, n), rng.integers(0, 34, n), rng.integers(0, 2, n)
    ev["t"] = np.sort(rng.integers(0, 300_000, n))
    # Not timed (machines are noisy); a loop over pixels x events would take minutes here.
    spikes = events_to_input(ev, (34, 34, 2), onset_ms=1.0)
    trains = spikes.trains()
    assert sum(t.size for t in trains) == n


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"events_path": ""}, "stimulus = events needs events_path, the folder of a tonic dataset; got ''"),
        ({"events_t_start_ms": 5.0, "events_t_stop_ms": 2.0}, r"events_t_start_ms <= events_t_stop_ms must hold"),
        ({"events_index": 10_000}, r"events_index must be in \[0, 9999\] for nmnist"),
        ({"events_split": "test"}, "opsnn never downloads at run time"),
    ],
)
def test_bad_event_settings_are_clear(nmnist_root, extra, message):
    with pytest.raises(ConfigError, match=message):
        make_input(events_params(nmnist_root, **extra))


def test_missing_dataset_is_never_downloaded(tmp_path):
    with pytest.raises(ConfigError, match=r"no NMNIST Train data under .*opsnn never downloads"):
        load_sample("nmnist", tmp_path, 0)
    assert not any(tmp_path.rglob("*.zip"))


def test_events_outside_the_sensor_are_refused():
    ev = sample_events()[:3]
    ev["x"][2] = 40
    with pytest.raises(ConfigError, match=r"event 2 at \(x=40, .*outside the sensor 34x34x2"):
        events_to_input(ev, (34, 34, 2), onset_ms=1.0)
