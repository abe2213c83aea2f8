"""The argument types of the benchmarks' own options (``opsnn bench NAME --option``).

The bench sits below the CLI in the layers, so it parses its options itself: argparse ``type``
callables that raise :class:`argparse.ArgumentTypeError` (argparse names the option), and
:func:`parse_sizes`, which a benchmark calls on its ``--sizes`` text.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from opsnn_opt.errors import ConfigError

__all__ = ["at_least_two", "names_from", "parse_sizes", "positive_int", "whole_number"]


def whole_number(low: int) -> Callable[[str], int]:
    """An argparse ``type``: a whole number >= ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low:
            raise argparse.ArgumentTypeError(f"must be a whole number >= {low}; got {text!r}")
        return value

    return parse


positive_int = whole_number(1)
#: Counts a benchmark takes a median or a spread over: one is not enough.
at_least_two = whole_number(2)


def names_from(allowed: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    """An argparse ``type``: one or more of ``allowed``, separated by commas, in the order given."""

    def parse(text: str) -> tuple[str, ...]:
        names = tuple(n.strip() for n in text.split(",") if n.strip())
        if not names or any(n not in allowed for n in names):
            raise argparse.ArgumentTypeError(
                f"must be names from {', '.join(allowed)} separated by commas; got {text!r}"
            )
        return names

    return parse


def parse_sizes(text: str) -> tuple[int, ...]:
    """``--sizes``: network sizes (neurons), whole numbers >= 5 separated by commas."""
    try:
        sizes = tuple(int(s) for s in text.split(",") if s)
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 5:
        raise ConfigError(f"--sizes must be whole numbers >= 5 separated by commas; got {text!r}")
    return sizes
