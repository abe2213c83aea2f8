"""What every command group shares: the store options, opening the study named on the command
line, and printing."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["artifact_store_option", "format_params", "open_named_study", "print_json", "storage_options"]


def storage_options() -> argparse.ArgumentParser:
    """The parent parser of every command that opens a store: ``--storage`` and ``--artifact-store``."""
    storage = argparse.ArgumentParser(add_help=False)
    storage.add_argument("--storage", help="database URL (default: $OPSNN_STORAGE, else ./storage/opsnn.sqlite3)")
    storage.add_argument(
        "--artifact-store",
        metavar="DIR|s3://BUCKET[/PREFIX]",
        help="where trial files go (default: $OPSNN_ARTIFACT_STORE, else artifact-store/ beside the SQLite file)",
    )
    return storage


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


def open_named_study(args: argparse.Namespace, *, for_trials: bool = False, worker_index: int | None = None) -> Any:
    """The study ``args.name`` in the store ``args.storage`` (``--storage``).

    ``for_trials`` is for commands that run trials (``study run``, ``worker``): they need the
    study's model here, where a command that only reads (show, best, fetch) does not.
    """
    from opsnn_opt.store import Store
    from opsnn_opt.study import open_study

    return open_study(args.name, Store(args.storage), worker_index, for_trials=for_trials)


def format_params(params: dict[str, Any], number_format: str) -> str:
    """``name=value, ...``; text parameters (a stimulus kind, a path) as they are."""
    return ", ".join(f"{k}={v}" if isinstance(v, str) else f"{k}={v:{number_format}}" for k, v in params.items())


def print_json(obj: Any) -> None:
    """``obj`` as indented JSON on standard output (anything JSON does not know as its ``str``)."""
    print(json.dumps(obj, indent=2, sort_keys=False, default=str))
