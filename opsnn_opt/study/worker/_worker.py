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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsnn_opt.backends import Backend
from opsnn_opt.store import TrialRun
from opsnn_opt.study._artifacts import upload_trial_files
from opsnn_opt.study._worker_failures import recording_failure
from opsnn_opt.study.trial._chunks import Pruned
from opsnn_opt.study.trial._feasibility import metric_attrs
from opsnn_opt.study.trial._retry import clear_inherited
from opsnn_opt.study.trial._run import pruned_fields, run_trial
from opsnn_opt.study.trial._tell import Outcome, tell_outcome
from opsnn_opt.study.worker._serve import serve
from opsnn_opt.study.worker._supervisor import ChildError, ChildRunner, InProcessRunner, TrialAborted, WorkerStopped

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
    """

    def __init__(
        self,
        opened: OpenStudy,
        backend: Backend | None = None,
        *,
        timeout_s: float | None = None,
        max_memory_mb: float | None = None,
    ) -> None:
        self.opened = opened
        self.stop_reason: str | None = None
        limits = opened.space.limits
        self.timeout_s = timeout_s if timeout_s is not None else limits.get("timeout_s")
        self.max_memory_mb = max_memory_mb if max_memory_mb is not None else limits.get("max_memory_mb")
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        if backend is not None:
            self.runner: Any = InProcessRunner(backend)
        else:
            self.runner = ChildRunner(
                opened.space.backend, self.timeout_s, self.max_memory_mb, stop_reason=lambda: self.stop_reason
            )

    def trial_dir(self, number: int) -> Path:
        return self.opened.artifact_dir / f"trial-{number:05d}"

    def _start_clean(self, trial: Any) -> None:
        """A retried trial inherits the user attributes of the one it replaces: nothing stale is
        shown (see :mod:`opsnn_opt.study.trial._retry`)."""
        clear_inherited(trial)
        trial.set_user_attr("host", socket.gethostname())
        trial.set_user_attr("worker", self.name)

    def evaluate(self, trial: Any) -> Outcome:
        """Suggest, run and score one trial. Never raises for a trial's own failure."""
        o = self.opened
        record: dict[str, Any] = {
            "optuna_trial_id": trial._trial_id,
            "model": o.space.model,
            "backend": o.space.backend,
            "params": {},
            "worker": self.name,
        }
        attrs: dict[str, Any] = {}
        self._start_clean(trial)
        try:
            values = o.space.suggest(trial)
            spec = o.space.run_spec(values, f"study {o.name!r} trial {trial.number}")
            record.update(params=dict(spec.params), seed=spec.seed, simtime_ms=spec.simtime_ms)
            trial.set_user_attr("seed", spec.seed)
            # A RUNNING row shows where a trial was if its worker dies.
            o.store.record_run(o.name, trial.number, state="RUNNING", **record)
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
        # The trial's files and figures go to the artifact store while the trial still runs.
        upload_trial_files(trial, self.trial_dir(trial.number), o.store.url)
        return outcome

    def finish(self, trial_number: int, trial_id: int, outcome: Outcome) -> str:
        """Report an outcome: pending file, Optuna, then the row; returns the state recorded."""
        return tell_outcome(self.opened, trial_number, trial_id, outcome, self.trial_dir(trial_number))

    #: ``with Worker.recording_failure(name, storage_url):`` around a worker process's whole life
    #: (opening the study included) leaves the cause of an error that ends it beside its log and
    #: in the store, for ``opsnn study run`` and ``opsnn study show``
    #: (:mod:`opsnn_opt.study._worker_failures`).
    recording_failure = staticmethod(recording_failure)

    def run(self, n_trials: int | None = None, until_done: int | None = None) -> int:
        """Serve the study: ``n_trials`` trials here, or until the budget is met or a stop signal
        arrives; returns the number of trials this worker ran."""
        return serve(self, n_trials, until_done)
