"""`opsnn dashboard`: what optuna-dashboard 0.21 serves about our studies, read through its own
JSON API, and a trial's page in real headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile

import pytest

from opsnn_opt.study.spec._describe import metric_names
from opsnn_opt.study.spec._objective import ObjectiveSpec
from tests.study.trials_fixture import sqlite_only

pytestmark = pytest.mark.slow
PNG = b"\x89PNG\r\n\x1a\n"


def study_detail(board, name: str = "grid") -> tuple[int, dict]:
    studies = json.loads(board.get("/api/studies"))["study_summaries"]
    study_id = next(s["study_id"] for s in studies if s["study_name"] == name)
    return study_id, json.loads(board.get(f"/api/studies/{study_id}?after=0"))


def by_rate(detail: dict) -> dict[float, dict]:
    return {float(t["params"][0]["param_external_value"]): t for t in detail["trials"]}


def test_constraints_reach_the_dashboard(dashboard, finished):
    _, detail = study_detail(dashboard)
    trials = by_rate(detail)
    assert trials[0.0]["constraints"] == [0.5]  # silent: 0.5 Hz below the minimum
    assert trials[300.0]["constraints"] == [0.0]
    assert trials[3000.0]["constraints"][0] > 0
    # The best trial is the feasible one, as Optuna's study.best_trial says (opsnn dashboard makes
    # the dashboard's storage skip infeasible trials: the cheaper silent trial is infeasible).
    assert finished.study().best_trial.number == finished.by_rate[300.0]
    assert by_rate(detail)[0.0]["values"][0] < by_rate(detail)[300.0]["values"][0]
    assert [t["number"] for t in detail["best_trials"]] == [finished.by_rate[300.0]]


def test_metric_names_note_and_state_label_reach_the_dashboard(dashboard, finished):
    _, detail = study_detail(dashboard)
    objective = ObjectiveSpec.from_dict(finished.study().user_attrs["opsnn.objective"], "stored", None)
    assert detail["objective_names"] == metric_names(objective)
    assert detail["objective_names"] == ["cost (|rate_hz.exc - 5|/5 + |cv_isi.exc - 1|/0.25)"]
    note = detail["note"]["body"]
    assert note.startswith("## Model `balanced` on nest")
    assert "| `input_rate_hz` | Hz | one of 0, 300, 3000 |" in note
    assert "- `rate_hz.exc` in [0.5, 50]" in note
    attrs = {a["key"]: a["value"] for a in by_rate(detail)[0.0]["user_attrs"]}
    assert attrs["network_state"] == "quiescent" and attrs["state"] == "0.0"
    # Undefined metrics are left out, so one silent trial does not make the column unsortable.
    sortable = {a["key"]: a["sortable"] for a in detail["union_user_attrs"]}
    assert sortable["cv_isi.exc"] and sortable["synchrony.exc"] and sortable["rate_hz.exc"]
    _, sheet = study_detail(dashboard, "sheet")
    assert sheet["objective_names"] == ["min rate_hz.exc"]


def test_artifacts_are_listed_and_served(dashboard, finished):
    study_id, detail = study_detail(dashboard)
    for trial in detail["trials"]:
        listed = {a["filename"]: a for a in trial["artifacts"]}
        stored = finished.study().trials[trial["number"]].user_attrs["artifacts"]
        assert {name: a["artifact_id"] for name, a in listed.items()} == stored
        assert listed["raster.png"]["mimetype"] == "image/png"
        png = dashboard.get(f"/artifacts/{study_id}/{trial['trial_id']}/{stored['raster.png']}")
        assert png.startswith(PNG)


@sqlite_only
def test_the_dashboard_listens_on_127_0_0_1_only(dashboard):
    import socket

    port = int(dashboard.base.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError):  # another loopback address: not bound
        socket.create_connection(("127.0.1.1", port), timeout=5).close()
    assert f"open http://127.0.0.1:{port}/dashboard/" in dashboard.log.read_text()


@sqlite_only
def test_a_port_in_use_is_one_line(dashboard, finished, capsys, monkeypatch):
    from opsnn_opt.cli import main

    finished.use_env(monkeypatch)
    port = dashboard.base.rsplit(":", 1)[1]
    assert main(["dashboard", "--port", port, "--storage", finished.url]) == 2
    assert f"--host/--port: cannot listen on 127.0.0.1:{port}: Address already in use" in capsys.readouterr().err


# --- a real browser -------------------------------------------------------------------------

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, installed here when missing; skipped with the reason where it cannot be."""
    path = shutil.which("chromium")
    if path is None and shutil.which("apt-get") and os.geteuid() == 0:
        try:
            done = subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True, text=True, timeout=900)
            said = done.stderr.strip()[-300:]
        except subprocess.TimeoutExpired:
            said = "nothing within 15 minutes"
        path = shutil.which("chromium")
        if path is None:
            pytest.skip(f"chromium could not be installed: apt-get install -y chromium said {said!r}")
    if path is None:
        pytest.skip("chromium is not installed and apt-get cannot install it here (not root, or no apt-get)")
    return path


def render(chromium: str, url: str) -> str:
    """The page's DOM after its scripts ran (virtual time waits for the API requests)."""
    with tempfile.TemporaryDirectory(prefix="opsnn-chromium-") as profile:
        done = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=30000", "--dump-dom", url],
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@sqlite_only
def test_a_trials_page_shows_its_raster_and_the_metric_names(chromium, dashboard, finished):
    study_id, detail = study_detail(dashboard)
    number = finished.by_rate[300.0]
    trial = finished.study().trials[number]
    page = render(chromium, f"{dashboard.base}/dashboard/studies/{study_id}/trials?numbers={number}")
    raster = (
        f'alt="raster.png" src="/artifacts/{study_id}/{trial._trial_id}/{trial.user_attrs["artifacts"]["raster.png"]}"'
    )
    assert raster in page
    assert 'alt="rate.png"' in page
    assert f"rate_hz.exc {trial.user_attrs['rate_hz.exc']}" in page  # the metrics, as user attributes
    assert "network_state" in page
    overview = render(chromium, f"{dashboard.base}/dashboard/studies/{study_id}")
    assert detail["objective_names"][0] in overview  # the history plot's axis and objective selector
