"""The argparse ``type=`` functions of every ``opsnn`` option (the CLI's and the benchmarks'): each
turns a word of the command line into a value or says, in argparse's one line, what it must be.
They live in the base layer because ``bench/`` parses its own options and sits below ``cli/``.

argparse reports an :class:`argparse.ArgumentTypeError` as ``opsnn CMD: error: argument --flag:
MESSAGE`` and exits with 2, before anything runs.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

__all__ = [
    "at_least_two",
    "max_trials_or_none",
    "names_from",
    "port_number",
    "positive_float",
    "positive_int",
    "whole_number",
]


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """A ``type``: a whole number in [``low``, ``high``] (no upper bound when ``high`` is None)."""
    allowed = f">= {low}" if high is None else f"in [{low}, {high}]"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be a whole number {allowed}; got {text!r}")
        return value

    return parse


#: A whole number >= 1: counts of trials, workers and threads, durations in whole seconds.
positive_int = whole_number(1)

#: Counts a benchmark takes a median or a spread over: one is not enough.
at_least_two = whole_number(2)

#: A TCP port (the proxy's, the dashboard's).
port_number = whole_number(1, 65535)


def positive_float(text: str) -> float:
    """A ``type``: a finite number > 0 (a time limit in s, a memory limit in MB)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a number in (0, inf); got {text!r}")
    return value


def max_trials_or_none(text: str) -> int | None:
    """A ``type``: a trial budget, a whole number >= 1, or ``none`` for no budget."""
    if text.strip().lower() == "none":
        return None
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1 or 'none'; got {text!r}")
    return int(text)


def names_from(allowed: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    """A ``type``: one or more of ``allowed``, separated by commas, in the order given."""

    def parse(text: str) -> tuple[str, ...]:
        names = tuple(n.strip() for n in text.split(",") if n.strip())
        if not names or any(n not in allowed for n in names):
            raise argparse.ArgumentTypeError(
                f"must be names from {', '.join(allowed)} separated by commas; got {text!r}"
            )
        return names

    return parse
