"""Shared fixtures: real stores (SQLite always, PostgreSQL when reachable) and tiny study specs."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REQUIRE_PG = os.environ.get("OPSNN_REQUIRE_POSTGRES") == "1"

TINY_SPACE = """
model = "balanced"
backend = "nest"
simtime_ms = 200.0
chunk_ms = 50.0

[fixed]
n_neurons = 60
p_connect = 0.1
seed = 7

[params.g_exc_nS]
low = 1.0
high = 6.0
scale = "log"
unit = "nS"

[params.input_rate_hz]
choices = [300.0, 800.0]
"""

TINY_OBJECTIVE = """
combine = "weighted_sum"
missing = 5.0

[[metrics]]
name = "rate_hz.exc"
target = 5.0
scale = 5.0

[[metrics]]
name = "cv_isi.exc"
target = 1.0
scale = 0.25

[[constraints]]
metric = "rate_hz.exc"
max = 1000.0
"""


#: Modules whose tests start workers, clusters, servers or browsers and wait on timers (heartbeats,
#: time-outs, outages), or install system packages: under ``pytest -n 2`` (``make test``) they run
#: one after another on one process, beside the other tests, so that they never compete with each
#: other for the two cores or for apt's lock. Every other module stays on one process too, so that
#: its module-scoped fixtures (simulated grids, finished studies) are built once.
SERIAL_MODULES = frozenset(
    {
        "tests/bench/test_bench_commands.py",
        "tests/bench/test_chaos.py",
        "tests/bench/test_throughput.py",
        "tests/cluster/test_proxy.py",
        "tests/cluster/test_slurm.py",
        "tests/study/test_consistency.py",
        "tests/study/test_dashboard.py",
        "tests/study/test_first_script.py",
        "tests/study/test_keep.py",
        "tests/study/test_figures_setting.py",
        "tests/study/test_loop.py",
        "tests/study/test_outage.py",
        "tests/study/test_recovery.py",
        "tests/study/test_supervisor.py",
    }
)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        module = item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group("serial" if module in SERIAL_MODULES else module))


def pytest_configure(config: pytest.Config) -> None:
    # Optuna logs every trial at INFO; tests read the results from the store instead.
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)


def _pg_admin_url() -> str:
    return os.environ.get("OPSNN_TEST_POSTGRES_URL", DEFAULT_PG_ADMIN_URL)


def _pg_unavailable_reason() -> str | None:
    import psycopg  # noqa: F401 - a missing driver is a broken install, never a reason to skip
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(_pg_admin_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any reason the server cannot be used
        return f"PostgreSQL at {_pg_admin_url()} is not reachable ({type(exc).__name__}: {str(exc).splitlines()[0]})"
    return None


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """Admin URL of a reachable PostgreSQL server; skip (or fail under OPSNN_REQUIRE_POSTGRES=1)."""
    reason = _pg_unavailable_reason()
    if reason:
        if REQUIRE_PG:
            pytest.fail(f"OPSNN_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    return _pg_admin_url()


@contextmanager
def fresh_postgres_database(admin_url: str) -> Iterator[str]:
    """Create a database with a random name on the server, yield its URL, drop it afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"opsnn_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    with fresh_postgres_database(postgres_admin_url) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every store test runs on both backends."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'opsnn.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a temporary folder (the default ./storage lands there), with no inherited store."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPSNN_STORAGE", raising=False)
    monkeypatch.setenv("OPSNN_ARTIFACTS", str(tmp_path / "artifacts"))
    return tmp_path


@pytest.fixture
def tiny_specs(tmp_path: Path) -> tuple[Path, Path]:
    """A two-parameter search space over a 60-neuron, 200 ms balanced network, and its objective."""
    space, objective = tmp_path / "space.toml", tmp_path / "objective.toml"
    space.write_text(TINY_SPACE)
    objective.write_text(TINY_OBJECTIVE)
    return space, objective


@pytest.fixture
def metric_registry_restored() -> Iterator[None]:
    """User metrics that a test registers stay in the process; later tests must not compute them."""
    from opsnn_opt.analysis import METRICS, _plugins

    _plugins.load_entry_point_metrics()  # the installed ones stay
    metrics, plugins = dict(METRICS), dict(_plugins._PLUGINS)
    yield
    METRICS.clear()
    METRICS.update(metrics)
    _plugins._PLUGINS.clear()
    _plugins._PLUGINS.update(plugins)
