"""``opsnn bench scan``: the seed's scaling table, build/simulate/write time against N and simtime.

The original OpSNN benchmark fitted each phase's CPU time as ``a·N + b·N·T`` (N neurons, T
simulated seconds) on the balanced network. This scan runs the same grid through the real
pipeline, fits the same form by least squares, and prints the coefficients beside the seed's
NEST figures. Times are wall-clock per phase of a single-threaded NEST process (the pipeline's
timings); on an otherwise idle core they equal CPU time.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from opsnn_opt.errors import ConfigError

__all__ = ["SEED_NEST", "add_parser", "fit_linear_cost", "run_scan"]

#: The seed's fitted coefficients on NEST: ms per neuron (a) and ms per neuron per simulated s (b).
SEED_NEST: dict[str, dict[str, float]] = {
    "build": {"a_ms_per_neuron": 0.583, "b_ms_per_neuron_per_s": 0.016},
    "sim": {"a_ms_per_neuron": -0.007, "b_ms_per_neuron_per_s": 2.841},
    "write_pickle_hdf5": {"a_ms_per_neuron": 0.202, "b_ms_per_neuron_per_s": 0.035},
    "write_nixio": {"a_ms_per_neuron": 19.241, "b_ms_per_neuron_per_s": 0.134},
}
_PHASES = {"build": "build_s", "sim": "sim_s", "write": "write_s"}


def fit_linear_cost(n: np.ndarray, simtime_s: np.ndarray, cost_ms: np.ndarray) -> dict[str, float]:
    """Least-squares fit of ``cost_ms = a·n + b·n·simtime_s`` (no intercept), with R²."""
    design = np.column_stack([n, n * simtime_s]).astype(float)
    (a, b), *_ = np.linalg.lstsq(design, cost_ms, rcond=None)
    residual = cost_ms - design @ np.array([a, b])
    total = np.sum((cost_ms - cost_ms.mean()) ** 2)
    r2 = 1.0 - np.sum(residual**2) / total if total > 0 else float("nan")
    return {"a_ms_per_neuron": float(a), "b_ms_per_neuron_per_s": float(b), "r2": float(r2)}


def _parse_vary(items: list[str]) -> dict[str, list[float]]:
    vary: dict[str, list[float]] = {"n_neurons": [250, 500, 1000], "simtime": [250.0, 500.0, 1000.0]}
    for item in items:
        name, sep, values = item.partition("=")
        if not sep or name not in vary:
            raise ConfigError(f"--vary must be n_neurons=A,B,... or simtime=A,B,...; got {item!r}")
        try:
            vary[name] = [float(v) for v in values.split(",") if v]
        except ValueError:
            raise ConfigError(f"--vary {name}: values must be numbers separated by commas; got {values!r}") from None
        if len(vary[name]) < 1 or min(vary[name]) <= 0:
            raise ConfigError(f"--vary {name}: values must be positive numbers; got {values!r}")
    if len(vary["n_neurons"]) * len(vary["simtime"]) < 2:
        raise ConfigError("--vary: the scan needs at least two points to fit two coefficients")
    return vary


def run_scan(
    n_neurons: list[float],
    simtimes_ms: list[float],
    *,
    backend: str = "nest",
    results_format: str = "nix",
    plot: Path | None = None,
) -> dict[str, Any]:
    """Run the grid, fit each phase, and compare with :data:`SEED_NEST`."""
    from opsnn_opt.backends import get_backend
    from opsnn_opt.pipeline import RunSpec, run

    sim_backend = get_backend(backend)
    points = []
    with tempfile.TemporaryDirectory() as tmp:
        # Warm-up: the first run pays the simulator import and first kernel set-up.
        warm = RunSpec.create(
            "balanced",
            {"n_neurons": int(min(n_neurons))},
            backend=backend,
            simtime_ms=min(simtimes_ms),
            results_format=results_format,
            where="--vary",
        )
        run(warm, Path(tmp) / "warm-up", backend=sim_backend)
        for i, (n, simtime) in enumerate(itertools.product(n_neurons, simtimes_ms)):
            spec = RunSpec.create(
                "balanced",
                {"n_neurons": int(n)},
                backend=backend,
                simtime_ms=simtime,
                results_format=results_format,
                where="--vary",
            )
            result = run(spec, Path(tmp) / f"point-{i}", backend=sim_backend)
            points.append(
                {
                    "n_neurons": int(n),
                    "simtime_ms": simtime,
                    **{phase: result.timings[key] * 1000.0 for phase, key in _PHASES.items()},
                    "rate_hz": result.metrics.get("rate_hz.all"),
                    **({"resources": dict(result.resources)} if getattr(result, "resources", None) else {}),
                }
            )
    n = np.array([p["n_neurons"] for p in points], dtype=float)
    t_s = np.array([p["simtime_ms"] for p in points]) / 1000.0
    fits = {phase: fit_linear_cost(n, t_s, np.array([p[phase] for p in points])) for phase in _PHASES}
    seed_write = "write_nixio" if results_format == "neo-nix" else "write_pickle_hdf5"
    seed = {"build": SEED_NEST["build"], "sim": SEED_NEST["sim"], "write": SEED_NEST[seed_write]}
    ratios = {
        f"{phase}.{coef}_vs_seed": fits[phase][coef] / seed[phase][coef]
        for phase in _PHASES
        for coef in ("a_ms_per_neuron", "b_ms_per_neuron_per_s")
        if seed[phase][coef] != 0
    }
    result = {
        "backend": backend,
        "results_format": results_format,
        "model": "balanced",
        "measure": "wall-clock ms per phase, one NEST thread",
        "points": points,
        "fits": fits,
        "seed": {**seed, "write_compared_with": seed_write, "all": SEED_NEST},
        "ratios": ratios,
    }
    if plot is not None:
        from opsnn_opt.bench._scan_plot import plot_scan

        result["plot"] = str(plot_scan(points, fits, seed, plot))
    return result


def add_parser(sub: Any, parents: list[Any]) -> None:
    p = sub.add_parser(
        "scan", parents=parents, help="build/simulate/write time against N and simtime, fitted as a*N + b*N*T"
    )
    p.add_argument("--backend", default="nest")
    p.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="NAME=A,B,...",
        help="n_neurons=... or simtime=... (ms); default 250,500,1000 for both",
    )
    p.add_argument("--format", default="nix", help="results format written (nix, neo-nix, pickle)")
    p.add_argument("--plot", type=Path, metavar="FILE.png", help="save the scans with their fits")

    def bench(a: Any) -> dict[str, Any]:
        vary = _parse_vary(a.vary)
        return run_scan(vary["n_neurons"], vary["simtime"], backend=a.backend, results_format=a.format, plot=a.plot)

    p.set_defaults(bench=bench, bench_settings=lambda a: {"backend": a.backend, "vary": a.vary, "format": a.format})
