"""Reading declarative TOML specs with one message template for every bad value.

Every error names the file, the field, what is allowed and the value that was given, e.g.
``objectives/ai.toml: [[metrics]] #1 'scale' must be a number in (0, inf); got -1``.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from opsnn_opt.errors import ConfigError

__all__ = ["Fields", "read_toml"]

_MISSING = object()


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """Parse a TOML file; a missing or malformed file gets a one-line :class:`ConfigError`."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{p}: {what} file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{p}: {what} file is a directory") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None


class Fields:
    """A TOML table with its location, for typed reads with uniform messages."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, Mapping):
            raise ConfigError(f"{where} must be a table; got {data!r}")
        self.data = data
        self.where = where

    def __contains__(self, key: str) -> bool:
        return key in self.data

    def fail(self, key: str, allowed: str, value: Any) -> ConfigError:
        return ConfigError(f"{self.where}: {key!r} must be {allowed}; got {value!r}")

    def check_keys(self, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for key in self.data:
            if key not in allowed:
                raise ConfigError(f"{self.where}: unknown field {key!r}; valid fields are: {', '.join(allowed)}")

    def get(self, key: str, default: Any = _MISSING) -> Any:
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise ConfigError(f"{self.where}: missing required field {key!r}")
        return default

    def number(
        self,
        key: str,
        default: Any = _MISSING,
        *,
        low: float = -math.inf,
        high: float = math.inf,
        open_low: bool = False,
    ) -> float:
        value = self.get(key, default)
        if value is None:
            return value
        left = "(" if open_low or low == -math.inf else "["
        right = ")" if high == math.inf else "]"
        allowed = f"a number in {left}{low:g}, {high:g}{right}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, allowed, value)
        try:
            value = float(value)
        except OverflowError:  # a TOML integer with hundreds of digits
            raise self.fail(key, allowed, value) from None
        if math.isnan(value):
            raise self.fail(key, allowed, value)
        if value < low or value > high or (open_low and value == low):
            raise self.fail(key, allowed, value)
        return float(value)

    def string(self, key: str, default: Any = _MISSING, *, choices: Iterable[str] | None = None) -> str:
        value = self.get(key, default)
        choices = list(choices) if choices is not None else None
        if value is None and default is None:
            return value
        if not isinstance(value, str) or (choices is not None and value not in choices):
            raise self.fail(key, f"one of: {', '.join(choices)}" if choices else "a string", value)
        return value

    def table(self, key: str, default: Any = _MISSING) -> Fields:
        return Fields(self.get(key, default), f"{self.where} [{key}]")

    def tables(self, key: str) -> list[Fields]:
        """An array of tables (``[[key]]``); absent means empty."""
        value = self.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, "an array of tables ([[...]])", value)
        return [Fields(item, f"{self.where} [[{key}]] #{i + 1}") for i, item in enumerate(value)]
