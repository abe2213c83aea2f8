"""One run of one configuration: build, simulate in chunks, write the results, analyse.

This is what ``opsnn run`` does and what a study worker does for every trial. The backend is
passed in, so a worker reuses one simulator import across trials.
"""

from __future__ import annotations

import math
import platform
import resource
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from opsnn_opt._version import __version__
from opsnn_opt.analysis import (
    REFRACTORY_ANNOTATION,
    SpikeAccumulator,
    compute_metrics,
    metric_names,
    state_attrs,
)
from opsnn_opt.backends import Backend, Recorders, get_backend
from opsnn_opt.errors import ConfigError, OpsnnError, SimulationError
from opsnn_opt.models import Model, Network, get_model
from opsnn_opt.params import Param, ParamTable

if TYPE_CHECKING:
    from opsnn_opt.io import Recording

__all__ = ["RUN_SETTINGS", "ChunkCallback", "RunResult", "RunSpec", "record_network", "run"]

#: Settings of a run that are not model parameters; the search-space loader reads these too.
RUN_SETTINGS = ParamTable(
    Param("simtime_ms", "ms", 1000.0, 1.0, 1e7, "simulated time"),
    Param("timestep_ms", "ms", 0.1, 0.01, 1.0, "integration time step"),
    Param("chunk_ms", "ms", 100.0, 1.0, 1e7, "simulate in chunks of this length (pruning checks between)"),
    Param("record_v_cells", "", 2, 0, 1000, "number of cells per population whose V_m is recorded", kind="int"),
    Param("threads", "", 1, 1, 256, "NEST threads for this run (local_num_threads)", kind="int"),
)
RESULT_SUFFIX = {"nix": ".nix", "neo-nix": ".nix", "pickle": ".pkl"}

#: Called after each chunk with the simulated time (ms) and the spikes so far, read incrementally.
ChunkCallback = Callable[[float, SpikeAccumulator], None]


@dataclass(frozen=True)
class RunSpec:
    """A validated configuration: model, every parameter value, and the run settings."""

    model: str
    params: Mapping[str, int | float]
    simtime_ms: float = RUN_SETTINGS["simtime_ms"].default
    backend: str = "nest"
    timestep_ms: float = RUN_SETTINGS["timestep_ms"].default
    chunk_ms: float = RUN_SETTINGS["chunk_ms"].default
    record_v_cells: int = RUN_SETTINGS["record_v_cells"].default
    threads: int = RUN_SETTINGS["threads"].default
    results_format: str = "nix"

    @classmethod
    def create(
        cls,
        model: str,
        values: Mapping[str, Any] | None = None,
        *,
        backend: str = "nest",
        results_format: str = "nix",
        where: str = "--set",
        settings_where: str | None = None,
        **settings: Any,
    ) -> RunSpec:
        """Validate everything (model, parameters, settings) before anything is simulated.

        ``where`` and ``settings_where`` name the source of the values in error messages.
        """
        m = get_model(model, "model" if where == "--set" else where)
        params = m.resolve(values or {}, where)
        run = {k: v for k, v in settings.items() if v is not None}
        settings_where = settings_where or where
        resolved = RUN_SETTINGS.resolve(run, settings_where, "run settings")
        for name in ("simtime_ms", "chunk_ms"):
            steps = resolved[name] / resolved["timestep_ms"]
            if abs(steps - round(steps)) > 1e-6:
                raise ConfigError(
                    f"{settings_where}: {name} must be a whole multiple of timestep_ms "
                    f"({resolved['timestep_ms']:g} ms); got {resolved[name]:g}"
                )
        get_backend(backend).check_model(m, params, resolved["timestep_ms"], where)
        if results_format not in RESULT_SUFFIX:
            raise ConfigError(
                f"{where}: unknown results format {results_format!r}; valid formats are: {', '.join(RESULT_SUFFIX)}"
            )
        return cls(model, params, backend=backend, results_format=results_format, **resolved)

    @property
    def seed(self) -> int:
        return int(self.params.get("seed", 0))


