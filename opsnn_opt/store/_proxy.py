"""How a worker reaches the store through ``opsnn proxy`` (Optuna's gRPC storage proxy).

A worker started with ``OPSNN_OPTUNA_PROXY=host:port`` sends Optuna's traffic to the proxy.
Heartbeats (which the gRPC proxy does not carry) still go straight to the database, through the
RDB storage ``direct``. The server side is :func:`opsnn_opt.cluster.serve_proxy`.
"""

from __future__ import annotations

from typing import Any

from opsnn_opt._optuna_compat import heartbeat_base, stale_trial_ids
from opsnn_opt.errors import ConfigError

__all__ = ["parse_proxy", "proxied_storage"]


def parse_proxy(text: str, where: str = "environment variable OPSNN_OPTUNA_PROXY") -> tuple[str, int]:
    """``host:port`` -> (host, port); a bad value is a one-line ConfigError."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ConfigError(f"{where} must be HOST:PORT with a port in [1, 65535]; got {text!r}")
    return host, int(port)


def proxied_storage(address: str, direct: Any) -> Any:
    """A gRPC storage client at ``address`` (``host:port``) that keeps heartbeats through ``direct``
    (an RDB storage on the same database)."""
    import optuna

    from opsnn_opt.store._optuna import with_retries

    host, port = parse_proxy(address)

    @with_retries
    class ProxiedStorage(optuna.storages.GrpcStorageProxy, heartbeat_base()):  # type: ignore[misc]
        def record_heartbeat(self, trial_id: int) -> None:
            direct.record_heartbeat(trial_id)

        # Optuna's fail_stale_trials asks the storage for this private method; answer for `direct`.
        def _get_stale_trial_ids(self, study_id: int) -> list[int]:
            return stale_trial_ids(direct, study_id)

        def get_heartbeat_interval(self) -> int | None:
            return direct.get_heartbeat_interval()

        def get_heartbeat_stale_trial_callback(self) -> Any:
            return direct.get_heartbeat_stale_trial_callback()

    return ProxiedStorage(host=host, port=port)
