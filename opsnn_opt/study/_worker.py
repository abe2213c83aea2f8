"""A worker: asks the study for configurations, runs them, and reports back.

One worker is one process. It keeps its simulator backend for its whole life (PyNN's ``setup``
resets NEST between trials), so the import is paid once. Any number of workers, on any hosts,
can serve the same study through a shared store.
"""

from __future__ import annotations

import logging
import math
import socket
from typing import Any

from opsnn_opt.analysis import SpikeAccumulator
from opsnn_opt.backends import Backend, get_backend
from opsnn_opt.pipeline import ChunkCallback, run
from opsnn_opt.store import TrialRun, set_trial_user_attrs
from opsnn_opt.study._objective import PruneRule
from opsnn_opt.study._study import OpenStudy

__all__ = ["Worker"]


def _prune_check(trial: Any, rules: tuple[PruneRule, ...]) -> ChunkCallback | None:
    """Between chunks, compute the rules' metrics on the spikes so far (read incrementally);
    prune on a breach."""
    if not rules:
        return None
    import optuna

    def check(t_ms: float, so_far: SpikeAccumulator) -> None:
        due = [r for r in rules if r.after_ms <= t_ms]
        if not due:
            return
        values = so_far.metrics({r.metric for r in due})
        for rule in due:
            value = values[rule.metric]
            if rule.breached(value):
                reason = f"{rule.metric} = {value:.4g} outside [{rule.min:g}, {rule.max:g}] at {t_ms:g} ms"
                trial.set_user_attr("pruned_reason", reason)
                raise optuna.TrialPruned(reason)

    return check


STALE_REASON = (
    "another worker declared this trial stale: its heartbeat stopped for longer than OPSNN_GRACE_S "
    "(NEST holds Python's lock while it builds or simulates a chunk; shorten chunk_ms)"
)


class Worker:
    """Runs trials of one study in this process."""

    def __init__(self, opened: OpenStudy, backend: Backend | None = None) -> None:
        self.opened = opened
        self._started = 0
        self.backend = backend or get_backend(opened.space.backend)

    def objective(self, trial: Any) -> float | list[float]:
        """Optuna objective: suggest, run, score. Every outcome is recorded in the store."""
        import optuna

        o = self.opened
        self._started += 1
        record: dict[str, Any] = {
            "optuna_trial_id": trial._trial_id,
            "model": o.space.model,
            "backend": o.space.backend,
            "params": {},
        }
        trial.set_user_attr("host", socket.gethostname())
        self._record_dead_workers()
        try:
            values = o.space.suggest(trial)
            spec = o.space.run_spec(values, f"study {o.name!r} trial {trial.number}")
            record.update(params=dict(spec.params), seed=spec.seed, simtime_ms=spec.simtime_ms)
            trial.set_user_attr("seed", spec.seed)
            # A RUNNING row shows where a trial was if its worker dies.
            o.store.record_run(o.name, trial.number, state="RUNNING", **record)
            out_dir = o.store.artifacts / o.name / f"trial-{trial.number:05d}"
            result = run(spec, out_dir, backend=self.backend, on_chunk=_prune_check(trial, o.objective.prune))
            result_json = result.as_dict()
            record.update(TrialRun.fields_from_result(result_json))
            set_trial_user_attrs(
                trial,
                {
                    **result_json["metrics"],
                    **result.timings,
                    "threads": spec.threads,
                    "peak_rss_mb": result.peak_rss_mb,
                    "results_path": result.results_path,
                },
            )
            for constraint, violation in zip(o.objective.constraints, o.objective.violations(result.metrics)):
                trial.set_constraint(constraint.key, violation)
            scores = o.objective.evaluate(result.metrics, result)
            if any(math.isnan(s) for s in scores):
                raise ValueError(f"the objective returned nan: {scores}")
        except optuna.TrialPruned as exc:
            o.store.record_run(o.name, trial.number, state="PRUNED", fail_reason=str(exc), **record)
            raise
        except Exception as exc:
            if self._finished_elsewhere(trial):
                o.store.record_run(o.name, trial.number, state="FAIL", fail_reason=STALE_REASON, **record)
                raise
            reason = f"{type(exc).__name__}: {exc}"
            trial.set_user_attr("fail_reason", reason)
            o.store.record_run(o.name, trial.number, state="FAIL", fail_reason=reason, **record)
            raise
        if self._finished_elsewhere(trial):
            o.store.record_run(o.name, trial.number, state="FAIL", fail_reason=STALE_REASON, **record)
            raise RuntimeError(STALE_REASON)
        o.store.record_run(o.name, trial.number, state="COMPLETE", objective_values=scores, **record)
        return scores[0] if len(scores) == 1 else scores

    def _record_dead_workers(self) -> None:
        """Optuna fails the trials of workers whose heartbeat stopped (before each new trial);
        mirror that in the project's table."""
        import optuna

        failed = {
            t.number for t in self.opened.study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.FAIL,))
        }
        if failed:
            self.opened.store.fail_stale_runs(
                self.opened.name, failed, "the worker stopped sending heartbeats (crashed or killed)"
            )

    def _finished_elsewhere(self, trial: Any) -> bool:
        """True if another worker has already failed this (live) trial as stale."""
        return self.opened.store.optuna_storage().get_trial(trial._trial_id).state.is_finished()

    def run(self, n_trials: int) -> None:
        """Run ``n_trials`` trials here. A failing trial is recorded as failed and the loop goes on.

        A trial that another worker declared stale cannot be told its result; Optuna then raises
        out of ``optimize``, and this loop carries on with the remaining trials.
        """
        self._started = 0
        while self._started < n_trials:
            try:
                self.opened.study.optimize(
                    self.objective, n_trials=n_trials - self._started, catch=(Exception,), gc_after_trial=False
                )
                return
            except ValueError as exc:
                if "Cannot tell a" not in str(exc):
                    raise
                logging.getLogger("opsnn_opt").warning("trial lost to a stale-trial check: %s", exc)
