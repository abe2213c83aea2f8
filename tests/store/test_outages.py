"""Retries through database outages, the schema version, and passwords kept out of messages."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from opsnn_opt._mask import MaskingFilter, install_log_masking, mask_secrets
from opsnn_opt.cli import main
from opsnn_opt.errors import StoreError
from opsnn_opt.store import Store
from opsnn_opt.store._retry import OutageError, retry_call
from opsnn_opt.store._schema import SCHEMA_VERSION
from tests.store.old_schema import TRIAL_RUNS_V1_DDL


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgres://u:secretpw@host/db", "postgres://u:***@host/db"),
        ("postgresql://u@host/db?password=secretpw", "postgresql://u@host/db?password=***"),
        (
            "postgresql+psycopg://u:s3cr%40t@h:5/d?sslmode=require&password=secretpw",
            "postgresql+psycopg://u:***@h:5/d?sslmode=require&password=***",
        ),
        ("host=db user=u password=secretpw", "host=db user=u password=***"),
    ],
)
def test_passwords_are_masked_in_any_text(url, shown):
    assert mask_secrets(f"cannot use {url} now") == f"cannot use {shown} now"


@pytest.mark.parametrize(
    "url", ["postgres://u:secretpw@host/db", "postgresql://u@host/db?password=secretpw", "mysql://u:secretpw@h/d"]
)
def test_rejected_and_unreachable_urls_never_show_the_password(url, workdir, capsys, monkeypatch):
    monkeypatch.setenv("OPSNN_DB_RETRY_S", "0")
    assert main(["study", "list", "--storage", url]) in (1, 2)
    err = capsys.readouterr().err
    assert err.startswith("opsnn: error: ") and len(err.strip().splitlines()) == 1
    assert "secretpw" not in err and "***" in err


def test_log_records_are_masked(caplog):
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "connecting to %s", ("postgresql://u:pw1@h/d",), None)
    MaskingFilter().filter(record)
    assert record.getMessage() == "connecting to postgresql://u:***@h/d"
    previous = logging.getLogRecordFactory()
    install_log_masking()
    try:
        with caplog.at_level(logging.WARNING, logger="optuna.storages"):
            logging.getLogger("optuna.storages").warning("lost %s", "postgresql://u@h/d?password=pw2")
    finally:
        logging.setLogRecordFactory(previous)
    assert caplog.records[-1].getMessage() == "lost postgresql://u@h/d?password=***"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "OPSNN_GRACE_S",
            "abc",
            "environment variable OPSNN_GRACE_S must be a whole number in [2, 86400] (seconds without a heartbeat before a trial is stale); got 'abc'",
        ),
        (
            "OPSNN_HEARTBEAT_S",
            "0",
            "environment variable OPSNN_HEARTBEAT_S must be a whole number in [1, 3600] (seconds between a worker's heartbeats); got '0'",
        ),
        (
            "OPSNN_DB_RETRY_S",
            "inf",
            "environment variable OPSNN_DB_RETRY_S must be a number in [0, 86400] (seconds a store call retries through an outage); got 'inf'",
        ),
        (
            "OPSNN_STORAGE",
            "http://u:pw9@h/x",
            "environment variable OPSNN_STORAGE must be a database URL starting with one of sqlite://, postgresql://; got 'http://u:***@h/x'",
        ),
    ],
)
def test_bad_environment_variables_are_one_line_errors(name, value, message, workdir, monkeypatch, capsys):
    monkeypatch.setenv(name, value)
    assert main(["study", "list"]) == 2
    assert capsys.readouterr().err == f"opsnn: error: {message}\n"


def test_grace_must_exceed_the_heartbeat(workdir, monkeypatch, capsys):
    monkeypatch.setenv("OPSNN_HEARTBEAT_S", "10")
    monkeypatch.setenv("OPSNN_GRACE_S", "5")
    assert main(["study", "list"]) == 2
    assert "OPSNN_GRACE_S must be greater than OPSNN_HEARTBEAT_S (10 s); got 5" in capsys.readouterr().err


def test_an_unknown_variable_is_a_warning(workdir, monkeypatch, capsys):
    monkeypatch.setenv("OPSNN_GRCE_S", "5")
    assert main(["study", "list"]) == 0
    assert "opsnn: warning: unknown environment variable OPSNN_GRCE_S" in capsys.readouterr().err


def test_connection_errors_are_retried_and_the_outage_logged_once(caplog):
    calls = []

    def flaky():
        calls.append(time.monotonic())
        if len(calls) < 4:
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        return "ok"

    with caplog.at_level(logging.WARNING, logger="opsnn_opt.store"):
        assert retry_call(flaky, what="a test", limit_s=30) == "ok"
    assert len(calls) == 4
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("the database is unreachable (OperationalError during a test")
    assert lines[1].startswith("the database is reachable again after ")


def test_statement_errors_are_not_retried_and_outages_end(caplog):
    calls = []

    def bad():
        calls.append(1)
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    with pytest.raises(IntegrityError):
        retry_call(bad, limit_s=30)
    assert calls == [1]

    def down():
        raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))

    t0 = time.monotonic()
    with pytest.raises(OutageError, match=r"stayed unreachable for more than OPSNN_DB_RETRY_S=0.5 s"):
        retry_call(down, limit_s=0.5)
    assert time.monotonic() - t0 < 3


def test_schema_version_is_recorded_and_old_stores_are_migrated(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    with engine.begin() as conn:  # the version-1 table, without 'notes' and 'worker'
        conn.execute(text(TRIAL_RUNS_V1_DDL))
    store = Store(url)
    assert store.schema_version == 1
    store.record_run("s", 0, state="RUNNING", model="balanced", backend="nest", params={}, notes="n", worker="h:1")
    assert [(r.notes, r.worker) for r in store.runs("s")] == [("n", "h:1")]
    assert Store(url).schema_version == SCHEMA_VERSION
    with engine.begin() as conn:
        conn.execute(text("UPDATE opsnn_schema SET version = :v"), {"v": SCHEMA_VERSION + 1})
    with pytest.raises(
        StoreError,
        match=rf"have schema version {SCHEMA_VERSION + 1}, newer than this opsnn_opt understands \({SCHEMA_VERSION}\); upgrade opsnn_opt",
    ):
        Store(url)
