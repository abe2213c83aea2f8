"""``opsnn study check``, ``opsnn study set``, and the options ``--timeout`` and ``--max-memory``
of ``worker`` and ``study run``."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["add_limit_options", "add_study_commands", "limit_args", "max_trials_arg"]


def max_trials_arg(text: str) -> int | None:
    """``--max-trials``: a whole number >= 1, or ``none`` to remove the budget."""
    if text.strip().lower() == "none":
        return None
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1 or 'none'; got {text!r}")
    return int(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number in (0, inf); got {text!r}")
    return value


def add_limit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--timeout",
        type=_positive_float,
        metavar="S",
        help="a trial's wall-clock limit (default: timeout_s of the space)",
    )
    p.add_argument(
        "--max-memory",
        type=_positive_float,
        metavar="MB",
        help="the simulation process's memory limit (default: max_memory_mb of the space)",
    )


def limit_args(args: argparse.Namespace) -> list[str]:
    """The limit options again, for worker command lines."""
    out = []
    if args.timeout is not None:
        out += ["--timeout", repr(args.timeout)]
    if args.max_memory is not None:
        out += ["--max-memory", repr(args.max_memory)]
    return out


def _open(args: argparse.Namespace, for_trials: bool) -> Any:
    from opsnn_opt.store import Store
    from opsnn_opt.study import open_study

    return open_study(args.name, Store(args.storage), for_trials=for_trials)


def cmd_study_check(args: argparse.Namespace) -> int:
    from opsnn_opt.study import check_study, disagreements

    opened = _open(args, for_trials=False)
    found = check_study(opened, repair=not args.dry_run)
    left = disagreements(opened)
    if args.json:
        print(json.dumps({"findings": [f.as_dict() for f in found], "disagreements_left": len(left)}))
    else:
        for f in found:
            where = "study" if f.trial is None else f"trial {f.trial}"
            print(f"{where}: {f.problem}" + (f" -> {f.repair}" if f.repair else ""))
        print(f"study {opened.name!r}: {len(found)} finding(s), {len(left)} disagreement(s) left")
    return 1 if left else 0


def cmd_study_set(args: argparse.Namespace) -> int:
    from opsnn_opt.study.worker import set_max_trials

    opened = _open(args, for_trials=False)
    set_max_trials(opened.study, args.max_trials)
    print(f"study {opened.name!r}: max_trials = {args.max_trials if args.max_trials is not None else 'none'}")
    return 0


def add_study_commands(study: Any, storage: argparse.ArgumentParser) -> None:
    """Add ``check`` and ``set`` to the ``study`` subcommands."""
    p = study.add_parser(
        "check",
        parents=[storage],
        help="report and repair disagreements between Optuna and the opsnn tables",
    )
    p.add_argument("name")
    p.add_argument("--dry-run", action="store_true", help="report only")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_study_check)

    p = study.add_parser("set", parents=[storage], help="change a study's settings (its total trial budget)")
    p.add_argument("name")
    p.add_argument("--max-trials", type=max_trials_arg, required=True, metavar="N|none")
    p.set_defaults(func=cmd_study_set)
