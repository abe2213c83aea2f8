"""Declarative parameter tables: each parameter's unit, default, allowed range and meaning.

A model declares its parameters once, as a :class:`ParamTable`. Validation of ``--set`` values,
the search-space loader and ``opsnn models`` all read that one table.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from opsnn_opt.errors import ConfigError

__all__ = ["Param", "ParamTable", "describe_range"]

Kind = Literal["int", "float"]


def describe_range(low: float, high: float, kind: str = "float") -> str:
    """Human-readable closed interval, e.g. ``an int in [1, 100000]``."""
    article = "an int" if kind == "int" else "a number"
    return f"{article} in [{low:g}, {high:g}]"


@dataclass(frozen=True)
class Param:
    """One model parameter.

    Parameters
    ----------
    name
        Stable name, with its unit in the name where it has one (``g_exc_nS``).
    unit
        Unit string (``"nS"``, ``"ms"``, ``"Hz"``, or ``""`` for dimensionless).
    default
        Value used when none is given.
    low, high
        Closed interval of allowed values.
    doc
        One-line meaning.
    kind
        ``"int"`` or ``"float"``.
    """

    name: str
    unit: str
    default: float
    low: float
    high: float
    doc: str
    kind: Kind = "float"

    def __post_init__(self) -> None:
        if not self.low <= self.default <= self.high:
            raise ValueError(f"{self.name}: default {self.default} outside [{self.low}, {self.high}]")

    @property
    def range_text(self) -> str:
        return describe_range(self.low, self.high, self.kind)

    def coerce(self, value: Any, where: str) -> int | float:
        """Return ``value`` as this parameter's type, or raise :class:`ConfigError`.

        ``where`` names the source of the value (a file and field, or a CLI option).
        """
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ConfigError(f"{where}: {self.name} must be {self.range_text} ({self.unit or 'no unit'}); "
                              f"got {value!r}")
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(
                f"{where}: {self.name} must be {self.range_text} ({self.unit or 'no unit'}); got {value!r}"
            ) from None
        if self.kind == "int":
            if not number.is_integer():
                raise ConfigError(f"{where}: {self.name} must be {self.range_text}; got {value!r}")
            number = int(number)
        if math.isnan(number) or not self.low <= number <= self.high:
            raise ConfigError(
                f"{where}: {self.name} must be {self.range_text} ({self.unit or 'no unit'}); got {value!r}"
            )
        return number


class ParamTable(Mapping[str, Param]):
    """An ordered, read-only table of :class:`Param` keyed by name."""

    def __init__(self, *params: Param) -> None:
        self._params = {p.name: p for p in params}
        if len(self._params) != len(params):
            raise ValueError("duplicate parameter names")

    def __getitem__(self, name: str) -> Param:
        return self._params[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def get_param(self, name: str, where: str, model: str) -> Param:
        """Look a parameter up, with an error that lists the valid names."""
        try:
            return self._params[name]
        except KeyError:
            valid = ", ".join(self._params)
            raise ConfigError(
                f"{where}: unknown parameter {name!r} for model {model!r}; valid parameters are: {valid}"
            ) from None

    def defaults(self) -> dict[str, int | float]:
        return {p.name: p.default for p in self._params.values()}

    def resolve(self, values: Mapping[str, Any], where: str, model: str) -> dict[str, int | float]:
        """Validate ``values`` and fill in defaults: every parameter actually used."""
        resolved = self.defaults()
        for name, value in values.items():
            resolved[name] = self.get_param(name, where, model).coerce(value, where)
        return resolved
