"""Every bad file or argument gets one clear error: ResultsFileError or ConfigError."""

from __future__ import annotations

import pickle
import re

import h5py
import neo
import nixio
import numpy as np
import pytest

from opsnn_opt.errors import ConfigError, OpsnnError, ResultsFileError
from opsnn_opt.io import FORMAT_VERSION, read_block, read_metadata, synthetic_block, write_block

READERS = [read_block, read_metadata]


@pytest.fixture(scope="module")
def block():
    return synthetic_block(n_cells=10, simtime_ms=50.0, n_v=1)


@pytest.fixture
def nix_file(tmp_path, block):
    return write_block(block, tmp_path / "results.nix", metadata={"seed": 1})


def _set_version(path, version: int) -> None:
    nf = nixio.File.open(str(path), nixio.FileMode.ReadWrite)
    try:
        (nblk,) = nf.blocks
        nblk.metadata.props["opsnn_format_version"].values = [version]
    finally:
        nf.close()


@pytest.mark.parametrize("reader", READERS)
def test_a_newer_format_version_is_refused(nix_file, reader):
    _set_version(nix_file, FORMAT_VERSION + 2)
    msg = f"written by a newer opsnn_opt: format version {FORMAT_VERSION + 2} > supported {FORMAT_VERSION}"
    with pytest.raises(ResultsFileError, match=re.escape(msg)):
        reader(nix_file)


def test_the_current_version_is_accepted(nix_file):
    _set_version(nix_file, FORMAT_VERSION)
    assert read_metadata(nix_file) == {"seed": 1}


@pytest.mark.parametrize("reader", READERS)
def test_a_truncated_nix_file_is_refused_naming_the_path(nix_file, reader):
    data = nix_file.read_bytes()
    nix_file.write_bytes(data[: len(data) // 2])
    with pytest.raises(ResultsFileError, match=re.escape(repr(str(nix_file))) + ".*truncated or corrupt"):
        reader(nix_file)


def test_a_truncated_pickle_is_refused(tmp_path, block):
    path = write_block(block, tmp_path / "r.pkl", format="pickle")
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ResultsFileError, match="truncated or corrupt pickle"):
        read_block(path, allow_pickle=True)


@pytest.mark.parametrize("reader", READERS)
def test_a_plain_hdf5_file_is_not_ours(tmp_path, reader):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as fh:
        fh["x"] = np.arange(3)
    with pytest.raises(ResultsFileError, match="is an HDF5 file but not a NIX file"):
        reader(path)


@pytest.mark.parametrize("reader", READERS)
def test_a_foreign_nix_file_is_not_ours(tmp_path, reader):
    path = tmp_path / "foreign.nix"
    nf = nixio.File.open(str(path), nixio.FileMode.Overwrite)
    nf.create_block("recording", "some.other.tool")
    nf.close()
    msg = r"neither an opsnn_opt results file .* block types are \['some\.other\.tool'\]"
    with pytest.raises(ResultsFileError, match=msg):
        reader(path)


@pytest.mark.parametrize("reader", READERS)
def test_a_text_file_is_not_a_results_file(tmp_path, reader):
    path = tmp_path / "notes.nix"
    path.write_text("spike times, probably\n")
    with pytest.raises(ResultsFileError, match=r"is not a results file: it is neither HDF5/NIX nor a pickle"):
        reader(path)


@pytest.mark.parametrize("reader", READERS)
def test_missing_empty_and_directory(tmp_path, reader):
    with pytest.raises(ResultsFileError, match=r"results file '.*nope.nix' does not exist"):
        reader(tmp_path / "nope.nix")
    (tmp_path / "empty.nix").write_bytes(b"")
    with pytest.raises(ResultsFileError, match="is empty"):
        reader(tmp_path / "empty.nix")
    with pytest.raises(ResultsFileError, match="is not a regular file"):
        reader(tmp_path)


@pytest.mark.parametrize("reader", READERS)
def test_pickles_need_an_explicit_opt_in(tmp_path, block, reader):
    path = write_block(block, tmp_path / "r.pkl", format="pickle", metadata={"seed": 3})
    with pytest.raises(ResultsFileError, match=r"unpickling runs arbitrary code .* allow_pickle=True"):
        reader(path)
    assert read_metadata(path, allow_pickle=True) == {"seed": 3}
    assert len(read_block(path, allow_pickle=True).segments[0].spiketrains) == 10


def test_a_pickle_of_something_else_is_refused(tmp_path):
    path = tmp_path / "r.pkl"
    path.write_bytes(pickle.dumps({"not": "a block"}))
    with pytest.raises(ResultsFileError, match=r"holds a pickled dict, not a neo\.Block"):
        read_block(path, allow_pickle=True)


def test_an_unknown_format_lists_the_valid_ones(tmp_path, block):
    with pytest.raises(ConfigError, match=r"format must be one of 'nix', 'neo-nix', 'pickle', but got 'hdf5'"):
        write_block(block, tmp_path / "r", format="hdf5")


def test_only_neo_blocks_are_written(tmp_path):
    with pytest.raises(ConfigError, match=r"block must be a neo\.Block, but got Segment"):
        write_block(neo.Segment(), tmp_path / "r")


def test_content_the_compact_format_cannot_hold_is_refused(tmp_path, block):
    seg = neo.Segment()
    seg.events.append(neo.Event([1.0], units="ms"))
    other = neo.Block()
    other.segments.append(seg)
    with pytest.raises(ResultsFileError, match="has events, which the compact 'nix' format does not store"):
        write_block(other, tmp_path / "r.nix")
    write_block(other, tmp_path / "r.pkl", format="pickle")  # the other formats can


def test_annotations_of_unknown_types_are_refused(tmp_path):
    block = neo.Block()
    block.annotations["handle"] = object()  # neo.Block(handle=...) would refuse it already
    with pytest.raises(ResultsFileError, match=r"annotation block annotations\['handle'\] has type object"):
        write_block(block, tmp_path / "r.nix")


def test_neo_nix_refuses_none_annotations_clearly(tmp_path):
    block = synthetic_block(n_cells=2, simtime_ms=5.0, n_v=0)
    block.annotations["maybe"] = None
    with pytest.raises(ResultsFileError, match="neo's NixIO cannot write this block"):
        write_block(block, tmp_path / "r", format="neo-nix")
    write_block(block, tmp_path / "r", format="nix")


def test_errors_belong_to_the_hierarchy():
    assert issubclass(ResultsFileError, OpsnnError) and issubclass(ResultsFileError, OSError)
    assert issubclass(ConfigError, OpsnnError)
