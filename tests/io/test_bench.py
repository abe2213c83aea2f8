"""bench_io reports everything the `opsnn bench io` command prints (not a timing test)."""

from __future__ import annotations

import json

from opsnn_opt.io import FORMATS, bench_io, synthetic_block


def test_bench_io_returns_every_key(tmp_path):
    block = synthetic_block(n_cells=10, simtime_ms=50.0, n_v=1)
    result = bench_io(block, tmp_path / "bench", repeats=1)
    json.dumps(result)
    assert result["n_spiketrains"] == 10
    assert result["n_spikes"] == sum(st.size for st in block.segments[0].spiketrains)
    for key in ("write_s", "read_s", "size_bytes"):
        assert set(result[key]) == set(FORMATS)
    assert set(result["ratios"]) == {
        "write_nix_vs_pickle",
        "write_neo_nix_vs_nix",
        "size_nix_vs_pickle",
        "read_nix_vs_pickle",
    }
    assert result["targets"] == {
        "write_nix_vs_pickle_max": 2.0,
        "write_speedup_vs_neo_nix_min": 500.0,
        "size_nix_vs_pickle_max": 1.5,
    }
    assert set(result["targets_met"]) == set(result["targets"])
    assert all(isinstance(v, bool) for v in result["targets_met"].values())
