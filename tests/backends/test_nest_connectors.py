"""The NEST fast paths behind the connector helpers make the same connections, with the same
weights, as PyNN's own connectors; elsewhere the helpers give plain PyNN."""

from __future__ import annotations

import numpy as np
import pytest

from opsnn_opt.backends import NativePaths, get_backend, native_paths
from opsnn_opt.backends._nest_connectors import NEST_PATHS
from opsnn_opt.models.connectors import fixed_indegree, fixed_probability, list_connector, on_grid


@pytest.fixture
def sim():
    backend = get_backend("nest")
    yield backend.setup(timestep_ms=0.1, seed=3)
    backend.end()


def _connections(projection) -> np.ndarray:
    """(pre, post, weight, delay) rows in a canonical order. PyNN 0.13 reads IF_curr_delta weights
    back 1000x too small (its ``get`` forgets ``receptor_scale``), so weights are checked in NEST."""
    c = np.array(projection.get(["weight", "delay"], format="list"))
    return c[np.lexsort((c[:, 3], c[:, 2], c[:, 0], c[:, 1]))]


def _nest_weights(projection) -> np.ndarray:
    import nest

    conns = nest.GetConnections(synapse_label=projection.nest_synapse_label)
    return np.asarray(conns.get("weight"))


@pytest.mark.parametrize(
    ("cell", "receptor", "weight"),
    [
        ("IF_cond_exp", "excitatory", 0.004),
        ("IF_cond_exp", "inhibitory", 0.05),
        ("IF_curr_delta", "excitatory", 0.1),
        ("IF_curr_delta", "inhibitory", -0.5),
    ],
)
def test_list_connector_equals_from_list(sim, cell, receptor, weight):
    pre_pop = sim.Population(30, getattr(sim, cell)())
    post_pop = sim.Population(20, getattr(sim, cell)())
    rng = np.random.default_rng(0)
    pre, post = rng.integers(0, 30, 200), rng.integers(0, 20, 200)
    delay = np.round(rng.uniform(0.1, 5.0, 200), 1)
    ours = sim.Projection(
        pre_pop, post_pop, list_connector(sim, pre, post, weight, delay), sim.StaticSynapse(), receptor_type=receptor
    )
    conn = np.column_stack([pre, post, np.full(200, weight), delay])
    theirs = sim.Projection(
        pre_pop,
        post_pop,
        sim.FromListConnector(conn, column_names=["weight", "delay"]),
        sim.StaticSynapse(),
        receptor_type=receptor,
    )
    np.testing.assert_allclose(_connections(ours), _connections(theirs))
    np.testing.assert_allclose(np.sort(_nest_weights(ours)), np.sort(_nest_weights(theirs)))


@pytest.mark.parametrize(
    ("cell", "receptor", "weight", "nest_weight"),
    [
        ("IF_curr_delta", "excitatory", 0.1, 0.1),  # mV: PyNN's native connectors would give 100
        ("IF_curr_delta", "inhibitory", -0.5, -0.5),
        ("IF_cond_exp", "inhibitory", 0.05, -50.0),  # µS -> nS, negative for NEST
    ],
)
def test_fixed_indegree_draws_distinct_sources_with_pynn_weights(sim, cell, receptor, weight, nest_weight):
    pop = sim.Population(40, getattr(sim, cell)())
    projection = sim.Projection(
        pop, pop, fixed_indegree(sim, 7), sim.StaticSynapse(weight=weight, delay=1.5), receptor_type=receptor
    )
    c = _connections(projection)
    pre, post = c[:, 0].astype(int), c[:, 1].astype(int)
    assert np.all(np.bincount(post, minlength=40) == 7)
    assert not np.any(pre == post)
    assert len({(a, b) for a, b in zip(pre, post)}) == len(pre)  # no multiple connections
    np.testing.assert_allclose(c[:, 3], 1.5)
    np.testing.assert_allclose(_nest_weights(projection), nest_weight)


def test_the_helpers_ask_the_backend_that_owns_the_module(sim):
    import types

    assert native_paths(sim) is NEST_PATHS
    assert type(fixed_probability(sim, 0.1)).__name__ == "NestFixedProbability"
    plain = types.ModuleType("pyNN.mock")
    plain.FixedProbabilityConnector = lambda p, allow_self_connections: ("plain", p, allow_self_connections)
    assert type(native_paths(plain)) is NativePaths
    assert fixed_probability(plain, 0.1) == ("plain", 0.1, False)
    cell = object()
    assert on_grid(plain, cell) is cell  # no-op where the simulator has no grid variants


def test_on_grid_picks_nest_grid_models_and_delta_cells_record_v(sim):
    cell = on_grid(sim, sim.IF_curr_delta())
    pop = sim.Population(3, cell)
    pop.record("v")  # PyNN 0.13 lacks IF_curr_delta's variable_map; the backend adds it
    sim.run(1.0)
    assert pop.node_collection.get("model")[0] == "iaf_psc_delta"
    assert pop.get_data("v").segments[0].analogsignals[0].shape[1] == 3
