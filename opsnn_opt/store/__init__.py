"""The SQL study store: Optuna's tables and the project's own, in one database."""

from opsnn_opt.store._location import artifacts_root, display_url, resolve_storage_url
from opsnn_opt.store._store import Store
from opsnn_opt.store._tables import Base, BenchRun, TrialRun
from opsnn_opt.store._trial_attrs import set_stored_user_attrs, set_trial_user_attrs

__all__ = [
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
