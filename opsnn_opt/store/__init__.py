"""The SQL study store: Optuna's tables and the project's own, in one database."""

from opsnn_opt.store._env_check import check_environment
from opsnn_opt.store._location import (
    DEFAULT_DIR,
    artifacts_root,
    check_url,
    display_url,
    resolve_storage_url,
    sqlite_path,
)
from opsnn_opt.store._proxy import parse_proxy, proxied_storage
from opsnn_opt.store._retry import OutageError, retry_call
from opsnn_opt.store._store import Store
from opsnn_opt.store._tables import Base, BenchRun, TrialRun
from opsnn_opt.store._throwaway import ThrowawayPostgres, throwaway_unavailable_reason
from opsnn_opt.store._trial_attrs import set_stored_user_attrs, set_trial_user_attrs

__all__ = [
    "DEFAULT_DIR",
    "check_environment",
    "check_url",
    "parse_proxy",
    "proxied_storage",
    "sqlite_path",
    "OutageError",
    "retry_call",
    "ThrowawayPostgres",
    "throwaway_unavailable_reason",
    "Base",
    "BenchRun",
    "Store",
    "TrialRun",
    "artifacts_root",
    "display_url",
    "resolve_storage_url",
    "set_stored_user_attrs",
    "set_trial_user_attrs",
]
