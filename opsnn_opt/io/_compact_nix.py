"""The compact NIX layout (format ``"nix"``): a neo Block in a handful of HDF5 objects.

neo's own NixIO writes one NIX object (with its metadata section) per spike train, which
makes a 1000-cell run take seconds and tens of MB. This layout writes one array per
population instead; it is plain NIX, readable with ``nixio`` alone::

    nix Block  <name: "results">  type "opsnn.results"
    ├── metadata: Section "opsnn.results"  type "opsnn.results"
    │   ├── opsnn_format_version   int   FORMAT_VERSION of the writer
    │   ├── opsnn_manifest         str   JSON: names, annotations, array names (below)
    │   ├── opsnn_metadata_json    str   JSON: the run metadata, exactly as written
    │   └── Section "metadata"  type "opsnn.metadata"   the run metadata as a tree:
    │       nested dicts are sub-sections, scalars and lists are properties
    └── DataArrays, for segment i and population j (label = population name when it is
        a simple identifier, else "pop<j>"; "unlabelled" for trains without one):
        seg<i>.<label>.spike_times  "opsnn.spike_times"  float64 (n_spikes,) ms, train
                                                        after train
        seg<i>.<label>.senders      "opsnn.senders"      int64 (n_spikes,) id of each
                                                        spike's train: its source_id, else
                                                        channel_id, else its order (the
                                                        array's label says which)
        seg<i>.<label>.int_table    "opsnn.train_ints"   int64 (n_trains, k): count, order
                                                        (index in the segment), then int
                                                        annotations (source_id, ...)
        seg<i>.<label>.float_table  "opsnn.train_floats" float64 (n_trains, m): t_start_ms,
                                                        t_stop_ms, then float annotations
        seg<i>.signal<k>            "opsnn.analogsignal" (n_samples, n_channels) in the
                                                        signal's units; dimension 1 is
                                                        sampled (period and offset in ms)
        positions.<j>               "opsnn.positions"    float64 (n, 3) mm

The manifest (JSON; values JSON lacks are tagged, see ``_codec``)::

    {"block": {"name", "description", "file_origin", "rec_datetime", "file_datetime",
               "annotations"},
     "positions": [{"population", "array"}] or null,
     "segments": [{"name", "description", ..., "annotations",
                   "populations": [{"label", "arrays", "sender_key", "int_columns",
                                    "float_columns", "records"}],
                   "signals": [{"array", "units", "sampling_period_ms", "t_start_ms",
                                "name", "description", "annotations", "array_annotations"}]}]}

Table column names (also the labels of the tables' second SetDimension), per-train names
and irregular annotations, signal annotations and array annotations, and segment and block
attributes are in the manifest. Segments are not NIX Groups: every NIX object costs time to
create, and the manifest already says which arrays belong to which segment.

Data is not compressed: for 1000 cells x 1 s, gzip level 1 shrinks the file from 0.67 to
0.28 MB but makes writing ~40 % slower, and the uncompressed file is already about the size
of the pickle.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import neo
import nixio
import numpy as np

from opsnn_opt.errors import ResultsFileError
from opsnn_opt.io._codec import encode_value
from opsnn_opt.io._keys import METADATA_KEY, POSITIONS_KEY
from opsnn_opt.io._metadata import SECTION_TYPE, metadata_to_json, write_section_tree
from opsnn_opt.io._nixfast import add_data_array, add_property, add_section, close_nix, open_section
from opsnn_opt.io._recording import V_SIGNAL_NAME, PopulationRecording, Recording
from opsnn_opt.io._trains import (
    FLOAT_BASE_COLUMNS,
    INT_BASE_COLUMNS,
    PopulationTrains,
    pack_trains,
    to_ms_factor,
)

__all__ = ["BLOCK_TYPE", "FORMAT_VERSION", "write_compact", "write_compact_recording"]

#: Version of this layout; bump it when a reader of the old version could misread a new file.
FORMAT_VERSION = 1
#: NIX type of the block (and of its metadata section) that marks the file as ours.
BLOCK_TYPE = "opsnn.results"
VERSION_PROP = "opsnn_format_version"
MANIFEST_PROP = "opsnn_manifest"
METADATA_PROP = "opsnn_metadata_json"
_SIMPLE_NAME = re.compile(r"[A-Za-z0-9_\-]+")
_RESERVED_NAME = re.compile(r"unlabelled|pop[0-9]+")
OBJ_ATTRS = ("name", "description", "file_origin", "rec_datetime", "file_datetime", "index")
_TABLES = ("spike_times", "senders", "int_table", "float_table")


def _attrs(obj: Any, where: str, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    annotations = {k: v for k, v in obj.annotations.items() if k not in skip}
    out = {a: encode_value(getattr(obj, a), f"{where} {a}") for a in OBJ_ATTRS if hasattr(obj, a)}
    out["annotations"] = encode_value(annotations, f"{where} annotations")
    return out


def _stem(i_seg: int, j: int, label: str | None) -> str:
    if label is None:
        name = "unlabelled"
    elif _SIMPLE_NAME.fullmatch(label) and not _RESERVED_NAME.fullmatch(label):
        name = label
    else:
        name = f"pop{j}"
    return f"seg{i_seg}.{name}"


def _check_supported(seg: neo.Segment, where: str) -> None:
    extra = [
        kind for kind in ("irregularlysampledsignals", "events", "epochs", "imagesequences") if getattr(seg, kind, None)
    ]
    if extra:
        raise ResultsFileError(
            f"{where} has {', '.join(extra)}, which the compact 'nix' format does not store "
            "(it stores spiketrains and analogsignals); use format='neo-nix' or 'pickle'"
        )


def _write_population(nblk: nixio.Block, stem: str, pop: PopulationTrains) -> dict[str, Any]:
    arrays = {key: f"{stem}.{key}" for key in _TABLES}
    add_data_array(nblk, arrays["spike_times"], "opsnn.spike_times", pop.spike_times_ms, unit="ms", label="spike time")
    add_data_array(nblk, arrays["senders"], "opsnn.senders", pop.senders, label=pop.sender_key)
    add_data_array(nblk, arrays["int_table"], "opsnn.train_ints", pop.int_table, column_labels=pop.int_columns)
    add_data_array(nblk, arrays["float_table"], "opsnn.train_floats", pop.float_table, column_labels=pop.float_columns)
    return {
        "label": pop.label,
        "arrays": arrays,
        "sender_key": pop.sender_key,
        "int_columns": pop.int_columns,
        "float_columns": pop.float_columns,
        "records": encode_value(pop.records, f"spike trains of {stem}"),
    }


def _write_signal(nblk: nixio.Block, name: str, values: np.ndarray, info: dict[str, Any], where: str) -> dict[str, Any]:
    """One AnalogSignal: ``values`` (n_samples, n_channels) in ``info["units"]``, sampled every
    ``info["sampling_period_ms"]`` from ``info["t_start_ms"]``; ``info`` also holds the signal's
    name, description, file_origin, annotations and array_annotations (not yet encoded)."""
    add_data_array(
        nblk,
        name,
        "opsnn.analogsignal",
        values,
        unit=info["units"],
        label=info["name"] or None,
        sampled=(info["sampling_period_ms"], info["t_start_ms"]),
    )
    return {
        "array": name,
        "units": info["units"],
        "sampling_period_ms": info["sampling_period_ms"],
        "t_start_ms": info["t_start_ms"],
        "array_annotations": encode_value(info["array_annotations"], f"{where} array_annotations"),
        "name": info["name"],
        "description": info["description"],
        "file_origin": info["file_origin"],
        "annotations": encode_value(info["annotations"], f"{where} annotations"),
    }


def _neo_signal(sig: neo.AnalogSignal) -> tuple[np.ndarray, dict[str, Any]]:
    info = {
        "units": sig.units.dimensionality.string,
        "sampling_period_ms": float(sig.sampling_period) * to_ms_factor(sig.sampling_period),
        "t_start_ms": float(sig.t_start) * to_ms_factor(sig.t_start),
        "array_annotations": dict(sig.array_annotations),
        **{a: getattr(sig, a) for a in ("name", "description", "file_origin")},
        "annotations": dict(sig.annotations),
    }
    return sig.magnitude, info


@dataclass
class _Segment:
    """What the writer stores of one segment: its attributes, flattened trains and signals."""

    attrs: dict[str, Any]
    populations: list[PopulationTrains]
    signals: list[tuple[np.ndarray, dict[str, Any]]]


def write_compact(block: neo.Block, path: Path, metadata: dict[str, Any]) -> None:
    """Write ``block`` and normalised ``metadata`` to ``path`` in the compact layout.

    Raises
    ------
    ResultsFileError
        If the block holds objects this layout does not store (events, epochs, waveforms,
        ...) or annotations of unsupported types.
    """
    if getattr(block, "groups", None):
        raise ResultsFileError(
            "the block has neo Groups, which the compact 'nix' format does not store; use format='neo-nix' or 'pickle'"
        )
    segments = []
    for i_seg, seg in enumerate(block.segments):
        where = f"segment {i_seg} ({seg.name!r})"
        _check_supported(seg, where)
        pops = pack_trains(list(seg.spiketrains), where)
        segments.append(_Segment(_attrs(seg, where), pops, [_neo_signal(sig) for sig in seg.analogsignals]))
    _write(
        path,
        _attrs(block, "block", skip=(POSITIONS_KEY, METADATA_KEY)),
        segments,
        block.annotations.get(POSITIONS_KEY),
        metadata,
    )


def _plain_attrs(name: str | None, annotations: dict[str, Any], where: str, **attrs: Any) -> dict[str, Any]:
    """The attributes :func:`_attrs` records of a neo container, for one that was never built."""
    out = {a: None for a in OBJ_ATTRS}
    out.update(name=name, **attrs)
    out = {k: encode_value(v, f"{where} {k}") for k, v in out.items()}
    out["annotations"] = encode_value(annotations, f"{where} annotations")
    return out


def _recording_population(
    name: str, p: PopulationRecording, first_order: int, window_ms: tuple[float, float]
) -> PopulationTrains:
    """One population's spikes in the layout :func:`pack_trains` gives PyNN's trains."""
    ids = p.cell_ids if p.cell_ids is not None else np.arange(p.size, dtype=np.int64)
    counts = p.counts()
    int_table = np.empty((p.size, 4), dtype=np.int64)
    int_table[:, 0] = counts
    int_table[:, 1] = np.arange(first_order, first_order + p.size)
    int_table[:, 2] = np.arange(p.size)
    int_table[:, 3] = ids
    float_table = np.empty((p.size, 2), dtype=np.float64)
    float_table[:, 0], float_table[:, 1] = window_ms
    return PopulationTrains(
        label=name,
        spike_times_ms=p.times_ms,
        senders=np.asarray(ids, dtype=np.int64)[p.index],
        sender_key="channel_id",
        int_table=int_table,
        int_columns=[*INT_BASE_COLUMNS, "source_index", "channel_id"],
        float_table=float_table,
        float_columns=list(FLOAT_BASE_COLUMNS),
        records={},
    )


def write_compact_recording(
    recording: Recording, path: Path, metadata: dict[str, Any], name: str = "", description: str = ""
) -> None:
    """Write a :class:`~opsnn_opt.io.Recording` straight from its arrays, in the layout
    :func:`write_compact` gives the Block of :meth:`Recording.to_block` (no neo object is built).
    """
    pops, signals, order = [], [], 0
    for pop_name, p in recording.populations.items():
        pops.append(_recording_population(pop_name, p, order, (recording.t_start_ms, recording.t_stop_ms)))
        order += p.size
        if p.v_mv is not None and p.v_index is not None:
            ids = p.cell_ids if p.cell_ids is not None else np.arange(p.size, dtype=np.int64)
            info = {
                "units": "mV",
                "sampling_period_ms": float(p.v_dt_ms),
                "t_start_ms": float(p.v_t_start_ms),
                "array_annotations": {"channel_index": np.asarray(p.v_index)},
                "name": V_SIGNAL_NAME,
                "description": None,
                "file_origin": None,
                "annotations": {"channel_ids": np.asarray(ids)[p.v_index], "source_population": pop_name},
            }
            signals.append((p.v_mv, info))
    segment = _Segment(_plain_attrs("run", {}, "segment 0", index=0), pops, signals)
    positions = {n: p.positions_mm for n, p in recording.populations.items() if p.positions_mm is not None}
    block_attrs = _plain_attrs(name, dict(recording.annotations), "block", description=description)
    _write(path, block_attrs, [segment], positions or None, metadata)


def _write(
    path: Path,
    block_attrs: dict[str, Any],
    segments: list[_Segment],
    positions: dict[str, Any] | None,
    metadata: dict[str, Any],
) -> None:
    manifest: dict[str, Any] = {
        "block": block_attrs,
        "positions": None if positions is None else [],
        "segments": [],
    }
    nf = nixio.File.open(
        str(path), nixio.FileMode.Overwrite, compression=nixio.Compression.No, auto_update_timestamps=False
    )
    try:
        nblk = nf.create_block("results", BLOCK_TYPE)
        for i_seg, seg in enumerate(segments):
            where = f"segment {i_seg}"
            seg_entry = dict(seg.attrs)
            seg_entry["populations"] = [
                _write_population(nblk, _stem(i_seg, j, p.label), p) for j, p in enumerate(seg.populations)
            ]
            seg_entry["signals"] = [
                _write_signal(nblk, f"seg{i_seg}.signal{k}", values, info, f"{where} analogsignal {k}")
                for k, (values, info) in enumerate(seg.signals)
            ]
            manifest["segments"].append(seg_entry)
        for j, (pop_name, xyz) in enumerate((positions or {}).items()):
            name = f"positions.{j}"
            add_data_array(
                nblk,
                name,
                "opsnn.positions",
                np.asarray(xyz, dtype=np.float64),
                unit="mm",
                label="position",
                column_labels=("x", "y", "z"),
            )
            manifest["positions"].append({"population": pop_name, "array": name})
        sec = nf.create_section(BLOCK_TYPE, BLOCK_TYPE)
        nblk.metadata = sec
        handle = open_section(sec)
        add_property(handle, VERSION_PROP, [FORMAT_VERSION])
        add_property(handle, MANIFEST_PROP, [json.dumps(manifest, separators=(",", ":"))], definition="json")
        add_property(handle, METADATA_PROP, [metadata_to_json(metadata)], definition="json")
        write_section_tree(add_section(handle, "metadata", SECTION_TYPE), metadata)
    finally:
        close_nix(nf)
