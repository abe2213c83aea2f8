"""``opsnn study pareto``: the two fronts and the figure, on a study with planted trials (no simulation)."""

from __future__ import annotations

import json
import math

import optuna
import pytest

from opsnn_opt.cli import main
from opsnn_opt.plots import pareto_front_figure
from opsnn_opt.store import Store
from opsnn_opt.study import create_study, load_objective, load_space, open_study
from opsnn_opt.study.read import pareto_rows
from opsnn_opt.study.spec import metric_names
from tests.study.test_samplers import MULTI  # the two-objective specs with a rate constraint

PNG = b"\x89PNG\r\n\x1a\n"

#: (values, constraint value or None for none recorded) of each planted trial.
PLANTED = [
    ((0.1, 5.0), 0.0),  # 0: feasible, on the feasible front
    ((0.5, 1.0), -1.0),  # 1: feasible, on the feasible front
    ((0.0, 0.5), 2.0),  # 2: infeasible, dominates every other trial: the front of all trials
    ((0.6, 6.0), 0.0),  # 3: feasible, dominated
    ((0.3, 3.0), None),  # 4: no constraint recorded: feasible, as Optuna counts it
    ((0.05, 0.8), math.nan),  # 5: a nan constraint: infeasible, as Optuna counts it
]


@pytest.fixture
def planted(tmp_path, tiny_specs):
    (tmp_path / "multi.toml").write_text(MULTI)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    space = load_space(tiny_specs[0])
    objective = load_objective(tmp_path / "multi.toml", space.populations)
    opened = create_study("mo", space, objective, store=Store(url))
    key = objective.constraints[0].key
    dists = {"g_exc_nS": optuna.distributions.FloatDistribution(1.0, 6.0, log=True)}
    for k, (values, violation) in enumerate(PLANTED):
        system_attrs = {} if violation is None else {f"constraints:{key}": violation, "constraints": [violation]}
        trial = optuna.trial.create_trial(
            params={"g_exc_nS": 1.0 + k}, distributions=dists, values=list(values), system_attrs=system_attrs
        )
        opened.study.add_trial(trial)
    return open_study("mo", Store(url), for_trials=False), url


def test_the_feasible_front_is_optunas_best_trials(planted):
    opened, _ = planted
    rows = pareto_rows(opened)
    assert [r["trial"] for r in rows] == [2, 0, 4, 1]  # best-first by the first objective
    assert {r["trial"] for r in rows if r["front"]} == {t.number for t in opened.study.best_trials} == {0, 1, 4}
    assert {r["trial"]: r["feasible"] for r in rows} == {2: False, 0: True, 4: True, 1: True}
    assert [r["trial"] for r in rows if r["front_all"]] == [2]


def test_pareto_command_json_table_and_plot(planted, tmp_path, capsys):
    _, url = planted
    png = tmp_path / "front.png"
    assert main(["study", "pareto", "mo", "--storage", url, "--json", "--plot", str(png)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["trial"] for r in rows] == [2, 0, 4, 1]
    assert png.read_bytes()[:8] == PNG and png.stat().st_size > 10_000
    assert main(["study", "pareto", "mo", "--storage", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["trial", "values", "feasible", "front", "g_exc_nS", "input_rate_hz"]
    assert lines[1].split()[:5] == ["2", "[0,", "0.5]", "no", "all"]


def test_the_figure_labels_the_objectives_as_the_study_names_them(planted):
    opened, _ = planted
    names = metric_names(opened.objective)
    assert names == ["|rate_hz.exc - 5|/5", "min rate_hz.inh"]
    fig = pareto_front_figure([v for v, _ in PLANTED], [True] * len(PLANTED), [(1, (0.5, 1.0))], names, "mo")
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == (*names, "mo")
    assert [t.get_text() for t in ax.texts] == ["1"]
    three = pareto_front_figure([(0.0, 1.0, 2.0)], [False], [], ["a", "b", "c"], "mo")
    assert three.axes[0].get_title() == "mo (first 2 of 3 objectives)"
    assert [t.get_text() for t in three.axes[0].get_legend().get_texts()] == ["feasible", "infeasible", "Pareto front"]
