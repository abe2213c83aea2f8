"""What every network model provides: a parameter table and a PyNN builder."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, ClassVar

import numpy as np

from opsnn_opt.errors import ConfigError
from opsnn_opt.params import ParamTable

__all__ = ["ConnectionRule", "Model", "Network"]

#: The rules a :class:`ConnectionRule` can name, and what its ``value`` is for each.
RULES = {"fixed_indegree": "sources per target cell", "fixed_probability": "connection probability"}


@dataclass(frozen=True)
class ConnectionRule:
    """How one projection connects, stated before it is built.

    Backends that size the connectivity in advance (SpiNNaker, whose synaptic rows have a
    fixed maximum length) check these in ``check_model``; connections given as explicit lists
    need not be declared.

    Attributes
    ----------
    name
        Names the projection in messages, e.g. ``"exc_inh"``.
    n_pre, n_post
        Sizes of the source and target populations.
    rule
        ``"fixed_indegree"`` (``value`` = sources per target cell) or ``"fixed_probability"``
        (``value`` = connection probability).
    value
        The in-degree or the probability.
    """

    name: str
    n_pre: int
    n_post: int
    rule: str
    value: float

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"ConnectionRule {self.name!r}: rule must be one of {', '.join(RULES)}; got {self.rule!r}")


@dataclass
class Network:
    """A built network.

    Attributes
    ----------
    populations
        PyNN populations by label, in a fixed order; these are recorded and analysed.
    projections
        PyNN projections by name (kept alive for the run).
    positions_mm
        Neuron positions per population, shape ``(n, 3)`` in mm, for spatial models.
    annotations
        JSON-like facts about the built network that the analysis needs and the parameters do
        not state directly (e.g. ``{"stimulus": {"centre_mm": [x, y], "onset_ms": t, ...}}``);
        copied into the results' block annotations.
    """

    populations: dict[str, Any]
    projections: dict[str, Any] = field(default_factory=dict)
    positions_mm: dict[str, np.ndarray] = field(default_factory=dict)
    annotations: dict[str, Any] = field(default_factory=dict)


class Model(ABC):
    """A network model: its declared parameters and how to build it with a PyNN module.

    Subclasses set ``params`` (a :class:`~opsnn_opt.params.ParamTable` with units, defaults and
    ranges) and ``populations`` (the recorded and analysed populations, in order), and implement
    :meth:`build`. Built-ins also set ``name`` and ``summary``; a plug-in's name is the
    reference it is used by (``"my_pkg.nets:RingV1"`` or an entry point's name) and its summary
    defaults to the first line of its docstring. Builders take the simulator module as an
    argument and connect cells through :mod:`opsnn_opt.models.connectors` where a helper exists,
    so the same code runs on every backend. Override :meth:`delays_ms` when the delays are not
    all ``params[delay_param]``, :meth:`check` for cross-parameter rules, and
    :meth:`cell_types` and :meth:`connection_rules` so that SpiNNaker can refuse what it cannot
    map before mapping, and :meth:`refractory_ms` so that the network-state labels use the
    cells' own refractory period. A parameter named ``seed`` seeds the simulator's generators.
    """

    name: ClassVar[str]
    summary: ClassVar[str]
    params: ClassVar[ParamTable]
    populations: ClassVar[tuple[str, ...]]
    #: The parameter that sets the shortest delay, named in error messages.
    delay_param: ClassVar[str] = "delay_ms"
    #: A parameter that seeds the connectivity alone (``seed`` then seeds the input and initial
    #: state only), so that seed replicates can vary one without the other; None: ``seed`` seeds all.
    network_seed_param: ClassVar[str | None] = None

    def resolve(self, values: Mapping[str, Any], where: str) -> dict[str, int | float]:
        """Validate parameter values and fill in defaults (every parameter the run will use)."""
        resolved = self.params.resolve(values, where, self.name)
        self.check(resolved, where)
        return resolved

    def check(self, params: Mapping[str, Any], where: str) -> None:
        """Cross-parameter checks, beyond each parameter's own range. Override as needed."""

    def check_timestep(self, params: Mapping[str, Any], timestep_ms: float, where: str) -> None:
        """Delays must be at least one time step."""
        delays = self.delays_ms(params)
        if delays is not None and delays[0] < timestep_ms:
            raise ConfigError(
                f"{where}: {self.delay_param} must be >= the time step ({timestep_ms:g} ms); "
                f"got {params[self.delay_param]:g}"
            )

    def delays_ms(self, params: Mapping[str, Any]) -> tuple[float, float] | None:
        """Shortest and longest synaptic delay the network will use (ms), or None without delays.

        The default reads ``params[self.delay_param]``: one delay for every connection. They must
        cover every projection the model makes (inputs and stimuli too): backends check them
        against their limits before anything is built, and set the simulator's minimum and
        maximum delay from them.
        """
        delay = params.get(self.delay_param)
        return None if delay is None else (float(delay), float(delay))

    def cell_types(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """Names of the PyNN standard cell types the network uses (``"IF_cond_exp"``, ...)."""
        return ()

    def connection_rules(self, params: Mapping[str, Any]) -> tuple[ConnectionRule, ...]:
        """The projections made by a probabilistic rule, for backends that check their size first."""
        return ()

    def refractory_ms(self, params: Mapping[str, Any]) -> Mapping[str, float] | None:
        """Refractory period τ_ref (ms) of each population's cells, for the network-state rules.

        The runaway state is a rate near the refractory limit 1 / τ_ref
        (:class:`opsnn_opt.analysis.StateThresholds`). None (the default): the model does not
        say, and the rules use :data:`opsnn_opt.analysis.DEFAULT_REFRACTORY_MS` (2 ms), which
        the state records (the metric ``state_tau_ref_default`` is 1).
        """
        return None

    @abstractmethod
    def build(self, sim: ModuleType, params: Mapping[str, Any]) -> Network:
        """Create populations and projections with ``sim`` (a PyNN module after ``setup``)."""
