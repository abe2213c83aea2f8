"""NEST through PyNN (``pyNN.nest``), imported on first use."""

from __future__ import annotations

import importlib
import logging
import os
import warnings
from types import ModuleType

from opsnn_opt.backends._base import Backend
from opsnn_opt.errors import SimulationError

__all__ = ["NestBackend"]


def _import_pynn_nest() -> ModuleType:
    # NEST prints a banner and PyNN warns about nest-config on import; both are noise here.
    os.environ.setdefault("PYNEST_QUIET", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("PyNN").setLevel(logging.ERROR)
        try:
            module = importlib.import_module("pyNN.nest")
        except ImportError as exc:
            raise SimulationError(f"the nest backend needs PyNN and NEST: {exc}") from exc
    # PyNN 0.13 still calls NEST's deprecated SetStatus/GetStatus on every run and read-out.
    warnings.filterwarnings("ignore", message=r"\s*(Set|Get)Status\(\) is deprecated", category=UserWarning)
    _skip_per_cell_locality_queries()
    return module


def _skip_per_cell_locality_queries() -> None:
    """In one NEST process every node is local, yet PyNN asks NEST cell by cell (``ID.local``,
    about 70 µs each) when it creates and records a population: about half of PyNN's build
    overhead at 1000 cells. Answer locally when NEST runs as a single process (no MPI)."""
    import nest
    from pyNN.nest import simulator

    if nest.NumProcesses() == 1:
        simulator.ID.local = property(lambda self: True)


class NestBackend(Backend):
    """Runs models on NEST. One thread per process: parallelism comes from workers."""

    name = "nest"
    max_delay_ms = 10.0  # PyNN's default max_delay, which setup keeps

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._sim: ModuleType | None = None

    @property
    def sim(self) -> ModuleType:
        if self._sim is None:
            self._sim = _import_pynn_nest()
        return self._sim

    def setup(self, *, timestep_ms: float, seed: int) -> ModuleType:
        sim = self.sim
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sim.setup(
                timestep=timestep_ms,
                min_delay=timestep_ms,
                threads=self.threads,
                rng_seed=seed,
                verbosity="error",
            )
        return sim

    def run(self, duration_ms: float) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.sim.run(duration_ms)

    def end(self) -> None:
        if self._sim is not None:
            self._sim.end()

    def versions(self) -> dict[str, str]:
        import nest
        import pyNN

        return {"pynn": pyNN.__version__, "nest": str(nest.__version__)}
