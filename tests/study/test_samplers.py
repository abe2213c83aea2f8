"""Every sampler runs a small real study (single- and multi-objective where it supports them);
``auto`` picks by the study's shape; ``study pareto`` agrees with Optuna's ``best_trials``."""

from __future__ import annotations

import json

import optuna
import pytest

from opsnn_opt.cli import main
from opsnn_opt.errors import ConfigError
from opsnn_opt.store import Store
from opsnn_opt.study import Worker, create_study, load_objective, load_space, open_study
from opsnn_opt.study._study import worker_seed
from opsnn_opt.study.spec._samplers import SAMPLERS, auto_sampler, check_sampler

SPACE = """
model = "balanced"
simtime_ms = 100.0
chunk_ms = 50.0

[fixed]
n_neurons = 40
p_connect = 0.1
seed = 5

[params.g_exc_nS]
low = 1.0
high = 6.0
{step}

[params.input_rate_hz]
low = 200.0
high = 1200.0
{step_rate}
"""

SINGLE = """
missing = 5.0

[[metrics]]
name = "rate_hz.exc"
target = 5.0
scale = 5.0
"""

MULTI = """
combine = "multi"
missing = 5.0

[[metrics]]
name = "rate_hz.exc"
target = 5.0
scale = 5.0

[[metrics]]
name = "rate_hz.inh"
direction = "minimize"

[[constraints]]
metric = "rate_hz.exc"
max = 40.0
"""

#: Trials per sampler: past the model-free start-up of those that have one (TPE's and GP's 10).
N_TRIALS = {"tpe": 11, "gp": 11, "cmaes": 5}


def _specs(tmp_path, objective_text, grid=False):
    space = tmp_path / "s_space.toml"
    space.write_text(SPACE.format(step="step = 2.5" if grid else "", step_rate="step = 500.0" if grid else ""))
    objective = tmp_path / "s_objective.toml"
    objective.write_text(objective_text)
    s = load_space(space)
    return s, load_objective(objective, s.populations)


@pytest.fixture(scope="module")
def backend():
    from opsnn_opt.backends._nest import NestBackend

    return NestBackend()


def _run(name, sampler, space, objective, backend, n):
    store = Store()
    create_study(name, space, objective, sampler=sampler, seed=3, store=store)
    opened = open_study(name, store)
    Worker(opened, backend=backend).run(n)
    return opened


SINGLE_SAMPLERS = [s for s in SAMPLERS if s != "auto"]
#: The Optuna class of each sampler name.
OPTUNA_CLASS = {
    "tpe": "TPESampler",
    "random": "RandomSampler",
    "cmaes": "CmaEsSampler",
    "grid": "GridSampler",
    "gp": "GPSampler",
    "nsga2": "NSGAIISampler",
    "nsga3": "NSGAIIISampler",
    "qmc": "QMCSampler",
}
#: Optuna's samplers built directly (as the table in spec/_samplers.py says), for the cheap ones to replay.
DIRECT = {
    "tpe": lambda space, seed: optuna.samplers.TPESampler(seed=seed, multivariate=True),
    "random": lambda space, seed: optuna.samplers.RandomSampler(seed=seed),
    "cmaes": lambda space, seed: optuna.samplers.CmaEsSampler(seed=seed),
    "grid": lambda space, seed: optuna.samplers.GridSampler(space.grid(), seed=seed),
}


def _replayed(sampler, trials):
    """The parameters ``sampler`` proposes in a fresh in-memory study told the values of ``trials``."""
    study = optuna.create_study(sampler=sampler)
    proposed = []
    for t in trials:
        trial = study.ask(dict(t.distributions))
        proposed.append(trial.params)
        study.tell(trial, t.value)
    return proposed


MULTI_SAMPLERS = [s for s in SINGLE_SAMPLERS if s != "cmaes"]


@pytest.mark.slow
@pytest.mark.parametrize("sampler", SINGLE_SAMPLERS)
def test_every_sampler_runs_a_single_objective_study(workdir, backend, sampler):
    space, objective = _specs(workdir, SINGLE, grid=sampler == "grid")
    n = N_TRIALS.get(sampler, 4)
    opened = _run(f"so-{sampler}", sampler, space, objective, backend, n)
    assert type(opened.study.sampler).__name__ == OPTUNA_CLASS[sampler]
    trials = opened.study.trials
    assert [t.state.name for t in trials] == ["COMPLETE"] * n
    assert all(1.0 <= t.params["g_exc_nS"] <= 6.0 and 200.0 <= t.params["input_rate_hz"] <= 1200.0 for t in trials)
    assert len({(t.params["g_exc_nS"], t.params["input_rate_hz"]) for t in trials}) > n // 2  # it explores
    assert opened.study.best_value == min(t.value for t in trials)
    if sampler in DIRECT:
        # The study proposed what Optuna's own sampler, built with the worker's seed, proposes
        # when told the same results: the configuration reaches Optuna unchanged.
        assert _replayed(DIRECT[sampler](space, worker_seed(3, None, 0)), trials) == [t.params for t in trials]


