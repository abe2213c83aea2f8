"""The simulation process of a worker: imports the simulator once and runs trial after trial.

It talks to its supervisor over a pipe. It receives ``("warm", backend)`` once, then
``("run", spec, out_dir, prune_rules[, extras])`` per trial, and answers ``("ready",)``,
``("ok", RunResult)``, ``("pruned", reason, t_ms, by)`` or ``("error", reason)``. Between chunks
it may ask ``("chunk", ...)`` questions (see :mod:`opsnn_opt.study.trial._chunks`). It dies with its
supervisor (``PR_SET_PDEATHSIG``), and ignores SIGINT and SIGTERM: a Ctrl-C or a ``scancel``
reaches the whole process group, and the supervisor decides what happens to the trial.
"""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from opsnn_opt.analysis import SpikeData
from opsnn_opt.study._artifacts import save_partial_spikes
from opsnn_opt.study.spec._objective import PruneRule
from opsnn_opt.study.trial._chunks import ChunkAsk, Pruned, RunExtras, chunk_callback, load_plugins, pipe_ask
from opsnn_opt.study.worker._signals import ignore_stop_signals

__all__ = ["Pruned", "child_main", "figures", "run_one"]

_PR_SET_PDEATHSIG = 1


def figures(spec: Any, out_dir: str | Path) -> Callable[[SpikeData], Any]:
    """What a pruned run leaves: its spikes so far, beside where its results would be, for the
    raster and rate the worker draws after the tell (no matplotlib in this process)."""
    return partial(save_partial_spikes, out_dir=Path(out_dir), model=spec.model, seed=spec.seed)


def run_one(
    spec: Any,
    out_dir: str | Path,
    backend: Any,
    rules: tuple[PruneRule, ...],
    extras: RunExtras | None = None,
    ask: ChunkAsk | None = None,
) -> Any:
    """One simulation of a trial, in whichever process runs it: the objective's plugins
    registered, the prune rules (and ``ask``) between chunks, figures when it is pruned.
    Returns its RunResult; raises :class:`Pruned`."""
    from opsnn_opt.pipeline import run

    load_plugins(extras)
    on_chunk = chunk_callback(rules, extras, ask, figures(spec, out_dir))
    return run(spec, out_dir, backend=backend, on_chunk=on_chunk)


def _die_with_parent(parent_pid: int) -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pipe's EOF still ends the loop
        pass
    if os.getppid() != parent_pid:  # the supervisor died before the line above ran
        os._exit(1)


def _warm_up(backend: Any) -> None:
    """Pay the first run's imports (the simulator, analysis, results files) before any trial's
    clock starts: on NEST with a tiny run, elsewhere by importing the simulator."""
    import tempfile

    from opsnn_opt.pipeline import RunSpec, run

    if backend.name != "nest":
        getattr(backend, "sim", None)
        return
    spec = RunSpec.create("balanced", {"n_neurons": 10, "p_connect": 0.1}, simtime_ms=20.0, chunk_ms=10.0)
    with tempfile.TemporaryDirectory(prefix="opsnn-warm-") as tmp:
        run(spec, tmp, backend=backend, on_chunk=lambda t_ms, so_far: so_far.metrics(["rate_hz.all"]))


def child_main(conn: Any, parent_pid: int) -> None:
    """Serve runs until the pipe closes or ``None`` arrives."""
    from opsnn_opt.backends import get_backend

    _die_with_parent(parent_pid)
    ignore_stop_signals()  # dies with its supervisor in any case
    backends: dict[str, Any] = {}

    def backend_for(name: str) -> Any:  # one per backend name, for the process's lifetime
        if name not in backends:
            backends[name] = get_backend(name)
        return backends[name]

    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        try:
            if message[0] == "warm":
                _warm_up(backend_for(message[1]))
                conn.send(("ready",))
                continue
            _, spec, out_dir, rules, *extras = message  # extras: see _chunks.RunExtras
            extra = extras[0] if extras else None
            conn.send(("ok", run_one(spec, out_dir, backend_for(spec.backend), rules, extra, pipe_ask(conn))))
        except Pruned as exc:
            conn.send(("pruned", str(exc), exc.t_ms, exc.by))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
