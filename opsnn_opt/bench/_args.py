"""The argument types of the benchmarks' own options (``opsnn bench NAME --option``): the shared
argparse types (:mod:`opsnn_opt._argtypes`) and :func:`parse_sizes`, which a benchmark calls on
its ``--sizes`` text.
"""

from __future__ import annotations

from opsnn_opt._argtypes import at_least_two, names_from, positive_int, whole_number
from opsnn_opt.errors import ConfigError

__all__ = ["at_least_two", "names_from", "parse_sizes", "positive_int", "whole_number", "whole_numbers"]


def whole_numbers(text: str, low: int, flag: str) -> tuple[int, ...]:
    """``flag``'s text: whole numbers >= ``low`` separated by commas."""
    try:
        values = tuple(int(s) for s in text.split(",") if s)
    except ValueError:
        values = ()
    if not values or min(values) < low:
        raise ConfigError(f"{flag} must be whole numbers >= {low} separated by commas; got {text!r}")
    return values


def parse_sizes(text: str) -> tuple[int, ...]:
    """``--sizes``: network sizes (neurons), whole numbers >= 5 separated by commas."""
    return whole_numbers(text, 5, "--sizes")