@pytest.mark.slow
@pytest.mark.parametrize("sampler", MULTI_SAMPLERS)
def test_every_multi_objective_sampler_runs_a_two_objective_study(workdir, backend, sampler, capsys):
    space, objective = _specs(workdir, MULTI, grid=sampler == "grid")
    n = N_TRIALS.get(sampler, 4)
    opened = _run(f"mo-{sampler}", sampler, space, objective, backend, n)
    trials = opened.study.trials
    assert [t.state.name for t in trials] == ["COMPLETE"] * n
    assert all(len(t.values) == 2 and t.constraints for t in trials)

    # The Pareto output agrees with Optuna's best_trials (the feasible front).
    assert main(["study", "pareto", f"mo-{sampler}", "--json", "--plot", str(workdir / "front.png")]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["trial"] for r in rows if r["front"]} == {t.number for t in opened.study.best_trials}
    assert all(r["feasible"] for r in rows if r["front"])
    assert (workdir / "front.png").stat().st_size > 1000


def test_cmaes_on_two_objectives_is_one_line_before_anything_runs(workdir):
    space, objective = _specs(workdir, MULTI)
    with pytest.raises(ConfigError, match=r"^sampler cmaes supports a single objective; the objective has 2") as info:
        check_sampler("cmaes", space, objective)
    assert info.value.field == "sampler"  # the CLI says --sampler
    code = main(
        [
            "study",
            "create",
            "x",
            "--space",
            str(workdir / "s_space.toml"),
            "--objective",
            str(workdir / "s_objective.toml"),
            "--sampler",
            "cmaes",
        ]
    )
    assert code == 2
    assert not (workdir / "storage").exists()


def test_an_unknown_sampler_is_one_line_with_exit_2(workdir, capsys, tiny_specs):
    space, objective = tiny_specs
    code = main(["study", "create", "x", "--space", str(space), "--objective", str(objective), "--sampler", "bo"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0] == (
        "opsnn: error: --sampler must be one of: tpe, random, cmaes, grid, gp, nsga2, nsga3, qmc, auto; got 'bo'"
    )
    assert not (workdir / "storage").exists()


def test_auto_picks_by_the_shape_of_the_study(workdir, tiny_specs, capsys):
    space, objective = _specs(workdir, SINGLE)
    assert auto_sampler(space, objective)[0] == "gp"
    multi = load_objective(_write(workdir, "multi.toml", MULTI), space.populations)
    assert auto_sampler(space, multi)[0] == "tpe"
    tiny_space, tiny_objective = tiny_specs  # a categorical input_rate_hz
    s = load_space(tiny_space)
    name, why = auto_sampler(s, load_objective(tiny_objective, s.populations))
    assert name == "tpe" and "categorical: input_rate_hz" in why
    four = 'combine = "multi"\n' + "".join(
        f'[[metrics]]\nname = "{m}"\ndirection = "minimize"\n'
        for m in ("rate_hz.exc", "rate_hz.inh", "cv_isi.exc", "synchrony.exc")
    )
    assert auto_sampler(space, load_objective(_write(workdir, "four.toml", four), space.populations))[0] == "nsga3"

    # The study stores the sampler auto chose, and says why.
    code = main(
        [
            "study",
            "create",
            "auto",
            "--space",
            str(workdir / "s_space.toml"),
            "--objective",
            str(workdir / "s_objective.toml"),
            "--sampler",
            "auto",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "sampler gp (auto: 1 objective, 2 parameters)" in out
    assert optuna.load_study(study_name="auto", storage=Store().url).user_attrs["opsnn.sampler"]["name"] == "gp"


def test_pareto_of_a_single_objective_study_is_refused(workdir, capsys):
    space, objective = _specs(workdir, SINGLE)
    create_study("one", space, objective, store=Store())
    assert main(["study", "pareto", "one"]) == 2
    assert "has a single objective; 'study pareto' needs a multi-objective study" in capsys.readouterr().err


def _write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return path
