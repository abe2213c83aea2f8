"""``opsnn map``: state and metric maps of a study, on studies with planted regions."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from opsnn_opt.cli import main
from opsnn_opt.errors import ConfigError
from opsnn_opt.plots import STATE_COLOURS, map_figure
from opsnn_opt.store import Store
from opsnn_opt.study import create_study, load_objective, load_space, open_study
from opsnn_opt.study.read import map_data, network_state_label

PNG = b"\x89PNG\r\n\x1a\n"


def _planted_state(g: float, rate_in: float) -> dict:
    """SR left of g = 3, AI right of it at high input, SI (slow, 20 Hz) at low input."""
    if g < 3.0:
        return {"state": 3.0, "osc_peak_hz": 300.0, "rate_hz.exc": 300.0}
    if rate_in > 600.0:
        return {"state": 1.0, "osc_peak_hz": 150.0, "rate_hz.exc": 20.0}
    return {"state": 2.0, "osc_peak_hz": 20.0, "rate_hz.exc": 5.0}


@pytest.fixture
def planted(tmp_path, tiny_specs):
    """A study of a 5 x 5 grid with planted states, one failed and one pruned trial, one undefined rate."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    space = load_space(tiny_specs[0])
    opened = create_study("planted", space, load_objective(tiny_specs[1], space.populations), store=Store(url))
    dists = {
        "g_exc_nS": optuna.distributions.FloatDistribution(1.0, 6.0, log=True),
        "input_rate_hz": optuna.distributions.FloatDistribution(300.0, 800.0),
    }
    for g in np.geomspace(1.0, 6.0, 5):
        for rate_in in np.linspace(300.0, 800.0, 5):
            attrs = _planted_state(g, rate_in)
            opened.study.add_trial(
                optuna.trial.create_trial(
                    params={"g_exc_nS": g, "input_rate_hz": rate_in}, distributions=dists, value=1.0, user_attrs=attrs
                )
            )
    params = {"g_exc_nS": 2.0, "input_rate_hz": 500.0}
    for state in (optuna.trial.TrialState.FAIL, optuna.trial.TrialState.PRUNED):
        opened.study.add_trial(optuna.trial.create_trial(params=params, distributions=dists, state=state))
    opened.study.add_trial(
        optuna.trial.create_trial(
            params={"g_exc_nS": 5.0, "input_rate_hz": 700.0},
            distributions=dists,
            value=1.0,
            user_attrs={"rate_hz.exc": None, "state": 1.0},
        )
    )
    return open_study("planted", Store(url), for_trials=False), url


def test_state_labels_from_code_label_and_oscillation():
    assert network_state_label({"state": 1.0}) == "AI"
    assert network_state_label({"state": 2.0, "osc_peak_hz": 180.0}) == "SI-fast"
    assert network_state_label({"state": 2.0, "osc_peak_hz": 20.0}) == "SI-slow"
    assert network_state_label({"state": 2.0}) == "SI"
    assert network_state_label({"state": 2.0, "osc_peak_hz": 20.0}, split_si=False) == "SI"
    assert network_state_label({"network_state": "SR", "state": 1.0}) == "SR"  # the label wins
    assert network_state_label({"state": None}) is None and network_state_label({}) is None
    assert network_state_label({"state": 5.0}) == "AR" and network_state_label({"state": 7.0}) == "undetermined"


def test_state_map_regions(planted):
    opened, _ = planted
    data = map_data(opened, "g_exc_nS", "input_rate_hz", "network_state")
    assert len(data.x) == 28 and data.x_log and not data.y_log
    assert data.trial_states.count("COMPLETE") == 26
    fig = map_figure(data)
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    # Every state is in the legend, in the same order and colour in every map; those without a trial too.
    assert legend == [
        "AI (normal)",
        "SR (pathological)",
        "SI-slow (pathological)",
        "AR (pathological): none",
        "SI-fast (pathological): none",
        "runaway (pathological): none",
        "quiescent (pathological): none",
        "undetermined (unknown): none",
        "pruned",
        "failed",
    ]
    # The surface: nearest trial inside the hull, so the SR region ends where the planted one does.
    mesh = next(c for c in ax.collections if type(c).__name__ == "QuadMesh")
    codes = np.asarray(mesh.get_array()).reshape(200, 200)  # rows: input rate, columns: g (log)
    g = np.geomspace(1.0, 6.0, 200)
    sr = codes[100] == 1  # the categories in legend order: AI 0, SR 1, SI-slow 2
    grid_g = np.geomspace(1.0, 6.0, 5)  # SR at the first three
    assert grid_g[2] < g[sr].max() < grid_g[3] and grid_g[2] < g[~sr].min() < grid_g[3]
    labels = [t.get_text() for t in ax.texts]
    assert {"AI\nnormal", "SR\npathological", "SI-slow\npathological"} == set(labels)
    states = ["AI", "AR", "SR", "SI-fast", "SI-slow", "runaway", "quiescent", "undetermined"]
    assert len({STATE_COLOURS[s] for s in states}) == len(states)  # one colour each


