"""``opsnn study figures NAME [--trials 3,7 | --best K]``: figures drawn and uploaded later."""

from __future__ import annotations

import argparse
from typing import Any

from opsnn_opt._argtypes import positive_int
from opsnn_opt.cli._common import open_named_study
from opsnn_opt.errors import ConfigError

__all__ = ["add_figures_command"]


def _trial_list(text: str) -> list[int]:
    try:
        numbers = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be trial numbers separated by commas, e.g. 3,7; got {text!r}") from None
    if not numbers or min(numbers) < 0:
        raise argparse.ArgumentTypeError(f"must be trial numbers >= 0 separated by commas; got {text!r}")
    return numbers


def cmd_study_figures(args: argparse.Namespace) -> int:
    from opsnn_opt.study import best_trial_numbers, draw_trial_figures

    opened = open_named_study(args)
    numbers = args.trials if args.trials is not None else best_trial_numbers(opened, args.best)
    if not numbers:
        raise ConfigError(f"study {opened.name!r} has no completed trial; name trials with --trials")
    reports = draw_trial_figures(opened, numbers, args.artifact_store)
    for report in reports:
        print(report.line())
    print(f"download: opsnn fetch {opened.name} TRIAL")
    return 1 if any(not r.artifacts for r in reports) else 0


def add_figures_command(study: Any, storage: argparse.ArgumentParser) -> None:
    p = study.add_parser(
        "figures", parents=[storage], help="draw and upload trials' figures later (rerunning trials not kept)"
    )
    p.add_argument("name")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--trials", type=_trial_list, metavar="N,M", help="trial numbers, e.g. 3,7")
    which.add_argument("--best", type=positive_int, default=1, metavar="K", help="the K best trials (default 1)")
    p.set_defaults(func=cmd_study_figures)
