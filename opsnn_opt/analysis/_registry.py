"""The metric registry: stable names that objective files refer to.

A metric name is ``BASE.POPULATION``, e.g. ``rate_hz.exc``; POPULATION is one of the model's
populations or ``all``. ``synchrony`` is an alias of ``synchrony_chi``, the default synchrony
measure, and is reported under both names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from opsnn_opt.analysis._irregularity import cv_isi
from opsnn_opt.analysis._rates import mean_rate_hz, silent_fraction
from opsnn_opt.analysis._spikes import SpikeData
from opsnn_opt.analysis._synchrony import golomb_chi, population_fano
from opsnn_opt.errors import ConfigError

__all__ = ["ALIASES", "METRICS", "Metric", "check_metric_name", "compute_metrics", "metric_names"]

SYNCHRONY_BIN_MS = 5.0


@dataclass(frozen=True)
class Metric:
    """A registered metric: a function of one population's spikes."""

    base: str
    unit: str
    doc: str
    fn: Callable[[SpikeData], float]


def _rate(d: SpikeData) -> float:
    return mean_rate_hz(d.times_ms.size, d.n_neurons, d.duration_ms)


def _chi(d: SpikeData) -> float:
    return golomb_chi(d.times_ms, d.senders, d.n_neurons, d.t_start_ms, d.t_stop_ms, SYNCHRONY_BIN_MS)


METRICS: dict[str, Metric] = {m.base: m for m in (
    Metric("rate_hz", "Hz", "mean firing rate over the population's neurons", _rate),
    Metric("silent_fraction", "", "fraction of neurons with no spike",
           lambda d: silent_fraction(d.senders, d.n_neurons)),
    Metric("cv_isi", "", "mean CV of inter-spike intervals over neurons with >= 3 spikes",
           lambda d: cv_isi(d.times_ms, d.senders, d.n_neurons)),
    Metric("synchrony_chi", "", f"Golomb's chi from spike counts in {SYNCHRONY_BIN_MS:g} ms bins", _chi),
    Metric("fano_pop", "", f"Fano factor of the population count in {SYNCHRONY_BIN_MS:g} ms bins",
           lambda d: population_fano(d.times_ms, d.t_start_ms, d.t_stop_ms, SYNCHRONY_BIN_MS)),
)}
ALIASES: dict[str, str] = {"synchrony": "synchrony_chi"}


def metric_names(populations: Sequence[str]) -> list[str]:
    """Every valid metric name for a model with these populations."""
    pops = [*populations, "all"]
    return [f"{base}.{pop}" for base in [*METRICS, *ALIASES] for pop in pops]


def check_metric_name(name: str, populations: Sequence[str] | None, where: str) -> str:
    """Raise :class:`ConfigError` unless ``name`` is a valid metric; return it."""
    base, _, pop = name.partition(".")
    if base not in METRICS and base not in ALIASES:
        valid = ", ".join([*METRICS, *ALIASES])
        raise ConfigError(f"{where}: unknown metric {name!r}; valid metrics are BASE.POPULATION with "
                          f"BASE one of: {valid}")
    if not pop or (populations is not None and pop not in (*populations, "all")):
        pops = ", ".join([*(populations or ()), "all"]) if populations is not None else "a population or all"
        raise ConfigError(f"{where}: metric {name!r} needs a population suffix, one of: {pops}")
    return name


def compute_metrics(data: SpikeData, names: Iterable[str] | None = None) -> dict[str, float]:
    """Compute metrics by name; by default every metric for every population and ``all``."""
    if names is None:
        names = metric_names(list(data.populations))
    selected: dict[str, SpikeData] = {}
    out: dict[str, float] = {}
    for name in names:
        base, _, pop = name.partition(".")
        metric = METRICS[ALIASES.get(base, base)]
        if pop not in selected:
            selected[pop] = data.select(pop)
        out[name] = float(metric.fn(selected[pop]))
    return out
