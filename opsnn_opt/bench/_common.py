"""What every benchmark shares: timing helpers and the simulated block they measure."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

__all__ = ["best_of", "simulate_balanced_block"]


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    """Shortest wall time (s) of ``repeats`` calls: the least disturbed by a noisy machine."""
    times = []
    for _ in range(max(repeats, 1)):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def simulate_balanced_block(n_neurons: int, simtime_ms: float, seed: int = 1):
    """Run the ``balanced`` model on NEST and return its neo Block (spikes of all cells, V_m of 2)."""
    from opsnn_opt.backends import get_backend
    from opsnn_opt.models import get_model
    from opsnn_opt.pipeline import RunSpec, record_network

    spec = RunSpec.create("balanced", {"n_neurons": n_neurons, "seed": seed}, simtime_ms=simtime_ms)
    backend = get_backend("nest")
    model = get_model("balanced")
    sim = backend.setup(timestep_ms=spec.timestep_ms, seed=spec.seed, delays_ms=model.delays_ms(spec.params))
    network = model.build(sim, spec.params)
    record_network(network, spec.record_v_cells)
    recorders = backend.recorders(network)
    backend.run(spec.simtime_ms)
    block = recorders.collect(spec.simtime_ms).to_block("balanced")
    backend.end()
    return block
