"""The Vogels–Abbott (2005) COBA benchmark network, as in PyNN's ``VAbenchmarks.py``.

Cells are ``IF_cond_exp`` with the benchmark's constants (τ_m = 20 ms, C_m = 200 pF, so
g_L = 10 nS; V_rest = V_reset = -60 mV, θ = -50 mV, τ_ref = 5 ms, τ_E = 5 ms, τ_I = 10 ms,
E_E = 0 mV, E_I = -80 mV). E and I cells (4:1 by default) connect with a fixed probability.

Drive: the benchmark kicks the network with Poisson input and relies on N = 4000 to sustain
activity. Small networks, which studies want for speed, fall silent after a kick, so here every
cell gets its own Poisson train at ``input_rate_hz`` for the whole run, through an excitatory
synapse of ``g_exc_nS``. ``input_rate_hz = 0`` gives the original self-sustained setting
(with a random initial V_m only).

Connections, the drive and the initial V_m (uniform in [V_reset, θ]) go through the connector
helpers of :mod:`opsnn_opt.models.connectors`: on NEST one native ``pairwise_bernoulli`` call,
one ``poisson_generator`` that sends every cell its own train, and V_m drawn by NEST, all seeded
by ``seed`` through ``setup``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from opsnn_opt.errors import ConfigError
from opsnn_opt.models._base import ConnectionRule, Model, Network
from opsnn_opt.models._stimulus import add_stimulus
from opsnn_opt.models.connectors import fixed_probability, independent_poisson, uniform_initial_v
from opsnn_opt.params import Param, ParamTable
from opsnn_opt.stimuli import grid_field_positions, stimulus_annotation, stimulus_params

__all__ = ["BALANCED_CELL_PARAMS", "Balanced"]

#: The benchmark's ``IF_cond_exp`` constants, in PyNN's units: ``cm`` in nF (0.2 nF = 200 pF),
#: ``tau_*`` in ms, ``v_*`` and ``e_rev_*`` in mV, ``i_offset`` in nA.
BALANCED_CELL_PARAMS = {
    "tau_m": 20.0,
    "cm": 0.2,
    "v_rest": -60.0,
    "v_reset": -60.0,
    "v_thresh": -50.0,
    "tau_refrac": 5.0,
    "tau_syn_E": 5.0,
    "tau_syn_I": 10.0,
    "e_rev_E": 0.0,
    "e_rev_I": -80.0,
    "i_offset": 0.0,
}
_NS_TO_US = 1e-3  # PyNN conductance weights are in µS


class Balanced(Model):
    name = "balanced"
    summary = "Vogels-Abbott COBA E/I network (IF_cond_exp, fixed-probability connections, Poisson drive)"
    populations = ("exc", "inh")
    params = ParamTable(
        Param("n_neurons", "", 1000, 5, 200_000, "total number of neurons (E + I)", kind="int"),
        Param("exc_fraction", "", 0.8, 0.05, 0.95, "fraction of neurons that are excitatory"),
        Param("p_connect", "", 0.02, 0.0, 1.0, "connection probability between any two cells"),
        Param("g_exc_nS", "nS", 4.0, 0.0, 1000.0, "excitatory synaptic conductance (recurrent and input)"),
        Param("g_inh_nS", "nS", 51.0, 0.0, 1000.0, "inhibitory synaptic conductance"),
        Param("input_rate_hz", "Hz", 300.0, 0.0, 100_000.0, "rate of each cell's external Poisson input"),
        Param("delay_ms", "ms", 0.2, 0.1, 100.0, "synaptic delay of recurrent connections"),
        Param("seed", "", 12345, 0, 2**31 - 1, "seed of the simulator's random generators", kind="int"),
        *stimulus_params(default="none"),
    )

    @staticmethod
    def sizes(params: Mapping[str, Any]) -> tuple[int, int]:
        """Numbers of excitatory and inhibitory cells."""
        n_exc = round(params["n_neurons"] * params["exc_fraction"])
        return n_exc, params["n_neurons"] - n_exc

    def check(self, params: Mapping[str, Any], where: str) -> None:
        n_exc, n_inh = self.sizes(params)
        if n_exc < 1 or n_inh < 1:
            raise ConfigError(
                f"{where}: n_neurons x exc_fraction must leave at least one E and one I cell; "
                f"got n_neurons={params['n_neurons']}, exc_fraction={params['exc_fraction']}"
            )

    def refractory_ms(self, params: Mapping[str, Any]) -> dict[str, float]:
        return {pop: BALANCED_CELL_PARAMS["tau_refrac"] for pop in self.populations}

    def connection_rules(self, params: Mapping[str, Any]) -> tuple[ConnectionRule, ...]:
        sizes = dict(zip(self.populations, self.sizes(params)))
        return tuple(
            ConnectionRule(f"{pre}_{post}", sizes[pre], sizes[post], "fixed_probability", params["p_connect"])
            for pre in self.populations
            for post in self.populations
        )

    def build(self, sim: ModuleType, params: Mapping[str, Any]) -> Network:
        n_exc, n_inh = self.sizes(params)
        cell = sim.IF_cond_exp(**BALANCED_CELL_PARAMS)
        exc = sim.Population(n_exc, cell, label="exc")
        inh = sim.Population(n_inh, cell, label="inh")
        cells = exc + inh
        uniform_initial_v(sim, cells, BALANCED_CELL_PARAMS["v_reset"], BALANCED_CELL_PARAMS["v_thresh"], params["seed"])
        connector = fixed_probability(sim, params["p_connect"])
        delay = params["delay_ms"]
        exc_syn = sim.StaticSynapse(weight=params["g_exc_nS"] * _NS_TO_US, delay=delay)
        inh_syn = sim.StaticSynapse(weight=params["g_inh_nS"] * _NS_TO_US, delay=delay)
        projections = {
            "exc": sim.Projection(exc, cells, connector, exc_syn, receptor_type="excitatory"),
            "inh": sim.Projection(inh, cells, connector, inh_syn, receptor_type="inhibitory"),
        }
        if params["input_rate_hz"] > 0:
            _, projections["input"] = independent_poisson(sim, cells, params["input_rate_hz"], exc_syn, "excitatory")
        # Optional stimulus: the cells have no place, so each population is laid out row by row
        # over the stimulus's field (see opsnn_opt.stimuli.grid_field_positions).
        targets = {name: (pop, grid_field_positions(pop.size)) for name, pop in (("exc", exc), ("inh", inh))}
        stim_projections, _ = add_stimulus(sim, params, targets, delay_ms=delay)
        projections.update(stim_projections)
        return Network(
            populations={"exc": exc, "inh": inh},
            projections=projections,
            annotations={"stimulus": stimulus_annotation(params)} if stim_projections else {},
        )
