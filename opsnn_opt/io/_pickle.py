"""Format ``"pickle"``: the neo Block pickled, with the run metadata as a block annotation.

Fast and faithful, but unpickling runs arbitrary code from the file, so reading requires
an explicit opt-in (``allow_pickle=True``).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import neo

from opsnn_opt.errors import ResultsFileError
from opsnn_opt.io._keys import METADATA_KEY

__all__ = ["PICKLE_PROTOCOL", "read_pickle", "write_pickle"]

PICKLE_PROTOCOL = pickle.HIGHEST_PROTOCOL
_MISSING = object()


def write_pickle(block: neo.Block, path: Path, metadata: dict[str, Any]) -> None:
    """Pickle ``block`` with ``metadata`` in ``block.annotations["opsnn_metadata"]``.

    The annotation is set only for the duration of the call; ``block`` is left as it was.
    """
    old = block.annotations.get(METADATA_KEY, _MISSING)
    block.annotations[METADATA_KEY] = metadata
    try:
        data = pickle.dumps(block, protocol=PICKLE_PROTOCOL)
    finally:
        if old is _MISSING:
            del block.annotations[METADATA_KEY]
        else:
            block.annotations[METADATA_KEY] = old
    with open(path, "wb") as fh:
        fh.write(data)


def read_pickle(path: Path) -> neo.Block:
    """Unpickle a neo Block; the caller has checked that the user opted in.

    Raises
    ------
    ResultsFileError
        If the file is truncated or corrupt, or holds something other than a neo Block.
    """
    try:
        with open(path, "rb") as fh:
            block = pickle.load(fh)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError, ValueError) as exc:
        raise ResultsFileError(f"{str(path)!r} is a truncated or corrupt pickle: {type(exc).__name__}: {exc}") from exc
    if not isinstance(block, neo.Block):
        raise ResultsFileError(f"{str(path)!r} holds a pickled {type(block).__name__}, not a neo.Block")
    if not isinstance(block.annotations.get(METADATA_KEY), dict):
        block.annotations[METADATA_KEY] = {}
    return block
