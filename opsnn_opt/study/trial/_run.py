"""One trial's simulations, in the supervisor: its seed replicates, intermediate values and pruning.

:func:`run_trial` runs replicate after replicate through the worker's runner. After every chunk
the simulation process checks the ``[[prune]]`` rules and sends the intermediate metrics, which
are reported to Optuna and shown to the study's pruner (:mod:`opsnn_opt.study.trial._intermediate`).
Between replicates the ``stop_if_worse_after`` rule may stop a trial that is clearly worse than
the best one. A stopped trial raises :class:`~opsnn_opt.study.trial._chunks.Pruned`, carrying what
stopped it and the simulated time it saved; a failing replicate fails the trial.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsnn_opt.analysis import combine_replicates
from opsnn_opt.models import get_model
from opsnn_opt.study.spec._objective import MissingMetric
from opsnn_opt.study.spec._pruners import study_pruner
from opsnn_opt.study.spec._replicates import replicate_params, replicate_stats
from opsnn_opt.study.trial._chunks import Pruned, RunExtras
from opsnn_opt.study.trial._intermediate import make_ask, report_names
from opsnn_opt.study.trial._keep import apply_keep

__all__ = ["TrialOutput", "pruned_fields", "run_trial"]


@dataclass
class TrialOutput:
    """What a trial's replicates produced.

    ``result`` is replicate 0's RunResult with the metrics combined over the replicates (means; a
    state's most common code), timings summed over the replicates and the largest peak memory;
    ``runs`` has one entry per replicate.
    """

    result: Any
    runs: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: What a trial whose results file is not kept records instead (:mod:`._keep`).
    kept: dict[str, Any] = field(default_factory=dict)

    def user_attrs(self) -> dict[str, Any]:
        if len(self.runs) < 2:
            return dict(self.kept)
        return {"replicates": len(self.runs), "replicate_stats": _no_nan(self.stats), **self.kept}

    def record(self) -> dict[str, Any]:
        return {"replicates": self.runs} if len(self.runs) > 1 else {}


def _no_nan(value: Any) -> Any:
    """JSON-safe (PostgreSQL's JSON has no NaN): nan becomes None."""
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_nan(v) for v in value]
    return None if isinstance(value, float) and math.isnan(value) else value


def _entry(replicate: int, spec: Any, result: Any, seed_param: str | None) -> dict[str, Any]:
    d = result.as_dict()
    out = {"replicate": replicate, "seed": spec.seed}
    if seed_param is not None:
        out[seed_param] = spec.params.get(seed_param)
    out.update(metrics=d["metrics"], results_path=result.results_path, sim_s=result.timings.get("sim_s"))
    return out


def _combined(results: list[Any]) -> Any:
    """Replicate 0's result with each metric combined over the replicates (a quantity's mean, a
    state code's most common value: :func:`opsnn_opt.analysis.combine_replicates`)."""
    first = results[0]
    if len(results) == 1:
        return first
    timings: dict[str, float] = {}
    for r in results:
        for key, value in r.timings.items():
            timings[key] = timings.get(key, 0.0) + value
    metrics = {
        name: combine_replicates(name, [r.metrics.get(name, math.nan) for r in results]) for name in first.metrics
    }
    return dataclasses.replace(first, metrics=metrics, timings=timings, peak_rss_mb=max(r.peak_rss_mb for r in results))


def _worse_than_best(opened: Any, results: list[Any], after: int | None) -> str | None:
    """The ``stop_if_worse_after`` rule: the objective's 95 % CI over the replicates so far lies
    wholly on the worse side of the best completed trial's value."""
    if after is None or len(results) < after or len(opened.objective.directions) > 1:
        return None
    try:
        best = opened.study.best_trial.value
        values = [opened.objective.evaluate(r.metrics, r)[0] for r in results]
    except (ValueError, MissingMetric):  # no best trial yet, or an undefined objective
        return None
    ci = replicate_stats([{"objective": v} for v in values])["objective"]["ci95"]
    if ci is None:
        return None
    minimize = opened.objective.directions[0] == "minimize"
    if (ci[0] > best) if minimize else (ci[1] < best):
        return (
            f"replicates: the objective's 95 % CI [{ci[0]:.4g}, {ci[1]:.4g}] after {len(results)} replicates "
            f"is worse than the best trial's {best:.4g} (stop_if_worse_after = {after})"
        )
    return None


def run_trial(runner: Any, trial: Any, opened: Any, spec: Any, folder: Path) -> TrialOutput:
    """Run a trial's replicates; raises :class:`Pruned` (with ``saved_ms`` and ``runs``) when stopped."""
    o = opened
    rep = o.space.replicates
    pruner = study_pruner(o.space, o.objective)
    names = report_names(o.objective)
    extras = RunExtras(plugins=o.objective.plugins, report=names)
    n_chunks = math.ceil(spec.simtime_ms / spec.chunk_ms - 1e-9)
    seed_param = get_model(spec.model).network_seed_param
    results: list[Any] = []
    runs: list[dict[str, Any]] = []
    log: list[dict[str, Any]] = []
    for r in range(rep.k):
        spec_r = spec if r == 0 else dataclasses.replace(spec, params=replicate_params(spec.params, rep, r, seed_param))
        folder_r = folder if r == 0 else folder / f"replicate-{r:02d}"
        ask = make_ask(trial, o.objective, pruner, spec.chunk_ms, r * n_chunks, log) if names else None
        try:
            result = runner.run(spec_r, folder_r, o.objective.prune, extras, ask)
        except Pruned as exc:
            simulated = r * spec.simtime_ms + (exc.t_ms if exc.t_ms is not None else 0.0)
            exc.saved_ms, exc.runs = rep.k * spec.simtime_ms - simulated, runs
            raise
        results.append(result)
        runs.append(_entry(r, spec_r, result, seed_param))
        if r + 1 < rep.k:
            reason = _worse_than_best(o, results, rep.stop_if_worse_after)
            if reason:
                exc = Pruned(reason, None, "replicates")
                exc.saved_ms, exc.runs = (rep.k - r - 1) * spec.simtime_ms, runs
                raise exc
    stats = replicate_stats([r.metrics for r in results]) if len(results) > 1 else {}
    return apply_keep(o, TrialOutput(_combined(results), runs, stats), folder)  # the space's keep


def pruned_fields(exc: Pruned) -> tuple[dict[str, Any], dict[str, Any]]:
    """(user attributes, row fields) of a pruned trial: what stopped it and the time it saved."""
    saved, runs = exc.saved_ms, exc.runs
    attrs = {"pruned_reason": str(exc), "pruned_by": exc.by, "simtime_saved_ms": saved}
    if exc.t_ms is not None:
        attrs["pruned_at_ms"] = exc.t_ms
    row: dict[str, Any] = {"pruned_by": exc.by, "simtime_saved_ms": saved}
    if runs:
        row["replicates"] = runs
    return attrs, row
