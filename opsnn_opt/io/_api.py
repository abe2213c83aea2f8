"""Write and read results files: format choice, detection and atomic replacement."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import neo

from opsnn_opt.errors import ConfigError, ResultsFileError
from opsnn_opt.io import _compact_nix, _compact_read, _neonix, _pickle
from opsnn_opt.io._atomic import write_atomically
from opsnn_opt.io._detect import nix_flavour, open_nix, sniff
from opsnn_opt.io._keys import METADATA_KEY
from opsnn_opt.io._metadata import normalise_metadata
from opsnn_opt.io._nixfast import close_nix
from opsnn_opt.io._recording import Recording, recording_from_block, recording_from_packed

__all__ = [
    "FORMATS",
    "FORMAT_VERSION",
    "read_block",
    "read_metadata",
    "read_recording",
    "write_block",
    "write_recording",
]

#: Valid values of ``format``: our compact NIX layout, neo's NixIO layout, a pickled Block.
FORMATS: tuple[str, ...] = ("nix", "neo-nix", "pickle")
FORMAT_VERSION: int = _compact_nix.FORMAT_VERSION

_WRITERS: dict[str, Callable[[neo.Block, Path, dict[str, Any]], None]] = {
    "nix": _compact_nix.write_compact,
    "neo-nix": _neonix.write_neonix,
    "pickle": _pickle.write_pickle,
}
#: What a damaged but openable NIX file raises while it is being read (JSON errors are
#: ValueErrors).
_CORRUPT = (OSError, KeyError, IndexError, ValueError)


def write_block(
    block: neo.Block,
    path: str | Path,
    *,
    format: str = "nix",
    metadata: Mapping[str, Any] | None = None,
) -> Path:
    """Write a neo Block to ``path`` atomically.

    The block goes to a temporary file in the same directory, which then replaces ``path``;
    if anything fails the temporary file is removed and an existing ``path`` is untouched.

    Parameters
    ----------
    block
        The results, e.g. from PyNN's ``get_data()``. Spike times may be in any time unit;
        ``read_block`` returns them in ms. ``block.annotations["positions_mm"]`` (dict
        population -> float array (n, 3), mm) is stored too.
    path
        Destination. Missing parent directories are created. The extension is not used.
    format
        One of :data:`FORMATS`: ``"nix"`` (compact NIX, default), ``"neo-nix"`` (neo's
        ``NixIO`` layout, slow) or ``"pickle"``.
    metadata
        JSON-like run metadata (params, seed, provenance, model ...). If None, the block's
        ``"opsnn_metadata"`` annotation is used when present.

    Returns
    -------
    Path
        The absolute path written.

    Raises
    ------
    ConfigError
        If ``format`` is unknown, ``block`` is not a neo Block, or ``metadata`` is not
        JSON-like.
    ResultsFileError
        If the file cannot be written, or the block holds data the format cannot store.
    """
    if format not in _WRITERS:
        raise ConfigError(f"format must be one of {', '.join(map(repr, FORMATS))}, but got {format!r}")
    if not isinstance(block, neo.Block):
        raise ConfigError(f"block must be a neo.Block, but got {type(block).__name__}")
    meta = normalise_metadata(metadata if metadata is not None else block.annotations.get(METADATA_KEY))
    writer = _WRITERS[format]
    return write_atomically(path, lambda tmp: writer(block, tmp, meta))


def write_recording(
    recording: Recording,
    path: str | Path,
    *,
    format: str = "nix",
    metadata: Mapping[str, Any] | None = None,
    name: str = "",
    description: str = "",
) -> Path:
    """Write a run's :class:`Recording` to ``path`` atomically.

    The ``"nix"`` format is written straight from the arrays; ``"neo-nix"`` and ``"pickle"``
    first build the neo Block (:meth:`Recording.to_block`). Either way :func:`read_block`
    returns the same Block.

    Parameters
    ----------
    recording
        The flat recordings of a run.
    path, format, metadata
        As for :func:`write_block`.
    name, description
        Name and description of the Block.

    Raises
    ------
    ConfigError, ResultsFileError
        As for :func:`write_block`.
    """
    if format not in _WRITERS:
        raise ConfigError(f"format must be one of {', '.join(map(repr, FORMATS))}, but got {format!r}")
    if format != "nix":
        return write_block(recording.to_block(name, description), path, format=format, metadata=metadata)
    meta = normalise_metadata(metadata)
    return write_atomically(
        path, lambda tmp: _compact_nix.write_compact_recording(recording, tmp, meta, name, description)
    )


def read_recording(path: str | Path, *, allow_pickle: bool = False) -> Recording:
    """Read a results file as a flat :class:`Recording` (see :func:`read_block` for the arguments).

    A compact ``"nix"`` file is read straight from its arrays; other formats through their neo
    Block (:func:`recording_from_block`). Either way the Recording is the one of
    ``recording_from_block(read_block(path))``.
    """
    path = Path(path)
    if sniff(path) != "pickle":
        parts = _from_compact(path, _compact_read.read_compact_parts)
        if parts is not None:
            return recording_from_packed(*parts)
    return recording_from_block(read_block(path, allow_pickle=allow_pickle))


def detect_format(path: str | Path) -> str:
    """The format (one of :data:`FORMATS`) of an existing results file, from its content.

    Raises
    ------
    ResultsFileError
        If the file is missing, corrupt, or not a results file.
    """
    path = Path(path)
    if sniff(path) == "pickle":
        return "pickle"
    nf = open_nix(path)
    try:
        return nix_flavour(nf, path)
    finally:
        close_nix(nf)


def _pickle_refused(path: Path, what: str) -> ResultsFileError:
    return ResultsFileError(
        f"{str(path)!r} is a pickle; unpickling runs arbitrary code from the file, so it is "
        f"refused by default. If you trust the file, call {what}(path, allow_pickle=True)"
    )


_T = TypeVar("_T")


def _from_compact(
    path: Path, reader: Callable[[Any, Path], _T], otherwise: Callable[[Any], _T] | None = None
) -> _T | None:
    """``reader(nix_file, path)`` if ``path`` is in the compact format; for another NIX file
    ``otherwise(nix_file)``, or None without it.

    Raises
    ------
    ResultsFileError
        If the file is missing, not NIX, written by a newer opsnn_opt, or corrupt.
    """
    nf = open_nix(path)
    try:
        if nix_flavour(nf, path) == "nix":
            return reader(nf, path)
        return otherwise(nf) if otherwise is not None else None
    except ResultsFileError:
        raise
    except _CORRUPT as exc:
        raise ResultsFileError(f"{str(path)!r} is corrupt: {type(exc).__name__}: {exc}") from exc
    finally:
        close_nix(nf)


def read_block(path: str | Path, *, allow_pickle: bool = False) -> neo.Block:
    """Read a results file written by :func:`write_block` (any format) or by neo's NixIO.

    Parameters
    ----------
    path
        The file; its format is detected from its content.
    allow_pickle
        Read pickles. Off by default because unpickling runs code stored in the file.

    Returns
    -------
    neo.Block
        The block. ``block.annotations["opsnn_metadata"]`` holds the run metadata (``{}``
        if none was written). For the ``"nix"`` format times are in ms.

    Raises
    ------
    ResultsFileError
        If the file is missing, truncated, corrupt, not a results file, written by a newer
        opsnn_opt, or a pickle while ``allow_pickle`` is False.
    """
    path = Path(path)
    if sniff(path) == "pickle":
        if not allow_pickle:
            raise _pickle_refused(path, "read_block")
        return _pickle.read_pickle(path)
    block = _from_compact(path, _compact_read.read_compact)
    if block is not None:
        return block
    try:
        return _neonix.read_neonix(path)
    except _CORRUPT as exc:
        raise ResultsFileError(f"{str(path)!r} cannot be read as a neo NIX file: {type(exc).__name__}: {exc}") from exc


def read_metadata(path: str | Path, *, allow_pickle: bool = False) -> dict[str, Any]:
    """The run metadata of a results file, without loading its data (NIX formats).

    Parameters
    ----------
    path
        The file; its format is detected from its content.
    allow_pickle
        For pickles the whole block must be unpickled; refused unless True (see
        :func:`read_block`).

    Returns
    -------
    dict
        Exactly the metadata written (``{}`` if none).

    Raises
    ------
    ResultsFileError
        As for :func:`read_block`.
    """
    path = Path(path)
    if sniff(path) == "pickle":
        if not allow_pickle:
            raise _pickle_refused(path, "read_metadata")
        return _pickle.read_pickle(path).annotations[METADATA_KEY]
    return _from_compact(path, _compact_read.read_compact_metadata, _neonix.read_neonix_metadata)
