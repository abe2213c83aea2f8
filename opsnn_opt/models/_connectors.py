"""Connectors and cell models that take NEST's fast paths, and plain PyNN on other simulators.

PyNN 0.13 hands only ``FixedProbabilityConnector`` and ``AllToAllConnector`` to NEST's own
connection rules. Its ``FixedNumberPreConnector`` draws every post cell's sources in Python, and
its ``FromListConnector`` calls ``nest.Connect`` once per target cell (about 9 s for 384 000
connections onto 6 400 cells, against 0.05 s for one array call). The two functions here return
a subclass that makes one NEST call on ``pyNN.nest`` and the standard PyNN connector on any
other simulator (sPyNNaker generates both connectors itself), so model code stays the same.

The NEST subclasses repeat what ``pyNN.nest.Projection._convergent_connect`` does to weights
(PyNN units x 1000, negative for inhibitory conductances, x ``receptor_scale`` for delta
synapses, which PyNN's own native connectors leave out); ``tests/models/test_connectors.py``
checks them against the PyNN connectors.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType
from typing import Any

import numpy as np

__all__ = [
    "fixed_indegree",
    "fixed_probability",
    "independent_poisson",
    "is_nest",
    "list_connector",
    "on_grid",
    "uniform_initial_v",
]

#: PyNN weights (nA, µS) to NEST's (pA, nS).
_PYNN_TO_NEST_WEIGHT = 1000.0


def is_nest(sim: ModuleType) -> bool:
    """True if ``sim`` is PyNN's NEST module."""
    return getattr(sim, "__name__", "") == "pyNN.nest"


def on_grid(sim: ModuleType, celltype: Any, parrots: bool = True) -> Any:
    """Make ``celltype`` use NEST's on-grid model; returns it. No-op on other simulators.

    ``pyNN.nest`` defaults to "off_grid" spike precision and so picks the precise-spike variants
    (``iaf_psc_delta_ps``, ``poisson_generator_ps`` with ``parrot_neuron_ps``). With many spikes
    they are 5-10x slower, and in NEST 3.10 their event buffers keep growing (about 1.5 GB per
    10 ms in Brunel's full-size SR regime). ``parrots=False`` also drops the parrot neurons PyNN
    puts behind generators: right when every generator has one target, since NEST's generators
    then send that target its own independent train anyway; the sources can no longer be recorded.
    """
    if is_nest(sim):
        name = celltype.nest_name["on_grid"]
        celltype.nest_name = {"on_grid": name, "off_grid": name}
        if not parrots:
            celltype.uses_parrot = False
    return celltype


def fixed_indegree(sim: ModuleType, n: int) -> Any:
    """Each target gets exactly ``n`` distinct sources, no self-connections.

    On NEST this is the native ``fixed_indegree`` rule, drawn with NEST's generators (seeded by
    ``setup``); elsewhere ``FixedNumberPreConnector(n, with_replacement=False)``.
    """
    if is_nest(sim):
        return _nest_classes()[0](n, allow_self_connections=False, with_replacement=False)
    return sim.FixedNumberPreConnector(n, allow_self_connections=False, with_replacement=False)


def fixed_probability(sim: ModuleType, p: float) -> Any:
    """Each pair connects with probability ``p``, no self-connections.

    On NEST this is one call to the native ``pairwise_bernoulli`` rule without PyNN's read-back of
    every new connection (2 s of a 3.2 s build at 4000 cells); elsewhere
    ``FixedProbabilityConnector`` (sPyNNaker generates it on the machine).
    """
    if is_nest(sim):
        return _nest_classes()[2](p, allow_self_connections=False)
    return sim.FixedProbabilityConnector(p, allow_self_connections=False)


def independent_poisson(
    sim: ModuleType, post: Any, rate_hz: float, synapse: Any, receptor_type: str, label: str = "input"
) -> tuple[Any, Any]:
    """Give every cell of ``post`` its own Poisson train at ``rate_hz``; returns (sources, projection).

    On NEST one ``poisson_generator`` connected to all cells does it (NEST's generators send each
    target an independent train), instead of one generator and parrot neuron per cell wired one
    by one. Elsewhere (sPyNNaker sends a source's spikes to all its targets) one source per cell,
    one-to-one. The NEST sources cannot be recorded.
    """
    if is_nest(sim):
        source = on_grid(sim, sim.SpikeSourcePoisson(rate=rate_hz), parrots=False)
        drive = sim.Population(1, source, label=label)
        return drive, sim.Projection(drive, post, _nest_classes()[3](), synapse, receptor_type=receptor_type)
    drive = sim.Population(post.size, sim.SpikeSourcePoisson(rate=rate_hz), label=label)
    return drive, sim.Projection(drive, post, sim.OneToOneConnector(), synapse, receptor_type=receptor_type)


def uniform_initial_v(sim: ModuleType, population: Any, low_mv: float, high_mv: float, seed: int) -> None:
    """Initial membrane potentials uniform in [low_mv, high_mv].

    On NEST they are drawn by NEST's generators (seeded through ``setup``) in one call; elsewhere
    by a ``NumpyRNG(seed)`` through ``initialize`` (about 30 ms per 1000 cells on NEST).
    """
    if is_nest(sim):
        import nest

        for pop in getattr(population, "populations", [population]):
            pop.node_collection.V_m = nest.random.uniform(low_mv, high_mv)
        return
    population.initialize(v=sim.RandomDistribution("uniform", low=low_mv, high=high_mv, rng=sim.NumpyRNG(seed=seed)))


