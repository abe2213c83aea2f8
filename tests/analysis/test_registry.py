"""The metric registry: names, validation messages, the default set and the value contract."""

from __future__ import annotations

import math

import numpy as np
import pytest

from opsnn_opt.analysis import (
    ALIASES,
    METRICS,
    SpikeData,
    check_metric_name,
    compute_metrics,
    default_metric_names,
    metric_names,
)
from opsnn_opt.errors import ConfigError
from tests.analysis.synthetic import plane_wave, poisson

POPS = {"exc": (0, 80), "inh": (80, 100)}
SPATIAL = [
    "wave_speed_mm_per_ms",
    "wave_fit_r2",
    "spread_speed_mm_per_ms",
    "spread_diffusion_mm2_per_ms",
    "pgd_mean",
    "wave_fraction",
    "phase_speed_mm_per_ms",
    "wave_direction_deg",
    "radial_index",
]


def test_stable_names():
    names = metric_names(["exc", "inh"])
    for name in [
        "rate_hz.exc",
        "silent_fraction.all",
        "rate_max_hz.inh",
        "rate_p50_hz.exc",
        "cv_isi.exc",
        "cv2_isi.all",
        "lv_isi.exc",
        "synchrony_chi.all",
        "synchrony.exc",
        "fano_pop.exc",
        "corr_mean.all",
        "synchrony_chi_vm.exc",
        "osc_peak_hz",
        "osc_rel_power",
        "state",
        *SPATIAL,
    ]:
        assert name in names
    assert ALIASES == {"synchrony": "synchrony_chi"}
    assert all(m.doc and m.base == base for base, m in METRICS.items())


@pytest.mark.parametrize(
    "name", ["rate_hz.exc", "cv_isi.all", "synchrony.inh", "state", "osc_peak_hz", "wave_speed_mm_per_ms", "pgd_mean"]
)
def test_valid_names_pass(name):
    assert check_metric_name(name, ["exc", "inh"], "objective.toml") == name


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(
        ConfigError,
        match=r"objective\.toml: unknown metric 'rate\.exc'; valid metrics are "
        r"BASE\.POPULATION with BASE one of: rate_hz, .*cv_isi.*; or one of the "
        r"network metrics: osc_peak_hz, .*state.*wave_speed_mm_per_ms",
    ):
        check_metric_name("rate.exc", ["exc", "inh"], "objective.toml")


def test_population_metric_needs_a_valid_suffix():
    with pytest.raises(ConfigError, match=r"metric 'rate_hz' needs a population suffix, one of: exc, inh, all"):
        check_metric_name("rate_hz", ["exc", "inh"], "x")
    with pytest.raises(ConfigError, match=r"metric 'rate_hz\.foo' needs a population suffix, one of: exc, inh, all"):
        check_metric_name("rate_hz.foo", ["exc", "inh"], "x")
    assert check_metric_name("rate_hz.foo", None, "x") == "rate_hz.foo"  # populations unknown


def test_network_metric_takes_no_suffix():
    with pytest.raises(
        ConfigError,
        match=r"metric 'state' is computed from the whole network and takes no "
        r"population suffix; got 'state\.exc'",
    ):
        check_metric_name("state.exc", ["exc", "inh"], "x")


def test_default_set_skips_spatial_and_vm_metrics_without_their_inputs():
    d = poisson(100, 10.0, 1000.0, populations=POPS)
    values = compute_metrics(d)
    assert list(values) == default_metric_names(d)
    assert not set(SPATIAL) & set(values)
    assert not any(name.startswith("synchrony_chi_vm") for name in values)
    assert {"rate_hz.exc", "rate_hz.inh", "rate_hz.all", "state", "osc_peak_hz", "synchrony.all"} <= set(values)
    assert all(type(v) is float for v in values.values())
    assert values["synchrony.exc"] == values["synchrony_chi.exc"]
    assert values["rate_hz.all"] == pytest.approx(10.0, rel=0.1)
    assert values["state"] == 1.0  # AI


def test_requested_spatial_metric_without_positions_is_nan():
    d = poisson(100, 10.0, 500.0, populations=POPS)
    values = compute_metrics(d, ["wave_speed_mm_per_ms", "synchrony_chi_vm.exc"])
    assert math.isnan(values["wave_speed_mm_per_ms"]) and math.isnan(values["synchrony_chi_vm.exc"])


def test_spatial_metrics_with_positions():
    d = plane_wave(0.15, 45.0)
    values = compute_metrics(d)
    assert set(SPATIAL) <= set(values)
    assert values["phase_speed_mm_per_ms"] == pytest.approx(0.15, rel=0.05)
    assert values["wave_direction_deg"] == pytest.approx(45.0, abs=5.0)
    assert values["wave_fraction"] > 0.9


def test_vm_metric_per_population():
    rng = np.random.default_rng(0)
    v = rng.normal(-60.0, 2.0, size=(1000, 4))
    d = SpikeData(np.array([1.0]), np.array([0]), POPS, 0.0, 100.0, v_mv=v, v_senders=np.array([0, 1, 80, 81]))
    values = compute_metrics(d, ["synchrony_chi_vm.exc", "synchrony_chi_vm.all"])
    assert values["synchrony_chi_vm.exc"] == pytest.approx(1 / np.sqrt(2), rel=0.1)
    assert values["synchrony_chi_vm.all"] == pytest.approx(0.5, rel=0.1)
    assert "synchrony_chi_vm.exc" in default_metric_names(d)


def test_unknown_name_in_compute_metrics_is_a_config_error():
    with pytest.raises(ConfigError, match="compute_metrics: unknown metric 'nope'"):
        compute_metrics(poisson(10, 5.0, 100.0), ["nope"])


@pytest.mark.parametrize(
    "data",
    [
        SpikeData(np.empty(0), np.empty(0, dtype=np.int64), {}, 0.0, 0.0),  # nothing at all
        SpikeData(np.empty(0), np.empty(0, dtype=np.int64), POPS, 0.0, 1000.0),  # no spikes
        SpikeData(np.array([5.0]), np.array([3]), POPS, 0.0, 1000.0),  # a single spike
        SpikeData(np.array([5.0, 9.0, 30.0]), np.array([0, 0, 0]), {"one": (0, 1)}, 0.0, 100.0),  # one neuron
    ],
)
def test_degenerate_input_gives_floats_never_a_crash(data):
    values = compute_metrics(data)
    assert all(type(v) is float for v in values.values())
    if data.times_ms.size <= 1:
        assert values["state"] == 0.0  # quiescent
    assert math.isnan(values["synchrony_chi.all"]) and math.isnan(values["corr_mean.all"])


def test_no_spikes_rates_are_zero_and_silent_fraction_one():
    d = SpikeData(np.empty(0), np.empty(0, dtype=np.int64), POPS, 0.0, 1000.0)
    values = compute_metrics(d, ["rate_hz.exc", "silent_fraction.all", "rate_max_hz.all", "synchrony_chi.all"])
    assert values["rate_hz.exc"] == 0.0 and values["silent_fraction.all"] == 1.0 and values["rate_max_hz.all"] == 0.0
    assert math.isnan(values["synchrony_chi.all"])
