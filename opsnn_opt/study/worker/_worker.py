"""A worker: asks the study for configurations, runs them, and reports back.

One worker is one supervisor process (see :mod:`opsnn_opt.study.worker._serve`). Each trial's simulation
runs in a long-lived child process (:mod:`opsnn_opt.study.worker._supervisor`) that imports the simulator
once; PyNN's ``setup`` resets NEST between trials. Any number of workers, on any hosts, can serve
the same study through a shared store.

Writes are ordered so that Optuna and ``opsnn_trial_runs`` agree after any crash: a RUNNING row
before the run; after it, the outcome is first saved in a file beside the results file, then told
to Optuna, then written to the row, and only then is the file removed.
"""

from __future__ import annotations

import math
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsnn_opt.backends import Backend
from opsnn_opt.store import TrialRun, retry_call, set_trial_user_attrs
from opsnn_opt.study._artifacts import upload_trial_files
from opsnn_opt.study._study import OpenStudy
from opsnn_opt.study.trial._chunks import Pruned
from opsnn_opt.study.trial._feasibility import metric_attrs, record_constraints
from opsnn_opt.study.trial._pending import remove_pending, write_pending
from opsnn_opt.study.trial._run import pruned_fields, run_trial
from opsnn_opt.study.worker._supervisor import ChildError, ChildRunner, InProcessRunner, TrialAborted, WorkerStopped

__all__ = ["STALE_REASON", "Outcome", "Worker"]

STALE_REASON = (
    "another worker declared this trial stale: its heartbeat stopped for longer than OPSNN_GRACE_S "
    "(the worker or its database connection stalled)"
)
#: The user attribute listing the attributes a worker reported with a trial's outcome.
RESULT_KEYS = "result_keys"


@dataclass
class Outcome:
    """How a trial ended, everything needed to report it (also from a pending file)."""

    state: str
    values: list[float] | None = None
    reason: str | None = None
    record: dict[str, Any] = field(default_factory=dict)
    user_attrs: dict[str, Any] = field(default_factory=dict)
    constraints: list[tuple[str, float]] = field(default_factory=list)
    requeue: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


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
        """A retried trial inherits the user attributes of the one it replaces (its results file,
        metrics, reason): clear those a worker reported (listed in ``result_keys``), so nothing
        stale is shown; attributes given when the trial was enqueued stay."""
        inherited = trial.user_attrs
        for key in [*inherited.get(RESULT_KEYS, []), RESULT_KEYS, "fail_reason", "pruned_reason"]:
            if inherited.get(key) is not None:
                trial.set_user_attr(key, None)
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
        folder = self.trial_dir(trial_number)
        pending = write_pending(folder, self.opened.name, trial_number, trial_id, outcome.to_dict())
        state = report(self.opened, trial_number, trial_id, outcome)
        remove_pending(pending)
        return state

    def run(self, n_trials: int | None = None, until_done: int | None = None) -> int:
        """Serve the study: ``n_trials`` trials here, or until the budget is met or a stop signal
        arrives; returns the number of trials this worker ran."""
        from opsnn_opt.study.worker._serve import serve

        return serve(self, n_trials, until_done)


class _TrialRef:
    """What :func:`set_trial_user_attrs` needs of a trial, without building an Optuna ``Trial``
    (whose constructor calls the sampler)."""

    def __init__(self, storage: Any, trial_id: int) -> None:
        self.storage, self._trial_id = storage, trial_id

    def set_user_attr(self, key: str, value: Any) -> None:
        self.storage.set_trial_user_attr(self._trial_id, key, value)

    def set_constraint(self, key: str, value: float) -> None:
        """As ``Trial.set_constraint``, but a value a retried trial inherited is replaced."""
        self.storage.set_trial_system_attr(self._trial_id, f"constraints:{key}", float(value))


def report(opened: OpenStudy, number: int, trial_id: int, outcome: Outcome) -> str:
    """Tell Optuna, then write the row (a trial finished elsewhere is recorded as such)."""
    import optuna

    storage = opened.store.optuna_storage()
    state = optuna.trial.TrialState[outcome.state]
    try:
        if storage.get_trial(trial_id).state.is_finished():
            raise optuna.exceptions.UpdateFinishedTrialError("finished elsewhere")
        attrs = dict(outcome.user_attrs)
        if attrs:
            attrs[RESULT_KEYS] = sorted(outcome.user_attrs)
        if outcome.reason is not None and outcome.state == "FAIL":
            attrs["fail_reason"] = outcome.reason
        if attrs:  # in one transaction (retried as a whole through an outage)
            retry_call(set_trial_user_attrs, _TrialRef(storage, trial_id), attrs, what="reporting attributes")
        if outcome.constraints:
            keys, violations = zip(*outcome.constraints)
            record_constraints(_TrialRef(storage, trial_id), list(keys), list(violations))
        told = opened.study.tell(
            number, outcome.values if state == state.COMPLETE else None, state=state, skip_if_finished=True
        )
        if told.state != state:  # failed as stale by another worker between the check and the tell
            raise optuna.exceptions.UpdateFinishedTrialError("finished elsewhere")
    except optuna.exceptions.UpdateFinishedTrialError:
        frozen = storage.get_trial(trial_id)
        # A retried tell whose first attempt did commit before the connection dropped:
        if frozen.state != state or (outcome.values is not None and frozen.values != outcome.values):
            opened.store.record_run(opened.name, number, state="FAIL", fail_reason=STALE_REASON, **outcome.record)
            return "FAIL"
    fields: dict[str, Any] = dict(outcome.record)
    if outcome.state == "COMPLETE":
        fields["objective_values"] = outcome.values
    else:
        fields["fail_reason"] = outcome.reason
    opened.store.record_run(opened.name, number, state=outcome.state, **fields)
    if outcome.requeue:
        params = storage.get_trial(trial_id).params
        opened.study.enqueue_trial(params, user_attrs={"requeued_from": number})
    return outcome.state
