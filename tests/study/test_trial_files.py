"""Each trial's files in the artifact store, `opsnn fetch`, and how `opsnn study show/best` mark
feasibility, the network state and the artifacts (real NEST, real SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os

import pytest

from opsnn_opt.cli import main
from opsnn_opt.io import read_block
from tests.study.trials_fixture import sqlite_only

pytestmark = pytest.mark.slow
PNG = b"\x89PNG\r\n\x1a\n"


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_trial_uploads_its_results_file_and_figures(finished):
    trials = finished.study().trials
    assert [t.state.name for t in trials] == ["COMPLETE"] * 3
    for t in trials:
        assert set(t.user_attrs["artifacts"]) == {"results.nix", "raster.png", "rate.png"}
        assert "artifact_errors" not in t.user_attrs
        assert 0 < t.user_attrs["artifacts_s"] < 60
    failed = finished.study("fails").trials[0]
    assert failed.state.name == "FAIL" and "refusing strong excitation" in failed.user_attrs["fail_reason"]
    assert set(failed.user_attrs["artifacts"]) == {"results.nix", "raster.png", "rate.png"}
    pruned = finished.study("pruned").trials[0]
    assert pruned.state.name == "PRUNED" and "outside [-inf, 75] at 100 ms" in pruned.user_attrs["pruned_reason"]
    assert set(pruned.user_attrs["artifacts"]) == {"raster.png", "rate.png"}  # drawn from the spikes so far
    sheet = finished.study("sheet").trials[0]
    assert set(sheet.user_attrs["artifacts"]) == {
        "results.nix",
        "raster.png",
        "rate.png",
        "wave-frames.png",
        "latency.png",
    }


def test_the_artifact_store_is_beside_sqlite_or_where_the_variable_says(finished):
    ids = finished.study().trials[0].user_attrs["artifacts"].values()
    if "OPSNN_ARTIFACT_STORE" in finished.env:
        folder = finished.folder / "shared-artifacts"
    else:
        folder = finished.folder / "store" / "artifact-store"
    assert all((folder / i).is_file() for i in ids)


def test_fetch_downloads_a_trials_files(finished, capsys, tmp_path, monkeypatch):
    finished.use_env(monkeypatch)
    number = finished.by_rate[300.0]
    trial = finished.study().trials[number]
    out = tmp_path / "got"
    code, stdout, err = run_cli(capsys, "fetch", "grid", str(number), "--out", str(out), "--storage", finished.url)
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["raster.png", "rate.png", "results.nix"]
    assert stdout.count("wrote ") == 3
    assert (out / "raster.png").read_bytes().startswith(PNG)
    got, stored = read_block(out / "results.nix"), read_block(trial.user_attrs["results_path"])
    assert [len(s) for s in got.segments[0].spiketrains] == [len(s) for s in stored.segments[0].spiketrains]
    assert sum(len(s) for s in got.segments[0].spiketrains) > 0


@sqlite_only
def test_fetch_errors_name_the_argument(finished, capsys, tmp_path, monkeypatch):
    finished.use_env(monkeypatch)
    code, _, err = run_cli(capsys, "fetch", "grid", "7", "--storage", finished.url)
    assert code == 2 and "TRIAL must be a trial number in [0, 2] of study 'grid'; got 7" in err
    code, _, err = run_cli(capsys, "fetch", "grid", "-1", "--storage", finished.url)
    assert code == 2 and "argument trial: must be a whole number >= 0; got '-1'" in err
    empty = tmp_path / "empty-store"
    code, _, err = run_cli(
        capsys,
        "fetch",
        "grid",
        "0",
        "--artifact-store",
        str(empty),
        "--out",
        str(tmp_path / "x"),
        "--storage",
        finished.url,
    )
    assert code == 1 and "is not in the artifact store" in err and str(empty) in err
    assert not list((tmp_path / "x").glob("*"))  # nothing half-written
    code, _, err = run_cli(capsys, "fetch", "grid", "0", "--artifact-store", "gs://bucket", "--storage", finished.url)
    assert code == 2
    assert "--artifact-store/OPSNN_ARTIFACT_STORE must be a folder or s3://BUCKET[/PREFIX]; got 'gs://bucket'" in err
    assert os.environ.get("OPSNN_ARTIFACT_STORE") == finished.env.get("OPSNN_ARTIFACT_STORE")  # only while it ran


def test_study_show_marks_feasibility_state_and_artifacts(finished, capsys):
    code, out, err = run_cli(capsys, "study", "show", "grid", "--json", "--storage", finished.url)
    assert code == 0, err
    rows = {r["input_rate_hz"]: r for r in json.loads(out)}
    silent, moderate, strong = rows[0.0], rows[300.0], rows[3000.0]
    assert moderate["feasible"] is True and moderate["note"] == ""
    assert silent["feasible"] is False and silent["network_state"] == "quiescent"
    assert silent["note"] == "violates rate_hz.exc in [0.5, 50] (rate_hz.exc = 0)"
    assert strong["feasible"] is False and strong["rate_hz.exc"] > 50
    assert strong["note"].startswith("violates rate_hz.exc in [0.5, 50] (rate_hz.exc = ")
    assert set(moderate["artifacts"]) == {"results.nix", "raster.png", "rate.png"}

    code, out, _ = run_cli(capsys, "study", "show", "grid", "--storage", finished.url)
    header, *lines, footer = out.splitlines()
    assert footer == "artifact ids: opsnn study show grid --json; files: opsnn fetch grid TRIAL"
    assert header.split()[-5:] == ["sim_s", "network_state", "feasible", "artifacts", "note"]
    assert sum("NO" in line.split() for line in lines) == 2 and "3 files" in lines[0]

    code, out, _ = run_cli(capsys, "study", "best", "grid", "--storage", finished.url)
    assert f"best trial {finished.by_rate[300.0]}:" in out
    for name, artifact_id in moderate["artifacts"].items():
        assert f"artifact {name}: {artifact_id}" in out
    assert f"download: opsnn fetch grid {finished.by_rate[300.0]}" in out


def test_undefined_metrics_are_left_out_and_listed(finished):
    silent = finished.study().trials[finished.by_rate[0.0]]
    assert "cv_isi.exc" not in silent.user_attrs and "synchrony.exc" not in silent.user_attrs
    assert {"cv_isi.exc", "synchrony.exc"} <= set(silent.user_attrs["undefined_metrics"].split(", "))
    assert silent.user_attrs["rate_hz.exc"] == 0.0
    assert silent.user_attrs["state"] == 0 and silent.user_attrs["network_state"] == "quiescent"
    assert finished.study().trials[finished.by_rate[300.0]].user_attrs["network_state"] in ("AI", "SI", "SR")
