"""``opsnn fetch``, ``opsnn rerun`` and ``opsnn dashboard``: a study's trials seen and reproduced."""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from opsnn_opt.errors import ConfigError

__all__ = ["add_arguments", "add_commands", "artifact_store_option"]


def add_arguments(storage: argparse.ArgumentParser) -> None:
    """Add ``--artifact-store`` to the parent parser of every command that opens a store."""
    storage.add_argument(
        "--artifact-store",
        metavar="DIR|s3://BUCKET[/PREFIX]",
        help="where trial files go (default: $OPSNN_ARTIFACT_STORE, else artifact-store/ beside the SQLite file)",
    )


@contextmanager
def artifact_store_option(args: argparse.Namespace) -> Iterator[None]:
    """Check the artifact store named by ``--artifact-store`` or the environment before anything
    runs, and, while the command runs, hand the option to worker processes through
    ``OPSNN_ARTIFACT_STORE``."""
    from opsnn_opt.study import ARTIFACT_STORE_ENV, open_artifact_store

    option = getattr(args, "artifact_store", None)
    location = option or os.environ.get(ARTIFACT_STORE_ENV)
    if location and hasattr(args, "artifact_store"):
        open_artifact_store(location)
    if not option:
        yield
        return
    previous = os.environ.get(ARTIFACT_STORE_ENV)
    os.environ[ARTIFACT_STORE_ENV] = option
    try:
        yield
    finally:
        if previous is None:
            del os.environ[ARTIFACT_STORE_ENV]
        else:
            os.environ[ARTIFACT_STORE_ENV] = previous


def _opened(args: argparse.Namespace) -> Any:
    from opsnn_opt.store import Store
    from opsnn_opt.study import open_study

    return open_study(args.name, Store(args.storage), for_trials=False)


def cmd_fetch(args: argparse.Namespace) -> int:
    from opsnn_opt.study import download_trial_files

    opened = _opened(args)
    out = Path(args.out) if args.out else Path(f"{opened.name}-trial-{args.trial:05d}")
    for path in download_trial_files(opened, args.trial, out, args.artifact_store):
        print(f"wrote {path}")
    return 0


def cmd_rerun(args: argparse.Namespace) -> int:
    from opsnn_opt.study import rerun_trial

    opened = _opened(args)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else Path("storage") / "reruns" / f"{opened.name}-trial-{args.trial:05d}-{stamp}"
    report = rerun_trial(opened, args.trial, out, args.artifact_store)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print("\n".join(report.lines()))
    return 0 if report.reproduced else 1


def cmd_dashboard(args: argparse.Namespace) -> int:
    from opsnn_opt.store import Store
    from opsnn_opt.study import artifact_store_location, open_artifact_store
    from opsnn_opt.study.read._dashboard import dashboard_url, describe_old_studies, serve_dashboard

    if not 1 <= args.port <= 65535:
        raise ConfigError(f"--port must be a whole number in [1, 65535]; got {args.port}")
    store = Store(args.storage)
    location = artifact_store_location(store.url, args.artifact_store)
    artifacts = open_artifact_store(location)
    storage = store.optuna_storage()
    for name in describe_old_studies(storage):
        print(f"study {name!r}: added metric names and a note")
    print(f"optuna-dashboard on {store.display_url}, artifacts in {location}")
    print(f"open {dashboard_url(args.host, args.port)}  (Ctrl-C stops it)", flush=True)
    try:
        serve_dashboard(storage, artifacts, args.host, args.port)
    except OSError as exc:  # the address: in use, or not one of this machine's
        raise ConfigError(f"--host/--port: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return 0


def add_commands(sub: Any, storage: argparse.ArgumentParser) -> None:
    """Add ``fetch``, ``rerun`` and ``dashboard`` to the top-level subparsers."""
    from opsnn_opt.cli import whole_number

    trial_number = whole_number(0)
    p = sub.add_parser("fetch", parents=[storage], help="download a trial's files (results, figures) on any host")
    p.add_argument("name", help="study name")
    p.add_argument("trial", type=trial_number, help="trial number")
    p.add_argument("--out", help="folder to write (default ./NAME-trial-NNNNN)")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("rerun", parents=[storage], help="run a stored trial again and compare the spikes")
    p.add_argument("name", help="study name")
    p.add_argument("trial", type=trial_number, help="trial number")
    p.add_argument("--out", help="results folder (default ./storage/reruns/NAME-trial-NNNNN-TIME)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_rerun)

    p = sub.add_parser("dashboard", parents=[storage], help="optuna-dashboard on the store, with trial artifacts")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.set_defaults(func=cmd_dashboard)
