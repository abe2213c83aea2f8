"""Parameter importance with Optuna's PED-ANOVA and fANOVA, on studies with a planted answer."""

from __future__ import annotations

import json

import numpy as np
import optuna
import pytest

from opsnn_opt.cli import main
from opsnn_opt.errors import ConfigError
from opsnn_opt.store import Store
from opsnn_opt.study import create_study, load_objective, load_space, open_study
from opsnn_opt.study.read._importance import MIN_TRIALS, parameter_importance


def planted_study(storage_url: str, tiny_specs, name: str = "planted", n: int = 24) -> None:
    """Trials whose rate depends on g_exc_nS only and whose CV on input_rate_hz only (nan at 300 Hz)."""
    space, objective = load_space(tiny_specs[0]), None
    objective = load_objective(tiny_specs[1], space.populations)
    opened = create_study(name, space, objective, sampler="random", store=Store(storage_url))
    rng = np.random.default_rng(0)
    dists = {
        "g_exc_nS": optuna.distributions.FloatDistribution(1.0, 6.0, log=True),
        "input_rate_hz": optuna.distributions.CategoricalDistribution([300.0, 800.0]),
    }
    for _ in range(n):
        g, rate_in = float(rng.uniform(1.0, 6.0)), float(rng.choice([300.0, 800.0]))
        metrics = {
            "rate_hz.exc": 4.0 * g + rng.normal(0, 0.05),
            "cv_isi.exc": None if rate_in == 300.0 else 0.5 + 1e-3 * rng.normal(),
            "state": 1.0,
        }
        trial = optuna.trial.create_trial(
            params={"g_exc_nS": g, "input_rate_hz": rate_in},
            distributions=dists,
            value=abs(metrics["rate_hz.exc"] - 5.0) / 5.0,
            user_attrs=metrics,
        )
        opened.study.add_trial(trial)


def test_importance_finds_the_parameter_a_metric_depends_on(tmp_path, tiny_specs):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    planted_study(url, tiny_specs)
    opened = open_study("planted", Store(url), for_trials=False)
    results = {(r.target, r.evaluator): r for r in parameter_importance(opened, ["value", "rate_hz.exc"])}
    assert set(results) == {(t, e) for t in ("value", "rate_hz.exc") for e in ("ped-anova", "fanova")}
    for r in results.values():
        assert r.n_trials == 24 and not r.reason
        assert sum(r.importances.values()) == pytest.approx(1.0)
        assert r.importances["g_exc_nS"] > 0.8, r
    assert results["rate_hz.exc", "fanova"].direction == "towards 5"  # the objective's target for it
    assert results["value", "fanova"].direction == "minimize"


def test_undefined_values_leave_trials_out_and_too_few_give_a_reason(tmp_path, tiny_specs):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    planted_study(url, tiny_specs, n=12)
    opened = open_study("planted", Store(url), for_trials=False)
    [cv] = parameter_importance(opened, ["cv_isi.exc"], ["fanova"])
    n_defined = sum(t.user_attrs["cv_isi.exc"] is not None for t in opened.study.trials)
    # 12 trials, about half at 300 Hz where the CV is undefined: fewer than MIN_TRIALS remain.
    assert 0 < cv.n_trials == n_defined < MIN_TRIALS
    assert cv.importances == {}
    assert cv.reason == f"{n_defined} completed trial(s) with cv_isi.exc defined; at least {MIN_TRIALS} needed"
    [state] = parameter_importance(opened, ["state"], ["ped-anova"])
    assert state.importances == {} and "same value in every trial" in state.reason
    with pytest.raises(ConfigError, match=r"^metric must be one of value, .*rate_hz.exc.*; got 'nope'") as exc:
        parameter_importance(opened, ["nope"])
    assert exc.value.field == "metric"  # the CLI says it as --metric (tests below)


def test_importance_command_json_and_plot(tmp_path, tiny_specs, capsys):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    planted_study(url, tiny_specs)
    png = tmp_path / "imp" / "importance.png"
    argv = ["study", "importance", "planted", "--storage", url, "--json", "--out", str(png), "--metric", "state"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    targets = [r["target"] for r in out["results"]]
    assert targets == ["value"] * 2 + ["rate_hz.exc"] * 2 + ["cv_isi.exc"] * 2 + ["state"] * 2
    assert out["plot"] == str(png) and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["study", "importance", "planted", "--storage", url]) == 0
    text = capsys.readouterr().out
    assert "rate_hz.exc [fanova, towards 5, 24 trials]: g_exc_nS=" in text
    assert main(["study", "importance", "planted", "--storage", url, "--metric", "bogus"]) == 2
    err = capsys.readouterr().err
    assert "--metric must be one of value, " in err and "got 'bogus'" in err and len(err.splitlines()) == 1


def test_a_study_without_trials_says_why_for_every_target(tmp_path, tiny_specs):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    space = load_space(tiny_specs[0])
    create_study("empty", space, load_objective(tiny_specs[1], space.populations), store=Store(url))
    results = parameter_importance(open_study("empty", Store(url), for_trials=False))
    assert [r.target for r in results] == ["value", "value", "rate_hz.exc", "rate_hz.exc", "cv_isi.exc", "cv_isi.exc"]
    assert all(r.reason == f"0 completed trial(s) with {r.target} defined; at least 8 needed" for r in results)
