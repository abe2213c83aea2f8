"""Analysis metrics: pure functions over flat spike arrays, and the registry of their names."""

from opsnn_opt.analysis._irregularity import cv_isi
from opsnn_opt.analysis._rates import mean_rate_hz, silent_fraction, spike_counts
from opsnn_opt.analysis._registry import (
    ALIASES,
    METRICS,
    Metric,
    check_metric_name,
    compute_metrics,
    metric_names,
)
from opsnn_opt.analysis._spikes import SpikeData
from opsnn_opt.analysis._synchrony import binned_counts, golomb_chi, population_fano

__all__ = [
    "ALIASES",
    "METRICS",
    "Metric",
    "SpikeData",
    "binned_counts",
    "check_metric_name",
    "compute_metrics",
    "cv_isi",
    "golomb_chi",
    "mean_rate_hz",
    "metric_names",
    "population_fano",
    "silent_fraction",
    "spike_counts",
]
