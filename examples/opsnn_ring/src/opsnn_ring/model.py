"""A ring of excitatory and inhibitory cells with a connectivity rule of its own.

Cells sit evenly on a circle of circumference ``circumference_mm``. Two cells at distance d along
the ring connect with probability ``p_max exp(-d / length_mm)`` (exponential, not the Gaussian
of the built-in V1 sheet), drawn with numpy from ``seed``, and their delay is
``delay_min_ms + d / conduction_speed_mm_per_ms``. Every cell gets background Poisson input, and
a kick at ``kick_ms`` fires the excitatory cells within ``kick_width_mm`` of angle 0, so that a
wave runs round the ring both ways.

Everything goes through plain PyNN and the public connector helpers of
``opsnn_opt.models.connectors``, so it runs on every backend and takes NEST's fast paths there.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

import numpy as np

from opsnn_opt.models import Model, Network
from opsnn_opt.models.connectors import independent_poisson, list_connector, uniform_initial_v
from opsnn_opt.params import Param, ParamTable

_CELL = {"tau_m": 20.0, "cm": 0.2, "v_rest": -60.0, "v_reset": -60.0, "v_thresh": -50.0, "tau_refrac": 5.0}
_NS_TO_US = 1e-3  # PyNN conductances are in µS


def ring_distance_mm(a_mm: np.ndarray, b_mm: np.ndarray, circumference_mm: float) -> np.ndarray:
    """Distance along the ring between arc positions (mm), every pair: shape ``(len(a), len(b))``."""
    d = np.abs(a_mm[:, None] - b_mm[None, :])
    return np.minimum(d, circumference_mm - d)


class Ring(Model):
    """E/I ring with exponential distance-dependent connections and a kick."""

    summary = "example plug-in: E/I ring, exponential distance-dependent connections, a kick at angle 0"
    populations = ("exc", "inh")
    delay_param = "delay_min_ms"
    params = ParamTable(
        Param("n_exc", "", 200, 10, 100_000, "excitatory cells on the ring", kind="int"),
        Param("n_inh", "", 50, 1, 100_000, "inhibitory cells on the ring", kind="int"),
        Param("circumference_mm", "mm", 10.0, 0.1, 1000.0, "length of the ring"),
        Param("length_mm", "mm", 0.3, 0.001, 100.0, "decay length of the connection probability"),
        Param("p_max", "", 0.8, 0.0, 1.0, "connection probability at distance 0"),
        Param("g_exc_nS", "nS", 4.0, 0.0, 1000.0, "excitatory synaptic conductance"),
        Param("g_inh_nS", "nS", 60.0, 0.0, 1000.0, "inhibitory synaptic conductance"),
        Param("delay_min_ms", "ms", 0.5, 0.1, 100.0, "delay at distance 0"),
        Param("conduction_speed_mm_per_ms", "mm/ms", 0.5, 0.001, 100.0, "axonal conduction speed"),
        Param("bg_rate_hz", "Hz", 100.0, 0.0, 100_000.0, "rate of each cell's background Poisson input"),
        Param("bg_weight_nS", "nS", 1.0, 0.0, 1000.0, "conductance of the background input"),
        Param("kick_ms", "ms", 20.0, 1.0, 100_000.0, "time of the kick"),
        Param("kick_width_mm", "mm", 0.3, 0.0, 1000.0, "half-width of the kicked arc around angle 0"),
        Param("seed", "", 12345, 0, 2**31 - 1, "seed of the connectivity and the simulator", kind="int"),
    )

    def delays_ms(self, params: Mapping[str, Any]) -> tuple[float, float]:
        longest = params["circumference_mm"] / 2.0  # the farthest two cells can be along the ring
        return params["delay_min_ms"], params["delay_min_ms"] + longest / params["conduction_speed_mm_per_ms"]

    def refractory_ms(self, params: Mapping[str, Any]) -> dict[str, float]:
        """Every cell's τ_ref, for the network-state labels (the runaway limit)."""
        return {pop: _CELL["tau_refrac"] for pop in self.populations}

    def cell_types(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        return ("IF_cond_exp", "SpikeSourcePoisson", "SpikeSourceArray")

    def arc_mm(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Position of every cell along the ring (mm from angle 0)."""
        c = params["circumference_mm"]
        return {name: np.arange(params[f"n_{name}"]) * c / params[f"n_{name}"] for name in self.populations}

    def build(self, sim: ModuleType, params: Mapping[str, Any]) -> Network:
        dt = float(sim.get_time_step())
        c = params["circumference_mm"]
        arc = self.arc_mm(params)
        cell = sim.IF_cond_exp(**_CELL)
        pops = {name: sim.Population(len(x), cell, label=name) for name, x in arc.items()}
        for pop in pops.values():
            uniform_initial_v(sim, pop, _CELL["v_reset"], _CELL["v_thresh"], params["seed"])
        rng = np.random.default_rng(params["seed"])
        projections: dict[str, Any] = {}
        for pre, receptor in (("exc", "excitatory"), ("inh", "inhibitory")):
            weight = params[f"g_{pre}_nS"] * _NS_TO_US
            for post in self.populations:
                d = ring_distance_mm(arc[pre], arc[post], c)
                keep = rng.random(d.shape) < params["p_max"] * np.exp(-d / params["length_mm"])
                if pre == post:
                    np.fill_diagonal(keep, False)
                i, j = np.nonzero(keep)
                delay = params["delay_min_ms"] + d[i, j] / params["conduction_speed_mm_per_ms"]
                delay = np.maximum(np.round(delay / dt), 1.0) * dt
                projections[f"{pre}_{post}"] = sim.Projection(
                    pops[pre],
                    pops[post],
                    list_connector(sim, i, j, weight, delay),
                    sim.StaticSynapse(),
                    receptor_type=receptor,
                )
        shortest_ms = max(round(params["delay_min_ms"] / dt), 1) * dt
        if params["bg_rate_hz"] > 0:
            syn = sim.StaticSynapse(weight=params["bg_weight_nS"] * _NS_TO_US, delay=shortest_ms)
            for name, pop in pops.items():
                _, projections[f"background_{name}"] = independent_poisson(
                    sim, pop, params["bg_rate_hz"], syn, "excitatory", label=f"background_{name}"
                )
        kicked = np.flatnonzero(ring_distance_mm(np.zeros(1), arc["exc"], c)[0] <= params["kick_width_mm"])
        if kicked.size:
            kick = sim.Population(1, sim.SpikeSourceArray(spike_times=[params["kick_ms"]]), label="kick")
            projections["kick"] = sim.Projection(
                kick,
                pops["exc"],
                list_connector(sim, np.zeros(kicked.size, int), kicked, 0.1, shortest_ms),
                sim.StaticSynapse(),
                receptor_type="excitatory",
            )
        angle = {name: 2.0 * np.pi * x / c for name, x in arc.items()}
        radius_mm = c / (2.0 * np.pi)
        positions = {
            name: np.column_stack([radius_mm * np.cos(a), radius_mm * np.sin(a), np.zeros(a.size)])
            for name, a in angle.items()
        }
        # Where and when the wave starts, for opsnn_opt's wave metrics (wave_speed_mm_per_ms, ...).
        kick = {"kind": "kick", "onset_ms": params["kick_ms"], "centre_mm": [radius_mm, 0.0]}
        return Network(
            populations=pops, projections=projections, positions_mm=positions, annotations={"stimulus": kick}
        )
