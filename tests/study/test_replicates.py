"""Seed replicates: reproducible, distinct seeds; statistics on planted values; a real replicated
study; and every bad value of the new fields as one line, exit 2, before anything runs."""

from __future__ import annotations

import math

import pytest

from opsnn_opt.cli import main
from opsnn_opt.models import get_model
from opsnn_opt.store import Store
from opsnn_opt.study import Worker, create_study, load_objective, load_space, open_study
from opsnn_opt.study.spec._replicates import ReplicateSpec, replicate_params, replicate_stats
from tests.study.test_pruning import OBJECTIVE as OBJECTIVE_TEMPLATE
from tests.study.test_pruning import SPACE

BOTH, INPUT, NETWORK = ReplicateSpec(4), ReplicateSpec(4, ("input",)), ReplicateSpec(4, ("network",))


def test_replicate_seeds_are_reproducible_and_distinct():
    params = {"seed": 11, "g_exc_nS": 2.0}
    runs = [replicate_params(params, BOTH, r, None) for r in range(4)]
    assert runs[0] == params  # replicate 0 is the trial itself
    assert len({p["seed"] for p in runs}) == 4
    assert runs == [replicate_params(params, BOTH, r, None) for r in range(4)]  # a rerun reproduces them
    assert all(p["g_exc_nS"] == 2.0 for p in runs)
    other = [replicate_params({**params, "seed": 12}, BOTH, r, None)["seed"] for r in range(1, 4)]
    assert not set(other) & {p["seed"] for p in runs}


def test_vary_changes_only_the_chosen_seed_where_the_model_separates_them():
    v1 = get_model("v1_sheet")
    assert v1.network_seed_param == "network_seed"
    params = {"seed": 5, "network_seed": 0}
    net = [replicate_params(params, NETWORK, r, "network_seed") for r in range(1, 4)]
    assert {p["seed"] for p in net} == {5} and len({p["network_seed"] for p in net}) == 3
    inp = [replicate_params(params, INPUT, r, "network_seed") for r in range(1, 4)]
    assert {p["network_seed"] for p in inp} == {5} and len({p["seed"] for p in inp}) == 3  # pinned to the old seed
    both = [replicate_params(params, BOTH, r, "network_seed") for r in range(1, 4)]
    assert len({(p["seed"], p["network_seed"]) for p in both}) == 3


def test_means_and_confidence_intervals_on_planted_values():
    stats = replicate_stats([{"a": 1.0, "b": 4.0}, {"a": 2.0, "b": math.nan}, {"a": 3.0, "b": 6.0}])
    a = stats["a"]
    assert a["mean"] == 2.0 and a["std"] == pytest.approx(1.0) and a["k"] == 3
    half = 4.302652729749464 / math.sqrt(3)  # t(0.975, 2) * s / sqrt(k)
    assert a["ci95"] == pytest.approx([2.0 - half, 2.0 + half])
    b = stats["b"]  # a nan replicate is left out
    assert b["mean"] == 5.0 and b["k"] == 2 and b["ci95"] == pytest.approx([5 - 12.706204736 * 1.0, 5 + 12.706204736])
    single = replicate_stats([{"a": 3.0}])["a"]
    assert single == {"mean": 3.0, "std": None, "ci95": None, "k": 1}


#: Balanced network, 200 ms in 4 chunks; input 50 Hz (about 8 Hz) or 3000 Hz (runaway).
OBJECTIVE = OBJECTIVE_TEMPLATE.format(extra="")


def _write(folder, extra="", objective=OBJECTIVE):
    (folder / "rep.toml").write_text(SPACE.format(extra=extra))
    (folder / "rep-objective.toml").write_text(objective)
    return folder / "rep.toml", folder / "rep-objective.toml"


