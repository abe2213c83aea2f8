"""``opsnn bench overhead``: what opsnn (and PyNN) add on top of NEST.

1. Build time of ``balanced`` through opsnn (PyNN) against the same network written directly in
   PyNEST (:mod:`opsnn_opt.bench._pynest`), at each N. Target: at most 1.5x.
2. A whole trial's wall time (build, simulate, collect, write, analyse) against NEST's own
   simulate time, at N=1000 and 1 s. Target: (trial - simulate) <= 10% of simulate.
3. The same trial run as a worker runs it, in the supervised simulation process, against the
   in-process run (the cost of the split: a pipe and a pickled result).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from opsnn_opt.bench._common import best_of
from opsnn_opt.errors import ConfigError

__all__ = ["add_parser", "run_overhead_bench"]

TARGET_BUILD_RATIO = 1.5
TARGET_TRIAL_OVERHEAD = 0.10


def run_overhead_bench(
    sizes: tuple[int, ...] = (1000, 4000), simtime_ms: float = 1000.0, repeats: int = 3
) -> dict[str, Any]:
    from opsnn_opt.backends import get_backend
    from opsnn_opt.bench._pynest import build_balanced_pynest
    from opsnn_opt.models import get_model
    from opsnn_opt.pipeline import RunSpec, record_network, run

    backend = get_backend("nest")
    model = get_model("balanced")
    build: dict[str, dict[str, float]] = {}
    trial: dict[str, dict[str, float]] = {}
    ratios: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        # A worker pays its imports (NEST, scipy.signal for the spectra, h5py) once, not per trial.
        run(RunSpec.create("balanced", {"n_neurons": 50}, simtime_ms=100.0), Path(tmp) / "warm-up", backend=backend)
        for n in sizes:
            spec = RunSpec.create("balanced", {"n_neurons": n}, simtime_ms=simtime_ms)

            def opsnn_build(spec: RunSpec = spec) -> None:
                sim = backend.setup(timestep_ms=spec.timestep_ms, seed=spec.seed)
                record_network(model.build(sim, spec.params), spec.record_v_cells)

            opsnn_build()  # warm-up: imports and first kernel set-up
            t_opsnn = best_of(opsnn_build, repeats)
            t_pynest = best_of(lambda spec=spec: build_balanced_pynest(spec.params, spec.timestep_ms), repeats)
            build[str(n)] = {"opsnn_s": t_opsnn, "pynest_s": t_pynest}
            ratios[f"build_opsnn_vs_pynest.n{n}"] = t_opsnn / t_pynest

            t0 = time.perf_counter()
            result = run(spec, Path(tmp) / f"trial-{n}", backend=backend)
            wall = time.perf_counter() - t0
            sim_s = result.timings["sim_s"]
            trial[str(n)] = {"wall_s": wall, **result.timings}
            ratios[f"trial_overhead_vs_sim.n{n}"] = (wall - sim_s) / sim_s
            if n == sizes[0]:  # the same trial in a worker's supervised simulation process
                from opsnn_opt.bench._supervised import supervised_trial

                trial[f"{n}_supervised"] = sup = supervised_trial(spec, Path(tmp), wall, repeats=1)
                ratios[f"trial_supervised_vs_in_process.n{n}"] = sup["vs_in_process"]
                ratios[f"trial_overhead_vs_sim_supervised.n{n}"] = (sup["wall_s"] - sup["sim_s"]) / sup["sim_s"]
    first = sizes[0]
    targets = {"build_opsnn_vs_pynest_max": TARGET_BUILD_RATIO, "trial_overhead_vs_sim_max": TARGET_TRIAL_OVERHEAD}
    met = {
        "build_opsnn_vs_pynest_max": all(v <= TARGET_BUILD_RATIO for k, v in ratios.items() if k.startswith("build_")),
        "trial_overhead_vs_sim_max": ratios[f"trial_overhead_vs_sim.n{first}"] <= TARGET_TRIAL_OVERHEAD,
    }
    return {
        "sizes": list(sizes),
        "simtime_ms": simtime_ms,
        "build": build,
        "trial": trial,
        "ratios": ratios,
        "targets": targets,
        "targets_met": met,
    }


def add_parser(sub: Any, parents: list[Any]) -> None:
    p = sub.add_parser("overhead", parents=parents, help="opsnn/PyNN build vs raw PyNEST; trial vs NEST simulate")
    p.add_argument("--sizes", default="1000,4000", help="network sizes, comma-separated")
    p.add_argument("--simtime", type=float, default=1000.0, metavar="MS")
    p.add_argument("--repeats", type=int, default=3)

    def bench(a: Any) -> dict[str, Any]:
        try:
            sizes = tuple(int(s) for s in a.sizes.split(",") if s)
        except ValueError:
            sizes = ()
        if not sizes or min(sizes) < 5:
            raise ConfigError(f"--sizes must be whole numbers >= 5 separated by commas; got {a.sizes!r}")
        return run_overhead_bench(sizes, a.simtime, a.repeats)

    p.set_defaults(
        bench=bench, bench_settings=lambda a: {"sizes": a.sizes, "simtime_ms": a.simtime, "repeats": a.repeats}
    )
