"""Where studies and their files live.

The storage URL comes from ``--storage``, else ``OPSNN_STORAGE``, else the embedded SQLite file
``./storage/opsnn.sqlite3`` (created on first use, relative to the working directory, the way
MLflow creates ``./mlruns``). Per-trial files go under ``OPSNN_ARTIFACTS`` or ``./storage/artifacts``.
"""

from __future__ import annotations

import os
from pathlib import Path

from opsnn_opt._mask import mask_secrets
from opsnn_opt.errors import ConfigError

__all__ = ["DEFAULT_DIR", "artifacts_root", "check_url", "display_url", "resolve_storage_url", "sqlite_path"]

DEFAULT_DIR = "storage"
SQLITE_NAME = "opsnn.sqlite3"
_SCHEMES = ("sqlite", "postgresql")

_README = """# storage/

The default home of the opsnn_opt study store, created on first use.

- `opsnn.sqlite3`: the Optuna studies and opsnn_opt's own tables (one SQLite file).
- `artifacts/<study>-<id>/trial-<number>/`: each trial's results file (the id is unique per study).
- `logs/`: the output of local worker processes.

SQLite is for one machine. To share a study between machines, point every command at
PostgreSQL instead, with `--storage` or the `OPSNN_STORAGE` variable:

    export OPSNN_STORAGE=postgresql://user@dbhost:5432/opsnn

Everything here but this README is git-ignored.
"""


def _init_default_dir(root: Path) -> None:
    (root / "artifacts").mkdir(parents=True, exist_ok=True)
    readme = root / "README.md"
    if not readme.exists():  # atomically: several workers may create the folder at once
        from opsnn_opt.io import write_atomically  # here: opsnn_opt.io imports neo

        write_atomically(readme, lambda tmp: tmp.write_text(_README))


def resolve_storage_url(url: str | None = None) -> str:
    """The storage URL to use; the default SQLite file's folder is created here."""
    url = url or os.environ.get("OPSNN_STORAGE") or None
    if url is None:
        root = Path.cwd() / DEFAULT_DIR
        _init_default_dir(root)
        return f"sqlite:///{root / SQLITE_NAME}"
    parsed = _parse(url)
    if parsed is not None and parsed.get_backend_name() == "sqlite" and sqlite_path(url) is not None:
        sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    return url


def check_url(url: str, where: str = "storage/OPSNN_STORAGE", field: str | None = "storage"):
    """Parse a storage URL; a bad one is a one-line :class:`ConfigError` with its password masked.

    ``where`` says where the URL came from (the message starts with it) and ``field`` which
    setting gave it, for the CLI to say as its flag (None: not a setting, e.g. a variable).
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    allowed = f"a database URL starting with one of {', '.join(s + '://' for s in _SCHEMES)}"
    shown = mask_secrets(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(f"{where} must be {allowed}; got {shown!r} ({mask_secrets(str(exc))})", field=field) from None
    if parsed.get_backend_name() not in _SCHEMES:
        raise ConfigError(f"{where} must be {allowed}; got {shown!r}", field=field)
    return parsed


_parse = check_url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (any driver spelling); None for other databases or in-memory."""
    parsed = _parse(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def display_url(url: str) -> str:
    """The URL with its password hidden (``user:***@`` and ``?password=***``), for messages."""
    return mask_secrets(_parse(url).render_as_string(hide_password=True))


def artifacts_root(url: str) -> Path:
    """Folder for per-trial files: ``OPSNN_ARTIFACTS``, else ``artifacts/`` beside a SQLite file,
    else ``./storage/artifacts``."""
    env = os.environ.get("OPSNN_ARTIFACTS")
    if env:
        return Path(env)
    path = sqlite_path(url)
    return path.parent / "artifacts" if path is not None else Path.cwd() / DEFAULT_DIR / "artifacts"
