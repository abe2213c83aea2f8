"""``opsnn bench analysis`` at a tiny size: the keys of its JSON, and agreement with Elephant.

Not a timed test: no assertion is about speed.
"""

from __future__ import annotations

import json

from opsnn_opt.cli import main


def test_bench_analysis_reports_times_ratios_and_targets(workdir, capsys):
    code = main(
        ["bench", "analysis", "--json", "--no-record", "--n-spikes", "3000", "--n-neurons", "30", "--repeats", "1"]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    d = json.loads(out.out)
    shared = {"rate", "isi", "fano_pop", "corr", "osc_peak"}
    assert set(d["shared_ours_s"]) == set(d["shared_elephant_s"]) == set(d["max_abs_diff_vs_elephant"]) == shared
    assert {f"elephant_vs_ours.{k}" for k in shared} | {"elephant_vs_ours.shared_total"} == set(d["ratios"])
    assert set(d["targets"]) == set(d["targets_met"]) == {"full_set_s_max", "speedup_vs_elephant_min"}
    assert d["full_set_s"] > 0 and d["convert_s"] > 0 and d["n_neurons"] == 30
    assert 2000 < d["n_spikes"] < 4000 and d["n_metrics"] > 20  # spatial and V_m metrics included
    assert max(d["max_abs_diff_vs_elephant"].values()) < 1e-9  # same values as Elephant
