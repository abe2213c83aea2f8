"""Run metadata (params, seed, provenance, model): validation and the NIX section tree.

The metadata is a JSON-like mapping. It is stored twice in a NIX file: as a tree of NIX
sections and properties, for tools that browse metadata (odML-style), and as one JSON string
property, which is what :func:`opsnn_opt.io.read_metadata` returns, so types survive exactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from opsnn_opt.errors import ConfigError
from opsnn_opt.io._nixfast import SectionHandle, add_property, add_section

__all__ = ["normalise_metadata", "metadata_from_json", "metadata_to_json", "write_section_tree"]

_ALLOWED = "None, bool, int, float, str, a list of those, or a dict with str keys"
#: NIX type of the sections that mirror nested metadata dicts.
SECTION_TYPE = "opsnn.metadata"
_INT64_MIN, _INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)


def _normalise(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ConfigError(
                    f"metadata keys must be str, but {where} has key {key!r} of type {type(key).__name__}"
                )
            out[key] = _normalise(item, f"{where}[{key!r}]")
        return out
    if isinstance(value, (list, tuple, np.ndarray)):
        items = value.tolist() if isinstance(value, np.ndarray) else value
        return [_normalise(item, f"{where}[{i}]") for i, item in enumerate(items)]
    raise ConfigError(
        f"metadata values must be {_ALLOWED}, but {where} has type {type(value).__name__} (value {value!r})"
    )


def normalise_metadata(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate ``metadata`` and return a plain-Python copy of it.

    numpy scalars become ``int``/``float``/``bool``; tuples and numpy arrays become lists.
    Everything else is returned as given, so that ``read_metadata`` gives back an equal dict.

    Parameters
    ----------
    metadata
        JSON-like mapping, or None for no metadata (gives ``{}``).

    Raises
    ------
    ConfigError
        If a key is not a str or a value has another type; the message names the offending
        entry, e.g. ``metadata['params']['tau_m']``.
    """
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise ConfigError(f"metadata must be a mapping ({_ALLOWED} values), but got {type(metadata).__name__}")
    return _normalise(metadata, "metadata")


def metadata_to_json(metadata: Mapping[str, Any]) -> str:
    """Serialise normalised metadata; NaN and infinities are kept (as JSON extensions)."""
    return json.dumps(metadata, separators=(",", ":"), allow_nan=True)


def metadata_from_json(text: str) -> dict[str, Any]:
    """Invert :func:`metadata_to_json`."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError(f"metadata JSON must hold an object, but holds {type(value).__name__}")
    return value


def _nix_name(key: str, taken: set[str]) -> str:
    # NIX forbids "/" and empty names, HDF5 also "." and ".." (and NUL); the JSON copy
    # keeps the original key.
    name = key.replace("/", "_").replace("\0", "_")
    if not name.strip("."):
        name = "_" * max(len(name), 1)
    base, n = name, 1
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def _native_values(value: Any) -> list[Any] | None:
    """Values for a native NIX property, or None if ``value`` needs the JSON fallback."""
    items = value if isinstance(value, list) else [value]
    if not items or any(item is None or isinstance(item, (list, dict)) for item in items):
        return None
    if len({type(item) for item in items}) != 1:
        return None
    if isinstance(items[0], int) and not all(_INT64_MIN <= item <= _INT64_MAX for item in items):
        return None
    return items


def write_section_tree(section: SectionHandle, metadata: Mapping[str, Any]) -> None:
    """Mirror ``metadata`` into ``section``: dicts become sub-sections, scalars properties.

    Values NIX cannot hold natively (None, empty or mixed lists, lists of dicts, ints beyond
    int64) are written as a str property holding their JSON, with the definition ``"json"``.
    Keys are made valid NIX names ("/" becomes "_"); the JSON copy keeps the originals.

    Parameters
    ----------
    section
        The section to fill, from :func:`opsnn_opt.io._nixfast.open_section` or
        :func:`~opsnn_opt.io._nixfast.add_section`.
    metadata
        Normalised metadata (see :func:`normalise_metadata`).
    """
    taken_props: set[str] = set()
    taken_secs: set[str] = set()
    for key, value in metadata.items():
        if isinstance(value, dict):
            write_section_tree(add_section(section, _nix_name(key, taken_secs), SECTION_TYPE), value)
            continue
        native = _native_values(value)
        name = _nix_name(key, taken_props)
        if native is not None:
            add_property(section, name, native)
        else:
            add_property(section, name, [json.dumps(value, allow_nan=True)], definition="json")
