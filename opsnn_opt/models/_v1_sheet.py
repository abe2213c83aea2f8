"""A sheet of primary visual cortex: E and I cells on a 2-D grid, distance-dependent connections.

Excitatory cells sit on an ``n_side x n_side`` grid, inhibitory cells on an
``n_side_inh x n_side_inh`` grid, both covering the same square of ``side_mm``; a cell sits at the
centre of its grid square. Cells are conductance-based LIF (``IF_cond_exp``).

A cell of population A connects to a cell of population B at distance d (mm) with probability
``p_A exp(-d^2 / 2 sigma_A^2)``, A in {exc, inh}, drawn once with numpy (``network_seed``, or
``seed`` when it is 0, so the connectivity is the same on every backend); pairs further apart than 4 sigma_A (where the
probability is below 0.04 % of its peak) are not considered. There are no self-connections.
The delay of a connection is ``delay_min_ms + d / conduction_speed_mm_per_ms``, rounded to the
time step. With ``periodic = true`` distances wrap around the edges (a torus).
Background and stimulus arrive after ``delay_min_ms`` (on the time grid) too.

Every cell receives background Poisson input (``bg_rate_hz`` through ``bg_weight_nS``) and,
optionally, a stimulus (:mod:`opsnn_opt.stimuli`). The stimulus's visual field (the unit square)
maps retinotopically onto the sheet: field point (x, y) lies at (x side_mm, y side_mm).

A localised pulse starts a wave: the cells around it fire, and a cell fires in turn once the
spikes of its excitatory neighbours arrive, one distance-dependent delay later, and it has
integrated them. Each hop of length L thus takes L / conduction_speed + (integration time), so
the latency grows with distance at a slope of about 1 / conduction_speed + c. On the default
sheet (4 mm, 40 x 40 E cells) the front moves at 0.075, 0.111, 0.151 and 0.189 mm/ms for
conduction speeds of 0.13, 0.25, 0.5 and 1 mm/ms (c = 5.7 to 4.3 ms/mm). The defaults make the sheet
excitable but quiet: strong, dense local excitation, background input too weak to fire cells
on its own, and a 30 ms refractory period that stands in for the adaptation that ends a
cortical wave, so that one pulse gives one wave and the sheet falls silent behind it.
``tests/models/test_v1_sheet.py`` checks that first-spike latency grows with distance.

Positions (mm) are kept in :attr:`Network.positions_mm`, and the stimulus geometry (also in mm)
in ``Network.annotations["stimulus"]``, so that results can be mapped back onto the sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

import numpy as np

from opsnn_opt.errors import ConfigError
from opsnn_opt.models._base import Model, Network
from opsnn_opt.models._stimulus import add_stimulus, poisson_background
from opsnn_opt.models.connectors import list_connector
from opsnn_opt.params import Choice, Param, ParamTable
from opsnn_opt.stimuli import check_stimulus, pixel_centres, stimulus_annotation, stimulus_params

__all__ = ["V1Sheet", "grid_positions", "sample_connections"]

# Cell constants; PyNN units: nF, ms, mV.
_CELL = {
    "tau_m": 20.0,
    "cm": 0.2,
    "v_rest": -60.0,
    "v_reset": -60.0,
    "v_thresh": -50.0,
    "tau_syn_E": 5.0,
    "tau_syn_I": 10.0,
    "e_rev_E": 0.0,
    "e_rev_I": -80.0,
    "i_offset": 0.0,
}
_NS_TO_US = 1e-3  # PyNN conductances are in µS
#: Pairs further apart than this many sigma are not considered.
CUTOFF_SIGMAS = 4.0
#: Seed words of the connectivity generator: ``[seed, _CONNECTIVITY_STREAM]``.
_CONNECTIVITY_STREAM = 0


def grid_positions(n_side: int, side_mm: float) -> np.ndarray:
    """Centres of an ``n_side x n_side`` grid over ``[0, side_mm]^2``, shape ``(n_side^2, 3)`` (mm).

    Cell ``k`` is in column ``k % n_side`` and row ``k // n_side``; z is 0.
    """
    xy = pixel_centres(n_side, n_side) * side_mm
    return np.column_stack([xy, np.zeros(len(xy))])


def sample_connections(
    pre_mm: np.ndarray,
    post_mm: np.ndarray,
    p_max: float,
    sigma_mm: float,
    rng: np.random.Generator,
    periodic_mm: float | None = None,
    same_population: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw Gaussian distance-dependent connections between two sets of cells.

    Parameters
    ----------
    pre_mm, post_mm
        Positions (mm), shape ``(n, 2)`` or ``(n, 3)``; only x and y are used.
    p_max
        Connection probability at distance 0.
    sigma_mm
        Width of the Gaussian (mm); pairs beyond ``CUTOFF_SIGMAS * sigma_mm`` are never connected.
    rng
        Generator of the draws.
    periodic_mm
        Side of the square (mm) if distances wrap around its edges, else None.
    same_population
        Drop pairs of a cell with itself.

    Returns
    -------
    pre, post, distance_mm
        Indices of the connected pairs and their distances (mm), sorted by (pre, post).
    """
    from scipy.spatial import cKDTree

    box = periodic_mm if periodic_mm is not None else None
    pre_tree = cKDTree(np.asarray(pre_mm)[:, :2], boxsize=box)
    post_tree = cKDTree(np.asarray(post_mm)[:, :2], boxsize=box)
    pairs = pre_tree.sparse_distance_matrix(post_tree, CUTOFF_SIGMAS * sigma_mm, output_type="ndarray")
    pairs = np.sort(pairs, order=["i", "j"])
    pre, post, dist = pairs["i"].astype(np.int64), pairs["j"].astype(np.int64), pairs["v"]
    keep = rng.random(dist.size) < p_max * np.exp(-(dist**2) / (2.0 * sigma_mm**2))
    if same_population:
        keep &= pre != post
    return pre[keep], post[keep], dist[keep]


