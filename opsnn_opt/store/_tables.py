"""The project's own tables (SQLAlchemy 2), stored in the same database as the Optuna study."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["TIMING_COLUMNS", "WORKER_TIMING_COLUMNS", "Base", "BenchRun", "TrialRun", "add_missing_columns"]

#: The run's ``timings`` kept as columns of :class:`TrialRun`.
TIMING_COLUMNS = ("import_s", "build_s", "sim_s", "checks_s", "collect_s", "write_s", "analysis_s", "total_s")
#: The worker's own time per trial (s), beside the run's: the sampler's ask, the store writes
#: before the run, the run as the supervisor saw it, the tell, and the figures and uploads
#: (drawn after the tell, in the background).
WORKER_TIMING_COLUMNS = ("sample_s", "store_s", "run_s", "tell_s", "figures_s", "upload_s")


class Base(DeclarativeBase):
    pass


def _now() -> datetime:
    return datetime.now(UTC)


class TrialRun(Base):
    """One trial's run: configuration, timings, memory, metrics, results file and versions."""

    __tablename__ = "opsnn_trial_runs"
    __table_args__ = (UniqueConstraint("study_name", "trial_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_name: Mapped[str] = mapped_column(String(512), index=True)
    trial_number: Mapped[int] = mapped_column(Integer)
    optuna_trial_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    objective_values: Mapped[list[float] | None] = mapped_column(JSON)
    model: Mapped[str] = mapped_column(String(128))
    backend: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int | None] = mapped_column(Integer)
    simtime_ms: Mapped[float | None] = mapped_column(Float)
    threads: Mapped[int | None] = mapped_column(Integer)
    import_s: Mapped[float | None] = mapped_column(Float)
    build_s: Mapped[float | None] = mapped_column(Float)
    sim_s: Mapped[float | None] = mapped_column(Float)
    collect_s: Mapped[float | None] = mapped_column(Float)
    checks_s: Mapped[float | None] = mapped_column(Float)
    write_s: Mapped[float | None] = mapped_column(Float)
    analysis_s: Mapped[float | None] = mapped_column(Float)
    total_s: Mapped[float | None] = mapped_column(Float)
    sample_s: Mapped[float | None] = mapped_column(Float)
    store_s: Mapped[float | None] = mapped_column(Float)
    run_s: Mapped[float | None] = mapped_column(Float)
    tell_s: Mapped[float | None] = mapped_column(Float)
    figures_s: Mapped[float | None] = mapped_column(Float)
    upload_s: Mapped[float | None] = mapped_column(Float)
    peak_rss_mb: Mapped[float | None] = mapped_column(Float)
    metrics: Mapped[dict[str, float | None] | None] = mapped_column(JSON)
    results_path: Mapped[str | None] = mapped_column(Text)
    fail_reason: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(255))
    #: ``host:pid`` of the worker (supervisor) that ran the trial.
    worker: Mapped[str | None] = mapped_column(String(300))
    #: What ``opsnn study check`` found and repaired.
    notes: Mapped[str | None] = mapped_column(Text)
    #: One entry per seed replicate: seeds, metrics, results file, simulated time (ms).
    replicates: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    #: What stopped a pruned trial: ``rule``, ``pruner`` or ``replicates``; and the simulated time it saved.
    pruned_by: Mapped[str | None] = mapped_column(String(64))
    simtime_saved_ms: Mapped[float | None] = mapped_column(Float)
    opsnn_version: Mapped[str | None] = mapped_column(String(64))
    pynn_version: Mapped[str | None] = mapped_column(String(64))
    nest_version: Mapped[str | None] = mapped_column(String(64))
    numpy_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    @staticmethod
    def fields_from_result(result: dict[str, Any]) -> dict[str, Any]:
        """Columns from a run's JSON contract (:meth:`opsnn_opt.pipeline.RunResult.as_dict`)."""
        t, v = result["timings"], result["versions"]
        return {
            "model": result["model"],
            "backend": result["backend"],
            "params": result["params"],
            "seed": result["seed"],
            "simtime_ms": result["simtime_ms"],
            "threads": result.get("threads"),
            "metrics": result["metrics"],
            "peak_rss_mb": result["peak_rss_mb"],
            "results_path": result["results_path"],
            **{key: t.get(key) for key in TIMING_COLUMNS},
            "opsnn_version": v.get("opsnn_opt"),
            "pynn_version": v.get("pynn"),
            "nest_version": v.get("nest"),
            "numpy_version": v.get("numpy"),
        }


class BenchRun(Base):
    """One ``opsnn bench`` result, so that figures build up and can be plotted over time."""

    __tablename__ = "opsnn_bench_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    host: Mapped[str | None] = mapped_column(String(255))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    opsnn_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


def add_missing_columns(conn: Any) -> list[str]:
    """Add to existing tables the nullable columns a newer opsnn_opt declares; returns them.

    Stores made by an older version lack columns added since (``threads``, ``import_s``,
    ``checks_s``); their rows keep NULL there.
    """
    from sqlalchemy import inspect

    added = []
    inspector = inspect(conn)
    for table in Base.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                kind = column.type.compile(dialect=conn.dialect)
                conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
                added.append(f"{table.name}.{column.name}")
    return added
