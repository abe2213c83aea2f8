"""Brunel (2000): a sparsely connected E/I network of LIF neurons with delta synapses.

N_E excitatory and N_I inhibitory ``IF_curr_delta`` cells (V_rest = 0 mV, threshold θ, reset
V_r, membrane τ, refractory τ_rp). Every cell receives exactly C_E = ε·n_exc excitatory and
C_I = ε·n_inh inhibitory inputs (fixed in-degree, no self- or multiple connections), which make
voltage jumps of J and -g·J after a delay D. External drive: each cell gets C_E independent
Poisson inputs at ν_ext = η·ν_thr, ν_thr = θ / (J·C_E·τ), merged into one Poisson train at
C_E·ν_ext through a synapse of J and delay D, as in the paper. Initial V_m are uniform in
[V_r, θ] (:func:`~opsnn_opt.models.connectors.uniform_initial_v`: drawn by NEST on NEST);
connections and Poisson trains use the simulator's generators, seeded by ``seed`` through
``setup``.

The defaults are the paper's (N_E = 10 000, N_I = 2 500, ε = 0.1, J = 0.1 mV, D = 1.5 ms,
θ = 20 mV, V_r = 10 mV, τ = 20 ms, τ_rp = 2 ms); its regimes are at (g, η) = (3, 2)
synchronous regular, (5, 2) asynchronous irregular, (6, 4) synchronous irregular fast,
(4.5, 0.9) synchronous irregular slow.

``scale`` multiplies both population sizes and keeps C_E, C_I, J, g and η fixed, so every cell
sees the same mean and variance of input as at full size and the mean-field rates stay the
same. What changes is the sparseness: the connection probability C/N grows as 1/scale, so
cells share more of their inputs, pairwise correlations and population-rate fluctuations grow,
and the paper's sparse limit (C/N << 1) no longer holds. The asynchronous state is the most
sensitive to this; at scale 0.1 (C/N = 1) every excitatory cell already receives input from all
other excitatory cells except itself. ``scale`` must leave at least C_E + 1 excitatory and
C_I + 1 inhibitory cells.

Fixed in-degree connections go through :func:`opsnn_opt.models.connectors.fixed_indegree`
(NEST's own ``fixed_indegree`` rule on NEST).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from opsnn_opt.errors import ConfigError
from opsnn_opt.models._base import ConnectionRule, Model, Network
from opsnn_opt.models._stimulus import poisson_background
from opsnn_opt.models.connectors import fixed_indegree, on_grid, uniform_initial_v
from opsnn_opt.params import Param, ParamTable

__all__ = ["Brunel"]

_CM_NF = 0.25  # irrelevant for delta synapses (weights are voltage jumps); NEST's default C_m


class Brunel(Model):
    name = "brunel"
    summary = "Brunel (2000) sparse E/I network (IF_curr_delta, fixed in-degree, Poisson drive at eta*nu_thr)"
    populations = ("exc", "inh")
    params = ParamTable(
        Param("g", "", 5.0, 0.0, 20.0, "relative strength of inhibition (J_I = -g J)"),
        Param("eta", "", 2.0, 0.0, 20.0, "external rate relative to threshold rate, nu_ext / nu_thr"),
        Param("j_mv", "mV", 0.1, 0.001, 20.0, "excitatory PSP amplitude J (voltage jump)"),
        Param("delay_ms", "ms", 1.5, 0.01, 100.0, "synaptic delay D (recurrent and external)"),
        Param("epsilon", "", 0.1, 0.0001, 1.0, "connection probability: in-degrees C = epsilon N"),
        Param("n_exc", "", 10_000, 1, 1_000_000, "excitatory cells at scale 1", kind="int"),
        Param("n_inh", "", 2_500, 1, 1_000_000, "inhibitory cells at scale 1", kind="int"),
        Param("theta_mv", "mV", 20.0, 0.1, 100.0, "firing threshold above rest"),
        Param("v_reset_mv", "mV", 10.0, -100.0, 100.0, "reset potential"),
        Param("tau_m_ms", "ms", 20.0, 0.1, 1000.0, "membrane time constant"),
        Param("t_ref_ms", "ms", 2.0, 0.0, 100.0, "refractory period"),
        Param("scale", "", 1.0, 0.0001, 1.0, "multiplies n_exc and n_inh; in-degrees and weights stay"),
        Param("seed", "", 12345, 0, 2**31 - 1, "seed of the simulator's random generators", kind="int"),
    )

    @staticmethod
    def indegrees(params: Mapping[str, Any]) -> tuple[int, int]:
        """C_E and C_I: excitatory and inhibitory inputs per cell (set by the full-size network)."""
        return round(params["epsilon"] * params["n_exc"]), round(params["epsilon"] * params["n_inh"])

    @staticmethod
    def sizes(params: Mapping[str, Any]) -> tuple[int, int]:
        """N_E and N_I after ``scale``."""
        return round(params["scale"] * params["n_exc"]), round(params["scale"] * params["n_inh"])

    @staticmethod
    def external_rate_hz(params: Mapping[str, Any]) -> float:
        """Rate of each cell's merged external Poisson train, C_E·η·ν_thr = η·θ / (J·τ) (Hz)."""
        return 1000.0 * params["eta"] * params["theta_mv"] / (params["j_mv"] * params["tau_m_ms"])

    def check(self, params: Mapping[str, Any], where: str) -> None:
        c_e, c_i = self.indegrees(params)
        n_e, n_i = self.sizes(params)
        for kind, c, n, full in (("excitatory", c_e, n_e, "n_exc"), ("inhibitory", c_i, n_i, "n_inh")):
            if c < 1:
                raise ConfigError(
                    f"{where}: epsilon x {full} must give at least one {kind} input per cell; "
                    f"got epsilon={params['epsilon']:g}, {full}={params[full]}"
                )
            if n < c + 1:
                low = (c + 1) / params[full]
                raise ConfigError(
                    f"{where}: scale must leave more {kind} cells than the in-degree {c} (without self-"
                    f"connections), i.e. scale >= {low:.4g}; got scale={params['scale']:g} ({n} cells)"
                )
        if not params["v_reset_mv"] < params["theta_mv"]:
            raise ConfigError(
                f"{where}: v_reset_mv < theta_mv must hold; got v_reset_mv={params['v_reset_mv']:g}, "
                f"theta_mv={params['theta_mv']:g}"
            )

    def refractory_ms(self, params: Mapping[str, Any]) -> dict[str, float]:
        return {pop: float(params["t_ref_ms"]) for pop in self.populations}

    def cell_types(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        return ("IF_curr_delta", "SpikeSourcePoisson")

    def connection_rules(self, params: Mapping[str, Any]) -> tuple[ConnectionRule, ...]:
        sizes, indegrees = dict(zip(self.populations, self.sizes(params))), self.indegrees(params)
        return tuple(
            ConnectionRule(f"{pre}_{post}", sizes[pre], sizes[post], "fixed_indegree", c)
            for pre, c in zip(self.populations, indegrees)
            for post in self.populations
        )

    def build(self, sim: ModuleType, params: Mapping[str, Any]) -> Network:
        n_e, n_i = self.sizes(params)
        c_e, c_i = self.indegrees(params)
        theta, j, delay = params["theta_mv"], params["j_mv"], params["delay_ms"]
        cell = sim.IF_curr_delta(
            v_rest=0.0,
            v_reset=params["v_reset_mv"],
            v_thresh=theta,
            tau_m=params["tau_m_ms"],
            tau_refrac=params["t_ref_ms"],
            cm=_CM_NF,
            i_offset=0.0,
        )
        on_grid(sim, cell)  # the paper's model lives on the time grid, as does NEST's brunel example
        pops = {"exc": sim.Population(n_e, cell, label="exc"), "inh": sim.Population(n_i, cell, label="inh")}
        # Inhibitory current-based weights are negative in PyNN on NEST; sPyNNaker uses |w|.
        synapses = {
            "exc": sim.StaticSynapse(weight=j, delay=delay),
            "inh": sim.StaticSynapse(weight=-params["g"] * j, delay=delay),
        }
        receptors = {"exc": "excitatory", "inh": "inhibitory"}
        indegree = {"exc": c_e, "inh": c_i}
        projections: dict[str, Any] = {}
        for post_name, post in pops.items():
            uniform_initial_v(sim, post, params["v_reset_mv"], theta, params["seed"])
            for pre_name, pre in pops.items():
                projections[f"{pre_name}_{post_name}"] = sim.Projection(
                    pre,
                    post,
                    fixed_indegree(sim, indegree[pre_name]),
                    synapses[pre_name],
                    receptor_type=receptors[pre_name],
                )
            _, external = poisson_background(sim, post, self.external_rate_hz(params), j, delay)
            if external is not None:
                projections[f"external_{post_name}"] = external
        return Network(populations=pops, projections=projections)
