"""Optuna's RDB storage with every database call retried through outages.

The methods that Optuna's study, its cache and the heartbeat call are wrapped with
:func:`~opsnn_opt.store._retry.retry_call`, so a worker rides out a database restart (the
heartbeat included) instead of failing inside Optuna's ``tell``.
"""

from __future__ import annotations

import functools
from typing import Any

import optuna

from opsnn_opt._optuna_compat import RDB_PRIVATE_METHODS
from opsnn_opt.store._retry import retry_call

__all__ = ["RetryingRDBStorage", "with_retries"]

_RETRIED = (
    "create_new_study",
    "delete_study",
    "set_study_user_attr",
    "set_study_system_attr",
    "get_study_id_from_name",
    "get_study_name_from_id",
    "get_study_directions",
    "get_study_user_attrs",
    "get_study_system_attrs",
    "get_all_studies",
    "create_new_trial",
    "set_trial_param",
    "get_trial_param",
    "set_trial_state_values",
    "set_trial_intermediate_value",
    "set_trial_user_attr",
    "set_trial_system_attr",
    "get_trial_user_attrs",
    "get_trial_system_attrs",
    "get_trial_id_from_study_id_trial_number",
    "get_trial",
    "get_all_trials",
    "get_best_trial",
    "record_heartbeat",
    *RDB_PRIVATE_METHODS,
)


def _retried(name: str, base: type = optuna.storages.RDBStorage) -> Any:
    method = getattr(base, name)

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kw: Any) -> Any:
        return retry_call(method, self, *args, what=f"Optuna's {name.lstrip('_')}", **kw)

    return call


class RetryingRDBStorage(optuna.storages.RDBStorage):
    """:class:`optuna.storages.RDBStorage` whose calls retry for up to ``OPSNN_DB_RETRY_S``."""


for _name in _RETRIED:
    setattr(RetryingRDBStorage, _name, _retried(_name))


def with_retries(cls: type) -> type:
    """``cls`` with every storage method it has from the list above retried through outages."""
    for name in _RETRIED:
        if hasattr(cls, name):
            setattr(cls, name, _retried(name, cls))
    return cls
