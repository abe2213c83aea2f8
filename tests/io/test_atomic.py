"""Writes are atomic: a failed write leaves the old file as it was and no temporary file."""

from __future__ import annotations

import os

import pytest

from opsnn_opt.errors import ResultsFileError
from opsnn_opt.io import FORMATS, _api, _compact_nix, read_block, read_metadata, synthetic_block, write_block

from ._compare import assert_blocks_equal


@pytest.fixture(scope="module")
def old_block():
    return synthetic_block(n_cells=5, simtime_ms=20.0, n_v=1, seed=1)


@pytest.fixture(scope="module")
def new_block():
    return synthetic_block(n_cells=7, simtime_ms=20.0, n_v=1, seed=2)


def _listing(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_write_failing_midway_leaves_the_old_file(tmp_path, monkeypatch, old_block, new_block):
    path = write_block(old_block, tmp_path / "results.nix", metadata={"version": "old"})
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    # Spike trains are already in the temporary file when the first signal is written.
    monkeypatch.setattr(_compact_nix, "_write_signal", boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_block(new_block, path, metadata={"version": "new"})
    assert _listing(tmp_path) == ["results.nix"]
    assert path.read_bytes() == before
    assert read_metadata(path) == {"version": "old"}
    assert_blocks_equal(old_block, read_block(path), ignore_annotations=("opsnn_metadata",))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_writer_failing_after_writing_leaves_no_temporary_file(tmp_path, monkeypatch, old_block, new_block, fmt):
    path = write_block(old_block, tmp_path / "results", format=fmt)
    before = path.read_bytes()
    real = _api._WRITERS[fmt]
    seen = []

    def write_then_fail(block, tmp, meta):
        real(block, tmp, meta)
        seen.append(tmp)
        assert tmp.parent == path.parent and tmp.exists()  # same folder: os.replace is atomic
        raise OSError("no space left on device")

    monkeypatch.setitem(_api._WRITERS, fmt, write_then_fail)
    with pytest.raises(ResultsFileError, match=r"cannot write results file '.*results': no space left"):
        write_block(new_block, path, format=fmt)
    assert seen and not seen[0].exists()
    assert _listing(tmp_path) == ["results"]
    assert path.read_bytes() == before


def test_parent_folders_are_created_and_no_temporary_file_remains(tmp_path, old_block):
    path = write_block(old_block, tmp_path / "a" / "b" / "results.nix")
    assert path == (tmp_path / "a" / "b" / "results.nix").absolute()
    assert _listing(path.parent) == ["results.nix"]


def test_the_file_gets_the_usual_permissions(tmp_path, old_block):
    umask = os.umask(0o022)
    os.umask(umask)
    path = write_block(old_block, tmp_path / "results.pkl", format="pickle")
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_any_file_is_replaced_whole_and_errors_name_what_it_is(tmp_path):
    from opsnn_opt.io import write_atomically

    path = tmp_path / "job.sbatch"
    path.write_text("old")
    assert write_atomically(path, lambda tmp: tmp.write_text("new"), what="script") == path.absolute()
    assert path.read_text() == "new" and _listing(tmp_path) == ["job.sbatch"]

    def fail(tmp):
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(ResultsFileError, match=r"cannot write script '.*job.sbatch': disk full"):
        write_atomically(path, fail, what="script")
    assert path.read_text() == "new" and _listing(tmp_path) == ["job.sbatch"]
