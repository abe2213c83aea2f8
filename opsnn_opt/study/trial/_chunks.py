"""What a trial's simulation does between chunks, on either side of the supervisor's pipe.

The simulation process checks the ``[[prune]]`` rules itself. When the trial wants intermediate
values (for ``trial.report`` and Optuna's pruners) it also computes the needed metrics on the
spikes so far and asks the supervisor, which holds the Optuna trial, whether to go on:

* simulation -> supervisor: ``("chunk", t_ms, {metric: value})``
* supervisor -> simulation: ``("continue",)`` or ``("prune", reason)``

The run message may carry a fifth element, :class:`RunExtras`; without it a run behaves as
before (rules only). A pruned run answers ``("pruned", reason, t_ms)``: the time it stopped at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from opsnn_opt.analysis import SpikeAccumulator, SpikeData, load_metric
from opsnn_opt.study.spec._objective import PruneRule

__all__ = ["ChunkAsk", "Pruned", "RunExtras", "chunk_callback", "load_plugins", "pipe_ask"]

#: Asks whoever holds the trial about one chunk: (t_ms, metric values) -> a reason to prune, or None.
ChunkAsk = Callable[[float, Mapping[str, float]], "str | None"]


class Pruned(Exception):
    """A run was stopped between chunks; the message says which rule or pruner and when.

    Attributes
    ----------
    t_ms
        Simulated time at which it stopped (ms); None if unknown.
    by
        ``"rule"`` (a ``[[prune]]`` rule), ``"pruner"`` (Optuna's pruner) or ``"replicates"``.
    saved_ms
        Simulated time the trial did not run (ms), over all its replicates; set by the supervisor.
    runs
        The replicates that finished before it stopped (see :mod:`opsnn_opt.study.trial._run`).
    """

    def __init__(self, reason: str, t_ms: float | None = None, by: str = "rule") -> None:
        super().__init__(reason)
        self.t_ms = t_ms
        self.by = by
        self.saved_ms: float | None = None
        self.runs: list[dict[str, Any]] = []


@dataclass(frozen=True)
class RunExtras:
    """What a run needs beyond its spec and prune rules.

    Attributes
    ----------
    plugins
        References of user metrics to register in the simulation process (an objective's
        ``[[plugins]]``), so that its runs compute them.
    report
        Metric names to compute after every chunk and send to the supervisor (empty: none).
    """

    plugins: tuple[str, ...] = ()
    report: tuple[str, ...] = ()


def load_plugins(extras: RunExtras | None) -> None:
    """Register the user metrics of ``extras`` in this process (again is harmless)."""
    for ref in extras.plugins if extras else ():
        load_metric(ref, "the objective's [[plugins]]")


def chunk_callback(
    rules: tuple[PruneRule, ...],
    extras: RunExtras | None,
    ask: ChunkAsk | None,
    on_prune: Callable[[SpikeData], Any] | None = None,
) -> Callable[[float, SpikeAccumulator], None] | None:
    """The ``on_chunk`` of a run: the prune rules first, then (if ``extras.report``) ``ask``.

    Raises :class:`Pruned` with the simulated time when a rule is breached or ``ask`` says so,
    after handing the spikes so far to ``on_prune`` (the figures of a pruned run).
    """
    report = extras.report if extras and ask is not None else ()
    if not rules and not report:
        return None

    def check(t_ms: float, so_far: SpikeAccumulator) -> None:
        due = [r for r in rules if r.after_ms <= t_ms]
        if not due and not report:  # nothing to check yet: read no spikes
            return
        values = so_far.metrics({*(r.metric for r in due), *report})
        for rule in due:
            value = values[rule.metric]
            if rule.breached(value):
                reason = f"{rule.metric} = {value:.4g} outside [{rule.min:g}, {rule.max:g}] at {t_ms:g} ms"
                _stop(so_far, on_prune, Pruned(reason, t_ms, "rule"))
        if report and ask is not None:
            reason = ask(t_ms, {name: values[name] for name in report})
            if reason:
                _stop(so_far, on_prune, Pruned(reason, t_ms, "pruner"))

    return check


def _stop(so_far: SpikeAccumulator, on_prune: Callable[[SpikeData], Any] | None, pruned: Pruned) -> None:
    if on_prune is not None:
        on_prune(so_far.spike_data())
    raise pruned


def pipe_ask(conn: Any) -> ChunkAsk:
    """The simulation process's side of a chunk's question: send the values, wait for the answer."""

    def ask(t_ms: float, values: Mapping[str, float]) -> str | None:
        conn.send(("chunk", t_ms, dict(values)))
        answer = conn.recv()
        return answer[1] if answer[0] == "prune" else None

    return ask