@dataclass(frozen=True)
class RunResult:
    """What one run produced. :meth:`as_dict` is the public JSON contract of ``opsnn run --json``."""

    spec: RunSpec
    metrics: Mapping[str, float]
    timings: Mapping[str, float]
    peak_rss_mb: float
    results_path: str
    versions: Mapping[str, str] = field(default_factory=dict)
    #: Why every metric is nan (the backend recorded no data, e.g. a virtual SpiNNaker board).
    metrics_unavailable: str | None = None
    #: Machine resources the backend reports (SpiNNaker: chips, cores, mapping time).
    resources: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``nan`` metrics (e.g. a CV with too few spikes) become ``None``.

        ``network_state`` (``"AI"``), ``network_state.exc``, ..., ``network_state.undetermined``
        and ``network_state.tau_ref`` are the labels of :func:`opsnn_opt.analysis.state_attrs`,
        beside the metric ``state`` (the code); left out without data. ``metrics_unavailable``
        and ``resources`` appear only when the backend sets them.
        """
        extra = {
            k: v
            for k, v in (("metrics_unavailable", self.metrics_unavailable), ("resources", dict(self.resources)))
            if v
        }
        return {
            "model": self.spec.model,
            "backend": self.spec.backend,
            "simtime_ms": self.spec.simtime_ms,
            "threads": self.spec.threads,
            "params": dict(self.spec.params),
            "seed": self.spec.seed,
            "metrics": {k: (None if math.isnan(v) else v) for k, v in self.metrics.items()},
            **state_attrs(self.metrics),
            "timings": dict(self.timings),
            "peak_rss_mb": self.peak_rss_mb,
            "results_path": self.results_path,
            "versions": dict(self.versions),
            **extra,
        }


def _reset_peak_rss() -> None:
    """Start a new peak-memory window (Linux: writing 5 to clear_refs resets VmHWM), so that a
    worker reports each trial's own peak rather than the largest so far."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_rss_mb() -> float:
    """Peak resident memory (MB) since :func:`_reset_peak_rss`, or of the process where that is
    not supported."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def versions(backend: Backend) -> dict[str, str]:
    """Versions recorded with every run: opsnn_opt, numpy, neo, Python and the simulator stack."""
    from importlib.metadata import version

    return {
        "opsnn_opt": __version__,
        "numpy": np.__version__,
        "neo": version("neo"),
        "python": platform.python_version(),
        **backend.versions(),
    }


def record_network(network: Network, record_v_cells: int) -> None:
    for pop in network.populations.values():
        pop.record("spikes")
        # sPyNNaker's cell types do not list their recordables; all of its neurons record v.
        if record_v_cells and "v" in getattr(pop.celltype, "recordable", ("v",)):
            pop[: min(record_v_cells, pop.size)].record("v")


@contextmanager
def _simulator_errors(spec: RunSpec) -> Iterator[None]:
    """PyNN and NEST raise many exception types: keep the reason, add the context."""
    try:
        yield
    except OpsnnError:
        raise
    except Exception as exc:
        raise SimulationError(f"{spec.model} on {spec.backend} failed: {type(exc).__name__}: {exc}") from exc


def run(
    spec: RunSpec, out_dir: str | Path, *, backend: Backend | None = None, on_chunk: ChunkCallback | None = None
) -> RunResult:
    """Build, simulate, write and analyse one configuration.

    Spikes and V_m go from the simulator's recorders to the results file and the metrics as flat
    arrays (:class:`~opsnn_opt.io.Recording`); a neo Block is built only for the ``neo-nix`` and
    ``pickle`` formats. ``timings`` account for every second: ``import_s`` (the simulator and
    the writers, paid once per process), ``build_s``, ``sim_s`` (inside the simulator),
    ``checks_s`` (reading new spikes and ``on_chunk``), ``collect_s``, ``write_s`` and
    ``analysis_s`` add up to ``total_s``.

    Parameters
    ----------
    spec
        The validated configuration (see :meth:`RunSpec.create`).
    out_dir
        Folder for the results file; created if missing.
    backend
        A backend to reuse (a worker passes its own); a new one by default.
    on_chunk
        Called after every chunk of ``spec.chunk_ms`` with the simulated time (ms) and a
        :class:`~opsnn_opt.analysis.SpikeAccumulator` of the spikes so far, which reads only
        the new spikes from the simulator; it may raise (for example to prune) and the run
        stops there, with the simulator released.

    Raises
    ------
    ConfigError
        If the results folder cannot be created (``field="out"``), before anything is simulated.
    SimulationError
        If the simulator fails; the message names the model and the backend.
    """
    backend = backend or get_backend(spec.backend)
    model = get_model(spec.model)
    _make_results_folder(out_dir)
    _reset_peak_rss()
    timings: dict[str, float] = {}
    clock = _Clock(timings)
    with _simulator_errors(spec):
        backend.prepare()
    from opsnn_opt.io import write_recording  # the writers' imports count in import_s

    clock.lap("import_s")
    refractory_ms = _refractory_ms(model, spec.params)
    recording = _build_simulate_collect(spec, model, backend, out_dir, on_chunk, clock, refractory_ms)

    run_versions = versions(backend)
    path = Path(out_dir).resolve() / f"results{RESULT_SUFFIX[spec.results_format]}"
    unavailable, resources = backend.data_unavailable, backend.resources()
    write_recording(
        recording,
        path,
        format=spec.results_format,
        metadata=_metadata(spec, run_versions, unavailable, resources),
        name=spec.model,
        description=f"opsnn_opt run of {spec.model}",
    )
    clock.lap("write_s")

    if unavailable is None:
        metrics = compute_metrics(replace(recording.spike_data(), refractory_ms=refractory_ms))
    else:  # never report the zeros of an empty recording as measurements
        metrics = {name: math.nan for name in metric_names(model.populations)}
    clock.lap("analysis_s")
    timings["total_s"] = clock.total()
    return RunResult(
        spec,
        metrics,
        timings,
        _peak_rss_mb(),
        str(path),
        run_versions,
        metrics_unavailable=unavailable,
        resources=resources,
    )


def _refractory_ms(model: Model, params: Mapping[str, Any]) -> dict[str, float] | None:
    """The model's τ_ref per population (ms) for the state rules; None when it states none."""
    given = model.refractory_ms(params)
    return None if given is None else {str(pop): float(ms) for pop, ms in given.items()}


