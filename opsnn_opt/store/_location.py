"""Where studies and their files live.

The storage URL comes from ``--storage``, else ``OPSNN_STORAGE``, else the embedded SQLite file
``./storage/opsnn.sqlite3`` (created on first use, relative to the working directory, the way
MLflow creates ``./mlruns``). Per-trial files go under ``OPSNN_ARTIFACTS`` or ``./storage/artifacts``.
"""

from __future__ import annotations

import os
from pathlib import Path

from opsnn_opt.errors import ConfigError

__all__ = ["DEFAULT_DIR", "artifacts_root", "resolve_storage_url"]

DEFAULT_DIR = "storage"
SQLITE_NAME = "opsnn.sqlite3"
_SCHEMES = ("sqlite", "postgresql", "mysql")

_README = """# storage/

The default home of the opsnn_opt study store, created on first use.

- `opsnn.sqlite3`: the Optuna studies and opsnn_opt's own tables (one SQLite file).
- `artifacts/<study>/trial-<number>/`: each trial's results file.
- `logs/`: the output of local worker processes.

SQLite is for one machine. To share a study between machines, point every command at
PostgreSQL instead, with `--storage` or the `OPSNN_STORAGE` variable:

    export OPSNN_STORAGE=postgresql://user@dbhost:5432/opsnn

Everything here but this README is git-ignored.
"""


def _init_default_dir(root: Path) -> None:
    (root / "artifacts").mkdir(parents=True, exist_ok=True)
    readme = root / "README.md"
    if not readme.exists():
        tmp = readme.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(_README)
        os.replace(tmp, readme)


def resolve_storage_url(url: str | None = None) -> str:
    """The storage URL to use; the default SQLite file's folder is created here."""
    url = url or os.environ.get("OPSNN_STORAGE") or None
    if url is None:
        root = Path.cwd() / DEFAULT_DIR
        _init_default_dir(root)
        return f"sqlite:///{root / SQLITE_NAME}"
    scheme = url.split(":", 1)[0].split("+", 1)[0]
    if scheme not in _SCHEMES or "://" not in url:
        raise ConfigError(f"--storage/OPSNN_STORAGE must be a database URL starting with one of "
                          f"{', '.join(s + '://' for s in _SCHEMES)}; got {url!r}")
    if scheme == "sqlite":
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    return url


def artifacts_root(url: str) -> Path:
    """Folder for per-trial files: ``OPSNN_ARTIFACTS``, else ``artifacts/`` beside a SQLite file,
    else ``./storage/artifacts``."""
    env = os.environ.get("OPSNN_ARTIFACTS")
    if env:
        return Path(env)
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        return Path(url.split(":///", 1)[1]).parent / "artifacts"
    return Path.cwd() / DEFAULT_DIR / "artifacts"
