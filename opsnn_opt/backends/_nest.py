"""NEST through PyNN (``pyNN.nest``), imported on first use."""

from __future__ import annotations

import importlib
import logging
import os
import warnings
from types import ModuleType
from typing import TYPE_CHECKING

from opsnn_opt.backends._base import Backend, delay_range
from opsnn_opt.backends._nest_connectors import NEST_PATHS, patch_pynn_nest
from opsnn_opt.errors import SimulationError
from opsnn_opt.models import register_native_paths

if TYPE_CHECKING:
    from opsnn_opt.backends._recording import Recorders
    from opsnn_opt.models import Network

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
    patch_pynn_nest()
    register_native_paths(module.__name__, NEST_PATHS)  # the connector helpers take NEST's fast paths
    return module


class NestBackend(Backend):
    """Runs models on NEST, with as many threads per process as ``setup`` is given (default 1)."""

    name = "nest"

    def __init__(self) -> None:
        self._sim: ModuleType | None = None

    @property
    def sim(self) -> ModuleType:
        if self._sim is None:
            self._sim = _import_pynn_nest()
        return self._sim

    def setup(
        self, *, timestep_ms: float, seed: int, delays_ms: tuple[float, float] | None = None, threads: int = 1
    ) -> ModuleType:
        # NEST exchanges spikes between threads and processes once per minimum delay, so the
        # network's shortest delay, not the time step, keeps that as rare as the network allows.
        min_delay_ms, max_delay_ms = delay_range(timestep_ms, delays_ms)
        sim = self.sim
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sim.setup(
                timestep=timestep_ms,
                min_delay=min_delay_ms,
                max_delay=max_delay_ms,
                threads=threads,
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

    # Reading the recordings out (appended by the flat-array results path; keep at the end).

    def prepare(self) -> None:
        self.sim  # noqa: B018 - the property imports pyNN.nest and NEST once per process

    def recorders(self, network: Network) -> Recorders:
        """NEST's recorders read as arrays (see :mod:`opsnn_opt.backends._nest_recording`)."""
        from opsnn_opt.backends._nest_recording import NestRecorders

        return NestRecorders(network)