def _make_results_folder(out_dir: str | Path) -> None:
    """Create the results folder now, so that a bad folder fails before anything is simulated."""
    try:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"out: cannot create the results folder {out_dir}: {exc.strerror}", field="out") from None


def _build_simulate_collect(
    spec: RunSpec,
    model: Model,
    backend: Backend,
    out_dir: str | Path,
    on_chunk: ChunkCallback | None,
    clock: _Clock,
    refractory_ms: Mapping[str, float] | None = None,
) -> Recording:
    """Build the network, simulate it in chunks and read its recordings out, then release the
    simulator (also when a step raises). Laps ``build_s``, ``sim_s``, ``checks_s`` and ``collect_s``."""
    backend.use_folder(Path(out_dir).resolve())
    try:
        with _simulator_errors(spec):
            sim = backend.setup(
                timestep_ms=spec.timestep_ms,
                seed=spec.seed,
                delays_ms=model.delays_ms(spec.params),
                threads=spec.threads,
            )
            network = model.build(sim, spec.params)
            if refractory_ms is not None:  # the results file says which τ_ref the state rules used
                network.annotations.setdefault(REFRACTORY_ANNOTATION, dict(refractory_ms))
            record_network(network, spec.record_v_cells)
            recorders = backend.recorders(network)
        clock.lap("build_s")
        _simulate(spec, backend, recorders, network, on_chunk, clock, refractory_ms)
        with _simulator_errors(spec):
            recording = recorders.collect(spec.simtime_ms)
    finally:
        backend.end()
    clock.lap("collect_s")
    return recording


def _metadata(
    spec: RunSpec, run_versions: Mapping[str, str], unavailable: str | None, resources: Mapping[str, Any]
) -> dict[str, Any]:
    """The run metadata stored in the results file; ``metrics_unavailable`` and ``resources``
    only when the backend sets them."""
    metadata: dict[str, Any] = {
        "model": spec.model,
        "backend": spec.backend,
        "params": dict(spec.params),
        "seed": spec.seed,
        "simtime_ms": spec.simtime_ms,
        "timestep_ms": spec.timestep_ms,
        "threads": spec.threads,
        "provenance": run_versions,
    }
    metadata.update({k: v for k, v in (("metrics_unavailable", unavailable), ("resources", resources)) if v})
    return metadata


class _Clock:
    """Consecutive laps, so that the parts add up to the total."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.start = self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.start


def _simulate(
    spec: RunSpec,
    backend: Backend,
    recorders: Recorders,
    network: Network,
    on_chunk: ChunkCallback | None,
    clock: _Clock,
    refractory_ms: Mapping[str, float] | None = None,
) -> None:
    """Simulate in chunks; after each, read the new spikes and call ``on_chunk``."""
    clock.timings.update(sim_s=0.0, checks_s=0.0)
    checks = on_chunk is not None and backend.data_unavailable is None
    sizes = {name: pop.size for name, pop in network.populations.items()}
    source = lambda t: _read_new(spec, recorders, t)  # noqa: E731
    so_far = SpikeAccumulator(sizes, source=source, refractory_ms=refractory_ms) if checks else None
    t_ms = 0.0
    while t_ms < spec.simtime_ms - 1e-9:
        step = min(spec.chunk_ms, spec.simtime_ms - t_ms)
        with _simulator_errors(spec):
            backend.run(step)
        t_ms += step
        clock.lap("sim_s")
        if so_far is not None and on_chunk is not None:
            so_far.advance(t_ms)
            try:
                on_chunk(t_ms, so_far)
            finally:
                clock.lap("checks_s")


def _read_new(spec: RunSpec, recorders: Recorders, t_ms: float) -> Any:
    with _simulator_errors(spec):
        return recorders.new_spikes(t_ms)
