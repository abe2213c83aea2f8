"""User metrics: functions over :class:`~opsnn_opt.analysis.SpikeData` that join the registry.

A user metric is ``f(data: SpikeData) -> float``, returning ``nan`` where it is undefined. By
default it is a population metric: it is named ``NAME.POPULATION`` (``.all`` too) and gets the
spikes of that population, like ``rate_hz``. :func:`metric` declares otherwise, and its unit::

    from opsnn_opt.analysis import SpikeData, metric

    @metric(unit="", per_population=True)
    def burst_index(data: SpikeData) -> float:
        ...

It is registered under its function's name (or ``metric(name=...)``) in one of two ways:

* an installed package lists it in the entry-point group ``opsnn_opt.metrics``
  (``burst_index = "my_pkg.metrics:burst_index"``); it is then loaded wherever metrics are;
* an objective file names it: ``[[plugins]] metrics = ["my_pkg.metrics:burst_index"]``.

Objectives, constraints and prune rules then use it by name, and runs compute and store it like a
built-in. A name that clashes with a built-in metric is refused. A user metric that raises fails
the run (a study's trial) with the metric's name and the error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from opsnn_opt._plugins import entry_point_origin, entry_points, import_object, one_line, reference_of
from opsnn_opt.analysis._inputs import MetricInput
from opsnn_opt.analysis._table import ALIASES, METRICS, Metric
from opsnn_opt.errors import ConfigError, OpsnnError

__all__ = [
    "ENTRY_POINT_GROUP",
    "MetricError",
    "MetricPlugin",
    "broken_metrics",
    "load_entry_point_metrics",
    "load_metric",
    "metric",
    "metric_origin",
    "plugin_error",
]

#: The entry-point group in which installed packages register metrics.
ENTRY_POINT_GROUP = "opsnn_opt.metrics"
_BUILTIN = frozenset([*METRICS, *ALIASES])
_REQUIRES = ("", "positions", "v")


class MetricError(OpsnnError, RuntimeError):
    """A user metric raised or returned something other than a number."""


@dataclass(frozen=True)
class MetricPlugin:
    """How :func:`metric` declared a function."""

    name: str | None = None
    unit: str = ""
    per_population: bool = True
    requires: str = ""
    doc: str | None = None


def metric(
    unit: str = "",
    *,
    per_population: bool = True,
    requires: str = "",
    name: str | None = None,
    doc: str | None = None,
) -> Callable[[Callable[..., float]], Callable[..., float]]:
    """Declare a function as a metric (the function itself is returned unchanged).

    Parameters
    ----------
    unit
        Unit of the value (``"Hz"``, ``"mm/ms"``, ``""`` when dimensionless).
    per_population
        True: named ``NAME.POPULATION`` and computed on each population's spikes; False: a
        network metric, computed on every neuron's spikes and named without a suffix.
    requires
        ``"positions"`` or ``"v"`` if the metric needs neuron positions or recorded V_m; it is
        then ``nan`` without them.
    name
        The metric's name (default: the function's name).
    doc
        One-line definition (default: the first line of the docstring).
    """
    if requires not in _REQUIRES:
        raise ValueError(f"requires must be one of {_REQUIRES}; got {requires!r}")

    def mark(fn: Callable[..., float]) -> Callable[..., float]:
        fn.opsnn_metric = MetricPlugin(name, unit, per_population, requires, doc)  # type: ignore[attr-defined]
        return fn

    return mark


#: Registered plug-ins: name -> (function, origin).
_PLUGINS: dict[str, tuple[Callable[..., float], str]] = {}
#: Entry points that could not be loaded: name -> one-line reason.
_BROKEN: dict[str, str] = {}
_entry_points_loaded = False


def _wrap(fn: Callable[..., float], name: str, origin: str) -> Callable[[MetricInput], float]:
    def compute(inputs: MetricInput) -> float:
        try:
            value = fn(inputs.data)
        except Exception as exc:
            raise MetricError(f"metric {name!r} ({origin}) failed: {one_line(exc)}") from exc
        try:
            return float(value)
        except (TypeError, ValueError):
            raise MetricError(f"metric {name!r} ({origin}) returned {value!r}, not a number") from None

    return compute


def _register(fn: Any, origin: str, where: str, name: str | None = None) -> str:
    if not callable(fn):
        raise ConfigError(f"{where}: metric {origin!r} is not a function; got {fn!r}")
    declared = getattr(fn, "opsnn_metric", None) or MetricPlugin()
    name = name or declared.name or getattr(fn, "__name__", "")
    if not name.isidentifier():
        raise ConfigError(f"{where}: metric {origin!r}: its name must be an identifier (no dot); got {name!r}")
    if name in _BUILTIN:
        raise ConfigError(
            f"{where}: metric {origin!r}: the name {name!r} clashes with the built-in metric {name!r}; "
            "give it another name (metric(name=...))"
        )
    if name in _PLUGINS:
        if _PLUGINS[name][0] is fn:
            return name
        raise ConfigError(
            f"{where}: metric {origin!r}: the name {name!r} is already taken by {_PLUGINS[name][1]}; "
            "give it another name (metric(name=...))"
        )
    doc = declared.doc or ((fn.__doc__ or "").strip().splitlines() or [f"user metric {origin}"])[0]
    METRICS[name] = Metric(
        name, declared.unit, doc, _wrap(fn, name, origin), declared.per_population, declared.requires
    )
    _PLUGINS[name] = (fn, origin)
    return name


def load_metric(ref: Any, where: str) -> str:
    """Import and register the metric a reference (``"pkg.mod:fn"``) or function names; returns its name."""
    if callable(ref) and not isinstance(ref, str):
        return _register(ref, reference_of(ref), where)
    return _register(import_object(ref, "metric", where), ref, where)


def load_entry_point_metrics() -> None:
    """Register the installed metrics once per process; broken ones are kept with their reason."""
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(ENTRY_POINT_GROUP):
        origin = f"{entry_point_origin(ep)} (entry point {ep.value})"
        label = f"metric {ep.name!r} from {origin}"
        try:
            fn = ep.load()
        except Exception as exc:
            _BROKEN[ep.name] = f"{label} cannot be imported: {one_line(exc)}"
            continue
        try:
            _register(fn, origin, "entry point", name=ep.name)  # the entry point's name wins
        except ConfigError as exc:
            _BROKEN[ep.name] = str(exc)


def plugin_error(name: str) -> str | None:
    """Why an installed metric of this name cannot be used, or None."""
    load_entry_point_metrics()
    return _BROKEN.get(name)


def metric_origin(name: str) -> str:
    """``"built-in"`` or where a plug-in metric came from."""
    return _PLUGINS[name][1] if name in _PLUGINS else "built-in"


def broken_metrics() -> dict[str, str]:
    """Installed metrics that could not be loaded, with the reasons."""
    load_entry_point_metrics()
    return dict(_BROKEN)
