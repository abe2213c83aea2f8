"""A database restart in the middle of a study with two workers, on a throwaway PostgreSQL
cluster of its own (initdb and pg_ctl on a free port in a temporary folder)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import optuna
import pytest

from opsnn_opt.cli import main
from opsnn_opt.store import Store
from opsnn_opt.store._throwaway import ThrowawayPostgres, throwaway_unavailable_reason
from opsnn_opt.study.trial._pending import PENDING_NAME
from tests.conftest import REQUIRE_PG
from tests.study.faults import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def throwaway_pg():
    reason = throwaway_unavailable_reason()
    if reason:
        if REQUIRE_PG:
            pytest.fail(f"OPSNN_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    pg = ThrowawayPostgres().start()
    try:
        yield pg
    finally:
        pg.remove()


def _count(url: str, table: str, state: str) -> int:
    """Rows of ``table`` in ``state``; 0 while the server is down."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table} WHERE state = :s"), {"s": state}).scalar()
    except Exception:
        return 0
    finally:
        engine.dispose()


def _completed(url: str) -> int:
    return _count(url, "trials", "COMPLETE")


def test_a_database_restart_loses_and_duplicates_nothing(workdir, tiny_specs, throwaway_pg, monkeypatch, capsys):
    monkeypatch.setenv("OPSNN_STORAGE", throwaway_pg.url)
    space, objective = tiny_specs
    n = 8
    args = ["study", "create", "outage", "--space", str(space), "--objective", str(objective), "--max-trials", str(n)]
    assert main([*args, "--sampler", "random"]) == 0
    env = dict(os.environ)
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "opsnn_opt", "worker", "outage"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        for _ in range(2)
    ]
    try:
        wait_for(lambda: _completed(throwaway_pg.url) >= 2, 120, "two completed trials")
        throwaway_pg.restart(down_s=6.0)  # longer than a trial: trials finish while it is down
        codes = [w.wait(300) for w in workers]
        errs = [w.stderr.read().decode() for w in workers]
    finally:
        for w in workers:
            w.kill()
            w.wait()
    assert codes == [0, 0], errs
    assert any("the database is unreachable" in e for e in errs) and any("reachable again after" in e for e in errs)
    for e in errs:  # one line per outage, however many calls waited
        assert e.count("the database is unreachable") <= 1, e
    trials = optuna.load_study(study_name="outage", storage=throwaway_pg.url).trials
    assert [t.state.name for t in trials] == ["COMPLETE"] * n, [t.user_attrs.get("fail_reason") for t in trials]
    rows = Store().runs("outage")
    assert [(r.trial_number, r.state) for r in rows] == [(i, "COMPLETE") for i in range(n)]
    assert len({r.results_path for r in rows}) == n
    assert not list((workdir / "artifacts").rglob(PENDING_NAME))
    assert main(["study", "check", "outage", "--dry-run"]) == 0
    assert "0 finding(s), 0 disagreement(s) left" in capsys.readouterr().out


def test_a_worker_started_while_the_database_is_down_waits_for_it(workdir, tiny_specs, throwaway_pg, monkeypatch):
    monkeypatch.setenv("OPSNN_STORAGE", throwaway_pg.url)
    space, objective = tiny_specs
    assert main(["study", "create", "late", "--space", str(space), "--objective", str(objective)]) == 0
    throwaway_pg.stop()
    worker = subprocess.Popen(
        [sys.executable, "-m", "opsnn_opt", "worker", "late", "--n-trials", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    try:
        time.sleep(4.0)
        assert worker.poll() is None  # still waiting
        throwaway_pg.start()
        assert worker.wait(120) == 0
    finally:
        worker.kill()
        worker.wait()
    assert "the database is unreachable" in worker.stderr.read().decode()
    assert [t.state.name for t in optuna.load_study(study_name="late", storage=throwaway_pg.url).trials] == ["COMPLETE"]


LONG_TRIAL_SPACE = """
model = "balanced"
backend = "nest"
simtime_ms = 4000.0
chunk_ms = 4000.0

[fixed]
n_neurons = 400
p_connect = 0.05
seed = 7

[params.g_exc_nS]
low = 1.0
high = 2.0
"""


def test_an_outage_longer_than_the_retry_limit_keeps_the_result_for_the_next_worker(
    workdir, tiny_specs, throwaway_pg, monkeypatch
):
    """Down past OPSNN_DB_RETRY_S: the worker exits with a one-line error, the finished trial's
    outcome stays in its file, and the next worker reports it without simulating it again."""
    monkeypatch.setenv("OPSNN_STORAGE", throwaway_pg.url)
    space = workdir / "long.toml"
    space.write_text(LONG_TRIAL_SPACE)
    create = ["study", "create", "down", "--space", str(space), "--objective", str(tiny_specs[1])]
    assert main([*create, "--max-trials", "1"]) == 0
    env = {**os.environ, "OPSNN_DB_RETRY_S": "3"}
    first = subprocess.Popen(
        [sys.executable, "-m", "opsnn_opt", "worker", "down"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        wait_for(
            lambda: _count(throwaway_pg.url, "opsnn_trial_runs", "RUNNING"), 120, "a running trial"
        )  # recorded just before it runs
        throwaway_pg.stop()  # the trial is still simulating: it finishes while the database is down
        code = first.wait(120)
        err = first.stderr.read().decode()
    finally:
        first.kill()
        first.wait()
    assert code != 0, err
    assert "stayed unreachable for more than OPSNN_DB_RETRY_S=3 s" in err, err
    pending = list((workdir / "artifacts").rglob(PENDING_NAME))
    assert len(pending) == 1, err
    results = sorted(p for p in (workdir / "artifacts").rglob("results.*") if p.is_file())
    assert len(results) == 1

    throwaway_pg.start()
    second = subprocess.run(
        [sys.executable, "-m", "opsnn_opt", "worker", "down"], capture_output=True, text=True, env=env, timeout=120
    )
    assert second.returncode == 0, second.stderr
    assert "reported trial 0 from" in second.stderr
    trials = optuna.load_study(study_name="down", storage=throwaway_pg.url).trials
    assert [t.state.name for t in trials] == ["COMPLETE"]  # the budget of one: nothing ran again
    rows = Store().runs("down")
    assert [(r.trial_number, r.state) for r in rows] == [(0, "COMPLETE")]
    assert sorted(p for p in (workdir / "artifacts").rglob("results.*") if p.is_file()) == results
    assert not list((workdir / "artifacts").rglob(PENDING_NAME))
