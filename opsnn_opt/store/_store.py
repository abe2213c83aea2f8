"""The study store: Optuna's RDB storage and the project's own tables, in one database.

Many worker processes may open the same store at once. Schema creation (Optuna's and ours) is
therefore serialised: a file lock beside a SQLite file, an advisory lock on PostgreSQL. SQLite
runs in WAL mode with a long busy timeout, so concurrent workers wait instead of failing with
"database is locked".
"""

from __future__ import annotations

import fcntl
import os
import socket
import warnings
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from opsnn_opt._env import env_number
from opsnn_opt._mask import mask_secrets
from opsnn_opt.errors import StoreError
from opsnn_opt.store._location import artifacts_root, display_url, resolve_storage_url, sqlite_path
from opsnn_opt.store._proxy import proxied_storage
from opsnn_opt.store._retry import OutageError, is_connection_error, retry_call
from opsnn_opt.store._schema import ensure_schema
from opsnn_opt.store._tables import BenchRun, TrialRun

__all__ = ["Store"]

SQLITE_BUSY_TIMEOUT_S = 120.0
# A worker beats every OPSNN_HEARTBEAT_S (default 30); a running trial silent for OPSNN_GRACE_S
# (default 300) is stale. The worker's supervisor beats while its child simulates, so NEST holding
# Python's lock in the child never silences the heartbeat.
_LOCK_KEY = zlib.crc32(b"opsnn_opt.schema")


def _engine_kwargs(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):  # any driver spelling, file or memory
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S}}
    if os.environ.get("OPSNN_OPTUNA_PROXY"):  # behind the proxy, hold no idle connection
        from sqlalchemy.pool import NullPool

        return {"poolclass": NullPool}
    return {"pool_pre_ping": True}


