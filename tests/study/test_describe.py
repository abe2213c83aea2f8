"""Objective names, the study note, the state label and feasibility, without a simulation."""

from __future__ import annotations

import math

import optuna
import optuna_dashboard
import pytest

from opsnn_opt.analysis import state_label
from opsnn_opt.cli import main
from opsnn_opt.store import Store
from opsnn_opt.study import create_study, load_objective, load_space
from opsnn_opt.study.read._dashboard import describe_old_studies
from opsnn_opt.study.spec._describe import metric_names, study_note
from opsnn_opt.study.spec._objective import ObjectiveSpec
from opsnn_opt.study.trial._feasibility import feasibility, is_feasible, metric_attrs, record_constraints


def objective(text: str) -> ObjectiveSpec:
    import tomllib

    return ObjectiveSpec.from_dict(tomllib.loads(text), "test.toml", ("exc", "inh"))


def test_metric_names_read_like_the_objective():
    assert metric_names(objective('[[metrics]]\nname = "rate_hz.exc"\ntarget = 5.0\nscale = 5.0\n')) == [
        "|rate_hz.exc - 5|/5"
    ]
    multi = objective(
        'combine = "multi"\n[[metrics]]\nname = "rate_hz.exc"\ntarget = 5.0\n'
        '[[metrics]]\nname = "synchrony.exc"\ndirection = "maximize"\n'
    )
    assert metric_names(multi) == ["|rate_hz.exc - 5|", "max synchrony.exc"]
    weighted = objective(
        '[[metrics]]\nname = "rate_hz.exc"\ntarget = 5.0\n[[metrics]]\nname = "cv_isi.exc"\ntarget = 1.0\nweight = 2.0\n'
    )
    assert metric_names(weighted) == ["cost (|rate_hz.exc - 5| + 2·|cv_isi.exc - 1|)"]
    call = ObjectiveSpec.from_dict(
        {"callable": "m:f", "directions": ["minimize", "maximize"]}, "t", None, import_callable=False
    )
    assert metric_names(call) == ["m:f[0]", "m:f[1]"]


def test_the_note_names_model_space_objective_and_constraints(tiny_specs):
    space_path, objective_path = tiny_specs
    space = load_space(space_path)
    note = study_note(space, load_objective(objective_path, space.populations))
    assert note.startswith("## Model `balanced` on nest\n\nVogels-Abbott")
    assert "| `g_exc_nS` | nS | 1 to 6, log scale |" in note
    assert "| `input_rate_hz` | Hz | one of 300, 800 |" in note
    assert "Fixed: `n_neurons` = 60, `p_connect` = 0.1, `seed` = 7" in note
    assert "- minimize **cost (|rate_hz.exc - 5|/5 + |cv_isi.exc - 1|/0.25)**" in note
    assert "- `rate_hz.exc` ≤ 1000" in note


def test_a_new_study_has_names_and_a_note_and_an_old_one_gets_them(workdir, tiny_specs):
    space_path, objective_path = tiny_specs
    space = load_space(space_path)
    spec = load_objective(objective_path, space.populations)
    store = Store()
    opened = create_study("new", space, spec, store=store)
    assert opened.study.metric_names == metric_names(spec)
    assert optuna_dashboard.get_note(opened.study) == study_note(space, spec)

    old = optuna.create_study(study_name="old", storage=store.optuna_storage())
    for key, value in opened.study.user_attrs.items():
        old.set_user_attr(key, value)
    optuna.create_study(study_name="not-ours", storage=store.optuna_storage())
    assert describe_old_studies(store.optuna_storage()) == ["old"]
    old = optuna.load_study(study_name="old", storage=store.optuna_storage())
    assert old.metric_names == metric_names(spec) and "## Model `balanced`" in optuna_dashboard.get_note(old)
    assert describe_old_studies(store.optuna_storage()) == []


