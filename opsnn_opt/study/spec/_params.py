"""Free parameters: one type, :class:`FreeParam`, for a search-space file and for Python.

A ``[params.NAME]`` table and the Python API's :func:`Uniform`, :func:`LogUniform` and
:func:`Choices` give the same :class:`FreeParam`; :func:`read_free_param` checks it against the
model's parameter table (range, scale, step, unit), with the same messages for both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from opsnn_opt.errors import ConfigError
from opsnn_opt.study.spec._fields import Fields

__all__ = ["Choices", "FreeParam", "LogUniform", "Uniform", "read_free_param"]


@dataclass(frozen=True)
class FreeParam:
    """One free parameter: a range (with scale and optional step) or a list of choices.

    ``name`` and ``kind`` (the model parameter's ``"int"``, ``"float"``, ...) are set when a
    search space reads it; a parameter made in Python (:func:`Uniform`, ...) has them empty until
    then, and may carry the ``unit`` it was written in, which is checked against the model's.
    """

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: tuple[Any, ...] | None = None
    unit: str | None = None

    def suggest(self, trial: Any) -> int | float:
        """Ask an Optuna trial for a value."""
        if self.choices is not None:
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(self.name, int(self.low), int(self.high), step=int(self.step or 1), log=self.log)
        return trial.suggest_float(self.name, self.low, self.high, step=self.step, log=self.log)

    def grid(self, where: str) -> list[int | float]:
        """The values a grid search visits; needs choices, a step, or an int range."""
        if self.choices is not None:
            return list(self.choices)
        step = self.step or (1 if self.kind == "int" else None)
        if step is None:
            raise ConfigError(f"{where}: [params.{self.name}] needs 'choices' or 'step' for the grid sampler")
        n = int(math.floor((self.high - self.low) / step + 1e-9)) + 1  # never past high
        values = [self.low + i * step for i in range(n)]
        return [int(v) for v in values] if self.kind == "int" else values

    def to_dict(self) -> dict[str, Any]:
        """The ``[params.NAME]`` table (``unit`` only while it is still to be checked)."""
        if self.choices is not None:
            out: dict[str, Any] = {"choices": list(self.choices)}
        else:
            out = {"low": self.low, "high": self.high, "scale": "log" if self.log else "linear"}
            if self.step is not None:
                out["step"] = self.step
        return {**out, "unit": self.unit} if self.unit is not None else out


def Uniform(low: float, high: float, step: float | None = None, unit: str | None = None) -> FreeParam:
    """A free parameter on a linear scale in [low, high], optionally on a grid of ``step``."""
    return FreeParam("", "", low, high, False, step, unit=unit)


def LogUniform(low: float, high: float, unit: str | None = None) -> FreeParam:
    """A free parameter on a log scale in [low, high], low > 0."""
    return FreeParam("", "", low, high, True, unit=unit)


def Choices(values: Sequence[Any], unit: str | None = None) -> FreeParam:
    """A free parameter that takes one of the listed values."""
    return FreeParam("", "", choices=tuple(values), unit=unit)


def coerce_value(param: Any, value: Any, where: str) -> Any:
    """Like ``param.coerce``, but a number must be a TOML number, not a string that looks like one."""
    if param.kind in ("int", "float") and isinstance(value, str):
        raise ConfigError(
            f"{where}: {param.name} must be {param.range_text} ({param.unit or 'no unit'}), "
            f"written as a TOML number; got the string {value!r}"
        )
    return param.coerce(value, where)


def read_free_param(param: Any, f: Fields) -> FreeParam:
    """The free parameter of a ``[params.NAME]`` table, checked against the model's ``param``."""
    f.check_keys(["low", "high", "scale", "step", "choices", "unit"])
    unit = f.string("unit", None)
    if unit is not None and unit != param.unit:
        raise ConfigError(f"{f.where}: 'unit' must be {param.unit!r} (the model's unit for {param.name}); got {unit!r}")
    if "choices" in f:
        if any(k in f for k in ("low", "high", "scale", "step")):
            raise ConfigError(f"{f.where}: give either 'choices' or 'low'/'high', not both")
        choices = f.get("choices")
        if not isinstance(choices, list) or not choices:
            raise f.fail("choices", "a non-empty list of values", choices)
        values = tuple(coerce_value(param, c, f"{f.where} choices") for c in choices)
        if len(set(values)) != len(values):
            raise f.fail("choices", "a list of distinct values", choices)
        return FreeParam(param.name, param.kind, choices=values)
    if param.kind in ("choice", "text"):
        raise ConfigError(
            f"{f.where}: {param.name} is {param.range_text}, so a free {param.name} needs "
            f"'choices' (e.g. choices = [{', '.join(repr(c) for c in getattr(param, 'choices', ()))}])"
        )
    low = coerce_value(param, f.get("low"), f"{f.where} 'low'")
    high = coerce_value(param, f.get("high"), f"{f.where} 'high'")
    if not low < high:
        raise ConfigError(
            f"{f.where}: low < high must hold, but got (low={low:g}, high={high:g}); a single value belongs in [fixed]"
        )
    log = f.string("scale", "linear", choices=("linear", "log")) == "log"
    if log and low <= 0:
        raise ConfigError(f"{f.where}: a log scale needs low > 0; got low={low:g}")
    step = f.number("step", None, low=0.0, high=high - low, open_low=True)
    if step is not None and log:
        raise ConfigError(f"{f.where}: 'step' cannot be combined with scale = \"log\"")
    if step is not None and param.kind == "int" and not float(step).is_integer():
        raise f.fail("step", "a whole number for an int parameter", step)
    return FreeParam(param.name, param.kind, low, high, log, step)


def stored_free_param(name: str, spec: Any) -> FreeParam:
    """A stored ``[params.NAME]`` table as written, unchecked (see :func:`~.stored_specs`)."""
    return FreeParam(
        name,
        "stored",
        low=spec.get("low"),
        high=spec.get("high"),
        log=spec.get("scale") == "log",
        step=spec.get("step"),
        choices=tuple(spec["choices"]) if "choices" in spec else None,
    )
