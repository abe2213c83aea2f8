"""What a study is, in words: objective names and a Markdown note for optuna-dashboard.

Both are written once, when a study is created (and again by ``opsnn dashboard`` for a study
created before this existed): ``study.set_metric_names`` replaces "Objective 0" in the
dashboard, and ``optuna_dashboard.save_note`` shows the model, the search space and the
objective on the study's page.
"""

from __future__ import annotations

import math
from typing import Any

from opsnn_opt.study.spec._objective import MetricTerm, ObjectiveSpec
from opsnn_opt.study.spec._space import FreeParam, SearchSpace

__all__ = ["describe_study", "metric_names", "study_note"]


def _term_text(term: MetricTerm) -> str:
    if term.target_state is not None:
        return f"{term.name} != {term.target_state}"
    if term.target is not None:
        scale = "" if term.scale == 1.0 else f"/{term.scale:g}"
        return f"|{term.name} - {term.target:g}|{scale}"
    return f"{'max' if term.direction == 'maximize' else 'min'} {term.name}"


def metric_names(objective: ObjectiveSpec) -> list[str]:
    """One readable name per objective (as many as ``objective.directions``)."""
    if objective.callable_path:
        n = len(objective.callable_directions)
        return [objective.callable_path if n == 1 else f"{objective.callable_path}[{i}]" for i in range(n)]
    if objective.combine == "multi":
        return [_term_text(t) for t in objective.terms]
    if len(objective.terms) == 1:
        return [_term_text(objective.terms[0])]
    return ["cost (" + " + ".join(_weighted(t) for t in objective.terms) + ")"]


def _weighted(term: MetricTerm) -> str:
    return _term_text(term) if term.weight == 1.0 else f"{term.weight:g}·{_term_text(term)}"


def _range(p: FreeParam) -> str:
    if p.choices is not None:
        return "one of " + ", ".join(f"{c:g}" if isinstance(c, int | float) else str(c) for c in p.choices)
    text = f"{p.low:g} to {p.high:g}"
    if p.log:
        text += ", log scale"
    if p.step is not None:
        text += f", step {p.step:g}"
    return text


def _bounds(low: float, high: float) -> str:
    if low == -math.inf:
        return f"≤ {high:g}"
    if high == math.inf:
        return f"≥ {low:g}"
    return f"in [{low:g}, {high:g}]"


def study_note(space: SearchSpace, objective: ObjectiveSpec) -> str:
    """The study's note in Markdown: model, settings, free and fixed parameters, objective."""
    from opsnn_opt.models import get_model

    model = get_model(space.model)
    units = {p.name: p.unit for p in model.params.values()}
    settings = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in space.settings.items())
    lines = [
        f"## Model `{space.model}` on {space.backend}",
        "",
        model.summary,
        "",
        f"Run settings: {settings}.",
        "",
        "### Search space",
        "",
        "| parameter | unit | range |",
        "| --- | --- | --- |",
        *(f"| `{p.name}` | {units.get(p.name) or '-'} | {_range(p)} |" for p in space.free),
    ]
    if space.fixed:
        fixed = ", ".join(
            f"`{k}` = {v:g}" if isinstance(v, int | float) else f"`{k}` = {v}" for k, v in space.fixed.items()
        )
        lines += ["", f"Fixed: {fixed}; every other parameter keeps its default."]
    lines += ["", "### Objective", ""]
    for name, direction in zip(metric_names(objective), objective.directions):
        lines.append(f"- {direction} **{name}**")
    if objective.missing is not None and not objective.callable_path:
        lines.append(f"- an undefined metric costs {objective.missing:g}")
    if objective.constraints:
        lines += ["", "### Constraints (a trial that violates one is infeasible, never best)", ""]
        lines += [
            f"- `{c.metric}` " + (f"is {' or '.join(c.states)}" if c.states else _bounds(c.min, c.max))
            for c in objective.constraints
        ]
    if objective.prune:
        lines += ["", "### Pruning", ""]
        lines += [
            f"- stop when `{r.metric}` is not {_bounds(r.min, r.max)} after {r.after_ms:g} ms" for r in objective.prune
        ]
    lines += ["", "### Network states", "", _STATES_NOTE]
    source = ", ".join(s for s in (space.source, objective.source) if s)
    if source:
        lines += ["", f"_Files: {source}_"]
    return "\n".join(lines) + "\n"


#: How to read the state columns of the dashboard (the labels are in opsnn_opt.analysis.STATE_CODES).
_STATES_NOTE = (
    "User attribute `network_state` is the network's label, `network_state.exc`, ... each population's; "
    "the metric `state` is its code: 0 quiescent, 1 AI (normal), 2 SI, 3 SR, 4 runaway, 5 AR, "
    "6-8 undetermined (the CV, chi or rate could not be computed: `network_state.undetermined` names it). "
    "`network_state.tau_ref` is the refractory period the rules used."
)


def describe_study(study: Any, space: SearchSpace, objective: ObjectiveSpec) -> None:
    """Set the metric names and the Markdown note of an Optuna study."""
    import optuna_dashboard

    study.set_metric_names(metric_names(objective))
    optuna_dashboard.save_note(study, study_note(space, objective))
