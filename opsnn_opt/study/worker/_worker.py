"""A worker: asks the study for configurations, runs them, and reports back.

One worker is one supervisor process (see :mod:`opsnn_opt.study.worker._serve`). Each trial's simulation
runs in a long-lived child process (:mod:`opsnn_opt.study.worker._supervisor`) that imports the simulator
once; PyNN's ``setup`` resets NEST between trials. Any number of workers, on any hosts, can serve
the same study through a shared store.

Writes are ordered so that Optuna and ``opsnn_trial_runs`` agree after any crash: a RUNNING row
before the run; after it, :func:`~opsnn_opt.study.trial._tell.tell_outcome` (a pending file,
Optuna, the row).
"""

from __future__ import annotations

import math
import os
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsnn_opt.backends import Backend
from opsnn_opt.store import TrialRun
from opsnn_opt.study._worker_failures import recording_failure
from opsnn_opt.study.trial._chunks import Pruned
from opsnn_opt.study.trial._feasibility import metric_attrs
from opsnn_opt.study.trial._retry import RESULT_KEYS, RUN_ATTRS, clear_inherited
from opsnn_opt.study.trial._run import pruned_fields, run_trial
from opsnn_opt.study.trial._tell import Outcome, tell_outcome
from opsnn_opt.study.worker._serve import serve
from opsnn_opt.study.worker._supervisor import ChildError, ChildRunner, InProcessRunner, TrialAborted, WorkerStopped
from opsnn_opt.study.worker._uploads import Uploads

if TYPE_CHECKING:  # a worker is given an opened study; it never opens one
    from opsnn_opt.study._study import OpenStudy

__all__ = ["Worker"]


