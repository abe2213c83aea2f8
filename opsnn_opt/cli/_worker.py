"""``opsnn worker``, ``opsnn study check``, ``opsnn study set``, and the options ``--timeout``,
``--max-memory`` and ``--figures`` of ``worker`` and ``study run``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from opsnn_opt._argtypes import max_trials_or_none, positive_float, positive_int
from opsnn_opt.cli._common import open_named_study

__all__ = [
    "FIGURES",
    "add_figures_option",
    "add_keep_option",
    "add_limit_options",
    "add_study_commands",
    "add_worker_command",
    "limit_args",
]

#: The search space's ``figures`` values (``opsnn_opt.study.spec._space.FIGURES``; not imported
#: here, where the parser is built, so that ``opsnn --help`` stays light).
FIGURES = ("all", "best", "failed", "none")


def add_keep_option(p: argparse.ArgumentParser, default: str = "default: keep of the study's space") -> None:
    p.add_argument(
        "--keep", metavar="all|best|failed|metrics", help=f"which trials keep their results file ({default})"
    )


def add_figures_option(p: argparse.ArgumentParser, default_text: str) -> None:
    p.add_argument(
        "--figures",
        choices=FIGURES,
        default=None,
        help=f"which trials get figures: all, best (the best so far, failed, pruned), failed, none ({default_text})",
    )


def add_limit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--timeout",
        type=positive_float,
        metavar="S",
        help="a trial's wall-clock limit (default: timeout_s of the space)",
    )
    p.add_argument(
        "--max-memory",
        type=positive_float,
        metavar="MB",
        help="the simulation process's memory limit (default: max_memory_mb of the space)",
    )
    add_keep_option(p)
    add_figures_option(p, "default: figures of the space")


def limit_args(args: argparse.Namespace) -> list[str]:
    """The limit options again, for worker command lines."""
    out = []
    if args.timeout is not None:
        out += ["--timeout", repr(args.timeout)]
    if args.max_memory is not None:
        out += ["--max-memory", repr(args.max_memory)]
    if args.keep is not None:
        out += ["--keep", args.keep]
    if args.figures is not None:
        out += ["--figures", args.figures]
    return out


def cmd_worker(args: argparse.Namespace) -> int:
    import faulthandler
    import signal

    from opsnn_opt.study import Worker

    try:  # `kill -USR1 PID` prints where a worker is
        faulthandler.register(signal.SIGUSR1, file=sys.__stderr__, all_threads=True)
    except (AttributeError, ValueError, OSError):
        pass

    with Worker.recording_failure(args.name, args.storage):  # why it failed: `study run` and `study show` say it
        opened = open_named_study(args, for_trials=True, worker_index=args.worker_index)
        opened.space = opened.space.with_keep(args.keep)
        worker = Worker(opened, timeout_s=args.timeout, max_memory_mb=args.max_memory, figures=args.figures)
        worker.run(args.n_trials, args.until_done)
    return 0


def cmd_study_check(args: argparse.Namespace) -> int:
    from opsnn_opt.study import check_study, disagreements

    opened = open_named_study(args)
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

    opened = open_named_study(args)
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
    p.add_argument("--max-trials", type=max_trials_or_none, required=True, metavar="N|none")
    p.set_defaults(func=cmd_study_set)


def add_worker_command(sub: Any, storage: argparse.ArgumentParser) -> None:
    """Add ``worker`` to the top-level subparsers."""
    p = sub.add_parser("worker", parents=[storage], help="one worker process; run it on any host")
    p.add_argument("name")
    p.add_argument(
        "--n-trials",
        type=positive_int,
        default=None,
        help="stop after this many trials (default: serve until the study's max_trials is met, or until stopped)",
    )
    add_limit_options(p)
    p.add_argument("--worker-index", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--until-done", type=positive_int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_worker)
