"""``spynnaker.pyNN`` as the models see it: the same PyNN surface NEST offers, where sPyNNaker differs.

Four differences are bridged, so that model code runs unchanged:

``NativeRNG``
    sPyNNaker has none. Here it means "the machine's own generators": a ``NumpyRNG`` without
    a seed, which sPyNNaker's on-machine connectors accept (a seeded one is refused).
Assemblies
    sPyNNaker has no ``Assembly`` (``exc + inh`` raises). Here ``a + b`` of populations gives a
    small stand-in whose ``initialize`` and ``record`` go to each member, and a ``Projection``
    to or from it becomes one projection per pair of members. That is exact for connectors that
    decide every pair on its own: ``FixedProbabilityConnector``, ``AllToAllConnector`` and
    ``OneToOneConnector`` (by index across the assembly); others are refused with a
    :class:`ConfigError`.
Missing cell types
    Asking for a standard cell type sPyNNaker lacks raises a :class:`ConfigError` that lists the
    ones it has, instead of an ``AttributeError``.
Spike times
    ``SpikeSourceArray`` takes PyNN's ``Sequence`` per source, as on NEST; sPyNNaker wants plain
    lists, so they are converted.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from opsnn_opt.errors import ConfigError

__all__ = ["CELL_TYPES", "spinnaker_pynn"]

#: sPyNNaker's neuron and source types among PyNN's standard ones.
CELL_TYPES: tuple[str, ...] = (
    "IF_curr_exp",
    "IF_cond_exp",
    "IF_curr_alpha",
    "IF_curr_delta",
    "Izhikevich",
    "SpikeSourceArray",
    "SpikeSourcePoisson",
)
_PYNN_CELL_TYPES = (
    "IF_cond_alpha",
    "IF_cond_exp_gsfa_grr",
    "IF_facets_hardware1",
    "HH_cond_exp",
    "EIF_cond_alpha_isfa_ista",
    "EIF_cond_exp_isfa_ista",
    "SpikeSourceInhGamma",
    "SpikeSourceGamma",
    "SpikeSourcePoissonRefractory",
    "GIF_cond_exp",
    *CELL_TYPES,
)


class _Assembly:
    """Populations added together; only what projections and initial values need."""

    def __init__(self, *populations: Any) -> None:
        self.populations = [p for item in populations for p in _members(item)]

    @property
    def size(self) -> int:
        return sum(p.size for p in self.populations)

    def __len__(self) -> int:
        return self.size

    def __add__(self, other: Any) -> _Assembly:
        return _Assembly(self, other)

    def initialize(self, **values: Any) -> None:
        for p in self.populations:
            p.initialize(**values)

    def record(self, *args: Any, **kwargs: Any) -> None:
        for p in self.populations:
            p.record(*args, **kwargs)


def _members(item: Any) -> list[Any]:
    return list(item.populations) if isinstance(item, _Assembly) else [item]


def _parts(item: Any) -> list[tuple[Any, int]]:
    """Members with the index of their first cell within ``item``."""
    out, offset = [], 0
    for p in _members(item):
        out.append((p, offset))
        offset += p.size
    return out


class _SplitProjection:
    """The projections that stand for one projection to or from an assembly."""

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts

    def size(self) -> int:
        return sum(p.size() for p in self.parts)


def _plain_spike_times(spike_times: Any) -> Any:
    """PyNN ``Sequence`` s (one, or one per source) as the plain lists sPyNNaker takes."""
    from pyNN.parameters import Sequence

    if isinstance(spike_times, Sequence):
        return spike_times.value.tolist()
    if isinstance(spike_times, (list, tuple)) and spike_times and isinstance(spike_times[0], Sequence):
        return [s.value.tolist() for s in spike_times]
    return spike_times


def spinnaker_pynn(module: types.ModuleType) -> types.ModuleType:
    """Wrap ``spynnaker.pyNN`` (after import) as described in the module docstring."""
    from pyNN.random import NumpyRNG

    class NativeRNG(NumpyRNG):
        def __init__(self, seed: int | None = None) -> None:
            super().__init__(seed=None)

    class Population(module.Population):
        def __add__(self, other: Any) -> _Assembly:
            return _Assembly(self, other)

    def projection(pre: Any, post: Any, connector: Any, synapse_type: Any = None, **kwargs: Any) -> Any:
        if not isinstance(pre, _Assembly) and not isinstance(post, _Assembly):
            return module.Projection(pre, post, connector, synapse_type, **kwargs)
        one_to_one = isinstance(connector, module.OneToOneConnector)
        if not one_to_one and not isinstance(connector, (module.FixedProbabilityConnector, module.AllToAllConnector)):
            raise ConfigError(
                f"sPyNNaker has no Assembly, and a {type(connector).__name__} to or from one "
                f"cannot be split per population; use FixedProbability, AllToAll or OneToOne"
            )
        parts = []
        for pre_pop, a in _parts(pre):
            for post_pop, b in _parts(post):
                if not one_to_one:
                    parts.append(module.Projection(pre_pop, post_pop, connector, synapse_type, **kwargs))
                    continue
                lo, hi = max(a, b), min(a + pre_pop.size, b + post_pop.size)
                if lo < hi:  # the cells with the same index across the assembly
                    # As a list: sPyNNaker 7.4's OneToOneConnector fails on population views.
                    pairs = np.column_stack([np.arange(lo - a, hi - a), np.arange(lo - b, hi - b)])
                    parts.append(
                        module.Projection(pre_pop, post_pop, module.FromListConnector(pairs), synapse_type, **kwargs)
                    )
        return _SplitProjection(parts)

    class SpinnakerPyNN(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            try:
                return getattr(module, name)
            except AttributeError:
                if name in _PYNN_CELL_TYPES:
                    raise ConfigError(
                        f"the spinnaker backend has no cell type {name!r}; valid cell types are: "
                        f"{', '.join(CELL_TYPES)}"
                    ) from None
                raise

    def spike_source_array(spike_times: Any = (), **kwargs: Any) -> Any:
        return module.SpikeSourceArray(spike_times=_plain_spike_times(spike_times), **kwargs)

    wrapped = SpinnakerPyNN(module.__name__, module.__doc__)
    wrapped.SpikeSourceArray = spike_source_array
    wrapped.NativeRNG = NativeRNG
    wrapped.Population = Population
    wrapped.Projection = projection
    return wrapped
