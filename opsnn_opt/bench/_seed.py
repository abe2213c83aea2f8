"""``opsnn bench seed``: the original OpSNN project's pipeline and ``opsnn run``, side by side.

For each network size and results format, both run the same ``balanced`` (Vogels-Abbott)
network as fresh processes, one after the other, and are timed from start to exit: what a user
waits for, imports, analysis (opsnn only) and writing included. The recipe
(:mod:`opsnn_opt.bench._seed_recipe`) builds with PyNN's standard connectors, collects with
``get_data()`` and writes with neo's ``PickleIO`` or ``NixIO``; opsnn writes ``--format pickle``
and its compact ``nix``. Peak memory is each process's maximum resident set size (``wait4``).

Targets: opsnn no slower end to end in any format or size (ratio <= 1), and its peak memory at
most 1.2x the recipe's.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run_measured", "run_seed_bench"]

TARGET_WALL_RATIO = 1.0
TARGET_MEMORY_RATIO = 1.2
FORMATS = {"pickle": "pickle", "nix": "nix"}  # opsnn format -> recipe writer (nix: neo's NixIO)


def run_measured(cmd: list[str]) -> tuple[float, float, str]:
    """Wall time (s), peak resident memory (MB) and stdout of a fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed with exit code {proc.returncode}: {err.strip()[-500:]}")
    return wall, usage.ru_maxrss / 1024.0, out


def recipe_params(n_neurons: int, simtime_ms: float) -> dict[str, Any]:
    """The ``balanced`` model's default network at this size, as the recipe script takes it."""
    from opsnn_opt.models import BALANCED_CELL_PARAMS as _CELL
    from opsnn_opt.models import Balanced, get_model

    params = get_model("balanced").resolve({"n_neurons": n_neurons}, "bench seed")
    return {
        **{k: params[k] for k in ("n_neurons", "p_connect", "g_exc_nS", "g_inh_nS", "input_rate_hz", "delay_ms")},
        "seed": params["seed"],
        "n_exc": Balanced.sizes(params)[0],
        "cell": _CELL,
        "v_low_mv": _CELL["v_reset"],
        "v_high_mv": _CELL["v_thresh"],
        "timestep_ms": 0.1,
        "simtime_ms": simtime_ms,
        "record_v_cells": 2,
    }


def run_seed_bench(
    sizes: tuple[int, ...] = (1000, 4000), simtime_ms: float = 1000.0, repeats: int = 1
) -> dict[str, Any]:
    recipe = str(Path(__file__).with_name("_seed_recipe.py"))
    opsnn = [sys.executable, "-m", "opsnn_opt"]
    runs: dict[str, Any] = {}
    ratios: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            params = json.dumps(recipe_params(n, simtime_ms))
            for fmt, writer in FORMATS.items():
                rec, ops = [], []
                for k in range(max(repeats, 1)):
                    out = Path(tmp) / f"recipe-{n}-{fmt}-{k}.{'pkl' if fmt == 'pickle' else 'nix'}"
                    wall, mem, stdout = run_measured([sys.executable, recipe, params, writer, str(out)])
                    rec.append({"wall_s": wall, "peak_rss_mb": mem, **json.loads(stdout.strip().splitlines()[-1])})
                    cmd = [*opsnn, "run", "balanced", "--set", f"n_neurons={n}", "--simtime", f"{simtime_ms:g}"]
                    cmd += ["--format", fmt, "--out", str(Path(tmp) / f"opsnn-{n}-{fmt}-{k}"), "--json"]
                    wall, mem, stdout = run_measured(cmd)
                    ops.append({"wall_s": wall, "peak_rss_mb": mem, "timings": json.loads(stdout)["timings"]})
                key = f"n{n}.{fmt}"
                runs[key] = {"recipe": rec, "opsnn": ops}
                med = {
                    side: {m: statistics.median(r[m] for r in rs) for m in ("wall_s", "peak_rss_mb")}
                    for side, rs in (("recipe", rec), ("opsnn", ops))
                }
                ratios[f"wall_opsnn_vs_recipe.{key}"] = med["opsnn"]["wall_s"] / med["recipe"]["wall_s"]
                ratios[f"memory_opsnn_vs_recipe.{key}"] = med["opsnn"]["peak_rss_mb"] / med["recipe"]["peak_rss_mb"]
    targets = {"wall_opsnn_vs_recipe_max": TARGET_WALL_RATIO, "memory_opsnn_vs_recipe_max": TARGET_MEMORY_RATIO}
    met = {
        name: all(v <= limit for k, v in ratios.items() if k.startswith(name.removesuffix("_max")))
        for name, limit in targets.items()
    }
    return {
        "sizes": list(sizes),
        "simtime_ms": simtime_ms,
        "repeats": repeats,
        "runs": runs,
        "ratios": ratios,
        "targets": targets,
        "targets_met": met,
    }


def add_parser(sub: Any, parents: list[Any]) -> None:
    p = sub.add_parser(
        "seed", parents=parents, help="the original OpSNN recipe (PyNN, get_data, neo writers) vs opsnn run"
    )
    p.add_argument("--sizes", default="1000,4000", help="network sizes, comma-separated")
    p.add_argument("--simtime", type=float, default=1000.0, metavar="MS")
    p.add_argument("--repeats", type=int, default=1, help="runs per side; the median is compared")

    def bench(a: Any) -> dict[str, Any]:
        from opsnn_opt.bench._args import parse_sizes

        return run_seed_bench(parse_sizes(a.sizes), a.simtime, a.repeats)

    p.set_defaults(
        bench=bench, bench_settings=lambda a: {"sizes": a.sizes, "simtime_ms": a.simtime, "repeats": a.repeats}
    )