class Worker:
    """Runs trials of one study from this process.

    Parameters
    ----------
    opened
        The study.
    backend
        A backend to run trials with in this process (no supervision: tests and notebooks);
        by default each trial runs in the supervised simulation process.
    timeout_s, max_memory_mb
        Limits per trial; default: the search space's ``timeout_s`` and ``max_memory_mb``.
    figures
        Which trials get figures (``"all"``, ``"best"``, ``"failed"``, ``"none"``); default:
        the search space's ``figures``.

    Each trial records, beside its run's ``timings``, the worker's own time (s) as user
    attributes and row columns: ``sample_s`` (the sampler's ask and suggestions), ``store_s``
    (its first heartbeat, RUNNING row and attributes), ``run_s`` (its simulations as the
    supervisor saw them: the run's ``total_s``, the pipe, the scoring), ``tell_s`` (its pending
    file, result attributes and the tell; the row is written after), and, written after the
    tell by the figures thread, ``figures_s`` and ``upload_s``. The first four add up to the
    trial's wall time (Optuna's start to complete).
    """

    def __init__(
        self,
        opened: OpenStudy,
        backend: Backend | None = None,
        *,
        timeout_s: float | None = None,
        max_memory_mb: float | None = None,
        figures: str | None = None,
    ) -> None:
        self.opened = opened
        self.stop_reason: str | None = None
        limits = opened.space.limits
        self.timeout_s = timeout_s if timeout_s is not None else limits.get("timeout_s")
        self.max_memory_mb = max_memory_mb if max_memory_mb is not None else limits.get("max_memory_mb")
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.uploads = Uploads(opened, figures or opened.space.figures, self.name)
        if backend is not None:
            self.runner: Any = InProcessRunner(backend)
        else:
            self.runner = ChildRunner(
                opened.space.backend, self.timeout_s, self.max_memory_mb, stop_reason=lambda: self.stop_reason
            )

    def trial_dir(self, number: int) -> Path:
        return self.opened.artifact_dir / f"trial-{number:05d}"

    def _start(self, trial: Any, record: dict[str, Any], seed: int) -> None:
        """The trial's RUNNING row (where a trial was if its worker dies) and its first attributes,
        in one transaction; a retried trial's inherited attributes are cleared with them (see
        :mod:`opsnn_opt.study.trial._retry`)."""
        inherited = trial.user_attrs
        if any(inherited.get(k) is not None for k in (*inherited.get(RESULT_KEYS, []), *RUN_ATTRS)):
            clear_inherited(trial)  # a retry: rare, key by key
        attrs = {"host": socket.gethostname(), "worker": self.name, "seed": seed}
        self.opened.store.write_trial_attrs(trial._trial_id, attrs, run=(self.opened.name, trial.number, record))

    def evaluate(self, trial: Any, sample_s: float = 0.0, store_s: float = 0.0) -> Outcome:
        """Suggest, run and score one trial. Never raises for a trial's own failure.

        ``sample_s``: the time (s) the sampler took to ask for ``trial`` (the suggestions add
        theirs); ``store_s``: the time its first heartbeat took (the RUNNING row adds its own).
        """
        o = self.opened
        record: dict[str, Any] = {
            "optuna_trial_id": trial._trial_id,
            "model": o.space.model,
            "backend": o.space.backend,
            "params": {},
            "worker": self.name,
        }
        attrs: dict[str, Any] = {}
        clock = {"sample_s": sample_s, "store_s": store_s, "run_s": 0.0}
        t2 = None
        try:
            t0 = time.perf_counter()
            values = o.space.suggest(trial)
            spec = o.space.run_spec(values, f"study {o.name!r} trial {trial.number}")
            t1 = time.perf_counter()
            clock["sample_s"] += t1 - t0
            record.update(params=dict(spec.params), seed=spec.seed, simtime_ms=spec.simtime_ms)
            self._start(trial, {**record, "state": "RUNNING"}, spec.seed)
            clock["store_s"] += time.perf_counter() - t1
            t2 = time.perf_counter()
            output = run_trial(self.runner, trial, o, spec, self.trial_dir(trial.number))  # replicates, chunks
            result = output.result
            result_json = result.as_dict()
            record.update(TrialRun.fields_from_result(result_json), **output.record())
            attrs = metric_attrs(result_json["metrics"], result.timings)
            attrs.update(threads=spec.threads, peak_rss_mb=result.peak_rss_mb, results_path=result.results_path)
            attrs.update(output.user_attrs())
            constraints = [(c.key, v) for c, v in zip(o.objective.constraints, o.objective.violations(result.metrics))]
            scores = o.objective.evaluate(result.metrics, result)
            if any(math.isnan(s) for s in scores):
                raise ValueError(f"the objective returned nan: {scores}")
        except Pruned as exc:
            pruned_attrs, pruned_row = pruned_fields(exc)
            record.update(pruned_row)
            outcome = Outcome("PRUNED", reason=str(exc), record=record, user_attrs={**attrs, **pruned_attrs})
        except WorkerStopped as exc:  # stop quickly: no upload, the re-queued trial will have its own
            return Outcome("FAIL", reason=str(exc), record=record, user_attrs=attrs, requeue=True)
        except (TrialAborted, ChildError) as exc:
            outcome = Outcome("FAIL", reason=str(exc), record=record, user_attrs=attrs)
        except Exception as exc:
            outcome = Outcome("FAIL", reason=f"{type(exc).__name__}: {exc}", record=record, user_attrs=attrs)
        else:
            outcome = Outcome("COMPLETE", scores, record=record, user_attrs=attrs, constraints=constraints)
        if t2 is not None:  # the run, its scoring, and what it raised
            clock["run_s"] = time.perf_counter() - t2
        outcome.user_attrs.update(clock)
        outcome.record.update(clock)
        return outcome

    def finish(self, trial_number: int, trial_id: int, outcome: Outcome) -> str:
        """Report an outcome (pending file, Optuna, then the row), then queue the trial's figures
        and uploads; returns the state recorded."""
        clock: dict[str, float] = {}
        state = tell_outcome(self.opened, trial_number, trial_id, outcome, self.trial_dir(trial_number), clock)
        if not outcome.requeue:  # a stopped trial's configuration runs again, with its own files
            self.uploads.submit(self.trial_dir(trial_number), trial_number, trial_id, state, clock)
        return state

    #: ``with Worker.recording_failure(name, storage_url):`` around a worker process's whole life
    #: (opening the study included) leaves the cause of an error that ends it beside its log and
    #: in the store, for ``opsnn study run`` and ``opsnn study show``
    #: (:mod:`opsnn_opt.study._worker_failures`).
    recording_failure = staticmethod(recording_failure)

    def run(self, n_trials: int | None = None, until_done: int | None = None) -> int:
        """Serve the study: ``n_trials`` trials here, or until the budget is met or a stop signal
        arrives; returns the number of trials this worker ran."""
        return serve(self, n_trials, until_done)
