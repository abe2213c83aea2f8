"""``opsnn bench efficiency``, ``prune`` and ``noise`` at a tiny size: one JSON object with ratios,
kept in the store. Not timed: no assertion is about speed or about a target being met."""

from __future__ import annotations

import pytest

from opsnn_opt.store import Store
from tests.bench.test_bench_commands import bench

pytestmark = pytest.mark.slow


def test_efficiency(workdir, capsys):
    d = bench(
        capsys,
        "efficiency",
        "--samplers",
        "tpe,cmaes",
        "--seeds",
        "2",
        "--n-trials",
        "3",
        "--n-neurons",
        "40",
        "--simtime",
        "50",
    )
    assert set(d["samplers"]) == {"random", "tpe", "cmaes"}
    assert set(d["ratios"]) == {"trials_random_vs_tpe", "trials_random_vs_cmaes"}
    # The threshold is random's median best, so random reaches it in at most n_trials at the median.
    assert d["samplers"]["random"]["median_trials_to_threshold"] <= 3.5
    assert d["samplers"]["random"]["reached"] >= 1
    assert d["best_sampler"] in ("tpe", "cmaes") and "best_ratio_min" in d["targets_met"]
    assert [r.name for r in Store().bench_runs()] == ["efficiency"]


def test_prune(workdir, capsys):
    d = bench(capsys, "prune", "--grid", "2", "--simtime", "100")
    plain, pruned = d["without_pruning"], d["with_pruning"]
    assert plain["trials"] == pruned["trials"] == 4 and plain["pruned"] == 0
    assert 0.0 <= d["ratios"]["simtime_saved"] < 1.0
    assert pruned["simtime_saved_ms"] == pytest.approx(d["ratios"]["simtime_saved"] * 400.0)
    assert isinstance(d["same_best"], bool) and set(d["targets_met"]) == {
        "simtime_saved_min",
        "same_best",
        "pathological_share_min",
    }
    assert [r.name for r in Store().bench_runs()] == ["prune"]


def test_noise(workdir, capsys):
    d = bench(capsys, "noise", "--n-neurons", "40", "--simtime", "50", "--seeds", "3", "--n-trials", "3", "--top", "2")
    spread = d["spread"]
    assert spread["seeds"] == 3 and len(spread["values"]) == 3 and spread["min"] <= spread["mean"] <= spread["max"]
    for key in ("one_replicate_study", "three_replicate_study"):
        assert d[key]["picked_rank_after_reevaluation"] in (1, 2) and len(d[key]["reevaluated_means"]) == 2
    assert "std_vs_mean" in d["ratios"]
    assert [r.name for r in Store().bench_runs()] == ["noise"]