def test_state_labels_and_feasibility():
    assert [state_label(c) for c in (0.0, 1.0, 2.0, 3.0, 4.0)] == ["quiescent", "AI", "SI", "SR", "runaway"]
    assert state_label(math.nan) is None and state_label(None) is None
    study = optuna.create_study()
    trial = study.ask()
    for key, value in metric_attrs({"rate_hz.exc": 0.0, "cv_isi.exc": None, "state": 0.0}, {"sim_s": 0.5}).items():
        trial.set_user_attr(key, value)
    record_constraints(trial, ["rate_hz.exc in [0.5, 50]", "rate_hz.inh in [0, 80]"], [0.5, 0.0])
    study.tell(trial, 1.0)
    frozen = study.trials[0]
    assert frozen.user_attrs == {
        "rate_hz.exc": 0.0,
        "state": 0.0,
        "sim_s": 0.5,
        "undefined_metrics": "cv_isi.exc",
        "network_state": "quiescent",
    }
    assert frozen.system_attrs["constraints"] == [0.5, 0.0]  # the list optuna-dashboard 0.21 reads
    assert frozen.constraints["rate_hz.exc in [0.5, 50]"] == 0.5  # Optuna 5's own form
    assert feasibility(frozen) == (False, ["rate_hz.exc in [0.5, 50]"])
    assert not is_feasible(frozen)


def test_feasibility_follows_optunas_rule():
    """<= 0 meets a constraint, nan violates it, and a trial without constraint values is feasible:
    the trials Optuna's best_trials keeps are exactly those is_feasible keeps."""
    study = optuna.create_study(directions=["minimize", "minimize"])
    for k, violations in enumerate([None, [0.0, -1.0], [0.0, 0.5], None]):
        trial = study.ask()
        if violations is not None:
            record_constraints(trial, ["a", "b"], violations)
        study.tell(trial, [float(k), float(-k)])  # every trial on the front
    # Optuna 5 refuses a nan constraint; one written in the list form only (as by Optuna 3) reads as nan.
    study.add_trial(optuna.trial.create_trial(values=[3.5, -3.5], system_attrs={"constraints": [math.nan, 0.0]}))
    verdicts = [(feasibility(t), is_feasible(t)) for t in study.trials]
    assert verdicts == [
        ((None, []), True),
        ((True, []), True),
        ((False, ["b"]), False),
        ((None, []), True),
        ((False, ["constraint 0"]), False),
    ]
    assert [t.number for t in study.best_trials] == [t.number for t in study.trials if is_feasible(t)] == [0, 1, 3]


def test_dashboard_port_out_of_range_is_refused(workdir, capsys):
    assert main(["dashboard", "--port", "70000"]) == 2
    assert "--port must be a whole number in [1, 65535]; got 70000" in capsys.readouterr().err
    assert main(["dashboard", "--port", "x"]) == 2


@pytest.mark.parametrize("bad", ["gs://bucket/x", "s3://"])
def test_a_bad_artifact_store_stops_a_worker_before_anything_runs(workdir, capsys, bad, monkeypatch):
    monkeypatch.setenv("OPSNN_ARTIFACT_STORE", bad)
    assert main(["worker", "anything"]) == 2
    err = capsys.readouterr().err
    assert f"--artifact-store/OPSNN_ARTIFACT_STORE must be a folder or s3://BUCKET[/PREFIX]; got {bad!r}" in err


MODULE = """
from opsnn_opt.models._balanced import Balanced


class Mine(Balanced):
    name = "mine"
"""


def test_a_study_reads_on_a_host_without_its_model_but_runs_no_trial(workdir, tiny_specs, monkeypatch, capsys, caplog):
    """A study run elsewhere, with a model from a package not installed here: show and best read
    it as stored (with one warning line); a worker refuses it in one line with exit 2."""
    import sys

    from opsnn_opt.study import Worker, open_study

    (workdir / "mine_pkg").mkdir()
    (workdir / "mine_pkg" / "mine_model.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(workdir / "mine_pkg"))
    space_path = workdir / "mine.toml"
    space_path.write_text(tiny_specs[0].read_text().replace('model = "balanced"', 'model = "mine_model:Mine"'))
    space = load_space(space_path)
    create_study("away", space, load_objective(tiny_specs[1], space.populations), store=Store())
    Worker(open_study("away", Store())).run(1)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(workdir / "mine_pkg")])
    monkeypatch.delitem(sys.modules, "mine_model")
    capsys.readouterr()

    assert main(["study", "show", "away"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[:2] == ["0", "COMPLETE"]
    (warning,) = [r.getMessage() for r in caplog.records if "showing the study as stored" in r.getMessage()]
    assert "no module named 'mine_model' on this host" in warning
    assert main(["study", "best", "away"]) == 0
    assert "best trial 0" in capsys.readouterr().out
    assert main(["worker", "away", "--n-trials", "1"]) == 2
    assert "no module named 'mine_model' on this host" in capsys.readouterr().err