@pytest.mark.slow
def test_a_replicated_study_scores_the_means_and_keeps_every_replicate(workdir):
    from opsnn_opt.backends._nest import NestBackend

    space_path, objective_path = _write(workdir, 'replicates = 3\nvary = ["network", "input"]')
    space = load_space(space_path)
    create_study("rep", space, load_objective(objective_path, space.populations), store=Store())
    opened = open_study("rep", Store())
    opened.study.enqueue_trial({"input_rate_hz": 50.0})
    Worker(opened, backend=NestBackend()).run(1)
    (t,) = opened.study.trials
    assert t.state.name == "COMPLETE" and t.user_attrs["replicates"] == 3
    (row,) = Store().runs("rep")
    reps = row.replicates
    assert [r["replicate"] for r in reps] == [0, 1, 2]
    assert reps[0]["seed"] == 7 and len({r["seed"] for r in reps}) == 3
    assert len({r["results_path"] for r in reps}) == 3 and all(r["results_path"].endswith(".nix") for r in reps)
    rates = [r["metrics"]["rate_hz.exc"] for r in reps]
    assert len(set(rates)) > 1  # the seeds make a difference
    stats = t.user_attrs["replicate_stats"]["rate_hz.exc"]
    assert stats["mean"] == pytest.approx(sum(rates) / 3) and stats["k"] == 3
    assert stats["ci95"][0] < stats["mean"] < stats["ci95"][1]
    assert t.user_attrs["rate_hz.exc"] == pytest.approx(stats["mean"])
    assert t.value == pytest.approx(abs(stats["mean"] - 5.0) / 5.0)
    assert row.metrics["rate_hz.exc"] == pytest.approx(stats["mean"])
    # Intermediate values line up per replicate: 4 chunks each.
    assert sorted(t.intermediate_values) == list(range(1, 13))


@pytest.mark.slow
def _good_then_bad(name, space_path, objective_path):
    """A study of two trials on NEST: input 50 Hz (about 8 Hz), then 3000 Hz (runaway)."""
    from opsnn_opt.backends._nest import NestBackend

    space = load_space(space_path)
    create_study(name, space, load_objective(objective_path, space.populations), store=Store())
    opened = open_study(name, Store())
    for rate in (50.0, 3000.0):
        opened.study.enqueue_trial({"input_rate_hz": rate})
    Worker(opened, backend=NestBackend()).run(2)
    return opened.study.trials


def test_a_clearly_worse_trial_stops_after_the_first_replicates(workdir):
    space_path, objective_path = _write(workdir, "replicates = 4\nstop_if_worse_after = 2")
    good, bad = _good_then_bad("stop", space_path, objective_path)
    assert good.state.name == "COMPLETE" and bad.state.name == "PRUNED"
    assert bad.user_attrs["pruned_by"] == "replicates"
    assert bad.user_attrs["pruned_reason"].startswith("replicates: the objective's 95 % CI")
    assert bad.user_attrs["simtime_saved_ms"] == 400.0  # 2 of 4 replicates of 200 ms not run
    assert len(Store().runs("stop")[1].replicates) == 2


BAD_VALUES = [
    ("replicates = 0", "", r"'replicates' must be a whole number in \[1, 1000\]; got 0"),
    ('replicates = 2\nvary = ["weather"]', "", r"'vary' must be a non-empty list of distinct"),
    (
        'replicates = 2\nvary = ["input"]',
        "",
        r"vary = \['input'\] needs separate seeds for the connectivity and the input, but model balanced",
    ),
    ("replicates = 2\nstop_if_worse_after = 2", "", r"'stop_if_worse_after' must be a whole number in \[1, "),
    ('pruner = "patience"', "", r"'pruner' must be one of: none, median, percentile, successive_halving"),
    ('[pruner]\nname = "median"\nn_warmup_steps = -1', "", r"'n_warmup_steps' must be a whole number in \[0, inf\)"),
    ('[pruner]\nname = "wilcoxon"\np_threshold = 2.0', "", r"'p_threshold' must be a number in \[0, 1\]; got 2.0"),
    ('[pruner]\nname = "median"\npercentile = 3', "", r"unknown field 'percentile'"),
    (
        'pruner = "median"',
        'combine = "multi"\n[[metrics]]\nname = "rate_hz.exc"\ndirection = "minimize"\n[[metrics]]\nname = "rate_hz.inh"\ndirection = "minimize"\n',
        r"pruner 'median' needs a single objective; the objective .* has 2",
    ),
    ("", 'report = "rate_hz.nowhere"\n[[metrics]]\nname = "rate_hz.exc"\ndirection = "minimize"\n', r"rate_hz.nowhere"),
]


