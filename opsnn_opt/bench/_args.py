"""The argument types of the benchmarks' own options (``opsnn bench NAME --option``): the shared
argparse types (:mod:`opsnn_opt._argtypes`) and :func:`parse_sizes`, which a benchmark calls on
its ``--sizes`` text.
"""

from __future__ import annotations

from opsnn_opt._argtypes import at_least_two, names_from, positive_int, whole_number
from opsnn_opt.errors import ConfigError

__all__ = ["at_least_two", "names_from", "parse_sizes", "positive_int", "whole_number"]


def parse_sizes(text: str) -> tuple[int, ...]:
    """``--sizes``: network sizes (neurons), whole numbers >= 5 separated by commas."""
    try:
        sizes = tuple(int(s) for s in text.split(",") if s)
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 5:
        raise ConfigError(f"--sizes must be whole numbers >= 5 separated by commas; got {text!r}")
    return sizes
