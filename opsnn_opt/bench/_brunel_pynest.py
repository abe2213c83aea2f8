"""Brunel's (2000) network written directly in PyNEST: the baseline of ``opsnn bench brunel``.

The same network ``opsnn run brunel`` builds (``iaf_psc_delta`` cells, fixed in-degree
``C_E``/``C_I`` without autapses or multapses, voltage jumps J and -gJ after D, external
Poisson drive at C_E·η·ν_thr per cell, initial V_m uniform in [V_r, θ]), recording the same
cells (spikes of all, V_m of ``record_v_cells`` per population every time step), and reading
the recordings out as arrays. Run as a plain script (``python _brunel_pynest.py PARAMS_JSON``);
it imports nothing from opsnn_opt and prints one JSON object of timings (s).
"""

from __future__ import annotations

import json
import os
import sys
import time

from _phases import print_phases  # a sibling file: this runs as a script


def main(params_json: str) -> None:
    t0 = time.perf_counter()
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest
    import numpy as np

    t_import = time.perf_counter()
    p = json.loads(params_json)
    nest.ResetKernel()
    nest.set(resolution=p["timestep_ms"], rng_seed=p["seed"], local_num_threads=p["threads"], print_time=False)
    cell = {
        "C_m": 250.0,
        "tau_m": p["tau_m_ms"],
        "t_ref": p["t_ref_ms"],
        "E_L": 0.0,
        "V_reset": p["v_reset_mv"],
        "V_th": p["theta_mv"],
        "I_e": 0.0,
    }
    pops = {"exc": nest.Create("iaf_psc_delta", p["n_e"], params=cell)}
    pops["inh"] = nest.Create("iaf_psc_delta", p["n_i"], params=cell)
    for pop in pops.values():
        pop.V_m = nest.random.uniform(p["v_reset_mv"], p["theta_mv"])
    weight = {"exc": p["j_mv"], "inh": -p["g"] * p["j_mv"]}
    indegree = {"exc": p["c_e"], "inh": p["c_i"]}
    drive = nest.Create("poisson_generator", params={"rate": p["external_rate_hz"]})
    for post in pops.values():
        for pre_name, pre in pops.items():
            rule = {
                "rule": "fixed_indegree",
                "indegree": indegree[pre_name],
                "allow_autapses": False,
                "allow_multapses": False,
            }
            nest.Connect(pre, post, rule, {"weight": weight[pre_name], "delay": p["delay_ms"]})
        nest.Connect(drive, post, "all_to_all", {"weight": p["j_mv"], "delay": p["delay_ms"]})
    spikes = {name: nest.Create("spike_recorder") for name in pops}
    meters = {
        name: nest.Create("multimeter", params={"record_from": ["V_m"], "interval": p["timestep_ms"]}) for name in pops
    }
    for name, pop in pops.items():
        nest.Connect(pop, spikes[name])
        nest.Connect(meters[name], pop[: p["record_v_cells"]])
    t_build = time.perf_counter()
    nest.Simulate(p["simtime_ms"])
    t_sim = time.perf_counter()
    n_spikes = 0
    for name in pops:
        events = spikes[name].get("events")
        times = np.asarray(events["times"])
        n_spikes += times.size
        v = meters[name].get("events")
        np.asarray(v["V_m"]), np.asarray(v["senders"])
    t_collect = time.perf_counter()
    marks = [("import", t_import), ("build", t_build), ("sim", t_sim), ("collect", t_collect)]
    print_phases(t0, marks, n_spikes=int(n_spikes))


if __name__ == "__main__":
    main(sys.argv[1])
