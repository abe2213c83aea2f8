"""``opsnn plot RESULTS --kind KIND [--out FILE.png]``: a figure of one run's results file."""

from __future__ import annotations

import argparse
from typing import Any

from opsnn_opt.plots import KINDS, plot_results

__all__ = ["add_commands"]


def cmd_plot(args: argparse.Namespace) -> int:
    out = plot_results(args.results, args.kind, args.out)
    print(f"wrote {out}")
    return 0


def add_commands(sub: Any, storage: argparse.ArgumentParser) -> None:
    """Add the ``plot`` command to the top-level subparsers (``storage`` is unused: no store)."""
    p = sub.add_parser("plot", help="draw a figure of a results file (raster, rate, wave-frames, latency)")
    p.add_argument("results", help="results file written by opsnn run")
    p.add_argument("--kind", required=True, metavar="KIND", help=f"one of: {', '.join(KINDS)}")
    p.add_argument("--out", help="PNG to write (default: KIND.png next to RESULTS)")
    p.set_defaults(func=cmd_plot)
