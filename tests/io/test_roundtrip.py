"""Conformance: every format gives back the block it was given (the Optuna-storage pattern)."""

from __future__ import annotations

import re

import neo
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsnn_opt.io import (
    FORMATS,
    detect_format,
    read_block,
    read_recording,
    recording_from_block,
    synthetic_block,
    write_block,
)

from ._compare import assert_blocks_equal, assert_recordings_equal
from ._strategies import blocks

# neo's NixIO turns None names into "", arrays into lists, and rec_datetime into the file's
# creation time; it cannot write None annotations at all, so it gets plainer blocks.
COMPARE = {
    "nix": {},
    "pickle": {},
    "neo-nix": {"check_rec_datetime": False, "none_is_empty": True, "loose_types": True},
}
EXAMPLES = {"nix": 40, "pickle": 25, "neo-nix": 12}


def _round_trip(block: neo.Block, path, fmt: str) -> neo.Block:
    write_block(block, path, format=fmt)
    return read_block(path, allow_pickle=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_random_blocks_survive_the_round_trip(fmt, tmp_path):
    @settings(max_examples=EXAMPLES[fmt], deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(block=blocks(rich=fmt != "neo-nix"))
    def check(block):
        back = _round_trip(block, tmp_path / "results.bin", fmt)
        assert_blocks_equal(block, back, ignore_annotations=("opsnn_metadata",), **COMPARE[fmt])
        assert back.annotations["opsnn_metadata"] == {}

    check()


def test_a_compact_file_reads_flat_as_its_block_converts(tmp_path):
    """``read_recording`` reads a compact file's arrays without neo trains: the same Recording."""

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(block=blocks(rich=True))
    def check(block):
        write_block(block, tmp_path / "results.nix", format="nix")
        try:
            converted = recording_from_block(read_block(tmp_path / "results.nix"))
        except ValueError as exc:  # e.g. positions that do not fit: the flat read says the same
            with pytest.raises(ValueError, match=re.escape(str(exc))):
                read_recording(tmp_path / "results.nix")
            return
        assert_recordings_equal(read_recording(tmp_path / "results.nix"), converted)

    check()
    block = synthetic_block(n_cells=50, simtime_ms=100.0)
    block.annotations["positions_mm"] = {"exc": np.ones((40, 3)), "inh": np.zeros((10, 3))}
    write_block(block, tmp_path / "pynn.nix", format="nix")
    flat = read_recording(tmp_path / "pynn.nix")
    assert flat.populations["exc"].v_mv is not None and flat.populations["inh"].positions_mm is not None
    assert_recordings_equal(flat, recording_from_block(read_block(tmp_path / "pynn.nix")))


@pytest.mark.parametrize("fmt", FORMATS)
def test_pynn_like_block_survives_the_round_trip(fmt, tmp_path):
    block = synthetic_block(n_cells=1000 if fmt != "neo-nix" else 30, simtime_ms=200.0)
    back = _round_trip(block, tmp_path / "results", fmt)
    assert_blocks_equal(block, back, ignore_annotations=("opsnn_metadata",), **COMPARE[fmt])
    assert detect_format(tmp_path / "results") == fmt


def test_nix_gives_times_in_ms_and_keeps_interleaved_order(tmp_path):
    seg = neo.Segment(name="run")
    for i, pop in enumerate(["inh", "exc", None, "exc", "inh"]):
        ann = {"source_population": pop} if pop else {}
        seg.spiketrains.append(neo.SpikeTrain([0.001 * (i + 1)], t_stop=1.0, units="s", source_id=10 + i, **ann))
    block = neo.Block()
    block.segments.append(seg)
    back = _round_trip(block, tmp_path / "r.nix", "nix").segments[0].spiketrains
    assert [st.annotations["source_id"] for st in back] == [10, 11, 12, 13, 14]
    assert all(str(st.units.dimensionality) == "ms" for st in back)
    np.testing.assert_allclose([float(st[0]) for st in back], [1.0, 2.0, 3.0, 4.0, 5.0])
    assert [float(st.t_stop) for st in back] == [1000.0] * 5


def test_a_single_neuron_and_an_empty_segment(tmp_path):
    block = neo.Block(name="one")
    block.segments.append(neo.Segment(name="empty"))
    seg = neo.Segment(name="one cell")
    seg.spiketrains.append(neo.SpikeTrain([], t_stop=5.0, units="ms", source_population="exc", source_id=1))
    block.segments.append(seg)
    for fmt in FORMATS:
        back = _round_trip(block, tmp_path / f"r.{fmt}", fmt)
        assert_blocks_equal(block, back, ignore_annotations=("opsnn_metadata",), **COMPARE[fmt])


@pytest.mark.parametrize("fmt", FORMATS)
def test_positions_survive(fmt, tmp_path):
    block = synthetic_block(n_cells=10, simtime_ms=20.0, n_v=0)
    rng = np.random.default_rng(1)
    block.annotations["positions_mm"] = {"exc": rng.uniform(size=(8, 3)), "inh": rng.uniform(size=(2, 3))}
    back = _round_trip(block, tmp_path / "r", fmt)
    assert set(back.annotations["positions_mm"]) == {"exc", "inh"}
    for pop, xyz in block.annotations["positions_mm"].items():
        np.testing.assert_array_equal(back.annotations["positions_mm"][pop], xyz)


@pytest.mark.parametrize("fmt", FORMATS)
def test_writing_does_not_change_the_block(fmt, tmp_path):
    block = synthetic_block(n_cells=6, simtime_ms=20.0)
    before = {k: v for k, v in block.annotations.items()}
    train_before = dict(block.segments[0].spiketrains[0].annotations)
    write_block(block, tmp_path / "r", format=fmt, metadata={"seed": 1})
    assert block.annotations == before
    assert block.segments[0].spiketrains[0].annotations == train_before


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_synthetic_blocks_are_pynn_like_and_seeded(seed):
    a, b = synthetic_block(n_cells=50, simtime_ms=100.0, seed=seed), synthetic_block(50, 100.0, seed=seed)
    trains = a.segments[0].spiketrains
    assert [t.annotations["source_population"] for t in trains] == ["exc"] * 40 + ["inh"] * 10
    assert [t.annotations["source_id"] for t in trains] == list(range(1, 51))
    assert_blocks_equal(a, b)
    (v,) = a.segments[0].analogsignals
    assert v.shape == (1000, 2) and str(v.units.dimensionality) == "mV"
