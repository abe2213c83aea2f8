"""The original OpSNN project's pipeline, rewritten from its published description.

The Brainhack 2020 OpSNN project timed a Vogels-Abbott network built with PyNN: build the
populations and projections with PyNN's standard connectors, simulate, collect everything with
``get_data()``, and write the neo Block with neo's ``PickleIO`` or ``NixIO``. This script does the
same for the network ``opsnn run balanced`` builds (the parameters come as JSON on the command
line), in a fresh process, so that ``opsnn bench seed`` can compare the two end to end.

It is run as a plain script (``python _seed_recipe.py PARAMS_JSON FORMAT OUT``), not imported:
it imports nothing from opsnn_opt, so its process pays only what the recipe itself imports.
It prints one JSON object of timings (s) on stdout.
"""

from __future__ import annotations

import json
import sys
import time

from _phases import print_phases  # a sibling file: this runs as a script


def main(params_json: str, fmt: str, out: str) -> None:
    t0 = time.perf_counter()
    import warnings

    warnings.simplefilter("ignore")
    import neo
    import pyNN.nest as sim

    t_import = time.perf_counter()
    p = json.loads(params_json)
    sim.setup(timestep=p["timestep_ms"], min_delay=p["delay_ms"], rng_seed=p["seed"])
    cell = sim.IF_cond_exp(**p["cell"])
    n_exc = p["n_exc"]
    cells = sim.Population(p["n_neurons"], cell, label="cells")
    exc, inh = cells[:n_exc], cells[n_exc:]
    rng = sim.NumpyRNG(seed=p["seed"])
    cells.initialize(v=sim.RandomDistribution("uniform", low=p["v_low_mv"], high=p["v_high_mv"], rng=rng))
    connector = sim.FixedProbabilityConnector(p["p_connect"], allow_self_connections=False)
    exc_syn = sim.StaticSynapse(weight=p["g_exc_nS"] * 1e-3, delay=p["delay_ms"])
    inh_syn = sim.StaticSynapse(weight=p["g_inh_nS"] * 1e-3, delay=p["delay_ms"])
    sim.Projection(exc, cells, connector, exc_syn, receptor_type="excitatory")
    sim.Projection(inh, cells, connector, inh_syn, receptor_type="inhibitory")
    drive = sim.Population(p["n_neurons"], sim.SpikeSourcePoisson(rate=p["input_rate_hz"]))
    sim.Projection(drive, cells, sim.OneToOneConnector(), exc_syn, receptor_type="excitatory")
    cells.record("spikes")
    exc[: p["record_v_cells"]].record("v")
    inh[: p["record_v_cells"]].record("v")
    t_build = time.perf_counter()
    sim.run(p["simtime_ms"])
    t_sim = time.perf_counter()
    block = cells.get_data()
    t_collect = time.perf_counter()
    if fmt == "pickle":
        neo.io.PickleIO(out).write(block)
    else:
        io = neo.io.NixIO(out, mode="ow")
        io.write(block)
        io.close()
    t_write = time.perf_counter()
    sim.end()
    marks = [("import", t_import), ("build", t_build), ("sim", t_sim), ("collect", t_collect), ("write", t_write)]
    print_phases(t0, marks, n_spikes=int(sum(len(st) for st in block.segments[0].spiketrains)))


if __name__ == "__main__":
    main(*sys.argv[1:4])