def test_metric_map_command(planted, tmp_path, capsys):
    _, url = planted
    png = tmp_path / "maps" / "rate.png"
    argv = ["map", "planted", "--x", "g_exc_nS", "--y", "input_rate_hz", "--color", "rate_hz.exc", "--out", str(png)]
    assert main([*argv, "--storage", url]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "25 of 28 trials mapped: rate_hz.exc in [5, 300]"
    assert out.splitlines()[1] == f"wrote {png}" and png.read_bytes()[:8] == PNG and png.stat().st_size > 10_000


def test_default_output_in_the_artifacts_folder(planted, tmp_path, capsys, monkeypatch):
    _, url = planted
    monkeypatch.setenv("OPSNN_ARTIFACTS", str(tmp_path / "art"))
    argv = ["map", "planted", "--x", "input_rate_hz", "--y", "g_exc_nS", "--color", "network_state"]
    assert main([*argv, "--storage", url]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "26 of 28 trials mapped: AI 5, SR 15, SI-slow 6"
    assert (tmp_path / "art" / "planted" / "map-input_rate_hz-g_exc_nS-network_state.png").is_file()


def test_few_trials_draw_points_without_a_surface(planted):
    opened, _ = planted
    data = map_data(opened, "g_exc_nS", "input_rate_hz", "value")
    few = type(data)(**{**data.__dict__, **{k: getattr(data, k)[:5] for k in ("x", "y", "values", "trial_states")}})
    assert not any(type(c).__name__ == "QuadMesh" for c in map_figure(few).axes[0].collections)
    assert any(type(c).__name__ == "QuadMesh" for c in map_figure(data).axes[0].collections)


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--x", "nope", "--y", "g_exc_nS", "--color", "state"],
            "--x must be one of g_exc_nS, input_rate_hz for study 'planted'; got 'nope'",
        ),
        (
            ["--x", "g_exc_nS", "--y", "g_exc_nS", "--color", "state"],
            "--x and --y must name two different parameters; got 'g_exc_nS' for both",
        ),
        (
            ["--x", "g_exc_nS", "--y", "input_rate_hz", "--color", "bogus"],
            "--color must be one of value, network_state, osc_peak_hz, rate_hz.exc, state for study 'planted'; got 'bogus'",
        ),
    ],
)
def test_bad_names_are_one_line_errors(planted, capsys, args, message):
    _, url = planted
    assert main(["map", "planted", *args, "--storage", url]) == 2
    err = capsys.readouterr().err
    assert err == f"opsnn: error: {message}\n"


def test_map_of_a_study_without_trials(tmp_path, tiny_specs):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    space = load_space(tiny_specs[0])
    create_study("empty", space, load_objective(tiny_specs[1], space.populations), store=Store(url))
    from opsnn_opt.study.read import draw_study_map

    with pytest.raises(ConfigError, match="study 'empty' has no completed trial with g_exc_nS and input_rate_hz"):
        draw_study_map(open_study("empty", Store(url), for_trials=False), "g_exc_nS", "input_rate_hz", "network_state")


def test_shipped_brunel_map_is_a_grid_over_g_and_eta():
    from opsnn_opt.study import check_specs

    space = load_space("search_spaces/brunel_map.toml")
    objective = load_objective("objectives/brunel_map.toml", space.populations)
    check_specs("brunel-map", space, objective, "grid")
    grid = space.grid()
    assert list(grid) == ["g", "eta"] and len(grid["g"]) * len(grid["eta"]) == 36
    assert not objective.prune and not objective.constraints  # every trial runs to the end and gets a state


def test_trials_on_one_line_draw_points_without_a_surface(planted):
    opened, _ = planted
    data = map_data(opened, "g_exc_nS", "input_rate_hz", "rate_hz.exc")
    line = type(data)(**{**data.__dict__, "y": data.x * 100.0, "y_log": True})  # y grows with x: a diagonal
    assert not any(type(c).__name__ == "QuadMesh" for c in map_figure(line).axes[0].collections)
