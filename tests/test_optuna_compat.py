"""The private Optuna names opsnn_opt relies on still exist in the installed Optuna."""

import optuna
import pytest

from opsnn_opt import _optuna_compat as compat


def test_every_private_optuna_name_is_there():
    assert compat.check() == []


def test_a_removed_name_is_named_in_one_line():
    missing = compat.check([("optuna.storages", "RDBStorage._no_such_method")])
    assert len(missing) == 1
    assert "optuna.storages.RDBStorage._no_such_method" in missing[0]
    assert "_optuna_compat.py" in missing[0]


def test_trial_and_study_ids_are_where_the_workers_read_them():
    study = optuna.create_study()
    trial = study.ask()
    assert isinstance(study._study_id, int)
    assert isinstance(trial._trial_id, int)
    assert study._storage.get_trial(trial._trial_id).number == trial.number


def test_the_optimize_loop_flags_let_a_sampler_stop_a_worker_loop():
    study = optuna.create_study()
    with pytest.raises(RuntimeError):
        study.stop()  # outside a loop, Optuna refuses
    compat.enter_optimize_loop(study)
    assert not compat.stop_requested(study)
    study.stop()
    assert compat.stop_requested(study)
    compat.leave_optimize_loop(study)
    with pytest.raises(RuntimeError):
        study.stop()


def test_pareto_front_of_two_objectives():
    study = optuna.create_study(directions=["minimize", "minimize"])
    for values in [(1, 3), (2, 2), (3, 1), (3, 3)]:
        study.add_trial(optuna.trial.create_trial(values=list(values)))
    front = compat.pareto_front(study.trials, study.directions)
    assert sorted(t.number for t in front) == [0, 1, 2]


def test_user_attrs_in_one_transaction(tmp_path):
    storage = optuna.storages.RDBStorage(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    study = optuna.create_study(storage=storage)
    trial = study.ask()
    assert compat.set_user_attrs_in_one_transaction(storage, trial._trial_id, {"a": 1, "b": [2, 3]})
    assert storage.get_trial(trial._trial_id).user_attrs == {"a": 1, "b": [2, 3]}
    assert not compat.set_user_attrs_in_one_transaction(optuna.storages.InMemoryStorage(), 0, {"a": 1})


def test_stale_trial_ids_without_heartbeats_is_empty():
    study = optuna.create_study()
    study.ask()
    assert compat.stale_trial_ids(study._storage, study._study_id) == []


def test_user_attrs_through_a_running_studys_cached_storage(tmp_path):
    study = optuna.create_study(storage=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    trial = study.ask()
    assert compat.set_user_attrs_in_one_transaction(study._storage, trial._trial_id, {"rate_hz": 4.8})
    compat.update_cached_user_attrs(trial, {"rate_hz": 4.8})
    assert trial.user_attrs == {"rate_hz": 4.8}
    assert optuna.load_study(study_name=study.study_name, storage=study._storage).trials[0].user_attrs == {
        "rate_hz": 4.8
    }
