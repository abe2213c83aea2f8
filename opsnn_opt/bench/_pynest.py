"""The ``balanced`` network written directly in PyNEST: the baseline for ``opsnn bench overhead``.

Same cells (``iaf_cond_exp`` with the benchmark constants), same connection rule
(``pairwise_bernoulli``), same independent Poisson drive and recording as
:class:`opsnn_opt.models._balanced.Balanced`, with no PyNN in between.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

__all__ = ["build_balanced_pynest"]


def build_balanced_pynest(params: Mapping[str, Any], timestep_ms: float = 0.1, record_v_cells: int = 2) -> Any:
    """Reset NEST and build the network; returns the spike recorder.

    NEST runs as it ships: the NEST backend's patch of ``NodeCollection`` (see
    :func:`opsnn_opt.backends._nest_connectors.patch_pynn_nest`) is lifted while this builds.
    """
    with _plain_nest():
        return _build(params, timestep_ms, record_v_cells)


@contextmanager
def _plain_nest() -> Iterator[None]:
    from nest.lib.hl_api_types import NodeCollection

    patched = NodeCollection.__getattr__
    NodeCollection.__getattr__ = getattr(patched, "__wrapped__", patched)
    try:
        yield
    finally:
        NodeCollection.__getattr__ = patched


def _build(params: Mapping[str, Any], timestep_ms: float, record_v_cells: int) -> Any:
    import nest

    from opsnn_opt.models import BALANCED_CELL_PARAMS as _CELL
    from opsnn_opt.models import Balanced

    nest.ResetKernel()
    nest.set(resolution=timestep_ms, rng_seed=int(params["seed"]) + 1, local_num_threads=1, print_time=False)
    n_exc, n_inh = Balanced.sizes(params)
    cell = {
        "C_m": _CELL["cm"] * 1000.0,
        "g_L": _CELL["cm"] * 1000.0 / _CELL["tau_m"],
        "E_L": _CELL["v_rest"],
        "V_th": _CELL["v_thresh"],
        "V_reset": _CELL["v_reset"],
        "t_ref": _CELL["tau_refrac"],
        "tau_syn_ex": _CELL["tau_syn_E"],
        "tau_syn_in": _CELL["tau_syn_I"],
        "E_ex": _CELL["e_rev_E"],
        "E_in": _CELL["e_rev_I"],
        "I_e": 0.0,
    }
    cells = nest.Create("iaf_cond_exp", n_exc + n_inh, params=cell)
    cells.V_m = nest.random.uniform(_CELL["v_reset"], _CELL["v_thresh"])
    exc, inh = cells[:n_exc], cells[n_exc:]
    rule = {"rule": "pairwise_bernoulli", "p": params["p_connect"], "allow_autapses": False}
    delay = params["delay_ms"]
    nest.Connect(exc, cells, rule, {"synapse_model": "static_synapse", "weight": params["g_exc_nS"], "delay": delay})
    nest.Connect(inh, cells, rule, {"synapse_model": "static_synapse", "weight": -params["g_inh_nS"], "delay": delay})
    if params["input_rate_hz"] > 0:
        drive = nest.Create("poisson_generator", params={"rate": params["input_rate_hz"]})
        nest.Connect(drive, cells, "all_to_all", {"weight": params["g_exc_nS"], "delay": delay})
    recorder = nest.Create("spike_recorder")
    nest.Connect(cells, recorder)
    if record_v_cells:
        meter = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": timestep_ms})
        nest.Connect(meter, exc[:record_v_cells] + inh[:record_v_cells])
    return recorder
