"""Many trial attributes in one database transaction.

Optuna's ``trial.set_user_attr`` commits one transaction per key. A trial here stores every
metric and timing as its own user attribute (about 70 keys), which optuna-dashboard and
``study.trials_dataframe()`` show as columns; one commit each cost about half a second per trial
on SQLite, more than the whole run's reading, checking and writing. On Optuna's RDB storage
these are written in one session (with the same upsert Optuna uses per key); any other storage
gets them key by key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opsnn_opt._optuna_compat import set_user_attrs_in_one_transaction, update_cached_user_attrs

__all__ = ["set_stored_user_attrs", "set_trial_user_attrs"]


def set_stored_user_attrs(storage: Any, trial_id: int, attrs: Mapping[str, Any]) -> None:
    """Set every ``attrs`` item as a user attribute of trial ``trial_id`` in an Optuna ``storage``."""
    if not set_user_attrs_in_one_transaction(storage, trial_id, attrs):
        for key, value in attrs.items():
            storage.set_trial_user_attr(trial_id, key, value)


def set_trial_user_attrs(trial: Any, attrs: Mapping[str, Any]) -> None:
    """Set every ``attrs`` item as a user attribute of the running Optuna ``trial``."""
    set_stored_user_attrs(trial.storage, trial._trial_id, attrs)
    update_cached_user_attrs(trial, attrs)
