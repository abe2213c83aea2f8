"""``opsnn fetch``, ``opsnn rerun`` and ``opsnn dashboard``: a study's trials seen and reproduced."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from opsnn_opt._argtypes import whole_number
from opsnn_opt.cli._common import open_named_study
from opsnn_opt.errors import ConfigError

__all__ = ["add_commands"]


def cmd_fetch(args: argparse.Namespace) -> int:
    from opsnn_opt.study import download_trial_files, not_kept_note

    opened = open_named_study(args)
    out = Path(args.out) if args.out else Path(f"{opened.name}-trial-{args.trial:05d}")
    for path in download_trial_files(opened, args.trial, out, args.artifact_store):
        print(f"wrote {path}")
    note = not_kept_note(opened, opened.study.get_trials(deepcopy=False)[args.trial])
    if note:
        print(note)
    return 0


def cmd_rerun(args: argparse.Namespace) -> int:
    from opsnn_opt.study import rerun_trial

    opened = open_named_study(args)
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
    from opsnn_opt.study.read import dashboard_url, describe_old_studies, serve_dashboard

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
