"""Plug-in model classes for the tests: one that works and one for each way a plug-in can be wrong."""

from __future__ import annotations

from types import SimpleNamespace

from opsnn_opt.models import Model, Network
from opsnn_opt.models.connectors import fixed_probability, independent_poisson
from opsnn_opt.params import Param, ParamTable

_PARAMS = ParamTable(
    Param("n", "", 40, 2, 1000, "cells per population", kind="int"),
    Param("delay_ms", "ms", 1.0, 0.1, 10.0, "synaptic delay"),
    Param("seed", "", 1, 0, 2**31 - 1, "seed", kind="int"),
)


class Pair(Model):
    """Two populations driven by Poisson input, exc -> inh with a fixed probability."""

    populations = ("exc", "inh")
    params = _PARAMS

    def build(self, sim, params):
        pops = {k: sim.Population(params["n"], sim.IF_cond_exp(), label=k) for k in self.populations}
        syn = sim.StaticSynapse(weight=0.004, delay=params["delay_ms"])
        projections = {
            "exc_inh": sim.Projection(
                pops["exc"], pops["inh"], fixed_probability(sim, 0.2), syn, receptor_type="excitatory"
            )
        }
        for name, pop in pops.items():
            _, projections[f"input_{name}"] = independent_poisson(sim, pop, 3000.0, syn, "excitatory")
        return Network(pops, projections)


class NoTable(Model):
    populations = ("exc",)

    def build(self, sim, params):
        raise AssertionError("never built")


class BadTable(Model):
    populations = ("exc",)
    params = ParamTable(Param("n", "", 4, 1, 10, "cells", kind="int"), SimpleNamespace(name="delay_ms"))  # type: ignore[arg-type]

    def build(self, sim, params):
        raise AssertionError("never built")


class NotANetwork(Pair):
    def build(self, sim, params):
        return {"exc": sim.Population(2, sim.IF_cond_exp())}


class NotAModel:
    params = _PARAMS
    populations = ("exc",)


class ShortDelay(Pair):
    """Declares delay_ms as its shortest delay, then connects faster than that."""

    def build(self, sim, params):
        network = super().build(sim, params)
        exc = network.populations["exc"]
        synapse = sim.StaticSynapse(weight=0.001, delay=0.1)
        network.projections["short"] = sim.Projection(exc, exc, sim.OneToOneConnector(), synapse)
        return network
