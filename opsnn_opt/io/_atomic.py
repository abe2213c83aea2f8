"""Atomic file replacement: write to a temporary sibling, then ``os.replace`` it into place.

A reader never sees a half-written file: either the old file or the complete new one. This is
the package's one atomic write (results files, scripts, figures, the pending-outcome file).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

from opsnn_opt.errors import ResultsFileError

__all__ = ["write_atomically"]


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(
    path: str | os.PathLike[str], writer: Callable[[Path], None], *, what: str = "results file"
) -> Path:
    """Run ``writer`` on a temporary file next to ``path``, then move it onto ``path``.

    Parameters
    ----------
    path
        Final location of the file. Missing parent directories are created.
    writer
        Called once with the temporary path (same directory, so the final ``os.replace``
        is atomic on POSIX and Windows). It must create and close the file itself, e.g.
        ``lambda tmp: tmp.write_text(text)``.
    what
        What the file is, for error messages (``"results file"``, ``"figure"``, ...).

    Returns
    -------
    Path
        The final path, absolute.

    Raises
    ------
    ResultsFileError
        If the parent directory cannot be created or the replacement fails. An exception
        raised by ``writer`` is re-raised unchanged. In every failure case the temporary
        file is removed and a previous file at ``path`` is left untouched.
    """
    final = Path(path).expanduser().absolute()
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsFileError(f"cannot create the directory for {what} {str(final)!r}: {exc}") from exc
    # A random name lets concurrent writers of one target coexist; not pre-creating the file
    # (as mkstemp would, with mode 0600) keeps the usual umask-derived permissions.
    tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
    try:
        writer(tmp)
        _fsync(tmp)  # the data is on disk before the name points to it (a crash leaves old or new)
        os.replace(tmp, final)
        _fsync(final.parent)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, ResultsFileError):
            raise ResultsFileError(f"cannot write {what} {str(final)!r}: {exc}") from exc
        raise
    return final
