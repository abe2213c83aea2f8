"""`opsnn proxy`: four workers share the database through Optuna's gRPC storage proxy."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import optuna
import pytest

from opsnn_opt.cli import main
from opsnn_opt.store import Store
from tests.study.faults import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_four_workers_through_the_proxy(workdir, postgres_url, tiny_specs, monkeypatch, capsys):
    port = _free_port()
    proxy = subprocess.Popen(
        [sys.executable, "-m", "opsnn_opt", "proxy", "--storage", postgres_url, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={k: v for k, v in os.environ.items() if k != "OPSNN_OPTUNA_PROXY"},
    )
    try:
        wait_for(lambda: _listening(port), 60, "the proxy to listen")
        monkeypatch.setenv("OPSNN_STORAGE", postgres_url)
        monkeypatch.setenv("OPSNN_OPTUNA_PROXY", f"127.0.0.1:{port}")
        assert type(Store().optuna_storage()).__name__ == "ProxiedStorage"
        space, objective = tiny_specs
        assert main(["study", "create", "px", "--space", str(space), "--objective", str(objective)]) == 0
        assert main(["study", "run", "px", "--n-trials", "4", "--workers", "4"]) == 0, capsys.readouterr()
    finally:
        proxy.terminate()
        proxy.wait(10)
    out = proxy.stdout.read().decode()
    assert f"on 127.0.0.1:{port}" in out and "opsnn proxy: serving postgresql://postgres@" in out
    monkeypatch.delenv("OPSNN_OPTUNA_PROXY")
    trials = optuna.load_study(study_name="px", storage=postgres_url).trials
    assert [t.state.name for t in trials] == ["COMPLETE"] * 4
    assert [r.state for r in Store().runs("px")] == ["COMPLETE"] * 4

    # With the proxy gone, a worker pointed at it waits OPSNN_DB_RETRY_S, then says so in one line.
    monkeypatch.setenv("OPSNN_OPTUNA_PROXY", f"127.0.0.1:{port}")
    monkeypatch.setenv("OPSNN_DB_RETRY_S", "2")
    capsys.readouterr()
    assert main(["worker", "px", "--n-trials", "1"]) == 1
    err = capsys.readouterr().err
    assert "the database stayed unreachable for more than OPSNN_DB_RETRY_S=2 s" in err


def test_a_bad_proxy_address_is_a_one_line_error(workdir, monkeypatch, capsys):
    monkeypatch.setenv("OPSNN_OPTUNA_PROXY", "localhost")
    assert main(["study", "list"]) == 2
    assert capsys.readouterr().err == (
        "opsnn: error: environment variable OPSNN_OPTUNA_PROXY must be HOST:PORT with a port in [1, 65535]; got 'localhost'\n"
    )
