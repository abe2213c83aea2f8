"""Parameter importance of a study, for its objective and for any stored metric.

Optuna's evaluators do the work: PED-ANOVA (Watanabe et al. 2023; fast, and what matters for
reaching the best 10 % of the values) and fANOVA (Hutter et al. 2014; the share of the variance
over the whole space that each parameter explains, from a random forest). Each target is
evaluated on the completed trials where it is defined: a metric that is undefined for a silent
network (a CV, say) leaves those trials out, instead of making the evaluators fail.

For a metric, "better" (what PED-ANOVA's top quantile means) follows the objective: the
direction of the metric in the objective, towards its target for a metric with a target (the
distance |value - target| is then the target), and lower for a metric the objective does not use.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opsnn_opt.errors import ConfigError
from opsnn_opt.study.read._values import NETWORK_STATE, TrialValues, available_names, check_name, study_values

if TYPE_CHECKING:
    from opsnn_opt.study._study import OpenStudy

__all__ = ["EVALUATORS", "MIN_TRIALS", "Importance", "importance_targets", "parameter_importance"]

#: Evaluators by name (Optuna class names in :mod:`optuna.importance`).
EVALUATORS = ("ped-anova", "fanova")
#: Fewest trials with a defined target for an importance: PED-ANOVA wants 5 in its top 10 %,
#: but a small study is still worth a first look.
MIN_TRIALS = 8


@dataclass(frozen=True)
class Importance:
    """The importance of each free parameter for one target, by one evaluator.

    ``importances`` sum to 1 (Optuna normalises them), largest first; ``n_trials`` is the number
    of completed trials where the target was defined. ``reason`` says why a target has none.
    """

    target: str
    evaluator: str
    importances: dict[str, float]
    n_trials: int
    direction: str
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "evaluator": self.evaluator,
            "direction": self.direction,
            "n_trials": self.n_trials,
            "importances": self.importances,
            **({"reason": self.reason} if self.reason else {}),
        }


def _evaluator(name: str, seed: int) -> Any:
    from optuna.importance import FanovaImportanceEvaluator, PedAnovaImportanceEvaluator

    if name == "ped-anova":
        return PedAnovaImportanceEvaluator()
    return FanovaImportanceEvaluator(seed=seed)


def importance_targets(opened: OpenStudy, metrics: Sequence[str] = ()) -> list[str]:
    """The targets evaluated by default: the objective value(s), then the objective's metrics and ``metrics``."""
    n = len(opened.study.directions)
    targets = ["value"] if n == 1 else [f"value.{k}" for k in range(n)]
    for m in [*opened.objective.metric_names, *metrics]:
        if m not in targets:
            targets.append(m)
    return targets


def _direction(opened: OpenStudy, target: str) -> tuple[str, float | None]:
    """("minimize" | "maximize", the metric's target value or None) for one importance target."""
    if target == "value" or target.startswith("value."):
        k = 0 if target == "value" else int(target.split(".", 1)[1])
        return opened.study.directions[k].name.lower(), None
    for term in opened.objective.terms:
        if term.name == target:
            return ("minimize", term.target) if term.target is not None else (term.direction, None)
    return "minimize", None


def _target_study(opened: OpenStudy, trials: list[TrialValues], target: str) -> tuple[Any, str, int]:
    """An in-memory study of the completed trials where ``target`` is defined, with it as their value."""
    import optuna

    direction, goal = _direction(opened, target)
    frozen = {t.number: t for t in opened.study.get_trials(deepcopy=False)}
    study = optuna.create_study(direction=direction)
    n = 0
    for tv in trials:
        value = tv.get(target)
        if tv.state != "COMPLETE" or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if not math.isfinite(value):
            continue
        value = abs(value - goal) if goal is not None else float(value)
        t = frozen[tv.number]
        study.add_trial(optuna.trial.create_trial(params=t.params, distributions=t.distributions, value=value))
        n += 1
    label = direction if goal is None else f"towards {goal:g}"
    return study, label, n


def parameter_importance(
    opened: OpenStudy,
    targets: Sequence[str] | None = None,
    evaluators: Sequence[str] = EVALUATORS,
    seed: int = 0,
) -> list[Importance]:
    """Importance of each free parameter, per target and evaluator.

    Parameters
    ----------
    opened
        The study.
    targets
        ``value`` (``value.K`` for a multi-objective study) or any stored metric. Default:
        :func:`importance_targets`.
    evaluators
        Names from :data:`EVALUATORS`.
    seed
        fANOVA's random-forest seed.

    Returns
    -------
    list[Importance]
        One per target and evaluator; an empty ``importances`` with a ``reason`` where a target
        has fewer than :data:`MIN_TRIALS` trials or only one value.

    Raises
    ------
    ConfigError
        For an unknown target or evaluator, or a study without free parameters.
    """
    import optuna

    trials = study_values(opened)
    # The objective's own metrics are always valid targets, stored yet or not (then: too few trials).
    stored = [n for n in available_names(opened, trials) if n != NETWORK_STATE]
    allowed = list(dict.fromkeys([*stored, *importance_targets(opened)]))
    targets = list(targets) if targets else importance_targets(opened)
    for target in targets:
        check_name(target, allowed, "metric", opened.name)
    for name in evaluators:
        check_name(name, EVALUATORS, "evaluator", opened.name)
    if not opened.space.free:
        raise ConfigError(f"study {opened.name!r} has no free parameters: nothing to rank")
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # not a line per in-memory study
    try:
        return [r for target in targets for r in _rank(opened, trials, target, evaluators, seed)]
    finally:
        optuna.logging.set_verbosity(verbosity)


def _rank(
    opened: OpenStudy, trials: list[TrialValues], target: str, evaluators: Sequence[str], seed: int
) -> list[Importance]:
    """:func:`parameter_importance` for one target."""
    import optuna

    study, direction, n = _target_study(opened, trials, target)
    reason = ""
    if n < MIN_TRIALS:
        reason = f"{n} completed trial(s) with {target} defined; at least {MIN_TRIALS} needed"
    elif len({t.value for t in study.get_trials(deepcopy=False)}) < 2:
        reason = f"{target} has the same value in every trial"
    if reason:
        return [Importance(target, name, {}, n, direction, reason) for name in evaluators]
    out = []
    for name in evaluators:
        with warnings.catch_warnings():  # PED-ANOVA is experimental in Optuna 5
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            ranked = optuna.importance.get_param_importances(study, evaluator=_evaluator(name, seed))
        out.append(Importance(target, name, {k: float(v) for k, v in ranked.items()}, n, direction))
    return out
