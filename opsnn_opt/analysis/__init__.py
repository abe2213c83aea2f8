"""Analysis metrics: pure functions over flat spike arrays, and the registry of their names.

Where things live: ``_spikes`` (the :class:`SpikeData` arrays; neo is converted once, at the
boundary, by :func:`opsnn_opt.io.spike_data_from_block`); one module per family of metrics:
``_rates``, ``_irregularity``, ``_synchrony``, ``_oscillation``, ``_state`` and ``_state_network``
(network states), ``_evoked``
(latency and spread of evoked waves) and ``_phase_waves`` (ongoing waves); ``_table`` names
them, ``_plugins`` adds user metrics to that table (:func:`metric`, the ``opsnn_opt.metrics``
entry points, an objective's ``[[plugins]]``) and ``_registry`` looks names up and computes
them.
"""

from opsnn_opt.analysis._evoked import (
    LatencyFit,
    SpreadFit,
    activity_spread,
    first_spike_latency_ms,
    latency_fit,
)
from opsnn_opt.analysis._incremental import SpikeAccumulator
from opsnn_opt.analysis._inputs import MetricInput
from opsnn_opt.analysis._irregularity import (
    IsiStats,
    argsort_by_neuron,
    cv2_isi,
    cv_isi,
    isi_stats,
    lv_isi,
)
from opsnn_opt.analysis._oscillation import OscillationPeak, oscillation_peak, population_rate_hz, rate_spectrum
from opsnn_opt.analysis._phase_waves import PhaseWaves, RateMaps, phase_waves, rate_maps
from opsnn_opt.analysis._plugins import MetricError, broken_metrics, load_metric, metric, metric_origin
from opsnn_opt.analysis._rates import (
    mean_rate_hz,
    neuron_rates_hz,
    rate_percentile_hz,
    silent_fraction,
    spike_counts,
)
from opsnn_opt.analysis._registry import (
    check_metric_name,
    compute_metrics,
    default_metric_names,
    metric_names,
)
from opsnn_opt.analysis._spikes import REFRACTORY_ANNOTATION, SpikeData
from opsnn_opt.analysis._state import (
    DEFAULT_REFRACTORY_MS,
    NETWORK_PRECEDENCE,
    NETWORK_STATE,
    NORMAL_STATES,
    STATE_CODES,
    STATE_LABELS,
    UNDETERMINED_CODES,
    NetworkState,
    StateThresholds,
    state_from_measures,
    state_label,
    undetermined_measure,
)
from opsnn_opt.analysis._state_network import (
    POPULATION_STATE,
    classify_input,
    classify_state,
    network_from_populations,
    state_attrs,
)
from opsnn_opt.analysis._synchrony import (
    binned_counts,
    golomb_chi,
    golomb_chi_vm,
    pair_correlations,
    population_fano,
    spike_count_correlation,
)
from opsnn_opt.analysis._table import ALIASES, METRICS, Metric, combine_replicates, is_categorical

__all__ = [
    "REFRACTORY_ANNOTATION",
    "combine_replicates",
    "is_categorical",
    "ALIASES",
    "DEFAULT_REFRACTORY_MS",
    "METRICS",
    "NETWORK_PRECEDENCE",
    "NETWORK_STATE",
    "NORMAL_STATES",
    "STATE_CODES",
    "POPULATION_STATE",
    "STATE_LABELS",
    "UNDETERMINED_CODES",
    "IsiStats",
    "LatencyFit",
    "Metric",
    "MetricError",
    "MetricInput",
    "NetworkState",
    "OscillationPeak",
    "PhaseWaves",
    "RateMaps",
    "SpikeAccumulator",
    "SpikeData",
    "SpreadFit",
    "StateThresholds",
    "activity_spread",
    "argsort_by_neuron",
    "binned_counts",
    "broken_metrics",
    "check_metric_name",
    "classify_input",
    "classify_state",
    "compute_metrics",
    "cv2_isi",
    "cv_isi",
    "default_metric_names",
    "first_spike_latency_ms",
    "golomb_chi",
    "golomb_chi_vm",
    "isi_stats",
    "latency_fit",
    "load_metric",
    "lv_isi",
    "mean_rate_hz",
    "metric",
    "metric_names",
    "metric_origin",
    "network_from_populations",
    "neuron_rates_hz",
    "oscillation_peak",
    "pair_correlations",
    "phase_waves",
    "population_fano",
    "population_rate_hz",
    "rate_maps",
    "rate_percentile_hz",
    "rate_spectrum",
    "silent_fraction",
    "spike_count_correlation",
    "spike_counts",
    "state_attrs",
    "state_from_measures",
    "state_label",
    "undetermined_measure",
]
