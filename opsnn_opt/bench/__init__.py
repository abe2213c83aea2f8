"""Benchmarks behind ``opsnn bench``: figures and ratios measured side by side in one run."""

from opsnn_opt.bench._common import best_of, simulate_balanced_block
from opsnn_opt.bench._io import run_io_bench

__all__ = ["best_of", "run_io_bench", "simulate_balanced_block"]
