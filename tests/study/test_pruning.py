"""Intermediate values and Optuna's pruners on real studies; what stopped a trial and the time saved."""

from __future__ import annotations

import pytest

from opsnn_opt.cli import main
from opsnn_opt.store import Store
from opsnn_opt.study import Worker, create_study, load_objective, load_space, open_study

SPACE = """
model = "balanced"
simtime_ms = 200.0
chunk_ms = 50.0
{extra}

[fixed]
n_neurons = 60
p_connect = 0.1
seed = 7

[params.input_rate_hz]
choices = [50.0, 3000.0]
"""

OBJECTIVE = """
missing = 5.0
{extra}

[[metrics]]
name = "rate_hz.exc"
target = 5.0
scale = 5.0
"""

GOOD, BAD = {"input_rate_hz": 50.0}, {"input_rate_hz": 3000.0}  # about 8 Hz; about 115 Hz


def _study(folder, name, space_extra="", objective_extra="", backend=None, order=(GOOD, GOOD, GOOD, BAD, BAD)):
    (folder / f"{name}.toml").write_text(SPACE.format(extra=space_extra))
    (folder / f"{name}-objective.toml").write_text(OBJECTIVE.format(extra=objective_extra))
    space = load_space(folder / f"{name}.toml")
    objective = load_objective(folder / f"{name}-objective.toml", space.populations)
    create_study(name, space, objective, sampler="random", seed=1, store=Store())
    opened = open_study(name, Store())
    for params in order:
        opened.study.enqueue_trial(params)
    Worker(opened, backend=backend).run(len(order))
    return opened


@pytest.fixture(scope="module")
def backend():
    from opsnn_opt.backends._nest import NestBackend

    return NestBackend()


@pytest.mark.slow
def test_intermediate_values_reach_optunas_storage(workdir, backend):
    opened = _study(workdir, "inter", backend=backend, order=(GOOD, BAD))
    trials = optuna_trials(opened)
    for t in trials:
        assert t.state.name == "COMPLETE"
        assert sorted(t.intermediate_values) == [1, 2, 3, 4]  # one per 50 ms chunk
        # The last chunk sees every spike: its value is the trial's.
        assert t.intermediate_values[4] == pytest.approx(t.value, rel=1e-9)
    assert trials[1].intermediate_values[1] > trials[0].intermediate_values[1]


@pytest.mark.slow
def test_a_chosen_metric_is_reported_instead(workdir, backend):
    opened = _study(workdir, "metric", objective_extra='report = "rate_hz.inh"', backend=backend, order=(GOOD,))
    (t,) = optuna_trials(opened)
    assert t.intermediate_values[4] == pytest.approx(t.user_attrs["rate_hz.inh"], rel=1e-9)


PRUNERS = {
    "median": "n_startup_trials = 2",
    "percentile": "percentile = 50.0\nn_startup_trials = 2",
    "successive_halving": "min_resource = 1\nreduction_factor = 2",
    "hyperband": "min_resource = 1\nmax_resource = 4\nreduction_factor = 2",
    "wilcoxon": "p_threshold = 0.2\nn_startup_steps = 1",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PRUNERS))
def test_each_pruner_prunes_the_runaway_trials(workdir, backend, name, capsys):
    where = "objective" if name in ("median", "wilcoxon") else "space"
    table = f'[pruner]\nname = "{name}"\n{PRUNERS[name]}\n'
    opened = _study(
        workdir,
        name,
        space_extra=table if where == "space" else "",
        objective_extra=table if where == "objective" else "",
        backend=backend,
    )
    trials = optuna_trials(opened)
    states = [t.state.name for t in trials]
    assert states[0] == "COMPLETE" and "PRUNED" in states[3:], states
    pruned = [t for t in trials if t.state.name == "PRUNED"]
    for t in pruned:
        assert t.params == BAD  # only runaway configurations are stopped
        assert t.user_attrs["pruned_by"] == "pruner"
        assert t.user_attrs["pruned_reason"].startswith(f"pruner {name}: intermediate value")
        # Halving and Hyperband decide at their rungs (steps 1, 2, 4 here): at the last chunk nothing is saved.
        assert 0 <= t.user_attrs["simtime_saved_ms"] < 200.0
        if name in ("median", "percentile", "wilcoxon"):
            assert t.user_attrs["simtime_saved_ms"] > 0
    rows = {r.trial_number: r for r in Store().runs(name)}
    assert all(rows[t.number].pruned_by == "pruner" and rows[t.number].simtime_saved_ms >= 0 for t in pruned)
    assert all(rows[t.number].state == "PRUNED" for t in pruned)

    # study show totals the time saved.
    assert main(["study", "show", name]) == 0
    saved = sum(t.user_attrs["simtime_saved_ms"] for t in pruned) / 1000
    assert f"pruned: {len(pruned)} trials (pruner {len(pruned)}); simulated time saved: {saved:.3g} s of 1 s" in (
        capsys.readouterr().out
    )


@pytest.mark.slow
def test_a_prune_rule_and_a_pruner_work_together_and_say_which_stopped(workdir, backend):
    extra = 'pruner = "median"\n[[prune]]\nmetric = "rate_hz.exc"\nmax = 60.0\nafter_ms = 50.0\n'
    opened = _study(workdir, "both", objective_extra=extra, backend=backend)
    trials = optuna_trials(opened)
    assert [t.state.name for t in trials] == ["COMPLETE"] * 3 + ["PRUNED"] * 2
    assert {t.user_attrs["pruned_by"] for t in trials[3:]} == {"rule"}
    assert all(t.user_attrs["simtime_saved_ms"] == 150.0 for t in trials[3:])  # stopped after the first chunk


def optuna_trials(opened):
    return opened.study.get_trials(deepcopy=False)


@pytest.mark.slow
def test_a_supervised_worker_reports_and_prunes_through_its_simulation_process(workdir):
    """The per-chunk questions cross the pipe between the supervisor and its simulation process."""
    opened = _study(workdir, "sup", objective_extra='[pruner]\nname = "median"\nn_startup_trials = 2\n')
    trials = optuna_trials(opened)
    assert [t.state.name for t in trials[:3]] == ["COMPLETE"] * 3
    assert all(sorted(t.intermediate_values) == [1, 2, 3, 4] for t in trials[:3])
    assert {t.state.name for t in trials[3:]} == {"PRUNED"}
    assert all(t.user_attrs["pruned_by"] == "pruner" and t.user_attrs["simtime_saved_ms"] > 0 for t in trials[3:])
