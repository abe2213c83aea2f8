"""The metric registry: stable names that objective files refer to.

Two kinds of names:

* population metrics ``BASE.POPULATION``, e.g. ``rate_hz.exc``; POPULATION is one of the
  model's populations or ``all``. ``synchrony`` is an alias of ``synchrony_chi``, the default
  synchrony measure, and is reported under both names;
* network metrics without a suffix, e.g. ``osc_peak_hz``, ``state`` or the spatial
  ``wave_speed_mm_per_ms``, computed from every neuron.

Every value is a float (nan when undefined: see each function's documented edge cases). Metrics
that need neuron positions or recorded V_m give nan without them, and the default set of
:func:`compute_metrics` leaves them out. The names and their definitions are in :mod:`._table`;
installed plug-ins join it on first use (:mod:`._plugins`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from opsnn_opt.analysis._inputs import MetricInput
from opsnn_opt.analysis._plugins import load_entry_point_metrics, plugin_error
from opsnn_opt.analysis._spikes import SpikeData
from opsnn_opt.analysis._table import ALIASES, METRICS
from opsnn_opt.errors import ConfigError

__all__ = [
    "check_metric_name",
    "compute_metric",
    "compute_metrics",
    "default_metric_names",
    "metric_names",
]


def _population_bases() -> list[str]:
    return [b for b in [*METRICS, *ALIASES] if METRICS[ALIASES.get(b, b)].per_population]


def _network_bases() -> list[str]:
    return [b for b, m in METRICS.items() if not m.per_population]


def metric_names(populations: Sequence[str]) -> list[str]:
    """Every valid metric name for a model with these populations (aliases and plug-ins included)."""
    load_entry_point_metrics()  # installed plug-ins join METRICS on first use
    pops = [*populations, "all"]
    return [f"{base}.{pop}" for base in _population_bases() for pop in pops] + _network_bases()


def default_metric_names(data: SpikeData) -> list[str]:
    """What :func:`compute_metrics` computes by default: every name whose inputs ``data`` has.

    Spatial metrics need positions; ``synchrony_chi_vm`` needs recorded V_m.
    """
    have = {"": True, "positions": data.has_positions, "v": data.has_v}
    return [
        name
        for name in metric_names(list(data.populations))
        if have[METRICS[ALIASES.get(name.partition(".")[0], name.partition(".")[0])].requires]
    ]


def check_metric_name(name: str, populations: Sequence[str] | None, where: str) -> str:
    """Raise :class:`ConfigError` unless ``name`` is a valid metric; return it.

    ``populations`` None accepts any population suffix.
    """
    load_entry_point_metrics()  # installed plug-ins join METRICS on first use
    base, dot, pop = name.partition(".")
    if base not in METRICS and base not in ALIASES:
        if plugin_error(base):
            raise ConfigError(f"{where}: {plugin_error(base)}")
        raise ConfigError(
            f"{where}: unknown metric {name!r}; valid metrics are BASE.POPULATION with BASE one of: "
            f"{', '.join(_population_bases())}; or one of the network metrics: "
            f"{', '.join(_network_bases())}"
        )
    if not METRICS[ALIASES.get(base, base)].per_population:
        if dot:
            raise ConfigError(
                f"{where}: metric {base!r} is computed from the whole network and takes no "
                f"population suffix; got {name!r}"
            )
        return name
    if not pop or (populations is not None and pop not in (*populations, "all")):
        pops = ", ".join([*(populations or ()), "all"]) if populations is not None else "a population or all"
        raise ConfigError(f"{where}: metric {name!r} needs a population suffix, one of: {pops}")
    return name


def compute_metric(name: str, inputs: MetricInput) -> float:
    """One metric's value from ``inputs`` (the spikes of its population; ``"all"`` for network
    metrics), nan when the spikes lack what it requires (positions, V_m)."""
    base = name.partition(".")[0]
    metric = METRICS[ALIASES.get(base, base)]
    needs = {"positions": lambda: inputs.data.has_positions, "v": lambda: inputs.data.has_v}
    if metric.requires and not needs[metric.requires]():
        return float("nan")
    return float(metric.fn(inputs))


def compute_metrics(data: SpikeData, names: Iterable[str] | None = None) -> dict[str, float]:
    """Compute metrics by name (default: :func:`default_metric_names`); every value is a float.

    Raises
    ------
    ConfigError
        If a name is not a valid metric for ``data``'s populations (the message lists them).
    """
    names = default_metric_names(data) if names is None else list(names)
    inputs: dict[str, MetricInput] = {}
    out: dict[str, float] = {}
    for name in names:
        check_metric_name(name, list(data.populations), "compute_metrics")
        pop = name.partition(".")[2] or "all"
        if pop not in inputs:
            inputs[pop] = MetricInput(data.select(pop), whole=data)
        out[name] = compute_metric(name, inputs[pop])
    return out