class V1Sheet(Model):
    name = "v1_sheet"
    summary = "spatial E/I sheet of V1 (IF_cond_exp on 2-D grids, Gaussian connectivity, distance delays)"
    populations = ("exc", "inh")
    delay_param = "delay_min_ms"
    params = ParamTable(
        Param("side_mm", "mm", 4.0, 0.01, 100.0, "side of the square sheet"),
        Param("n_side", "", 40, 2, 1000, "excitatory cells per side of the sheet", kind="int"),
        Param("n_side_inh", "", 20, 1, 1000, "inhibitory cells per side of the sheet", kind="int"),
        Param("sigma_exc_mm", "mm", 0.3, 0.001, 100.0, "width of excitatory connection probability"),
        Param("sigma_inh_mm", "mm", 0.2, 0.001, 100.0, "width of inhibitory connection probability"),
        Param("p_exc", "", 0.4, 0.0, 1.0, "excitatory connection probability at distance 0"),
        Param("p_inh", "", 0.6, 0.0, 1.0, "inhibitory connection probability at distance 0"),
        Param("g_exc_nS", "nS", 8.0, 0.0, 1000.0, "excitatory synaptic conductance"),
        Param("g_inh_nS", "nS", 40.0, 0.0, 1000.0, "inhibitory synaptic conductance"),
        Param("t_ref_ms", "ms", 30.0, 0.0, 1000.0, "refractory period (long: stands in for adaptation)"),
        Param("delay_min_ms", "ms", 0.5, 0.01, 100.0, "delay at distance 0"),
        Param("conduction_speed_mm_per_ms", "mm/ms", 0.25, 0.001, 100.0, "axonal conduction speed (= m/s)"),
        Choice("periodic", "false", ("false", "true"), "wrap distances around the edges (torus)"),
        Param("bg_rate_hz", "Hz", 100.0, 0.0, 100_000.0, "rate of each cell's background Poisson input"),
        Param("bg_weight_nS", "nS", 1.0, 0.0, 1000.0, "conductance of background input"),
        *stimulus_params(default="pulse"),
        Param("seed", "", 12345, 0, 2**31 - 1, "seed of the connectivity, stimulus and simulator", kind="int"),
        Param("network_seed", "", 0, 0, 2**31 - 1, "seed of the connectivity alone (0: the same as seed)", kind="int"),
    )
    network_seed_param = "network_seed"

    def check(self, params: Mapping[str, Any], where: str) -> None:
        check_stimulus(params, where)
        side = params["side_mm"]
        for name in ("sigma_exc_mm", "sigma_inh_mm"):
            if params["periodic"] == "true" and CUTOFF_SIGMAS * params[name] >= side / 2:
                raise ConfigError(
                    f"{where}: with periodic = true, {CUTOFF_SIGMAS:g} x {name} must be < side_mm / 2 "
                    f"(= {side / 2:g} mm) so that no pair is reached both ways round; got {name}={params[name]:g}"
                )
        spacing = side / params["n_side"]
        if spacing > params["sigma_exc_mm"]:
            raise ConfigError(
                f"{where}: the excitatory grid does not fit the connectivity: its spacing side_mm / n_side "
                f"(= {spacing:g} mm) must be <= sigma_exc_mm (= {params['sigma_exc_mm']:g} mm); "
                f"got side_mm={side:g}, n_side={params['n_side']}"
            )
        if params["n_side_inh"] > params["n_side"]:
            raise ConfigError(
                f"{where}: the inhibitory grid must not be finer than the excitatory one: "
                f"n_side_inh <= n_side must hold; got n_side_inh={params['n_side_inh']}, "
                f"n_side={params['n_side']}"
            )

    def delays_ms(self, params: Mapping[str, Any]) -> tuple[float, float]:
        # Longest distance considered: the cutoff, or the diagonal if the sheet is smaller.
        reach = CUTOFF_SIGMAS * max(params["sigma_exc_mm"], params["sigma_inh_mm"])
        span = params["side_mm"] * (np.sqrt(0.5) if params["periodic"] == "true" else np.sqrt(2.0))
        longest = params["delay_min_ms"] + min(reach, span) / params["conduction_speed_mm_per_ms"]
        return params["delay_min_ms"], float(longest)

    def refractory_ms(self, params: Mapping[str, Any]) -> dict[str, float]:
        return {pop: float(params["t_ref_ms"]) for pop in self.populations}

    def cell_types(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        return ("IF_cond_exp", "SpikeSourcePoisson", "SpikeSourceArray")

    def positions(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Positions of every cell (mm), shape ``(n, 3)`` per population."""
        return {
            "exc": grid_positions(params["n_side"], params["side_mm"]),
            "inh": grid_positions(params["n_side_inh"], params["side_mm"]),
        }

    def build(self, sim: ModuleType, params: Mapping[str, Any]) -> Network:
        dt = float(sim.get_time_step())
        # Background and stimulus arrive after the shortest delay (at distance 0, on the time
        # grid), so that delays_ms covers every projection and sets the simulator's minimum delay.
        shortest_ms = max(round(params["delay_min_ms"] / dt), 1) * dt
        side = params["side_mm"]
        positions = self.positions(params)
        cell = sim.IF_cond_exp(**_CELL, tau_refrac=params["t_ref_ms"])
        pops = {name: sim.Population(len(xyz), cell, label=name) for name, xyz in positions.items()}
        rng = np.random.default_rng([params["network_seed"] or params["seed"], _CONNECTIVITY_STREAM])
        v_init = sim.RandomDistribution(
            "uniform", low=_CELL["v_reset"], high=_CELL["v_thresh"], rng=sim.NumpyRNG(seed=params["seed"])
        )
        periodic_mm = side if params["periodic"] == "true" else None
        projections: dict[str, Any] = {}
        for pre_name, receptor in (("exc", "excitatory"), ("inh", "inhibitory")):
            short = pre_name[:3]
            for post_name, post in pops.items():
                pre, post_idx, dist = sample_connections(
                    positions[pre_name],
                    positions[post_name],
                    params[f"p_{short}"],
                    params[f"sigma_{short}_mm"],
                    rng,
                    periodic_mm,
                    same_population=pre_name == post_name,
                )
                delay = params["delay_min_ms"] + dist / params["conduction_speed_mm_per_ms"]
                delay = np.maximum(np.round(delay / dt), 1.0) * dt
                connector = list_connector(sim, pre, post_idx, params[f"g_{short}_nS"] * _NS_TO_US, delay)
                projections[f"{pre_name}_{post_name}"] = sim.Projection(
                    pops[pre_name], post, connector, sim.StaticSynapse(), receptor_type=receptor
                )
        for name, pop in pops.items():
            pop.initialize(v=v_init)
            weight = params["bg_weight_nS"] * _NS_TO_US
            _, background = poisson_background(sim, pop, params["bg_rate_hz"], weight, shortest_ms)
            if background is not None:
                projections[f"background_{name}"] = background
        targets = {name: (pop, positions[name][:, :2] / side) for name, pop in pops.items()}
        stim_projections, _ = add_stimulus(sim, params, targets, delay_ms=shortest_ms)
        projections.update(stim_projections)
        annotations = {
            "sheet": {"side_mm": side, "periodic": params["periodic"] == "true"},
            "stimulus": stimulus_annotation(params, field_mm=side),
        }
        return Network(populations=pops, projections=projections, positions_mm=positions, annotations=annotations)
