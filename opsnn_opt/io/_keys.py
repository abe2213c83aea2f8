"""Block annotation keys with a meaning shared by every format."""

from __future__ import annotations

__all__ = ["METADATA_KEY", "POSITIONS_KEY"]

#: ``block.annotations[METADATA_KEY]``: the run metadata dict (params, seed, provenance, ...).
METADATA_KEY = "opsnn_metadata"
#: ``block.annotations[POSITIONS_KEY]``: dict population -> float array (n, 3) of positions in mm.
POSITIONS_KEY = "positions_mm"