@pytest.mark.parametrize(("space_extra", "objective", "message"), BAD_VALUES)
def test_every_bad_value_is_one_line_with_exit_2_before_anything_runs(workdir, capsys, space_extra, objective, message):
    import re

    space, objective_path = _write(workdir, space_extra, objective or OBJECTIVE)
    code = main(["study", "create", "bad", "--space", str(space), "--objective", str(objective_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert err[0].startswith("opsnn: error: ") and re.search(message, err[0]), err[0]
    assert not (workdir / "storage").exists()


def test_the_python_api_takes_replicates_report_and_pruner():
    import opsnn_opt as op
    from opsnn_opt.errors import ConfigError

    space = op.SearchSpace("balanced", params={"g_exc_nS": op.Uniform(1, 5)}, replicates=3, vary=["network", "input"])
    assert space.replicates == ReplicateSpec(3)
    objective = op.Objective([op.Target("rate_hz.exc", 5.0)], report="rate_hz.inh", pruner={"name": "wilcoxon"})
    assert objective.report == "rate_hz.inh" and objective.pruner.name == "wilcoxon"
    assert objective.pruner.options == {"p_threshold": 0.1, "n_startup_steps": 2}
    with pytest.raises(
        ConfigError, match=r"^SearchSpace\(\.\.\.\): 'replicates' must be a whole number in \[1, 1000\]"
    ):
        op.SearchSpace("balanced", params={"g_exc_nS": op.Uniform(1, 5)}, replicates=0)


def test_the_wilcoxon_pruner_compares_replicates_with_the_best_trials(workdir):
    """One chunk per replicate: step k is replicate k, so Optuna's Wilcoxon pruner pairs a trial's
    replicates with the best trial's and stops a worse one before its last replicate."""
    pruner = '[pruner]\nname = "wilcoxon"\np_threshold = 0.2\nn_startup_steps = 1\n'
    space_path, objective_path = workdir / "wx.toml", workdir / "wx-objective.toml"
    space_path.write_text(SPACE.format(extra="replicates = 4").replace("chunk_ms = 50.0", "chunk_ms = 200.0"))
    objective_path.write_text(OBJECTIVE_TEMPLATE.format(extra=pruner))
    good, bad = _good_then_bad("wx", space_path, objective_path)
    assert good.state.name == "COMPLETE" and sorted(good.intermediate_values) == [1, 2, 3, 4]
    assert bad.state.name == "PRUNED", [bad.intermediate_values, good.intermediate_values]
    assert bad.user_attrs["pruned_by"] == "pruner"
    assert bad.user_attrs["pruned_reason"].startswith("pruner wilcoxon: intermediate value")
    run = len(bad.intermediate_values)
    assert 1 < run < 4  # compared over at least two replicates, and stopped before the last
    assert bad.user_attrs["simtime_saved_ms"] == (4 - run) * 200.0
    assert len(Store().runs("wx")[1].replicates) == run - 1  # the replicate it was stopped in is not kept


def test_replicates_combine_a_state_by_its_most_common_code_and_a_rate_by_its_mean():
    from opsnn_opt.analysis import combine_replicates, is_categorical

    assert is_categorical("state") and is_categorical("pop_state.exc") and not is_categorical("rate_hz.exc")
    assert combine_replicates("state", [1.0, 5.0, 1.0]) == 1.0  # AI twice, AR once: AI, not 2.33
    assert combine_replicates("pop_state.inh", [5.0, 1.0]) == 1.0  # a tie: the lower code
    assert combine_replicates("rate_hz.exc", [4.0, 6.0, float("nan")]) == 5.0
    assert math.isnan(combine_replicates("state", [float("nan")]))
