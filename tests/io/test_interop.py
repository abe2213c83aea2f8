"""The compact layout is plain NIX: nixio alone finds the spikes, and both write paths agree."""

from __future__ import annotations

import warnings

import nixio
import numpy as np
import pytest
from neo.io import NixIO

from opsnn_opt.io import _nixfast, read_block, read_metadata, synthetic_block, write_block

from ._compare import assert_blocks_equal

METADATA = {
    "seed": 3,
    "flag": True,
    "rate_hz": 2.5,
    "name": "x",
    "none": None,
    "ids": [1, 2],
    "flags": [True, False],
    "huge": 2**70,
    "mixed": [1, "a"],
    "params": {"a/b": 1.0, "deep": {"x": "y"}},
    "empty": {},
}


@pytest.fixture(scope="module")
def block():
    return synthetic_block(n_cells=40, simtime_ms=100.0, n_v=2)


def _describe_section(sec):
    props = {p.name: (p.values, p.definition, p.data_type) for p in sec.props if p.name != "opsnn_manifest"}
    return sec.name, sec.type, props, [_describe_section(sub) for sub in sec.sections]


def _describe(path):
    """Everything nixio sees: DataArrays (type, unit, label, shape, dtype, dimensions), metadata."""
    nf = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    try:
        (nblk,) = nf.blocks
        out = {}
        for da in nblk.data_arrays:
            dims = [
                (
                    d.dimension_type.value,
                    tuple(getattr(d, "labels", None) or ()),
                    getattr(d, "sampling_interval", None),
                    getattr(d, "offset", None),
                )
                for d in da.dimensions
            ]
            out[da.name] = (da.type, da.unit, da.label, da.shape, da.dtype, dims)
        out["metadata"] = _describe_section(nblk.metadata)
        return out
    finally:
        nf.close()


def test_plain_nixio_finds_the_spike_times_and_senders(tmp_path, block):
    path = write_block(block, tmp_path / "r.nix")
    trains = block.segments[0].spiketrains
    nf = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    try:
        (nblk,) = [b for b in nf.blocks if b.type == "opsnn.results"]
        times = {da.name: da for da in nblk.data_arrays if da.type == "opsnn.spike_times"}
        assert set(times) == {"seg0.exc.spike_times", "seg0.inh.spike_times"}
        exc = times["seg0.exc.spike_times"]
        assert exc.unit == "ms"
        expected = np.concatenate([st.magnitude for st in trains[:32]])
        np.testing.assert_array_equal(exc[:], expected)
        senders = nblk.data_arrays["seg0.exc.senders"][:]
        np.testing.assert_array_equal(
            np.unique(senders), sorted({st.annotations["source_id"] for st in trains[:32] if st.size})
        )
        table = nblk.data_arrays["seg0.exc.int_table"]
        assert table.dimensions[1].labels[:3] == ("count", "order", "source_id")
        assert table[:, 0].sum() == expected.size
        (sig,) = [da for da in nblk.data_arrays if da.type == "opsnn.analogsignal"]
        assert sig.unit == "mV" and sig.shape == (1000, 2)
        assert sig.dimensions[0].sampling_interval == pytest.approx(0.1) and sig.dimensions[0].unit == "ms"
        assert nblk.metadata.props["opsnn_format_version"].values == (1,)
    finally:
        nf.close()


def test_the_nixio_fallback_writes_the_same_layout(tmp_path, monkeypatch, block):
    fast = write_block(block, tmp_path / "fast.nix", metadata=METADATA)
    monkeypatch.setattr(_nixfast, "MIRRORED_VERSION", (0, 0, 0))  # as if nixio wrote another version
    slow = write_block(block, tmp_path / "slow.nix", metadata=METADATA)
    assert _describe(fast) == _describe(slow)
    assert_blocks_equal(read_block(fast), read_block(slow))
    assert read_metadata(fast) == read_metadata(slow) == METADATA


def test_a_file_written_by_neo_directly_is_read(tmp_path, block):
    path = tmp_path / "neo.nix"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with NixIO(str(path), mode="ow") as io:
            io.write_block(synthetic_block(n_cells=4, simtime_ms=10.0, n_v=0))
    back = read_block(path)
    assert len(back.segments[0].spiketrains) == 4
    assert back.annotations["opsnn_metadata"] == {} and read_metadata(path) == {}