class Store:
    """A study store at a database URL (see :func:`resolve_storage_url` for the default)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = resolve_storage_url(url)
        try:
            self.engine: Engine = create_engine(self.url, **_engine_kwargs(self.url))
            # A worker started while the database is down waits for it, up to OPSNN_DB_RETRY_S.
            self.schema_version = retry_call(self._init_schema, what="opening the store")
        except (SQLAlchemyError, ImportError, ValueError, OutageError) as exc:  # ImportError: a missing driver
            raise StoreError(
                f"cannot open the study store at {self.display_url}: {exc.__class__.__name__}: "
                f"{mask_secrets(str(exc).splitlines()[0])}"
            ) from exc
        self._optuna: Any = None

    def _init_schema(self) -> int:
        with self.schema_lock():
            if self.engine.dialect.name == "sqlite":
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            return ensure_schema(self.engine, self.display_url)

    @property
    def display_url(self) -> str:
        return display_url(self.url)

    @property
    def artifacts(self) -> Path:
        return artifacts_root(self.url)

    @contextmanager
    def schema_lock(self) -> Iterator[None]:
        """Serialise schema creation across processes (and machines, on PostgreSQL)."""
        with self.lock("schema"):
            yield

    @contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """A lock named ``name`` shared by every process using this store: a file lock beside a
        SQLite file, an advisory lock on PostgreSQL (held by one connection while inside)."""
        path = sqlite_path(self.url)
        if path is not None:
            lock_path = path.with_name(path.name + (".lock" if name == "schema" else f".{name}.lock"))
            with lock_path.open("a") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)
        elif self.engine.dialect.name == "postgresql":
            key = _LOCK_KEY if name == "schema" else zlib.crc32(f"opsnn_opt.{name}".encode())
            with self.engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
                try:
                    yield
                finally:
                    try:
                        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    except SQLAlchemyError as exc:
                        # The connection died (a server restart), and the lock with it; what ran
                        # inside is done and must not be repeated by a retry.
                        if not is_connection_error(exc):
                            raise
        else:
            yield

    def optuna_storage(self) -> Any:
        """Optuna's RDB storage on the same database, with heartbeats so that a crashed worker's
        trial is marked failed and retried once by a live worker."""
        if self._optuna is None:
            import optuna

            from opsnn_opt.store._optuna import RetryingRDBStorage

            # Heartbeats are "experimental" in Optuna 5 but are what recovers crashed workers.
            warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

            def make() -> Any:
                with self.schema_lock():
                    return RetryingRDBStorage(
                        self.url,
                        engine_kwargs=_engine_kwargs(self.url),
                        heartbeat_interval=int(env_number("OPSNN_HEARTBEAT_S")),
                        grace_period=int(env_number("OPSNN_GRACE_S")),
                        heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=1),
                    )

            try:
                self._optuna = retry_call(make, what="opening Optuna's storage")
                proxy = os.environ.get("OPSNN_OPTUNA_PROXY", "").strip()
                if proxy:  # Optuna's traffic through `opsnn proxy`; heartbeats direct
                    self._optuna = proxied_storage(proxy, self._optuna)
            except (SQLAlchemyError, OutageError) as exc:
                raise StoreError(
                    f"cannot open Optuna's storage at {self.display_url}: {mask_secrets(str(exc).splitlines()[0])}"
                ) from exc
        return self._optuna

    def record_run(self, study_name: str, trial_number: int, **fields: Any) -> None:
        """Insert or update one trial's row (a retried write replaces, never duplicates)."""
        retry_call(self._record_run, study_name, trial_number, what="recording a trial's row", **fields)

    def _record_run(self, study_name: str, trial_number: int, **fields: Any) -> None:
        with Session(self.engine) as session, session.begin():
            _upsert_run(session, study_name, trial_number, fields)

    def write_trial_attrs(
        self,
        trial_id: int,
        user: Mapping[str, Any] | None = None,
        system: Mapping[str, Any] | None = None,
        run: tuple[str, int, Mapping[str, Any]] | None = None,
    ) -> None:
        """Set user and system attributes of Optuna trial ``trial_id`` (running or finished), and
        with ``run = (study, number, fields)`` its ``opsnn_trial_runs`` row, in one transaction.

        Optuna's API writes one transaction per attribute and refuses a finished trial; a worker
        writes its trial's figures after the trial is told (:mod:`opsnn_opt.study._artifacts`).
        The values are stored as Optuna stores them (JSON text in ``trial_user_attributes`` and
        ``trial_system_attributes``); Optuna's cache in another process never holds a running
        trial, and a reader opening the study sees the finished trial's new attributes.
        """
        retry_call(self._write_trial_attrs, trial_id, user or {}, system or {}, run, what="writing trial attributes")

    def _write_trial_attrs(self, trial_id: int, user: Mapping[str, Any], system: Mapping[str, Any], run: Any) -> None:
        import json

        from sqlalchemy import bindparam

        with Session(self.engine) as session, session.begin():
            for table, attrs in (("trial_user_attributes", user), ("trial_system_attributes", system)):
                if not attrs:
                    continue
                drop = text(f"DELETE FROM {table} WHERE trial_id = :t AND key IN :keys")
                session.execute(
                    drop.bindparams(bindparam("keys", expanding=True)), {"t": trial_id, "keys": list(attrs)}
                )
                session.execute(
                    text(f"INSERT INTO {table} (trial_id, key, value_json) VALUES (:t, :k, :v)"),
                    [{"t": trial_id, "k": k, "v": json.dumps(v)} for k, v in attrs.items()],
                )
            if run is not None:
                _upsert_run(session, run[0], run[1], run[2])

    def record_bench(self, name: str, settings: Mapping[str, Any], result: Mapping[str, Any]) -> None:
        """Keep one benchmark result."""
        from opsnn_opt._version import __version__

        with Session(self.engine) as session, session.begin():
            session.add(
                BenchRun(
                    name=name,
                    host=socket.gethostname(),
                    settings=dict(settings),
                    result=dict(result),
                    opsnn_version=__version__,
                )
            )

    def bench_runs(self, name: str | None = None) -> list[BenchRun]:
        """Recorded benchmark results, oldest first."""
        query = select(BenchRun).order_by(BenchRun.id)
        if name is not None:
            query = query.where(BenchRun.name == name)
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.scalars(query))

    def fail_stale_runs(self, study_name: str, failed_trial_numbers: set[int], reason: str) -> int:
        """Mark rows still RUNNING as FAIL when Optuna has failed their trials (a dead worker)."""
        return retry_call(self._fail_stale_runs, study_name, failed_trial_numbers, reason, what="failing stale rows")

    def _fail_stale_runs(self, study_name: str, failed_trial_numbers: set[int], reason: str) -> int:
        with Session(self.engine) as session, session.begin():
            rows = session.scalars(
                select(TrialRun).where(TrialRun.study_name == study_name, TrialRun.state == "RUNNING")
            )
            stale = [row for row in rows if row.trial_number in failed_trial_numbers]
            for row in stale:
                row.state, row.fail_reason = "FAIL", reason
            return len(stale)

    def runs(self, study_name: str) -> list[TrialRun]:
        """All recorded runs of a study, by trial number."""
        return retry_call(self._runs, study_name, what="reading the trial rows")

    def _runs(self, study_name: str) -> list[TrialRun]:
        with Session(self.engine, expire_on_commit=False) as session:
            rows = session.scalars(
                select(TrialRun).where(TrialRun.study_name == study_name).order_by(TrialRun.trial_number)
            )
            return list(rows)

    def dispose(self) -> None:
        self.engine.dispose()
        if self._optuna is not None and hasattr(self._optuna, "engine"):
            self._optuna.remove_session()
            self._optuna.engine.dispose()


def _upsert_run(session: Session, study_name: str, trial_number: int, fields: Mapping[str, Any]) -> None:
    """Insert or update one ``opsnn_trial_runs`` row in ``session``'s transaction."""
    row = session.scalar(
        select(TrialRun).where(TrialRun.study_name == study_name, TrialRun.trial_number == trial_number)
    )
    if row is None:
        row = TrialRun(study_name=study_name, trial_number=trial_number, host=socket.gethostname())
        session.add(row)
    for key, value in fields.items():
        setattr(row, key, value)
