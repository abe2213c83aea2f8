"""Every private Optuna name opsnn_opt relies on, in one place.

Optuna's public API has no way to do these few things; each function says why it needs the
private name. :func:`check` (run by ``tests/test_optuna_compat.py``) fails with one line naming
whatever an Optuna upgrade removed, instead of a worker failing later with an AttributeError.

The trial and study ids (``trial._trial_id``, ``study._study_id``) are read where they are used:
Optuna's own integrations read them the same way, and :func:`check` covers them too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "PRIVATE_NAMES",
    "RDB_PRIVATE_METHODS",
    "check",
    "enter_optimize_loop",
    "heartbeat_base",
    "leave_optimize_loop",
    "pareto_front",
    "set_user_attrs_in_one_transaction",
    "stale_trial_ids",
    "stop_requested",
    "update_cached_user_attrs",
]

#: RDBStorage's private methods that its public ones call inside a transaction; the store wraps
#: them too (``store/_optuna.py``), so that a call retries through a database outage as a whole.
RDB_PRIVATE_METHODS: tuple[str, ...] = (
    "_create_new_trial",
    "_set_trial_param",
    "_get_trials",
    "_get_best_trial_id",
    "_get_stale_trial_ids",
)

# (module, attribute path) of each private name used here or named above; :func:`check` imports each.
PRIVATE_NAMES: tuple[tuple[str, str], ...] = (
    *(("optuna.storages", f"RDBStorage.{name}") for name in RDB_PRIVATE_METHODS),
    ("optuna.storages", "RDBStorage._set_trial_attr_without_commit"),
    ("optuna.storages._rdb.models", "TrialUserAttributeModel"),
    ("optuna.storages._rdb.storage", "_create_scoped_session"),
    ("optuna.storages._heartbeat", "BaseHeartbeat"),
    ("optuna.storages._cached_storage", "_CachedStorage"),
    ("optuna.study._multi_objective", "_get_pareto_front_trials_by_trials"),
)


def stale_trial_ids(storage: Any, study_id: int) -> list[int]:
    """Ids of the study's RUNNING trials whose heartbeat is stale.

    Why private: :func:`optuna.storages.fail_stale_trials` finds them and fails them in one call,
    but a worker must fail them under a store-wide lock and re-queue each once, so it needs the
    list first. Storages without heartbeats have none.
    """
    method = getattr(storage, "_get_stale_trial_ids", None)
    return list(method(study_id)) if method is not None else []


def heartbeat_base() -> type:
    """Optuna's heartbeat interface, which a storage proxy must implement to keep heartbeats.

    Why private: ``BaseHeartbeat`` is what :func:`optuna.storages.fail_stale_trials` tests with
    ``isinstance``; it is not exported.
    """
    from optuna.storages._heartbeat import BaseHeartbeat

    return BaseHeartbeat


def enter_optimize_loop(study: Any) -> None:
    """Mark ``study`` as inside an optimisation loop, as :meth:`optuna.Study.optimize` does.

    Why private: a worker runs its own loop (ask, supervised run, tell) instead of ``optimize``;
    samplers (the grid sampler when its grid is done) call ``study.stop()``, which raises unless
    the study is in such a loop, and record the request in ``_stop_flag``.
    """
    study._thread_local.in_optimize_loop = True
    study._stop_flag = False


def stop_requested(study: Any) -> bool:
    """Whether a sampler or callback asked ``study`` to stop (``study.stop()``)."""
    return bool(study._stop_flag)


def leave_optimize_loop(study: Any) -> None:
    """Undo :func:`enter_optimize_loop`."""
    study._thread_local.in_optimize_loop = False


def pareto_front(trials: Sequence[Any], directions: Sequence[Any]) -> list[Any]:
    """The non-dominated trials among ``trials`` (completed, with values).

    Why private: ``study.best_trials`` gives the front of the feasible trials only; the Pareto
    table also marks the front of all trials, which needs Optuna's front over a given list.
    """
    from optuna.study._multi_objective import _get_pareto_front_trials_by_trials

    return list(_get_pareto_front_trials_by_trials(list(trials), list(directions)))


def set_user_attrs_in_one_transaction(storage: Any, trial_id: int, attrs: Mapping[str, Any]) -> bool:
    """Set every item of ``attrs`` as a user attribute of a trial in one SQL transaction.

    Why private: ``RDBStorage.set_trial_user_attr`` commits once per attribute, and a trial sets
    about 70; the RDB storage sits behind Optuna's cache (``_backend``) in a running study.
    Returns False (nothing done) when ``storage`` is not an RDB storage that allows it.
    """
    from optuna.storages import RDBStorage

    backend = getattr(storage, "_backend", storage)
    if not isinstance(backend, RDBStorage) or not hasattr(backend, "_set_trial_attr_without_commit"):
        return False
    from optuna.storages._rdb import models
    from optuna.storages._rdb.storage import _create_scoped_session

    with _create_scoped_session(backend.scoped_session, True) as session:
        for key, value in attrs.items():
            backend._set_trial_attr_without_commit(session, models.TrialUserAttributeModel, trial_id, key, value)
    return True


def update_cached_user_attrs(trial: Any, attrs: Mapping[str, Any]) -> None:
    """Keep a running ``trial``'s cached user attributes in step with attributes written to its
    storage directly (by :func:`set_user_attrs_in_one_transaction`).

    Why private: :class:`optuna.Trial` caches its frozen trial and reads user attributes from it.
    """
    cached = getattr(trial, "_cached_frozen_trial", None)
    if cached is not None:
        cached.user_attrs.update(attrs)


def _resolve(module: str, path: str) -> Any:
    import importlib

    obj: Any = importlib.import_module(module)
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def check(names: Iterable[tuple[str, str]] = PRIVATE_NAMES) -> list[str]:
    """One line for each private Optuna name that this Optuna no longer has (empty when all are there)."""
    import optuna

    missing = []
    for module, path in names:
        try:
            _resolve(module, path)
        except (ImportError, AttributeError) as exc:
            missing.append(
                f"optuna {optuna.__version__} has no {module}.{path} ({exc}); "
                "opsnn_opt/_optuna_compat.py needs a new way to do what it did"
            )
    return missing
