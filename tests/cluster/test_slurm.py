"""`opsnn slurm` against a real single-node SLURM (slurm-wlm and munge on 127.0.0.1)."""

from __future__ import annotations

import os
import subprocess
import time

import optuna
import pytest

from opsnn_opt.cli import main
from opsnn_opt.store import Store
from opsnn_opt.study import open_study
from tests.cluster.slurm_local import ensure_slurm
from tests.study.faults import wait_for, write_specs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def slurm() -> None:
    reason = ensure_slurm()
    if reason:
        pytest.skip(f"no single-node SLURM here: {reason}")


def test_the_script_sets_the_array_the_signal_and_no_password(workdir, capsys, monkeypatch):
    monkeypatch.setenv("OPSNN_STORAGE", "postgresql://u:secretpw@db/opsnn")
    assert main(["slurm", "s1", "--workers", "4", "--time", "2:00:00", "--threads", "2", "--out", "s1.sbatch"]) == 0
    text = (workdir / "s1.sbatch").read_text()
    for line in (
        "#SBATCH --array=0-3",
        "#SBATCH --cpus-per-task=2",
        "#SBATCH --time=2:00:00",
        "#SBATCH --signal=B:TERM@120",
    ):
        assert line in text.splitlines()
    assert text.splitlines()[-1].endswith("-m opsnn_opt worker s1") and "secretpw" not in text
    assert os.access(workdir / "s1.sbatch", os.X_OK)
    assert main(["slurm", "s1", "--workers", "2", "--time", "soon"]) == 2
    assert "--time must be a SLURM time such as 30, 2:00:00 or 1-12:00:00; got 'soon'" in capsys.readouterr().err


def test_an_array_job_finishes_the_study_and_scancel_requeues_a_trial(slurm, workdir, monkeypatch, capsys):
    url = f"sqlite:///{workdir / 'store' / 'opsnn.sqlite3'}"
    monkeypatch.setenv("OPSNN_STORAGE", url)
    space, objective = write_specs(workdir, sleep_s=8.0, only_sleep=True)
    create = ["study", "create", "sl", "--space", str(space), "--objective", str(objective), "--max-trials", "5"]
    assert main([*create, "--sampler", "random"]) == 0
    opened = open_study("sl", Store())
    for _ in range(2):
        opened.study.enqueue_trial({"build_sleep_s": 8.0})
    assert main(["slurm", "sl", "--workers", "2", "--time", "15:00", "--out", "sl.sbatch"]) == 0
    job = subprocess.run(["sbatch", "--parsable", "sl.sbatch"], capture_output=True, text=True, check=True)
    job_id = job.stdout.strip().split(";")[0]
    try:
        running = lambda: [r for r in Store().runs("sl") if r.state == "RUNNING"]  # noqa: E731
        wait_for(lambda: len(running()) == 2, 180, "both array tasks running a trial")
        time.sleep(1.0)
        subprocess.run(["scancel", f"{job_id}_0"], check=True)
        wait_for(
            lambda: not subprocess.run(["squeue", "-h", "-j", job_id], capture_output=True, text=True).stdout.strip(),
            300,
            "the job to end",
        )
    finally:
        subprocess.run(["scancel", job_id])
    trials = optuna.load_study(study_name="sl", storage=url).trials
    stopped = [t for t in trials if t.state.name == "FAIL"]
    assert [t.user_attrs["fail_reason"] for t in stopped] == ["worker stopped by SIGTERM"], [
        (t.number, t.state.name, t.user_attrs.get("fail_reason")) for t in trials
    ]
    again = [t for t in trials if t.user_attrs.get("requeued_from") == stopped[0].number]
    assert [t.state.name for t in again] == ["COMPLETE"] and again[0].params == stopped[0].params
    assert sorted(t.state.name for t in trials) == ["COMPLETE"] * 5 + ["FAIL"]
    assert main(["study", "check", "sl", "--dry-run"]) == 0
    logs = list((workdir / "slurm-logs").glob(f"opsnn-sl-{job_id}_0.log"))
    assert logs and "worker stopped by SIGTERM" in logs[0].read_text()
