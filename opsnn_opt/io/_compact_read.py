"""Reading the compact NIX layout (format ``"nix"``) back into a neo Block; the layout is
described in :mod:`opsnn_opt.io._compact_nix`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import neo
import nixio
import quantities as pq

from opsnn_opt.errors import ResultsFileError
from opsnn_opt.io._codec import decode_value
from opsnn_opt.io._compact_nix import (
    BLOCK_TYPE,
    FORMAT_VERSION,
    MANIFEST_PROP,
    METADATA_PROP,
    OBJ_ATTRS,
    VERSION_PROP,
)
from opsnn_opt.io._keys import METADATA_KEY, POSITIONS_KEY
from opsnn_opt.io._metadata import metadata_from_json
from opsnn_opt.io._trains import PopulationTrains, unpack_trains

__all__ = ["find_our_block", "read_compact", "read_compact_metadata", "read_compact_parts"]


def _restore_attrs(obj: Any, attrs: dict[str, Any]) -> None:
    for a in OBJ_ATTRS:
        if a in attrs:
            setattr(obj, a, decode_value(attrs[a]))
    obj.annotations.update(decode_value(attrs["annotations"]))


def find_our_block(nf: nixio.File, path: Path) -> nixio.Block:
    """The ``opsnn.results`` block of an open file, after checking its format version.

    Raises
    ------
    ResultsFileError
        If the file has no such block, or its version is newer than :data:`FORMAT_VERSION`.
    """
    for nblk in nf.blocks:
        if nblk.type == BLOCK_TYPE:
            break
    else:
        raise ResultsFileError(f"{str(path)!r} has no block of type {BLOCK_TYPE!r}")
    sec = nblk.metadata
    try:
        version = int(sec.props[VERSION_PROP].values[0])
    except (AttributeError, KeyError, IndexError, TypeError, ValueError) as exc:
        raise ResultsFileError(
            f"{str(path)!r} is not a valid opsnn_opt results file: its {BLOCK_TYPE!r} block "
            f"has no {VERSION_PROP!r} property"
        ) from exc
    if version > FORMAT_VERSION:
        raise ResultsFileError(
            f"{str(path)!r} was written by a newer opsnn_opt: format version {version} > "
            f"supported {FORMAT_VERSION}; upgrade opsnn_opt to read it"
        )
    return nblk


def read_compact_metadata(nf: nixio.File, path: Path) -> dict[str, Any]:
    """The run metadata of an open compact file, without reading any data array."""
    sec = find_our_block(nf, path).metadata
    return metadata_from_json(sec.props[METADATA_PROP].values[0])


def _read_population(nblk: nixio.Block, entry: dict[str, Any]) -> PopulationTrains:
    arrays = {key: nblk.data_arrays[name][:] for key, name in entry["arrays"].items()}
    return PopulationTrains(
        label=entry["label"],
        spike_times_ms=arrays["spike_times"],
        senders=arrays["senders"],
        sender_key=entry["sender_key"],
        int_table=arrays["int_table"],
        int_columns=entry["int_columns"],
        float_table=arrays["float_table"],
        float_columns=entry["float_columns"],
        records=decode_value(entry["records"]),
    )


def _read_signal(nblk: nixio.Block, entry: dict[str, Any]) -> neo.AnalogSignal:
    sig = neo.AnalogSignal(
        nblk.data_arrays[entry["array"]][:],
        units=entry["units"],
        sampling_period=entry["sampling_period_ms"] * pq.ms,
        t_start=entry["t_start_ms"] * pq.ms,
        array_annotations=decode_value(entry["array_annotations"]) or None,
    )
    _restore_attrs(sig, entry)
    return sig


def read_compact(nf: nixio.File, path: Path) -> neo.Block:
    """Read the neo Block of an open compact file (times in ms; see module docstring)."""
    nblk = find_our_block(nf, path)
    sec = nblk.metadata
    manifest = json.loads(sec.props[MANIFEST_PROP].values[0])
    block = neo.Block()
    _restore_attrs(block, manifest["block"])
    for seg_entry in manifest["segments"]:
        seg = neo.Segment()
        _restore_attrs(seg, seg_entry)
        pops = [_read_population(nblk, p) for p in seg_entry["populations"]]
        seg.spiketrains.extend(unpack_trains(pops))
        # A list, not a generator: neo's ObjectList.extend iterates its argument twice.
        seg.analogsignals.extend([_read_signal(nblk, s) for s in seg_entry["signals"]])
        block.segments.append(seg)
    if manifest["positions"] is not None:
        block.annotations[POSITIONS_KEY] = {
            p["population"]: nblk.data_arrays[p["array"]][:] for p in manifest["positions"]
        }
    block.annotations[METADATA_KEY] = metadata_from_json(sec.props[METADATA_PROP].values[0])
    block.check_relationships()
    return block


def read_compact_parts(
    nf: nixio.File, path: Path
) -> tuple[list[PopulationTrains], list[Any], dict[str, Any], dict[str, Any]]:
    """What :func:`~opsnn_opt.io._recording.recording_from_packed` needs of an open compact file's
    first segment, read from its arrays without building a SpikeTrain per neuron: the packed
    populations, the AnalogSignals, the positions and the other block annotations."""
    nblk = find_our_block(nf, path)
    sec = nblk.metadata
    manifest = json.loads(sec.props[MANIFEST_PROP].values[0])
    annotations = {k: v for k, v in decode_value(manifest["block"]["annotations"]).items() if k != POSITIONS_KEY}
    annotations[METADATA_KEY] = metadata_from_json(sec.props[METADATA_PROP].values[0])
    segment = manifest["segments"][0] if manifest["segments"] else {"populations": [], "signals": []}
    positions = {p["population"]: nblk.data_arrays[p["array"]][:] for p in manifest["positions"] or []}
    packed = [_read_population(nblk, p) for p in segment["populations"]]
    return packed, [_read_signal(nblk, s) for s in segment["signals"]], positions, annotations
