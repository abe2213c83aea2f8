"""The version of the project's own tables, and the migrations between versions.

Version 1 had no version table. Version 2 added ``notes`` (what ``opsnn study check`` repaired)
and ``worker`` (``host:pid`` of the worker that ran the trial) to ``opsnn_trial_runs``. A store
written by a newer opsnn_opt is refused, never downgraded.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine, Integer, inspect, select, text, update
from sqlalchemy.orm import Mapped, mapped_column

from opsnn_opt.errors import StoreError
from opsnn_opt.store._tables import Base

__all__ = ["SCHEMA_VERSION", "SchemaVersion", "ensure_schema"]

SCHEMA_VERSION = 2


class SchemaVersion(Base):
    """One row: the version of the ``opsnn_*`` tables in this database."""

    __tablename__ = "opsnn_schema"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


def _v1_to_v2(conn: Connection) -> None:
    have = {c["name"] for c in inspect(conn).get_columns("opsnn_trial_runs")}
    for column, kind in (("notes", "TEXT"), ("worker", "VARCHAR(300)")):
        if column not in have:
            conn.execute(text(f"ALTER TABLE opsnn_trial_runs ADD COLUMN {column} {kind}"))


#: MIGRATIONS[v] moves a store from version v to v + 1.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _v1_to_v2}


def ensure_schema(engine: Engine, where: str) -> int:
    """Create the tables, migrate older ones, refuse newer ones; returns the version found.

    Call it under the store's schema lock, so that one process migrates.
    """
    had_runs = inspect(engine).has_table("opsnn_trial_runs")
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        found = conn.scalar(select(SchemaVersion.version).where(SchemaVersion.id == 1))
        if found is None:
            found = 1 if had_runs else SCHEMA_VERSION
            conn.execute(SchemaVersion.__table__.insert().values(id=1, version=found))
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"the opsnn tables in {where} have schema version {found}, newer than this opsnn_opt understands "
                f"({SCHEMA_VERSION}); upgrade opsnn_opt to use this store"
            )
        for version in range(found, SCHEMA_VERSION):
            MIGRATIONS[version](conn)
            conn.execute(update(SchemaVersion).where(SchemaVersion.id == 1).values(version=version + 1))
    return found
