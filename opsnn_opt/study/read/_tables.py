"""Reading a study back: trial tables and the best configurations."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from opsnn_opt.study._worker_failures import format_failures, shown_failures
from opsnn_opt.study.trial._feasibility import feasibility

if TYPE_CHECKING:
    from opsnn_opt.study._study import OpenStudy

__all__ = ["best_trials", "format_cell", "format_table", "time_in_simulator", "trial_rows", "worker_failure_lines"]

_TIMING = ("build_s", "sim_s", "write_s", "analysis_s")


def best_trials(opened: OpenStudy) -> list[Any]:
    """The best feasible completed trial (single objective) or the feasible Pareto front.

    Optuna skips trials whose constraints (set by the worker) are violated.
    """
    study = opened.study
    if len(study.directions) > 1:
        return list(study.best_trials)
    try:
        return [study.best_trial]
    except ValueError:  # no completed, feasible trial yet
        return []


def trial_rows(opened: OpenStudy) -> list[dict[str, Any]]:
    """One dict per trial: number, state, value(s), free parameters, objective metrics, timings,
    the network state, feasibility (with the violated constraints in the note) and artifacts."""
    free = [p.name for p in opened.space.free]
    metrics = opened.objective.metric_names
    constraint_metric = {c.key: c.metric for c in opened.objective.constraints}
    rows = []
    for t in opened.study.get_trials(deepcopy=False):
        row: dict[str, Any] = {
            "trial": t.number,
            "state": t.state.name,
            "value": t.values if t.values is None or len(t.values) > 1 else t.values[0],
        }
        row.update({p: t.params.get(p) for p in free})
        row.update({m: t.user_attrs.get(m) for m in metrics})
        row["sample_s"] = t.user_attrs.get("sample_s")  # the sampler's cost, against the trial number
        row["sim_s"] = t.user_attrs.get("sim_s")
        row["network_state"] = t.user_attrs.get("network_state")
        feasible, violated = feasibility(t)
        row["feasible"] = feasible
        row["artifacts"] = t.user_attrs.get("artifacts") or {}
        note = t.user_attrs.get("fail_reason") or t.user_attrs.get("pruned_reason") or ""
        if violated:
            note = "; ".join([note] * bool(note) + [_violation(k, constraint_metric, t.user_attrs) for k in violated])
        row["note"] = note
        rows.append(row)
    return rows


def _violation(key: str, constraint_metric: dict[str, str], attrs: dict[str, Any]) -> str:
    metric = constraint_metric.get(key)
    value = attrs.get(metric) if metric else None
    return f"violates {key}" + (f" ({metric} = {value:.4g})" if isinstance(value, int | float) else "")


#: The parts of a trial's wall time the closing line names (user attributes, s), after the
#: simulator's: the rest of the run (build, checks, write, analysis), then the worker's own.
_WALL_PARTS = (("run", None), ("store", "store_s"), ("sampler", "sample_s"), ("tell", "tell_s"))


def time_in_simulator(opened: OpenStudy) -> str | None:
    """A line giving where the finished trials' wall time went, e.g. ``"time in NEST: 91 %;
    run 5 %; store 2 %; sampler 1 %; tell 1 % of the trials' wall time (30 trials); figures
    0.1 s per trial, after the tell"``; None before any trial.

    A trial's wall time runs from Optuna's start to its completion: the sampler's ask, the
    store writes, building, simulating, checks, writing, analysing and the tell. Its figures
    and uploads are drawn after it, while the next trial runs (``figures_s`` + ``upload_s``).
    """
    sums = dict.fromkeys(["sim", "run", *(k for _, k in _WALL_PARTS if k), "figures"], 0.0)
    wall_s = 0.0
    n = 0
    for t in opened.study.get_trials(deepcopy=False):
        a = t.user_attrs
        sim = a.get("sim_s")
        if sim is None or t.datetime_start is None or t.datetime_complete is None:
            continue
        sums["sim"] += float(sim)
        sums["run"] += max(float(a.get("total_s") or sim) - float(sim), 0.0)
        for _, key in _WALL_PARTS[1:]:
            sums[key] += float(a.get(key) or 0.0)
        sums["figures"] += float(a.get("figures_s") or 0.0) + float(a.get("upload_s") or 0.0)
        wall_s += (t.datetime_complete - t.datetime_start).total_seconds()
        n += 1
    if not n or wall_s <= 0:
        return None
    name = {"nest": "NEST", "spinnaker": "SpiNNaker"}.get(opened.space.backend, opened.space.backend)
    parts = [f"time in {name}: {100.0 * sums['sim'] / wall_s:.0f} %"]
    parts += [f"{label} {100.0 * sums[key or label] / wall_s:.0f} %" for label, key in _WALL_PARTS]
    line = "; ".join(parts) + f" of the trials' wall time ({n} trials)"
    if sums["figures"]:
        line += f"; figures {sums['figures'] / n:.2g} s per trial, after the tell"
    return line


def worker_failure_lines(opened: OpenStudy) -> list[str]:
    """One line per distinct cause of the workers that failed (at start-up or later) and whose
    host has finished no trial since, newest first, e.g. ``"worker node7:4242 failed at start-up
    (2026-12-04T19:30:00+00:00): study 'ring' (stored spec): 'model': model 'my_ring:Ring': no
    module named 'my_ring' on this host; ...; log: /scratch/logs/opsnn-ring-77_3.log"``.

    The workers record them (:mod:`opsnn_opt.study._worker_failures`): a SLURM task that could
    not import the model says so here.
    """
    return format_failures(shown_failures(opened.study))


def format_cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, dict):  # artifacts: how many (``--json`` and ``opsnn fetch`` give them)
        return f"{len(value)} files" if value else "-"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4g}"
    if isinstance(value, list):
        return "[" + ", ".join(format_cell(v) for v in value) + "]"
    return str(value)


def format_table(rows: list[dict[str, Any]], max_note: int = 60) -> str:
    """A plain-text table with aligned columns."""
    if not rows:
        return "(no trials)"
    cols = list(rows[0])
    cells = [[format_cell(r.get(c)) if c != "note" else str(r.get(c, ""))[:max_note] for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)
