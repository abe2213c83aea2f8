"""``opsnn bench io``: the results formats side by side on one simulated block."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run_io_bench"]


def run_io_bench(
    n_neurons: int = 1000,
    simtime_ms: float = 1000.0,
    *,
    synthetic: bool = False,
    repeats: int = 3,
    workdir: Path | None = None,
) -> dict[str, Any]:
    """Write and read one block as compact NIX, neo-nix and pickle; times, sizes and ratios.

    The block comes from a real NEST run of ``balanced`` (``synthetic=True``: Poisson spikes
    drawn with numpy, for machines without NEST).
    """
    from opsnn_opt.bench._common import simulate_balanced_block
    from opsnn_opt.io import bench_io, synthetic_block

    block = synthetic_block(n_neurons, simtime_ms) if synthetic else simulate_balanced_block(n_neurons, simtime_ms)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        result = bench_io(block, Path(tmp), repeats=repeats)
    return {"source": "synthetic" if synthetic else "nest:balanced", **result}


def add_parser(sub: Any, parents: list[Any]) -> None:
    p = sub.add_parser("io", parents=parents, help="results formats: write/read times and sizes (nix, neo-nix, pickle)")
    p.add_argument("--n-neurons", type=int, default=1000)
    p.add_argument("--simtime", type=float, default=1000.0, metavar="MS")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--synthetic", action="store_true", help="numpy Poisson spikes instead of a NEST run")
    p.set_defaults(
        bench=lambda a: run_io_bench(a.n_neurons, a.simtime, synthetic=a.synthetic, repeats=a.repeats),
        bench_settings=lambda a: {
            "n_neurons": a.n_neurons,
            "simtime_ms": a.simtime,
            "synthetic": a.synthetic,
            "repeats": a.repeats,
        },
    )
