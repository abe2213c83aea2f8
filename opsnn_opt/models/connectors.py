"""Simulator-neutral connector helpers for model code, with each simulator's fast path underneath.

Models (the built-in ones, stimuli, and your own plug-in models) call these instead of PyNN's
connectors wherever one exists here. Each helper asks for the fast version that the backend owning
``sim`` registered (:func:`opsnn_opt.models.native_paths`) and otherwise returns plain PyNN, so
the same model code runs on every simulator:

==========================  ==========================================  ===============================
helper                      plain PyNN                                  on NEST
==========================  ==========================================  ===============================
:func:`fixed_probability`   ``FixedProbabilityConnector``               one ``pairwise_bernoulli`` call
:func:`fixed_indegree`      ``FixedNumberPreConnector``                 one ``fixed_indegree`` call
:func:`list_connector`      ``FromListConnector``                       one ``one_to_one`` array call
:func:`independent_poisson` one ``SpikeSourcePoisson`` per cell         one ``poisson_generator``
:func:`uniform_initial_v`   ``initialize`` with a seeded ``NumpyRNG``   drawn by NEST's generators
:func:`on_grid`             no-op                                       on-grid NEST models
==========================  ==========================================  ===============================

On NEST the connections are drawn by NEST's generators, seeded by the run's ``seed`` through
``setup``; elsewhere by the simulator's own (sPyNNaker generates them on the machine).

Example, a model's ``build``::

    from opsnn_opt.models.connectors import fixed_probability, independent_poisson

    exc = sim.Population(800, sim.IF_cond_exp(), label="exc")
    sim.Projection(exc, exc, fixed_probability(sim, 0.02), sim.StaticSynapse(weight=0.004, delay=1.0))
    independent_poisson(sim, exc, 300.0, sim.StaticSynapse(weight=0.004, delay=1.0), "excitatory")
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from opsnn_opt.models._native import native_paths

__all__ = [
    "fixed_indegree",
    "fixed_probability",
    "independent_poisson",
    "list_connector",
    "on_grid",
    "uniform_initial_v",
]


def fixed_probability(sim: ModuleType, p: float) -> Any:
    """A connector joining each pair of cells with probability ``p``, without self-connections.

    Parameters
    ----------
    sim
        The PyNN module, after ``setup``.
    p
        Connection probability, in [0, 1].
    """
    fast = native_paths(sim).fixed_probability(sim, p)
    return fast if fast is not None else sim.FixedProbabilityConnector(p, allow_self_connections=False)


def fixed_indegree(sim: ModuleType, n: int) -> Any:
    """A connector giving each target exactly ``n`` distinct sources, without self-connections.

    Parameters
    ----------
    sim
        The PyNN module, after ``setup``.
    n
        In-degree: sources per target cell, at most the size of the source population (minus
        one if the projection is recurrent).
    """
    fast = native_paths(sim).fixed_indegree(sim, n)
    if fast is not None:
        return fast
    return sim.FixedNumberPreConnector(n, allow_self_connections=False, with_replacement=False)


def list_connector(
    sim: ModuleType, pre: np.ndarray, post: np.ndarray, weight: np.ndarray | float, delay_ms: np.ndarray | float
) -> Any:
    """A connector for explicit connections ``pre[k] -> post[k]``, each with its weight and delay.

    Use it for any rule of your own: draw the pairs with numpy (e.g. by distance), then pass them
    here. The projection's synapse type gives the synapse model; its weight and delay are ignored.

    Parameters
    ----------
    sim
        The PyNN module, after ``setup``.
    pre, post
        Source and target indices within their populations, same length.
    weight
        Weight per connection or one for all, in PyNN units (µS for conductances, nA for
        currents, mV for ``IF_curr_delta``); positive, the receptor type gives the sign.
    delay_ms
        Delay per connection or one for all (ms); at least the model's shortest declared delay
        (:meth:`opsnn_opt.models.Model.delays_ms`).
    """
    n = len(pre)
    conn = np.empty((n, 4))
    conn[:, 0], conn[:, 1] = pre, post
    conn[:, 2], conn[:, 3] = weight, delay_ms
    fast = native_paths(sim).list_connector(sim, conn)
    return fast if fast is not None else sim.FromListConnector(conn, column_names=["weight", "delay"])


def independent_poisson(
    sim: ModuleType, post: Any, rate_hz: float, synapse: Any, receptor_type: str, label: str = "input"
) -> tuple[Any, Any]:
    """Give every cell of ``post`` its own Poisson spike train.

    Parameters
    ----------
    sim
        The PyNN module, after ``setup``.
    post
        Target population (or assembly).
    rate_hz
        Rate of each cell's train (Hz).
    synapse
        The synapse type (weight in PyNN units, delay in ms).
    receptor_type
        ``"excitatory"`` or ``"inhibitory"``.
    label
        Label of the source population.

    Returns
    -------
    sources, projection
        The source population and the projection. On NEST the source is one generator that sends
        each target an independent train, and it cannot be recorded; elsewhere one source per
        cell, one to one.
    """
    fast = native_paths(sim).independent_poisson(sim, post, rate_hz, synapse, receptor_type, label)
    if fast is not None:
        return fast
    drive = sim.Population(post.size, sim.SpikeSourcePoisson(rate=rate_hz), label=label)
    return drive, sim.Projection(drive, post, sim.OneToOneConnector(), synapse, receptor_type=receptor_type)


def uniform_initial_v(sim: ModuleType, population: Any, low_mv: float, high_mv: float, seed: int) -> None:
    """Set initial membrane potentials uniform in [low_mv, high_mv] (mV).

    On NEST they are drawn by NEST's generators (seeded through ``setup``) in one call; elsewhere
    by a ``NumpyRNG(seed)`` through ``initialize``.

    Parameters
    ----------
    sim
        The PyNN module, after ``setup``.
    population
        Population or assembly.
    low_mv, high_mv
        Bounds of the uniform distribution (mV).
    seed
        Seed of the generator where the simulator's own is not used.
    """
    if native_paths(sim).uniform_initial_v(sim, population, low_mv, high_mv):
        return
    population.initialize(v=sim.RandomDistribution("uniform", low=low_mv, high=high_mv, rng=sim.NumpyRNG(seed=seed)))


def on_grid(sim: ModuleType, celltype: Any, parrots: bool = True) -> Any:
    """Make ``celltype`` spike on the time grid where the simulator distinguishes; returns it.

    ``pyNN.nest`` defaults to NEST's precise-spike ("off-grid") models, which are 5-10x slower
    with many spikes. ``parrots=False`` also drops the relay neurons PyNN puts behind spike
    generators on NEST: right when every generator has one target (NEST's generators send each
    target its own train anyway); such sources can no longer be recorded. No-op elsewhere.

    Parameters
    ----------
    sim
        The PyNN module, after ``setup``.
    celltype
        A cell type instance (e.g. ``sim.IF_curr_delta(...)`` or ``sim.SpikeSourcePoisson(...)``).
    parrots
        Keep the relay neurons behind generators.
    """
    native_paths(sim).on_grid(sim, celltype, parrots)
    return celltype
