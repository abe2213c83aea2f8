"""``opsnn map`` and ``opsnn study importance``: pictures and rankings of a whole study."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from opsnn_opt.cli._common import open_named_study

__all__ = ["add_importance_command", "add_map_command"]


def cmd_map(args: argparse.Namespace) -> int:
    from opsnn_opt.plots import map_summary
    from opsnn_opt.study.read import draw_study_map as draw_map

    path, data = draw_map(open_named_study(args), args.x, args.y, args.color, args.out)
    print(f"{int(data.defined.sum())} of {len(data.x)} trials mapped: {map_summary(data)}")
    print(f"wrote {path}")
    return 0


def cmd_importance(args: argparse.Namespace) -> int:
    from opsnn_opt.study.read import EVALUATORS, importance_targets, parameter_importance

    opened = open_named_study(args)
    targets = importance_targets(opened, args.metric)
    results = parameter_importance(opened, targets, args.evaluator or EVALUATORS, seed=args.seed)
    png = None
    if args.plot or args.out:
        from opsnn_opt.plots import importance_figure, save_png

        out = Path(args.out) if args.out else opened.store.artifacts / opened.name / "importance.png"
        png = save_png(importance_figure(results, f"{opened.name}: parameter importance"), out)
    if args.json:
        print(
            json.dumps(
                {"study": opened.name, "results": [r.as_dict() for r in results], "plot": str(png or "")}, indent=2
            )
        )
        return 0
    for r in results:
        head = f"{r.target} [{r.evaluator}, {r.direction}, {r.n_trials} trials]"
        if r.reason:
            print(f"{head}: {r.reason}")
            continue
        print(f"{head}: " + ", ".join(f"{p}={v:.3f}" for p, v in r.importances.items()))
    if png:
        print(f"wrote {png}")
    return 0


def add_map_command(sub: Any, storage: argparse.ArgumentParser) -> None:
    """Add ``opsnn map`` to the top-level subparsers ``sub``."""
    p = sub.add_parser("map", parents=[storage], help="draw a study's trials as a 2-D map of a metric or the state")
    p.add_argument("name", help="study name")
    p.add_argument("--x", required=True, metavar="PARAM", help="free parameter on the x axis")
    p.add_argument("--y", required=True, metavar="PARAM", help="free parameter on the y axis")
    p.add_argument(
        "--color", required=True, metavar="NAME", help="network_state, value (the objective) or a stored metric"
    )
    p.add_argument("--out", help="PNG to write (default: map-X-Y-COLOR.png in the study's artifacts folder)")
    p.set_defaults(func=cmd_map)


def add_importance_command(study: Any, storage: argparse.ArgumentParser) -> None:
    """Add ``importance`` to the ``study`` subcommands."""
    p = study.add_parser(
        "importance", parents=[storage], help="parameter importance (PED-ANOVA, fANOVA) for the objective and metrics"
    )
    p.add_argument("name")
    p.add_argument(
        "--metric",
        action="append",
        default=[],
        metavar="NAME",
        help="also rank the parameters for this stored metric (repeatable); the objective's metrics always are",
    )
    p.add_argument("--evaluator", action="append", choices=("ped-anova", "fanova"), help="default: both")
    p.add_argument("--seed", type=int, default=0, help="fANOVA's random-forest seed")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--plot", action="store_true", help="also draw a bar chart (importance.png in the artifacts folder)")
    p.add_argument("--out", help="the bar chart's PNG (implies --plot)")
    p.set_defaults(func=cmd_importance)
