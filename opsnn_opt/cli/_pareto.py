"""``opsnn study pareto NAME [--plot PNG] [--json]``."""

from __future__ import annotations

import argparse
import json

from opsnn_opt.cli._common import open_named_study

__all__ = ["add_pareto_command"]


def cmd_study_pareto(args: argparse.Namespace) -> int:
    from opsnn_opt.study.read import format_rows, pareto_figure, pareto_rows

    opened = open_named_study(args)
    rows = pareto_rows(opened)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(format_rows(rows))
    if args.plot:
        path = pareto_figure(opened, args.plot)
        if not args.json:
            print(f"plot: {path}")
    return 0


def add_pareto_command(study: argparse._SubParsersAction, storage: argparse.ArgumentParser) -> None:
    p = study.add_parser(
        "pareto",
        parents=[storage],
        help="the Pareto front of a multi-objective study (feasible front and the front of all trials)",
    )
    p.add_argument("name")
    p.add_argument("--plot", metavar="PNG", help="also draw the first two objectives into this PNG file")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.set_defaults(func=cmd_study_pareto)
