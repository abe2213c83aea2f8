"""``opsnn proxy``: Optuna's gRPC storage proxy in front of the study store.

With hundreds of workers, each holding its own connections, the database runs out of them. The
proxy holds one connection pool and serves Optuna's storage API over gRPC; workers started with
``OPSNN_OPTUNA_PROXY=host:port`` send their Optuna traffic there. Heartbeats (which the gRPC proxy
does not carry) and the project's own tables still go to the database, each call on a connection
opened for it and closed after (no pool), so an idle worker holds no connection. The proxy binds
127.0.0.1 unless ``--host`` says otherwise: it has no authentication of its own.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["parse_proxy", "proxied_storage", "serve_proxy"]

_log = logging.getLogger("opsnn_opt.proxy")


def parse_proxy(text: str, where: str = "environment variable OPSNN_OPTUNA_PROXY") -> tuple[str, int]:
    """``host:port`` -> (host, port); a bad value is a one-line ConfigError."""
    from opsnn_opt.errors import ConfigError

    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ConfigError(f"{where} must be HOST:PORT with a port in [1, 65535]; got {text!r}")
    return host, int(port)


def proxied_storage(address: str, direct: Any) -> Any:
    """A gRPC storage client that also keeps heartbeats, through ``direct`` (an RDB storage)."""
    import optuna
    from optuna.storages._heartbeat import BaseHeartbeat

    from opsnn_opt.store._optuna import with_retries

    host, port = parse_proxy(address)

    @with_retries
    class ProxiedStorage(optuna.storages.GrpcStorageProxy, BaseHeartbeat):
        def record_heartbeat(self, trial_id: int) -> None:
            direct.record_heartbeat(trial_id)

        def _get_stale_trial_ids(self, study_id: int) -> list[int]:
            return direct._get_stale_trial_ids(study_id)

        def get_heartbeat_interval(self) -> int | None:
            return direct.get_heartbeat_interval()

        def get_heartbeat_stale_trial_callback(self) -> Any:
            return direct.get_heartbeat_stale_trial_callback()

    return ProxiedStorage(host=host, port=port)


def serve_proxy(url: str | None, host: str, port: int) -> None:
    """Serve the store's Optuna storage until interrupted."""
    import os

    import optuna

    from opsnn_opt.store import Store

    os.environ.pop("OPSNN_OPTUNA_PROXY", None)  # the proxy itself talks to the database
    store = Store(url)
    storage = optuna.storages.get_storage(store.optuna_storage())
    print(f"opsnn proxy: serving {store.display_url} on {host}:{port} (workers: OPSNN_OPTUNA_PROXY={host}:{port})")
    optuna.storages.run_grpc_proxy_server(storage, host=host, port=port)
