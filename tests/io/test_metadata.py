"""Run metadata: exact round trip in every format, and a browsable NIX section tree."""

from __future__ import annotations

import math

import nixio
import pytest
from hypothesis import given, settings

from opsnn_opt.errors import ConfigError
from opsnn_opt.io import FORMATS, read_block, read_metadata, synthetic_block, write_block

from ._strategies import json_like

METADATA = {
    "model": "balanced",
    "seed": 42,
    "params": {
        "tau_m_ms": 20.0,
        "n_neurons": 100,
        "g_exc_nS": 4,
        "plastic": False,
        "note": None,
        "input": {"rate_hz": 300.0, "kind": "poisson", "ids": [1, 2, 3]},
    },
    "provenance": {"opsnn_opt": "0.1.0", "nest": "3.10.0", "dirty": True},
    "mixed": [1, "a", None, 2.5],
    "empty": [],
    "nothing": {},
    "a/b": 1.5,
}


@pytest.fixture(scope="module")
def small_block():
    return synthetic_block(n_cells=8, simtime_ms=20.0, n_v=1)


@pytest.mark.parametrize("fmt", FORMATS)
def test_metadata_round_trips_exactly(fmt, tmp_path, small_block):
    path = write_block(small_block, tmp_path / "r", format=fmt, metadata=METADATA)
    from_block = read_block(path, allow_pickle=True).annotations["opsnn_metadata"]
    for meta in (read_metadata(path, allow_pickle=True), from_block):
        assert meta == METADATA
        assert type(meta["seed"]) is int and type(meta["params"]["tau_m_ms"]) is float
        assert type(meta["params"]["g_exc_nS"]) is int and meta["params"]["plastic"] is False
        assert meta["params"]["note"] is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_metadata_reads_as_an_empty_dict(fmt, tmp_path, small_block):
    path = write_block(small_block, tmp_path / "r", format=fmt)
    assert read_metadata(path, allow_pickle=True) == {}


@settings(max_examples=30, deadline=None)
@given(meta=json_like())
def test_any_json_like_metadata_round_trips(tmp_path_factory, meta):
    block = synthetic_block(n_cells=2, simtime_ms=5.0, n_v=0)
    path = write_block(block, tmp_path_factory.mktemp("m") / "r.nix", metadata=meta)
    assert read_metadata(path) == meta


def test_nan_and_infinity_survive(tmp_path, small_block):
    path = write_block(small_block, tmp_path / "r.nix", metadata={"x": math.nan, "y": -math.inf})
    meta = read_metadata(path)
    assert math.isnan(meta["x"]) and meta["y"] == -math.inf


def test_numpy_scalars_and_tuples_are_normalised(tmp_path, small_block):
    import numpy as np

    meta = {"a": np.float64(1.5), "b": np.int32(3), "c": np.bool_(True), "d": (1, 2), "e": np.arange(2)}
    path = write_block(small_block, tmp_path / "r.nix", metadata=meta)
    back = read_metadata(path)
    assert back == {"a": 1.5, "b": 3, "c": True, "d": [1, 2], "e": [0, 1]}
    assert type(back["b"]) is int and type(back["c"]) is bool


def test_metadata_is_a_nix_section_tree(tmp_path, small_block):
    path = write_block(small_block, tmp_path / "r.nix", metadata=METADATA)
    nf = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    try:
        (nblk,) = [b for b in nf.blocks if b.type == "opsnn.results"]
        tree = nblk.metadata.sections["metadata"]
        assert tree.props["seed"].values == (42,)
        assert tree.props["model"].values == ("balanced",)
        params = tree.sections["params"]
        assert params.props["tau_m_ms"].values == (20.0,)
        assert params.props["plastic"].values == (False,)
        assert params.sections["input"].props["ids"].values == (1, 2, 3)
        assert params.props["note"].definition == "json" and params.props["note"].values == ("null",)
        assert tree.sections["provenance"].props["nest"].values == ("3.10.0",)
        assert tree.props["a_b"].values == (1.5,)  # "/" is not allowed in NIX names
    finally:
        nf.close()


def test_block_annotation_is_used_when_no_metadata_is_given(tmp_path, small_block):
    small_block.annotations["opsnn_metadata"] = {"seed": 7}
    try:
        path = write_block(small_block, tmp_path / "r.nix")
    finally:
        del small_block.annotations["opsnn_metadata"]
    assert read_metadata(path) == {"seed": 7}


@pytest.mark.parametrize(
    ("meta", "match"),
    [
        ({"x": object()}, r"metadata values must be .*, but metadata\['x'\] has type object"),
        ({"p": {"tau": {1, 2}}}, r"metadata\['p'\]\['tau'\] has type set"),
        ({"p": {3: 1}}, r"metadata keys must be str, but metadata\['p'\] has key 3 of type int"),
        (["seed", 1], r"metadata must be a mapping .* but got list"),
    ],
)
def test_bad_metadata_is_a_config_error(tmp_path, small_block, meta, match):
    with pytest.raises(ConfigError, match=match):
        write_block(small_block, tmp_path / "r.nix", metadata=meta)
    assert not (tmp_path / "r.nix").exists()
