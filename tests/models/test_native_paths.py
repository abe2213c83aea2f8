"""The connector helpers take the fast paths a backend registers for its PyNN module, and only those."""

from __future__ import annotations

import types

from opsnn_opt.models import NativePaths, native_paths, register_native_paths
from opsnn_opt.models._native import _PREPARED, _REGISTERED
from opsnn_opt.models.connectors import fixed_probability


class _Fast(NativePaths):
    def __init__(self) -> None:
        self.prepared = 0

    def prepare(self) -> None:
        self.prepared += 1

    def fixed_probability(self, sim, p):
        return ("fast", p)


def test_registered_paths_are_prepared_once_and_used_by_the_helpers():
    sim = types.ModuleType("pyNN.opsnn_test_fake")
    sim.FixedProbabilityConnector = lambda p, allow_self_connections: ("plain", p)
    assert fixed_probability(sim, 0.2) == ("plain", 0.2)  # nothing registered: plain PyNN
    fast = _Fast()
    try:
        register_native_paths(sim.__name__, fast)
        register_native_paths(sim.__name__, fast)  # again: no second prepare
        assert fixed_probability(sim, 0.2) == ("fast", 0.2)
        assert native_paths(sim) is fast and fast.prepared == 1
    finally:
        _REGISTERED.pop(sim.__name__, None)
        _PREPARED.discard(sim.__name__)
    assert type(native_paths(sim)) is NativePaths
