"""Declarative parameter tables: each parameter's unit, default, allowed range and meaning.

A model declares its parameters once, as a :class:`ParamTable`. Validation of ``--set`` values,
the search-space loader and ``opsnn models`` all read that one table.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from opsnn_opt.errors import ConfigError

__all__ = ["Choice", "Param", "ParamTable", "Text", "describe_range"]

Kind = Literal["int", "float"]
#: A resolved parameter value: a number, or a string for :class:`Choice` and :class:`Text`.
Value = int | float | str


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
            raise ConfigError(
                f"{where}: {self.name} must be {self.range_text} ({self.unit or 'no unit'}); got {value!r}"
            )
        try:
            number = float(value)
        except (ValueError, OverflowError):
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


@dataclass(frozen=True)
class Choice:
    """A parameter whose value is one of a few listed strings (a kind of stimulus, an on/off flag).

    Parameters
    ----------
    name
        Stable name.
    default
        Value used when none is given; one of ``choices``.
    choices
        The allowed values.
    doc
        One-line meaning.
    noun, plural
        How error messages call a value: ``unknown stimulus 'x'; valid stimuli are: ...``.

    Notes
    -----
    A bool (a TOML ``true``) is accepted for the choices ``("false", "true")``.
    """

    name: str
    default: str
    choices: tuple[str, ...]
    doc: str
    noun: str = "value"
    plural: str = "values"
    unit: ClassVar[str] = ""
    kind: ClassVar[str] = "choice"

    def __post_init__(self) -> None:
        if self.default not in self.choices:
            raise ValueError(f"{self.name}: default {self.default!r} not in {self.choices}")

    @property
    def range_text(self) -> str:
        return "one of: " + ", ".join(self.choices)

    def coerce(self, value: Any, where: str) -> str:
        """Return ``value`` as one of the choices, or raise :class:`ConfigError`."""
        if isinstance(value, bool):
            value = str(value).lower()
        if isinstance(value, str) and value in self.choices:
            return value
        which = "" if self.noun == self.name else f" for {self.name}"
        raise ConfigError(
            f"{where}: unknown {self.noun} {value!r}{which}; valid {self.plural} are: {', '.join(self.choices)}"
        )


@dataclass(frozen=True)
class Text:
    """A free-text parameter, such as a path to a dataset; ``""`` usually means "not given"."""

    name: str
    default: str
    doc: str
    unit: ClassVar[str] = ""
    kind: ClassVar[str] = "text"
    range_text: ClassVar[str] = "any text"

    def coerce(self, value: Any, where: str) -> str:
        """Return ``value`` if it is a string, else raise :class:`ConfigError`."""
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {self.name} must be text; got {value!r}")
        return value


AnyParam = Param | Choice | Text


class ParamTable(Mapping[str, AnyParam]):
    """An ordered, read-only table of :class:`Param`, :class:`Choice` and :class:`Text`, keyed by name."""

    def __init__(self, *params: AnyParam) -> None:
        self._params = {p.name: p for p in params}
        if len(self._params) != len(params):
            raise ValueError("duplicate parameter names")

    def __getitem__(self, name: str) -> AnyParam:
        return self._params[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def get_param(self, name: str, where: str, model: str) -> AnyParam:
        """Look a parameter up, with an error that lists the valid names."""
        try:
            return self._params[name]
        except KeyError:
            valid = ", ".join(self._params)
            raise ConfigError(
                f"{where}: unknown parameter {name!r} for model {model!r}; valid parameters are: {valid}"
            ) from None

    def defaults(self) -> dict[str, Value]:
        return {p.name: p.default for p in self._params.values()}

    def resolve(self, values: Mapping[str, Any], where: str, model: str) -> dict[str, Value]:
        """Validate ``values`` and fill in defaults: every parameter actually used."""
        resolved = self.defaults()
        for name, value in values.items():
            resolved[name] = self.get_param(name, where, model).coerce(value, where)
        return resolved
