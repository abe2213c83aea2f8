"""Format ``"neo-nix"``: neo's own ``neo.io.NixIO`` layout, for tools that expect it.

It is slow (one NIX object and metadata section per spike train) but any neo-based tool can
read it. The run metadata and the neuron positions, which neo's NIX writer cannot store as
annotations, travel as JSON string annotations of the block (``opsnn_metadata_json`` and
``opsnn_positions_mm_json``) and are decoded again on reading.
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Any

import neo
import nixio
from neo.io import NixIO

from opsnn_opt.errors import ResultsFileError
from opsnn_opt.io._codec import dumps, loads
from opsnn_opt.io._keys import METADATA_KEY, POSITIONS_KEY
from opsnn_opt.io._metadata import metadata_from_json, metadata_to_json

__all__ = ["BLOCK_TYPE", "read_neonix", "read_neonix_metadata", "write_neonix"]

#: NIX type of the blocks that neo's NixIO writes.
BLOCK_TYPE = "neo.block"
_METADATA_JSON = "opsnn_metadata_json"
_POSITIONS_JSON = "opsnn_positions_mm_json"


def write_neonix(block: neo.Block, path: Path, metadata: dict[str, Any]) -> None:
    """Write ``block`` with neo's NixIO; ``block`` itself is not modified.

    neo's writer adds a ``nix_name`` annotation to every object it writes, so it is given a
    deep copy.
    """
    clone = copy.deepcopy(block)
    positions = clone.annotations.pop(POSITIONS_KEY, None)
    clone.annotations.pop(METADATA_KEY, None)
    clone.annotations[_METADATA_JSON] = metadata_to_json(metadata)
    if positions is not None:
        clone.annotations[_POSITIONS_JSON] = dumps(dict(positions), "block annotation 'positions_mm'")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # neo warns about its own name generation
            with NixIO(str(path), mode="ow") as io:
                io.write_block(clone)
    except (TypeError, ValueError) as exc:
        raise ResultsFileError(
            f"neo's NixIO cannot write this block (it rejects e.g. None-valued annotations): "
            f"{type(exc).__name__}: {exc}; use format='nix' or 'pickle'"
        ) from exc


def _strip_nix_names(block: neo.Block) -> None:
    objects: list[Any] = [block, *block.segments, *block.groups]
    for seg in block.segments:
        for kind in ("analogsignals", "irregularlysampledsignals", "spiketrains", "events", "epochs", "imagesequences"):
            objects.extend(getattr(seg, kind, ()))
    for obj in objects:
        obj.annotations.pop("nix_name", None)


def read_neonix(path: Path) -> neo.Block:
    """Read the first block of a neo-nix file, without neo's ``nix_name`` bookkeeping annotations."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with NixIO(str(path), mode="ro") as io:
            block = io.read_block()
    _strip_nix_names(block)
    text = block.annotations.pop(_METADATA_JSON, None)
    block.annotations[METADATA_KEY] = metadata_from_json(text) if text else {}
    positions = block.annotations.pop(_POSITIONS_JSON, None)
    if positions is not None:
        block.annotations[POSITIONS_KEY] = loads(positions)
    return block


def read_neonix_metadata(nf: nixio.File) -> dict[str, Any]:
    """The run metadata of an open neo-nix file ({} if it has none), without reading data."""
    for nblk in nf.blocks:
        if nblk.type == BLOCK_TYPE and nblk.metadata is not None:
            props = nblk.metadata.props
            if _METADATA_JSON in props:
                return metadata_from_json(props[_METADATA_JSON].values[0])
            return {}
    return {}
