"""NEST's fast paths for the connector helpers, and the fixes PyNN 0.13 needs on NEST 3.10.

PyNN 0.13 hands only ``FixedProbabilityConnector`` and ``AllToAllConnector`` to NEST's own
connection rules. Its ``FixedNumberPreConnector`` draws every post cell's sources in Python, and
its ``FromListConnector`` calls ``nest.Connect`` once per target cell (about 9 s for 384 000
connections onto 6 400 cells, against 0.05 s for one array call). :class:`NestPaths` gives the
helpers of :mod:`opsnn_opt.models.connectors` subclasses of PyNN's connectors that make one
``nest.Connect`` call per rule, one ``poisson_generator`` for an independent drive, on-grid cell
models and initial V_m drawn by NEST.

The subclasses repeat what ``pyNN.nest.Projection._convergent_connect`` does to weights
(PyNN units x 1000, negative for inhibitory conductances, x ``receptor_scale`` for delta
synapses, which PyNN's own native connectors leave out); ``tests/backends/test_nest_connectors.py``
checks them against the PyNN connectors.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType
from typing import Any

import numpy as np

from opsnn_opt.models import NativePaths

__all__ = ["NEST_PATHS", "NestPaths", "patch_pynn_nest"]

#: PyNN weights (nA, µS) to NEST's (pA, nS).
_PYNN_TO_NEST_WEIGHT = 1000.0


def patch_pynn_nest() -> None:
    """Fix what PyNN 0.13 gets wrong or slow on NEST 3.10; idempotent.

    * ``IF_curr_delta`` has no ``variable_map``, so recording its V_m fails: it is ``V_m``.
    * In one NEST process every node is local, yet PyNN asks NEST cell by cell (``ID.local``,
      about 70 µs each) when it creates and records a population: about half of PyNN's build
      overhead at 1000 cells. Answer locally when NEST runs as a single process (no MPI).
    * NEST's own ``NodeCollection.set`` asks the kernel for every node's ``local`` flag on each
      call (about 0.2 ms per 1000 nodes), and PyNN sets parameters several times per population:
      a third of the build at 4000 cells. In a single process the answer is all True.
    """
    import nest
    from nest.lib.hl_api_types import NodeCollection
    from pyNN.nest import simulator
    from pyNN.nest.standardmodels.cells import IF_curr_delta

    if "variable_map" not in vars(IF_curr_delta):
        IF_curr_delta.variable_map = {"v": "V_m"}
    if nest.NumProcesses() == 1:
        simulator.ID.local = property(lambda self: True)
        if not getattr(NodeCollection.__getattr__, "_opsnn_single_process", False):
            NodeCollection.__getattr__ = _all_local(NodeCollection.__getattr__)


def _all_local(getattr_: Any) -> Any:
    """``NodeCollection.__getattr__`` answering ``local`` without asking the kernel (one process)."""

    def __getattr__(self: Any, name: str) -> Any:
        if name == "local":
            n = len(self)
            return True if n == 1 else (True,) * n
        return getattr_(self, name)

    __getattr__._opsnn_single_process = True  # type: ignore[attr-defined]
    __getattr__.__wrapped__ = getattr_  # type: ignore[attr-defined]
    return __getattr__


class NestPaths(NativePaths):
    """NEST's fast paths (see the module docstring); NEST is imported on first use."""

    def prepare(self) -> None:
        patch_pynn_nest()

    def fixed_probability(self, sim: ModuleType, p: float) -> Any:
        # One pairwise_bernoulli call, without PyNN's read-back of every new connection
        # (2 s of a 3.2 s build at 4000 cells).
        return _classes()[2](p, allow_self_connections=False)

    def fixed_indegree(self, sim: ModuleType, n: int) -> Any:
        return _classes()[0](n, allow_self_connections=False, with_replacement=False)

    def list_connector(self, sim: ModuleType, conn: np.ndarray) -> Any:
        return _classes()[1](conn, column_names=["weight", "delay"])

    def independent_poisson(
        self, sim: ModuleType, post: Any, rate_hz: float, synapse: Any, receptor_type: str, label: str
    ) -> tuple[Any, Any]:
        # NEST's generators send each target its own train, so one generator serves all cells,
        # instead of one generator and parrot neuron per cell wired one by one.
        source = sim.SpikeSourcePoisson(rate=rate_hz)
        self.on_grid(sim, source, parrots=False)
        drive = sim.Population(1, source, label=label)
        return drive, sim.Projection(drive, post, _classes()[3](), synapse, receptor_type=receptor_type)

    def uniform_initial_v(self, sim: ModuleType, population: Any, low_mv: float, high_mv: float) -> bool:
        import nest

        for pop in getattr(population, "populations", [population]):
            pop.node_collection.V_m = nest.random.uniform(low_mv, high_mv)
        return True

    def on_grid(self, sim: ModuleType, celltype: Any, parrots: bool) -> None:
        # pyNN.nest defaults to "off_grid" precision and so picks the precise-spike variants
        # (iaf_psc_delta_ps, poisson_generator_ps with parrot_neuron_ps). With many spikes they
        # are 5-10x slower, and in NEST 3.10 their event buffers keep growing (about 1.5 GB per
        # 10 ms in Brunel's full-size SR regime).
        name = celltype.nest_name["on_grid"]
        celltype.nest_name = {"on_grid": name, "off_grid": name}
        if not parrots:
            celltype.uses_parrot = False


#: The one instance :func:`opsnn_opt.models.native_paths` returns for ``pyNN.nest`` (registered by
#: the NEST backend when it imports the simulator).
NEST_PATHS = NestPaths()


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
def _classes() -> tuple[type, ...]:
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
