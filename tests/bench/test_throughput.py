"""``opsnn bench throughput`` at a tiny size: its keys and the arithmetic of its ratios, not its figures."""

from __future__ import annotations

import json

import pytest

from opsnn_opt.bench._throughput import parse_size_list
from opsnn_opt.cli import main
from opsnn_opt.errors import ConfigError

pytestmark = pytest.mark.slow


def test_throughput_reports_each_size_with_its_ratios(workdir, capsys):
    code = main(["bench", "throughput", "--json", "--sizes", "60x50", "--trials", "4"])
    out = capsys.readouterr()
    assert code == 0, out.err
    d = json.loads(out.out)
    (entry,) = d["sizes"]
    assert (entry["n_neurons"], entry["simtime_ms"], entry["n_trials"]) == (60, 50.0, 4)
    per_min = entry["trials_per_min"]
    assert set(per_min) == {"raw", "default", "lean"} and all(v > 0 for v in per_min.values())
    for name, key in (("default", "ratio_default"), ("lean", "ratio_lean")):
        assert entry[key] == pytest.approx(per_min[name] / per_min["raw"])
        assert per_min[name] == pytest.approx(60.0 * 4 / entry["wall_s"][name])
    assert d["ratios"] == {"ratio_default_60": entry["ratio_default"], "ratio_lean_60": entry["ratio_lean"]}
    breakdown = entry["breakdown"]
    assert {"sim_s", "build_s", "total_s", "wall_s", "other_s"} <= set(breakdown)
    assert breakdown["sim_s"] <= breakdown["total_s"] <= breakdown["wall_s"]
    assert entry["lean_settings"]["keep"] == "metrics"
    assert "targets" not in d  # the targets are at N = 300


def test_sizes_are_checked():
    assert parse_size_list("300x300,1000x1000") == ((300, 300.0), (1000, 1000.0))
    with pytest.raises(ConfigError, match="NxMS pairs"):
        parse_size_list("300")
