"""``opsnn bench brunel``: a Brunel (2000) run through opsnn against the same network in raw PyNEST.

By default the full-size network (12 500 cells) in the synchronous-regular regime (g = 3,
η = 2) for 1.2 s, about 5 million spikes. Each side runs as a fresh process, one after the
other: ``opsnn run brunel`` (build, simulate in chunks, collect, write the results file,
analyse) and :mod:`opsnn_opt.bench._brunel_pynest` (build, simulate, read the recordings out),
recording the same cells. Wall time is the whole process, imports included; peak memory is its
maximum resident set size. Targets: opsnn at most 1.2x the wall time and 1.3x the peak memory.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from opsnn_opt.bench._seed import run_measured

__all__ = ["add_parser", "run_brunel_bench"]

TARGET_WALL_RATIO = 1.2
TARGET_MEMORY_RATIO = 1.3


def pynest_params(values: dict[str, Any], simtime_ms: float, threads: int, record_v_cells: int) -> dict[str, Any]:
    """The resolved ``brunel`` parameters as the PyNEST script takes them."""
    from opsnn_opt.models import Brunel, get_model

    params = get_model("brunel").resolve(values, "bench brunel")
    (n_e, n_i), (c_e, c_i) = Brunel.sizes(params), Brunel.indegrees(params)
    keep = ("g", "j_mv", "delay_ms", "theta_mv", "v_reset_mv", "tau_m_ms", "t_ref_ms", "seed")
    return {
        **{k: params[k] for k in keep},
        "n_e": n_e,
        "n_i": n_i,
        "c_e": c_e,
        "c_i": c_i,
        "external_rate_hz": Brunel.external_rate_hz(params),
        "timestep_ms": 0.1,
        "simtime_ms": simtime_ms,
        "threads": threads,
        "record_v_cells": record_v_cells,
    }


def run_brunel_bench(
    g: float = 3.0, eta: float = 2.0, scale: float = 1.0, simtime_ms: float = 1200.0, threads: int = 1
) -> dict[str, Any]:
    values = {"g": g, "eta": eta, "scale": scale}
    script = str(Path(__file__).with_name("_brunel_pynest.py"))
    with tempfile.TemporaryDirectory() as tmp:
        wall, mem, out = run_measured(
            [sys.executable, script, json.dumps(pynest_params(values, simtime_ms, threads, 2))]
        )
        pynest = {"wall_s": wall, "peak_rss_mb": mem, **json.loads(out.strip().splitlines()[-1])}
        cmd = [sys.executable, "-m", "opsnn_opt", "run", "brunel", "--simtime", f"{simtime_ms:g}", "--json"]
        cmd += [f"--set={k}={v}" for k, v in values.items()] + ["--out", str(Path(tmp) / "opsnn")]
        cmd += ["--threads", str(threads)]
        wall, mem, out = run_measured(cmd)
        result = json.loads(out)
        opsnn = {"wall_s": wall, "peak_rss_mb": mem, "timings": result["timings"], "state": result["metrics"]["state"]}
    ratios = {
        "wall_opsnn_vs_pynest": opsnn["wall_s"] / pynest["wall_s"],
        "memory_opsnn_vs_pynest": opsnn["peak_rss_mb"] / pynest["peak_rss_mb"],
    }
    targets = {"wall_opsnn_vs_pynest_max": TARGET_WALL_RATIO, "memory_opsnn_vs_pynest_max": TARGET_MEMORY_RATIO}
    return {
        "params": {**values, "simtime_ms": simtime_ms, "threads": threads},
        "pynest": pynest,
        "opsnn": opsnn,
        "ratios": ratios,
        "targets": targets,
        "targets_met": {
            "wall_opsnn_vs_pynest_max": ratios["wall_opsnn_vs_pynest"] <= TARGET_WALL_RATIO,
            "memory_opsnn_vs_pynest_max": ratios["memory_opsnn_vs_pynest"] <= TARGET_MEMORY_RATIO,
        },
    }


def add_parser(sub: Any, parents: list[Any]) -> None:
    p = sub.add_parser("brunel", parents=parents, help="Brunel (2000) through opsnn vs the same network in PyNEST")
    p.add_argument("--g", type=float, default=3.0, help="relative inhibition (default 3: synchronous regular)")
    p.add_argument("--eta", type=float, default=2.0, help="external drive relative to threshold (default 2)")
    p.add_argument("--scale", type=float, default=1.0, help="population scale (default 1: 12 500 cells)")
    p.add_argument("--simtime", type=float, default=1200.0, metavar="MS")
    p.add_argument("--threads", type=int, default=1, help="NEST threads on both sides")

    def settings(a: Any) -> dict[str, Any]:
        return {"g": a.g, "eta": a.eta, "scale": a.scale, "simtime_ms": a.simtime, "threads": a.threads}

    p.set_defaults(bench=lambda a: run_brunel_bench(a.g, a.eta, a.scale, a.simtime, a.threads), bench_settings=settings)
