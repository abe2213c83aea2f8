"""The version of the project's own tables, and the migrations between versions.

Version 1 had no version table. Version 2 added ``notes`` (what ``opsnn study check`` repaired),
``worker`` (``host:pid`` of the worker that ran the trial), ``threads``, ``import_s`` and
``checks_s`` to ``opsnn_trial_runs``. Columns added since are nullable, so migrating is adding
the missing ones (:func:`~opsnn_opt.store._tables.add_missing_columns`). A store written by a
newer opsnn_opt is refused, never downgraded.
"""

from __future__ import annotations

from sqlalchemy import Engine, Integer, inspect, select, update
from sqlalchemy.orm import Mapped, mapped_column

from opsnn_opt.errors import StoreError
from opsnn_opt.store._tables import Base, add_missing_columns

__all__ = ["SCHEMA_VERSION", "SchemaVersion", "ensure_schema"]

SCHEMA_VERSION = 2


class SchemaVersion(Base):
    """One row: the version of the ``opsnn_*`` tables in this database."""

    __tablename__ = "opsnn_schema"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


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
        add_missing_columns(conn)  # an older store (or one of this version missing a column)
        if found < SCHEMA_VERSION:
            conn.execute(update(SchemaVersion).where(SchemaVersion.id == 1).values(version=SCHEMA_VERSION))
    return found