def list_connector(
    sim: ModuleType, pre: np.ndarray, post: np.ndarray, weight: np.ndarray | float, delay_ms: np.ndarray | float
) -> Any:
    """Explicit connections: ``pre[k] -> post[k]`` with its weight (PyNN units) and delay (ms).

    Parameters
    ----------
    sim
        The PyNN module.
    pre, post
        Source and target indices within their populations, same length.
    weight
        Weight per connection or one for all, in PyNN units (µS for conductances, nA for
        currents, mV for ``IF_curr_delta``); positive, the receptor type gives the sign.
    delay_ms
        Delay per connection or one for all (ms).
    """
    n = len(pre)
    conn = np.empty((n, 4))
    conn[:, 0], conn[:, 1] = pre, post
    conn[:, 2], conn[:, 3] = weight, delay_ms
    if is_nest(sim):
        return _nest_classes()[1](conn, column_names=["weight", "delay"])
    return sim.FromListConnector(conn, column_names=["weight", "delay"])


def _nest_weight(projection: Any, weight: np.ndarray) -> np.ndarray:
    weight = weight * _PYNN_TO_NEST_WEIGHT
    if projection.receptor_type == "inhibitory" and projection.post.conductance_based:
        weight = -weight
    return weight * _receptor_scale(projection.post)


def _receptor_scale(post: Any) -> float:
    """PyNN's extra weight factor for the target cell type (delta synapses: mV, not nA)."""
    scales = {getattr(p.celltype, "receptor_scale", 1.0) for p in getattr(post, "populations", [post])}
    if len(scales) != 1:
        raise ValueError(f"cannot connect natively onto cell types with different weight scales: {post}")
    return scales.pop()


def _node_ids(population: Any) -> np.ndarray:
    return np.fromiter((int(c) for c in population.all_cells), dtype=np.int64, count=population.size)


def _connected(projection: Any, source_ids: np.ndarray) -> None:
    """PyNN's bookkeeping after a NEST connect call.

    ``pyNN.nest`` asks NEST for the sources of every new connection (``GetConnections().sources()``,
    44 s for 3 million connections); it only uses them to filter ``GetConnections`` by label
    later, so the possible sources are recorded instead.
    """
    projection._simulator.state.stale_connection_cache = True
    projection._sources.update(source_ids.tolist())


@cache
def _nest_classes() -> tuple[type, ...]:
    """The NEST subclasses, defined on first use so that NEST is imported only when needed."""
    import nest
    from pyNN.nest import AllToAllConnector, FixedNumberPreConnector, FixedProbabilityConnector, FromListConnector
    from pyNN.nest.connectors import NESTConnectorMixin

    def _native_connect(connector: Any, projection: Any, rule: dict[str, Any]) -> None:
        syn = connector.synapse_parameters(projection)
        # PyNN's native path forgets the delta synapse's mV scaling (its per-cell path has it).
        syn["weight"] = syn["weight"] * _receptor_scale(projection.post)
        syn["synapse_label"] = projection.nest_synapse_label
        nest.Connect(projection.pre.node_collection, projection.post.node_collection, rule, syn)
        _connected(projection, _node_ids(projection.pre))

    class NestFixedIndegree(FixedNumberPreConnector, NESTConnectorMixin):
        """``FixedNumberPreConnector`` through NEST's ``fixed_indegree`` rule."""

        def connect(self, projection: Any) -> None:
            _native_connect(
                self,
                projection,
                {
                    "rule": "fixed_indegree",
                    "indegree": int(self.n),
                    "allow_autapses": self.allow_self_connections,
                    "allow_multapses": self.with_replacement,
                },
            )

    class NestConnectionList(FromListConnector):
        """``FromListConnector`` as one array call to ``nest.Connect``."""

        def connect(self, projection: Any) -> None:
            if self.conn_list.size == 0:
                return
            pre = self.conn_list[:, 0].astype(np.int64)
            post = self.conn_list[:, 1].astype(np.int64)
            pre_ids, post_ids = _node_ids(projection.pre), _node_ids(projection.post)
            syn = {
                "synapse_model": projection.nest_synapse_model,
                "synapse_label": projection.nest_synapse_label,
                "weight": _nest_weight(projection, self.conn_list[:, 2]),
                "delay": self.conn_list[:, 3].copy(),
            }
            nest.Connect(pre_ids[pre], post_ids[post], "one_to_one", syn)
            _connected(projection, np.unique(pre_ids[pre]))

    class NestFixedProbability(FixedProbabilityConnector, NESTConnectorMixin):
        """``FixedProbabilityConnector`` through NEST's ``pairwise_bernoulli`` rule."""

        def connect(self, projection: Any) -> None:
            _native_connect(
                self,
                projection,
                {"rule": "pairwise_bernoulli", "p": self.p_connect, "allow_autapses": self.allow_self_connections},
            )

    class NestAllToAll(AllToAllConnector, NESTConnectorMixin):
        """``AllToAllConnector`` as one ``all_to_all`` call, whatever the synapse parameters."""

        def connect(self, projection: Any) -> None:
            _native_connect(self, projection, {"rule": "all_to_all", "allow_autapses": self.allow_self_connections})

    return NestFixedIndegree, NestConnectionList, NestFixedProbability, NestAllToAll
