"""`opsnn rerun`: a stored trial run again from the store alone gives bitwise-identical spikes."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from opsnn_opt.cli import main
from opsnn_opt.io import read_block, spike_data_from_block
from opsnn_opt.study._rerun import RerunReport, compare_spikes
from tests.study.trials_fixture import sqlite_only

pytestmark = pytest.mark.slow


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def spikes(path):
    data = spike_data_from_block(read_block(path))
    return data.times_ms, data.senders


def test_rerun_gives_bitwise_identical_spikes(finished, capsys, tmp_path, monkeypatch):
    finished.use_env(monkeypatch)
    number = finished.by_rate[300.0]
    stored_path = finished.study().trials[number].user_attrs["results_path"]
    out = tmp_path / "again"
    code, stdout, err = run_cli(capsys, "rerun", "grid", str(number), "--out", str(out), "--storage", finished.url)
    assert code == 0, err
    assert stdout.splitlines()[-1] == "identical spikes"
    (t0, s0), (t1, s1) = spikes(stored_path), spikes(out / "results.nix")
    assert t0.size > 100
    assert t0.dtype == t1.dtype == np.float64 and t0.tobytes() == t1.tobytes()
    assert s0.dtype == s1.dtype and s0.tobytes() == s1.tobytes()


@sqlite_only
def test_rerun_on_a_host_without_the_file_downloads_it(finished, capsys, tmp_path, monkeypatch):
    finished.use_env(monkeypatch)
    number = finished.by_rate[3000.0]
    stored = finished.study().trials[number].user_attrs["results_path"]
    hidden = tmp_path / "hidden.nix"
    shutil.move(stored, hidden)
    try:
        code, stdout, err = run_cli(
            capsys, "rerun", "grid", str(number), "--json", "--out", str(tmp_path / "r"), "--storage", finished.url
        )
    finally:
        shutil.move(hidden, stored)
    assert code == 0, err
    report = json.loads(stdout)
    assert report["identical"] is True and report["stored_path"] == f"artifact results.nix of trial {number}"
    assert report["version_differences"] == {} and report["metric_differences"] == {}


@sqlite_only
def test_different_spikes_are_found_and_explained(finished, capsys):
    trials = finished.study().trials
    a, b = (trials[finished.by_rate[r]].user_attrs["results_path"] for r in (300.0, 3000.0))
    differences = compare_spikes(a, b)
    assert len(differences) == 2 and differences[0].startswith("exc: ") and "spikes stored" in differences[0]
    assert compare_spikes(a, a) == []
    report = RerunReport(
        "grid", 1, "new.nix", "old.nix", False, differences, {"nest": ("3.9.0", "3.10.0")}, {"rate_hz.exc": (5.0, None)}
    )
    lines = report.lines()
    assert lines[1] == "version nest: stored 3.9.0, now 3.10.0" and lines[2].startswith("spikes differ: exc: ")
    assert lines[3] == "metric rate_hz.exc: stored 5, now undefined"
    assert report.reproduced  # explained by a version change
    assert not RerunReport("grid", 1, "n", "o", False, differences).reproduced


@sqlite_only
def test_rerun_errors(finished, capsys):
    code, _, err = run_cli(capsys, "rerun", "grid", "9", "--storage", finished.url)
    assert code == 2 and "TRIAL must be a trial of study 'grid' with a stored run ([0, 2]); got 9" in err
    code, _, err = run_cli(capsys, "rerun", "nope", "0", "--storage", finished.url)
    assert code == 1 and "no study 'nope'" in err


@sqlite_only
def test_a_version_change_is_listed_beside_identical_spikes(finished, capsys, tmp_path, monkeypatch):
    from opsnn_opt.store import Store

    finished.use_env(monkeypatch)
    number = finished.by_rate[300.0]
    store = Store(finished.url)
    real = store.runs("grid")[number].nest_version
    store.record_run("grid", number, nest_version="3.9.0")
    try:
        code, stdout, err = run_cli(
            capsys, "rerun", "grid", str(number), "--out", str(tmp_path / "r"), "--storage", finished.url
        )
    finally:
        store.record_run("grid", number, nest_version=real)
        store.dispose()
    assert code == 0, err
    assert stdout.splitlines()[1:] == [f"version nest: stored 3.9.0, now {real}", "identical spikes"]
