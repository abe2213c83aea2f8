"""The metric table: :class:`Metric` and every metric by name, the built-ins first.

Names are of two kinds:

* population metrics ``BASE.POPULATION``, e.g. ``rate_hz.exc``; POPULATION is one of the
  model's populations or ``all``. ``synchrony`` is an alias of ``synchrony_chi``, the default
  synchrony measure, and is reported under both names;
* network metrics without a suffix, e.g. ``osc_peak_hz``, ``state`` or the spatial
  ``wave_speed_mm_per_ms``, computed from every neuron.

Every value is a float (nan when undefined: see each function's documented edge cases). User
metrics join :data:`METRICS` through :mod:`._plugins`; names are looked up and computed by
:mod:`._registry`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from opsnn_opt.analysis import _rates, _state, _state_network, _synchrony
from opsnn_opt.analysis._inputs import CORR_PAIRS, CORR_SEED, SYNCHRONY_BIN_MS, MetricInput
from opsnn_opt.analysis._spikes import SpikeData

__all__ = ["ALIASES", "METRICS", "Metric", "combine_replicates", "is_categorical"]


@dataclass(frozen=True)
class Metric:
    """A registered metric.

    Attributes
    ----------
    base
        The name (``rate_hz``), without population suffix.
    unit
        Unit of the value ("" when dimensionless).
    doc
        Definition, parameters and reference; the function named there documents edge cases.
    fn
        Computes the value from a :class:`MetricInput`.
    per_population
        True: named ``base.POPULATION`` and computed per population; False: a network metric.
    requires
        ``"positions"`` or ``"v"`` when the metric needs neuron positions or recorded V_m.
    categorical
        True for a code rather than a quantity (a network state): seed replicates combine by
        their most common value (:func:`combine_replicates`), never by a mean.
    """

    base: str
    unit: str
    doc: str
    fn: Callable[[MetricInput], float]
    per_population: bool = True
    requires: str = ""
    categorical: bool = False


def _d(m: MetricInput) -> SpikeData:
    return m.data


def _mean(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else float("nan")


def _percentile(q: float) -> Callable[[MetricInput], float]:
    return lambda m: float(np.percentile(m.rates_hz, q)) if m.counts.size and m.duration_ms > 0 else float("nan")


def _network_state(m: MetricInput) -> _state.NetworkState:
    return m.cached("network_state", lambda: _state_network.classify_state(m.whole))


def _population_state(m: MetricInput) -> float:
    (pop,) = m.data.populations  # one population after SpikeData.select
    thresholds = _state.StateThresholds.for_population(m.data.refractory_ms, pop)
    return float(_state_network.classify_input(m, thresholds).code)


_SYNC = f"in {SYNCHRONY_BIN_MS:g} ms bins"
METRICS: dict[str, Metric] = {
    m.base: m
    for m in (
        # Rates (opsnn_opt.analysis._rates)
        Metric(
            "rate_hz",
            "Hz",
            "mean firing rate over the population's neurons (mean_rate_hz)",
            lambda m: _rates.mean_rate_hz(int(m.counts.sum()), m.counts.size, m.duration_ms),
        ),
        Metric(
            "silent_fraction",
            "",
            "fraction of neurons with no spike (silent_fraction)",
            lambda m: _rates.silent_fraction_of_counts(m.counts),
        ),
        Metric("rate_max_hz", "Hz", "largest firing rate of a neuron (rate_percentile_hz, q=100)", _percentile(100)),
        Metric(
            "rate_p10_hz", "Hz", "10th percentile of the neurons' firing rates (rate_percentile_hz)", _percentile(10)
        ),
        Metric("rate_p50_hz", "Hz", "median firing rate of the neurons (rate_percentile_hz)", _percentile(50)),
        Metric(
            "rate_p90_hz", "Hz", "90th percentile of the neurons' firing rates (rate_percentile_hz)", _percentile(90)
        ),
        # Irregularity (._irregularity): means over neurons with >= 3 spikes
        Metric(
            "cv_isi",
            "",
            "mean CV of inter-spike intervals over neurons with >= 3 spikes (cv_isi)",
            lambda m: _mean(m.isi.cv),
        ),
        Metric("cv2_isi", "", "mean CV2 of the ISIs, Holt et al. 1996 (cv2_isi)", lambda m: _mean(m.isi.cv2)),
        Metric(
            "lv_isi",
            "",
            "mean local variation LV of the ISIs, Shinomoto et al. 2003 (lv_isi)",
            lambda m: _mean(m.isi.lv),
        ),
        # Synchrony (._synchrony)
        Metric(
            "synchrony_chi", "", f"Golomb's chi from spike counts {_SYNC}, Golomb 2007 (golomb_chi)", lambda m: m.chi()
        ),
        Metric(
            "fano_pop",
            "",
            f"Fano factor of the population count {_SYNC} (population_fano)",
            lambda m: _synchrony.population_fano(_d(m).times_ms, _d(m).t_start_ms, _d(m).t_stop_ms, SYNCHRONY_BIN_MS),
        ),
        Metric(
            "corr_mean",
            "",
            f"mean Pearson correlation of spike counts {_SYNC} over {CORR_PAIRS} pairs drawn "
            f"with seed {CORR_SEED} (spike_count_correlation)",
            lambda m: _synchrony.spike_count_correlation(
                _d(m).times_ms,
                _d(m).senders,
                _d(m).n_neurons,
                _d(m).t_start_ms,
                _d(m).t_stop_ms,
                SYNCHRONY_BIN_MS,
                CORR_PAIRS,
                CORR_SEED,
            ),
        ),
        Metric(
            "synchrony_chi_vm",
            "",
            "Golomb's chi from the recorded membrane potentials (golomb_chi_vm)",
            lambda m: _synchrony.golomb_chi_vm(_d(m).v_mv) if _d(m).has_v else float("nan"),
            requires="v",
        ),
        # Oscillation and state (._oscillation, ._state): every neuron
        Metric(
            "osc_peak_hz",
            "Hz",
            "peak frequency of the population-rate spectrum, Welch, 1 ms bins, >= 5 Hz (oscillation_peak)",
            lambda m: m.oscillation.peak_hz,
            per_population=False,
        ),
        Metric(
            "osc_rel_power",
            "",
            "fraction of the rate spectrum's power in the peak band (oscillation_peak)",
            lambda m: m.oscillation.rel_power,
            per_population=False,
        ),
        Metric(
            "state",
            "",
            "network state code over the whole run, from its populations' states: 0 quiescent, "
            "1 AI, 2 SI, 3 SR, 4 runaway, 5 AR, 6-8 undetermined (CV, chi, rate missing); "
            "Brunel 2000 (classify_state, StateThresholds with the model's tau_ref)",
            lambda m: float(_network_state(m).code),
            per_population=False,
            categorical=True,
        ),
        Metric(
            _state_network.POPULATION_STATE,
            "",
            "state code of the population on its own spikes, codes as for state (classify_input)",
            _population_state,
            categorical=True,
        ),
        Metric(
            "state_tau_ref_ms",
            "ms",
            "refractory period the state rules used (the shortest over populations): the model's, "
            "or the default 2 ms (StateThresholds.for_population)",
            lambda m: _network_state(m).refractory_ms,
            per_population=False,
        ),
        Metric(
            "state_tau_ref_default",
            "",
            "1 when the state rules used the default tau_ref because the model states none, else 0",
            lambda m: float(_network_state(m).refractory_default),
            per_population=False,
            categorical=True,
        ),
        # Evoked waves (._evoked): from stimulus_center_mm and stimulus_onset_ms
        Metric(
            "wave_speed_mm_per_ms",
            "mm/ms",
            "1 / Theil-Sen slope of first-spike latency against distance from the stimulus (latency_fit)",
            lambda m: m.latency.speed_mm_per_ms,
            False,
            "positions",
        ),
        Metric(
            "wave_fit_r2",
            "",
            "R^2 of that latency-distance line (latency_fit)",
            lambda m: m.latency.r2,
            False,
            "positions",
        ),
        Metric(
            "spread_speed_mm_per_ms",
            "mm/ms",
            "growth rate of the RMS distance of spikes from the stimulus (activity_spread)",
            lambda m: m.spread.speed_mm_per_ms,
            False,
            "positions",
        ),
        Metric(
            "spread_diffusion_mm2_per_ms",
            "mm^2/ms",
            "diffusion coefficient: growth of the squared RMS distance / 4 (activity_spread)",
            lambda m: m.spread.diffusion_mm2_per_ms,
            False,
            "positions",
        ),
        # Ongoing waves (._phase_waves): Hilbert phase of rate maps in 2 ms frames
        Metric(
            "pgd_mean",
            "",
            "mean phase-gradient directionality, Rubino et al. 2006 (phase_waves)",
            lambda m: m.waves.pgd_mean,
            False,
            "positions",
        ),
        Metric(
            "wave_fraction",
            "",
            "fraction of frames with PGD >= 0.5 (phase_waves)",
            lambda m: m.waves.wave_fraction,
            False,
            "positions",
        ),
        Metric(
            "phase_speed_mm_per_ms",
            "mm/ms",
            "wave speed: instantaneous frequency / |phase gradient| (phase_waves)",
            lambda m: m.waves.speed_mm_per_ms,
            False,
            "positions",
        ),
        Metric(
            "wave_direction_deg",
            "deg",
            "dominant direction of travel of plane waves, 0 = +x (phase_waves)",
            lambda m: m.waves.direction_deg,
            False,
            "positions",
        ),
        Metric(
            "radial_index",
            "",
            "mean cosine between the direction of travel and the outward direction from "
            "the stimulus: +1 expanding radial wave (phase_waves)",
            lambda m: m.waves.radial_index,
            False,
            "positions",
        ),
    )
}
ALIASES: dict[str, str] = {"synchrony": "synchrony_chi"}


def is_categorical(name: str) -> bool:
    """Whether metric ``name`` (``state``, ``pop_state.exc``, ...) is a code, not a quantity."""
    base = ALIASES.get(name, name)
    metric = METRICS.get(base) or METRICS.get(base.rsplit(".", 1)[0])
    return bool(metric and metric.categorical)


def combine_replicates(name: str, values: Sequence[float]) -> float:
    """One value of metric ``name`` for seed replicates' ``values``: the mean of a quantity over
    the replicates where it is defined; the most common value of a code (the lowest on a tie,
    which for states puts quiescent before AI before SI ...). nan when no replicate defines it."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if not x.size:
        return math.nan
    if not is_categorical(name):
        return float(x.mean())
    codes, counts = np.unique(x, return_counts=True)
    return float(codes[np.argmax(counts)])
