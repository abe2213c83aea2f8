"""Results files: a run's flat :class:`Recording` (or any neo Block) plus run metadata, written
atomically, read back by content.

Formats (see :data:`FORMATS`):

``"nix"``
    The default: a compact NIX (HDF5) layout with one array per population rather than one
    object per spike train, readable with plain ``nixio``. See ``_compact_nix`` for the layout.
``"neo-nix"``
    neo's own ``neo.io.NixIO`` layout, for tools that expect it. Slow to write.
``"pickle"``
    The neo Block pickled. Reading it needs ``allow_pickle=True``.
"""

from __future__ import annotations

from opsnn_opt.io._api import (
    FORMAT_VERSION,
    FORMATS,
    detect_format,
    read_block,
    read_metadata,
    read_recording,
    write_block,
    write_recording,
)
from opsnn_opt.io._atomic import write_atomically
from opsnn_opt.io._bench import bench_io, synthetic_block
from opsnn_opt.io._recording import PopulationRecording, Recording, recording_from_block

__all__ = [
    "FORMATS",
    "FORMAT_VERSION",
    "PopulationRecording",
    "Recording",
    "bench_io",
    "detect_format",
    "read_block",
    "read_metadata",
    "read_recording",
    "recording_from_block",
    "synthetic_block",
    "write_atomically",
    "write_block",
    "write_recording",
]
