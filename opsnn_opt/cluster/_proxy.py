"""``opsnn proxy``: Optuna's gRPC storage proxy in front of the study store.

With hundreds of workers, each holding its own connections, the database runs out of them. The
proxy holds one connection pool and serves Optuna's storage API over gRPC; workers started with
``OPSNN_OPTUNA_PROXY=host:port`` send their Optuna traffic there (the client side is
:func:`opsnn_opt.store.proxied_storage`). Heartbeats (which the gRPC proxy does not carry) and the
project's own tables still go to the database, each call on a connection opened for it and closed
after (no pool), so an idle worker holds no connection. The proxy binds 127.0.0.1 unless
``--host`` says otherwise: it has no authentication of its own.
"""

from __future__ import annotations

import os

from opsnn_opt.store import Store

__all__ = ["serve_proxy"]


def serve_proxy(url: str | None, host: str, port: int) -> None:
    """Serve the store's Optuna storage on ``host:port`` until interrupted."""
    import optuna

    os.environ.pop("OPSNN_OPTUNA_PROXY", None)  # the proxy itself talks to the database
    store = Store(url)
    storage = optuna.storages.get_storage(store.optuna_storage())
    print(f"opsnn proxy: serving {store.display_url} on {host}:{port} (workers: OPSNN_OPTUNA_PROXY={host}:{port})")
    optuna.storages.run_grpc_proxy_server(storage, host=host, port=port)
