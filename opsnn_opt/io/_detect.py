"""Tell the format of a results file from its content, not its extension."""

from __future__ import annotations

from pathlib import Path

import nixio
from nixio.exceptions import InvalidFile

from opsnn_opt.errors import ResultsFileError
from opsnn_opt.io import _compact_nix, _neonix

__all__ = ["open_nix", "nix_flavour", "sniff"]

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_PICKLE_PROTOCOLS = range(2, 6)


def sniff(path: Path) -> str:
    """``"hdf5"`` or ``"pickle"``, from the first bytes of ``path``.

    Raises
    ------
    ResultsFileError
        If the file is missing, not a regular file, empty, or neither HDF5 nor a pickle.
    """
    if not path.exists():
        raise ResultsFileError(f"results file {str(path)!r} does not exist")
    if not path.is_file():
        raise ResultsFileError(f"results file {str(path)!r} is not a regular file")
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_HDF5_SIGNATURE))
    except OSError as exc:
        raise ResultsFileError(f"cannot read results file {str(path)!r}: {exc}") from exc
    if not head:
        raise ResultsFileError(f"results file {str(path)!r} is empty")
    if head == _HDF5_SIGNATURE:
        return "hdf5"
    if len(head) >= 2 and head[0] == 0x80 and head[1] in _PICKLE_PROTOCOLS:
        return "pickle"
    raise ResultsFileError(
        f"{str(path)!r} is not a results file: it is neither HDF5/NIX nor a pickle (it starts with {head!r})"
    )


def open_nix(path: Path) -> nixio.File:
    """Open an HDF5 file read-only with nixio.

    Raises
    ------
    ResultsFileError
        If it is truncated or corrupt, an HDF5 file but not NIX, or NIX of an unreadable
        version. The message names the path.
    """
    try:
        return nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    except InvalidFile as exc:
        raise ResultsFileError(
            f"{str(path)!r} is an HDF5 file but not a NIX file, so neither an opsnn_opt results file nor a neo NIX file"
        ) from exc
    except (OSError, RuntimeError, KeyError, ValueError) as exc:
        raise ResultsFileError(f"{str(path)!r} cannot be opened as HDF5/NIX (truncated or corrupt?): {exc}") from exc


def nix_flavour(nf: nixio.File, path: Path) -> str:
    """``"nix"`` (our compact layout) or ``"neo-nix"`` for an open NIX file.

    Raises
    ------
    ResultsFileError
        If the file holds neither an ``opsnn.results`` block nor neo's blocks.
    """
    types = [nblk.type for nblk in nf.blocks]
    if _compact_nix.BLOCK_TYPE in types:
        return "nix"
    if _neonix.BLOCK_TYPE in types:
        return "neo-nix"
    raise ResultsFileError(
        f"{str(path)!r} is a NIX file but neither an opsnn_opt results file (block type "
        f"{_compact_nix.BLOCK_TYPE!r}) nor a neo NIX file (block type {_neonix.BLOCK_TYPE!r}); "
        f"its block types are {types}"
    )
