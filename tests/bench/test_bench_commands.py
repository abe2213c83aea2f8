"""Every ``opsnn bench`` command runs at a tiny size, prints one JSON object with its ratios, and
keeps its result in the store. These are not timed tests: no assertion is about speed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from opsnn_opt.bench._scan import fit_linear_cost
from opsnn_opt.cli import main
from opsnn_opt.store import Store

pytestmark = pytest.mark.slow


def bench(capsys, *argv):
    code = main(["bench", *argv, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_io(workdir, capsys):
    d = bench(capsys, "io", "--n-neurons", "50", "--simtime", "100", "--repeats", "1")
    assert d["source"] == "nest:balanced" and d["n_spiketrains"] == 50
    assert set(d["write_s"]) == {"nix", "neo-nix", "pickle"} and set(d["size_bytes"]) == set(d["write_s"])
    assert {"write_nix_vs_pickle", "write_neo_nix_vs_nix", "size_nix_vs_pickle"} <= set(d["ratios"])
    assert [r.name for r in Store().bench_runs()] == ["io"]


def test_scan_with_plot(workdir, capsys):
    plot = workdir / "scan.png"
    d = bench(capsys, "scan", "--vary", "n_neurons=20,40", "--vary", "simtime=50,100", "--plot", str(plot))
    assert len(d["points"]) == 4 and {p["n_neurons"] for p in d["points"]} == {20, 40}
    assert set(d["fits"]) == {"build", "sim", "write"}
    assert d["seed"]["sim"]["b_ms_per_neuron_per_s"] == 2.841
    assert "sim.b_ms_per_neuron_per_s_vs_seed" in d["ratios"]
    assert plot.stat().st_size > 10_000 and plot.read_bytes()[:4] == b"\x89PNG"


def test_overhead(workdir, capsys):
    d = bench(capsys, "overhead", "--sizes", "40,60", "--simtime", "100", "--repeats", "1", "--no-record")
    assert set(d["build"]["40"]) == {"opsnn_s", "pynest_s"}
    assert {
        "build_opsnn_vs_pynest.n40",
        "build_opsnn_vs_pynest.n60",
        "trial_overhead_vs_sim.n40",
        "trial_overhead_vs_sim.n60",
        "overhead_excl_build.rule_10_chunks.n40",
        "overhead_excl_build.no_rule_10_chunks.n40",
        "overhead_excl_build.rule_100_chunks.n40",
        "sim_threads2_vs_threads1.n60",
        "trial_supervised_vs_in_process.n40",
        "overhead_excl_build.supervised_rule_10_chunks.n40",
    } == set(d["ratios"])
    supervised = d["trial"]["40"]["supervised_rule_10_chunks"]
    assert supervised["wall_s"] > supervised["sim_s"] > 0
    assert d["trial"]["60"]["threads_2"]["sim_s"] > 0
    assert set(d["targets_met"]) == set(d["targets"])
    assert Store().bench_runs() == []


def test_seed(workdir, capsys):
    d = bench(capsys, "seed", "--sizes", "30", "--simtime", "50", "--no-record")
    assert set(d["ratios"]) == {
        "wall_opsnn_vs_recipe.n30.pickle",
        "memory_opsnn_vs_recipe.n30.pickle",
        "wall_opsnn_vs_recipe.n30.nix",
        "memory_opsnn_vs_recipe.n30.nix",
    }
    recipe, opsnn = d["runs"]["n30.nix"]["recipe"][0], d["runs"]["n30.nix"]["opsnn"][0]
    assert recipe["n_spikes"] > 0 and recipe["peak_rss_mb"] > 50 and opsnn["timings"]["sim_s"] > 0


def test_brunel(workdir, capsys):
    d = bench(capsys, "brunel", "--scale", "0.11", "--simtime", "20", "--no-record")
    assert set(d["ratios"]) == {"wall_opsnn_vs_pynest", "memory_opsnn_vs_pynest"}
    assert d["pynest"]["n_spikes"] > 0 and d["opsnn"]["timings"]["sim_s"] > 0
    assert set(d["targets_met"]) == set(d["targets"])


def test_workers(workdir, capsys):
    d = bench(capsys, "workers", "--n-trials", "2", "--n-neurons", "30", "--simtime", "50")
    assert set(d["trials_per_minute"]) == {"1", "2"}
    assert "throughput_2_vs_1_workers" in d["ratios"]


def test_bad_vary_is_a_config_error(capsys):
    assert main(["bench", "scan", "--vary", "tau=1,2"]) == 2
    assert "--vary must be n_neurons=A,B,... or simtime=A,B,...; got 'tau=1,2'" in capsys.readouterr().err


def test_fit_recovers_planted_coefficients():
    n = np.array([100, 200, 400, 100, 200, 400], dtype=float)
    t = np.array([0.5, 0.5, 0.5, 1.0, 1.0, 1.0])
    fit = fit_linear_cost(n, t, 0.6 * n + 2.8 * n * t)
    assert fit["a_ms_per_neuron"] == pytest.approx(0.6) and fit["b_ms_per_neuron_per_s"] == pytest.approx(2.8)
    assert fit["r2"] == pytest.approx(1.0)
