"""The store on every backend: schema creation, trial rows, benchmark rows, URLs."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest

from opsnn_opt.errors import ConfigError, StoreError
from opsnn_opt.store import Store, resolve_storage_url
from tests.store.old_schema import TRIAL_RUNS_V1_DDL


def test_record_run_inserts_then_updates(storage_url):
    store = Store(storage_url)
    store.record_run("s", 0, state="RUNNING", model="balanced", backend="nest", params={"n_neurons": 10})
    store.record_run(
        "s",
        0,
        state="COMPLETE",
        model="balanced",
        backend="nest",
        params={"n_neurons": 10},
        metrics={"rate_hz.exc": 4.5, "cv_isi.exc": None},
        seed=3,
        nest_version="3.10.0",
    )
    store.record_run("other", 0, state="FAIL", model="balanced", backend="nest", params={}, fail_reason="boom")
    rows = store.runs("s")
    assert len(rows) == 1
    row = rows[0]
    assert (row.state, row.seed, row.metrics, row.nest_version) == (
        "COMPLETE",
        3,
        {"rate_hz.exc": 4.5, "cv_isi.exc": None},
        "3.10.0",
    )
    assert row.host and row.created_at
    assert store.runs("other")[0].fail_reason == "boom"
    store.dispose()


def test_opening_twice_is_harmless_and_bench_rows_accumulate(storage_url):
    Store(storage_url).record_bench("io", {"n": 1}, {"ratios": {"x": 1.0}})
    store = Store(storage_url)
    store.record_bench("io", {"n": 2}, {"ratios": {"x": 2.0}})
    assert [r.settings["n"] for r in store.bench_runs("io")] == [1, 2]
    assert store.optuna_storage() is store.optuna_storage()
    store.dispose()


def _open_and_create(url: str, name: str, queue) -> None:  # runs in a child process
    try:
        import optuna

        store = Store(url)
        optuna.create_study(study_name=name, storage=store.optuna_storage())
        store.record_run(name, 0, state="COMPLETE", model="m", backend="b", params={})
        queue.put("ok")
    except Exception as exc:  # report to the parent
        queue.put(f"{type(exc).__name__}: {exc}")


def test_four_processes_opening_a_fresh_store_at_once(storage_url):
    """Plain Optuna loses 3 of 4 such processes to 'database is locked' or a schema race."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_open_and_create, args=(storage_url, f"s{i}", queue)) for i in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert results == ["ok"] * 4
    import optuna

    store = Store(storage_url)
    assert sorted(optuna.get_all_study_names(store.optuna_storage())) == ["s0", "s1", "s2", "s3"]
    store.dispose()


def test_default_store_lives_in_the_working_directory(workdir):
    url = resolve_storage_url(None)
    assert url == f"sqlite:///{workdir / 'storage' / 'opsnn.sqlite3'}"
    readme = (workdir / "storage" / "README.md").read_text()
    assert "OPSNN_STORAGE=postgresql://" in readme
    assert (workdir / "storage" / "artifacts").is_dir()


def test_environment_variable_and_bad_urls(workdir, monkeypatch):
    monkeypatch.setenv("OPSNN_STORAGE", f"sqlite:///{workdir / 'elsewhere' / 'db.sqlite3'}")
    assert resolve_storage_url(None).endswith("elsewhere/db.sqlite3")
    assert resolve_storage_url("sqlite:///x.db") == "sqlite:///x.db"
    with pytest.raises(
        ConfigError,
        match=r"must be a database URL starting with one of sqlite://, "
        r"postgresql://; got 'storage.db'",
    ):
        resolve_storage_url("storage.db")
    with pytest.raises(ConfigError, match=r"starting with one of sqlite://, postgresql://; got 'mysql://u@h/db'"):
        resolve_storage_url("mysql://u@h/db")


def test_any_sqlite_driver_spelling_gets_the_lock_and_wal(tmp_path: Path):
    store = Store(f"sqlite+pysqlite:///{tmp_path / 'x' / 'db.sqlite3'}")
    assert (tmp_path / "x" / "db.sqlite3.lock").exists()
    assert store.artifacts == tmp_path / "x" / "artifacts"
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.dispose()


def test_passwords_are_hidden_in_messages():
    from opsnn_opt.store import display_url

    assert display_url("postgresql://u:secret@h:1/db?x=a@b") == "postgresql://u:***@h:1/db?x=a%40b"


def test_unreachable_server_is_a_store_error(monkeypatch):
    monkeypatch.setenv("OPSNN_DB_RETRY_S", "1")  # a store call rides out an outage for this long
    with pytest.raises(StoreError, match=r"cannot open the study store at postgresql://u:\*\*\*@127.0.0.1:1/x"):
        Store("postgresql://u:secret@127.0.0.1:1/x")


def test_sqlite_runs_in_wal_mode(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.dispose()


def test_the_committed_storage_readme_is_what_first_use_writes(workdir):
    resolve_storage_url(None)
    committed = Path(__file__).resolve().parents[2] / "storage" / "README.md"
    assert committed.read_text() == (workdir / "storage" / "README.md").read_text()


def test_an_older_store_gains_the_new_columns(tmp_path):
    import sqlalchemy as sa

    from opsnn_opt.store import Store

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the table as opsnn_opt 0.1 made it: no threads, import_s, checks_s
        conn.exec_driver_sql(TRIAL_RUNS_V1_DDL)
    engine.dispose()
    store = Store(url)
    store.record_run("s", 0, state="COMPLETE", model="balanced", backend="nest", params={}, threads=2, checks_s=0.1)
    (row,) = store.runs("s")
    assert row.threads == 2 and row.checks_s == 0.1 and row.import_s is None
    store.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_many_user_attributes_in_one_call(tmp_path, kind):
    import optuna

    from opsnn_opt.store import set_trial_user_attrs

    storage = f"sqlite:///{tmp_path / 'a.sqlite3'}" if kind == "sqlite" else None
    study = optuna.create_study(storage=storage)
    attrs = {f"m{i}": float(i) for i in range(50)} | {"none": None, "path": "/x"}

    def objective(trial):
        set_trial_user_attrs(trial, attrs)
        assert trial.user_attrs == attrs
        return 1.0

    study.optimize(objective, n_trials=1)
    assert study.trials[0].user_attrs == attrs
