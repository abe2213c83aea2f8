"""One small finished study per store backend, shared by the artifact, dashboard and rerun tests.

A grid over the drive of a 60-neuron balanced network: no drive (silent: undefined CVs, below the
rate constraint), a moderate drive (feasible) and a strong one (runaway: above the constraint);
a study whose objective fails (the results file exists); one whose runaway trial is pruned (no
results file); and one V1-sheet trial (spatial figures).
``tests/study/conftest.py`` makes them available to every study test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TINY_OBJECTIVE, TINY_SPACE, fresh_postgres_database

# The shared tiny network, with excitation fixed and only the drive free.
SPACE = TINY_SPACE.split("[params.g_exc_nS]")[0].replace("seed = 7", "g_exc_nS = 2.0\nseed = 7") + (
    "[params.input_rate_hz]\nchoices = [0.0, 300.0, 3000.0]\n"
)
OBJECTIVE = TINY_OBJECTIVE.replace("max = 1000.0", "min = 0.5\nmax = 50.0")

FAILING_SPACE = SPACE.replace("g_exc_nS = 2.0\n", "").replace(
    "[params.input_rate_hz]\nchoices = [0.0, 300.0, 3000.0]", "[params.g_exc_nS]\nchoices = [4.0]"
)
PRUNED_SPACE = SPACE.replace("[0.0, 300.0, 3000.0]", "[3000.0]")
PRUNED_OBJECTIVE = OBJECTIVE + '[[prune]]\nmetric = "rate_hz.all"\nmax = 75.0\nafter_ms = 100.0\n'
FAILING_OBJECTIVE = 'callable = "tests.study.custom_objectives:fails_for_strong_excitation"\n'

SPATIAL_SPACE = """
model = "v1_sheet"
backend = "nest"
simtime_ms = 60.0
chunk_ms = 30.0

[fixed]
side_mm = 1.5
n_side = 15
n_side_inh = 7
stimulus = "pulse"
stim_onset_ms = 10.0
seed = 7

[params.conduction_speed_mm_per_ms]
choices = [0.5]
"""
SPATIAL_OBJECTIVE = '[[metrics]]\nname = "rate_hz.exc"\ndirection = "minimize"\n'


@dataclass
class FinishedStudies:
    url: str
    folder: Path
    env: dict[str, str]
    #: trial number of each grid point, by input rate (Hz)
    by_rate: dict[float, int] = field(default_factory=dict)

    def use_env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Set the variables the studies were run with (results folder, artifact store)."""
        for key, value in self.env.items():
            monkeypatch.setenv(key, value)

    def study(self, name: str = "grid") -> Any:
        import optuna

        return optuna.load_study(study_name=name, storage=self.url)


def _run_study(name: str, space_text: str, objective_text: str, n_trials: int, folder: Path, url: str) -> None:
    from opsnn_opt.store import Store
    from opsnn_opt.study import Worker, create_study, load_objective, load_space, open_study

    (folder / f"{name}-space.toml").write_text(space_text)
    (folder / f"{name}-objective.toml").write_text(objective_text)
    space = load_space(folder / f"{name}-space.toml")
    objective = load_objective(folder / f"{name}-objective.toml", space.populations)
    store = Store(url)
    create_study(name, space, objective, sampler="grid", seed=1, store=store)
    Worker(open_study(name, store)).run(n_trials)
    store.dispose()


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def finished(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FinishedStudies]:
    """The studies, run once per store backend. On SQLite the artifact store is the default folder
    beside the file; on PostgreSQL it is named by OPSNN_ARTIFACT_STORE."""
    folder = tmp_path_factory.mktemp(f"finished-{request.param}")
    env = {"OPSNN_ARTIFACTS": str(folder / "results")}
    postgres = None
    try:
        # The variables hold while the studies run, not for the rest of the session: tests that
        # need them take them from ``FinishedStudies.env``.
        with pytest.MonkeyPatch.context() as mp:
            mp.delenv("OPSNN_STORAGE", raising=False)
            mp.delenv("OPSNN_ARTIFACT_STORE", raising=False)
            if request.param == "sqlite":
                url = f"sqlite:///{folder / 'store' / 'opsnn.sqlite3'}"
            else:
                postgres = fresh_postgres_database(request.getfixturevalue("postgres_admin_url"))
                url = postgres.__enter__()
                env["OPSNN_ARTIFACT_STORE"] = str(folder / "shared-artifacts")
            for key, value in env.items():
                mp.setenv(key, value)
            _run_study("grid", SPACE, OBJECTIVE, 3, folder, url)
            _run_study("fails", FAILING_SPACE, FAILING_OBJECTIVE, 1, folder, url)
            _run_study("pruned", PRUNED_SPACE, PRUNED_OBJECTIVE, 1, folder, url)
            _run_study("sheet", SPATIAL_SPACE, SPATIAL_OBJECTIVE, 1, folder, url)
        done = FinishedStudies(url, folder, env)
        done.by_rate = {t.params["input_rate_hz"]: t.number for t in done.study().trials}
        yield done
    finally:
        if postgres is not None:
            postgres.__exit__(None, None, None)


#: For tests whose subject does not depend on the database: run them on the SQLite store only.
sqlite_only = pytest.mark.parametrize("finished", ["sqlite"], indirect=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Dashboard:
    base: str
    process: subprocess.Popen
    log: Path

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.base + path, timeout=30) as response:
            return response.read()


@pytest.fixture(scope="session")
def dashboard(finished: FinishedStudies) -> Iterator[Dashboard]:
    """``opsnn dashboard`` on the finished studies, as a user starts it."""
    port = free_port()
    log = finished.folder / f"dashboard-{port}.log"
    env = {**os.environ, **finished.env, "OPSNN_STORAGE": finished.url}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "opsnn_opt", "dashboard", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=finished.folder,
        )
    board = Dashboard(f"http://127.0.0.1:{port}", proc, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                board.get("/api/studies")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"opsnn dashboard did not start: {log.read_text()}")
                time.sleep(0.5)
        yield board
    finally:
        proc.terminate()
        proc.wait(timeout=30)
