"""The closed loop end to end, on real NEST, real Optuna and real SQLite and PostgreSQL stores."""

from __future__ import annotations

import json
import re

import optuna
import pytest

from opsnn_opt.cli import main
from opsnn_opt.io import read_block
from opsnn_opt.store import Store

pytestmark = pytest.mark.slow


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_study_with_two_local_workers(workdir, storage_url, tiny_specs, capsys):
    space, objective = tiny_specs
    store = ["--storage", storage_url]
    code, out, err = run_cli(
        capsys,
        "study",
        "create",
        "loop",
        "--space",
        str(space),
        "--objective",
        str(objective),
        "--sampler",
        "random",
        "--seed",
        "1",
        *store,
    )
    assert code == 0, err
    assert "study 'loop': model balanced on nest, 2 free parameters" in out

    code, out, err = run_cli(capsys, "study", "run", "loop", "--n-trials", "4", "--workers", "2", *store)
    assert code == 0, err
    assert "[4/4]" in out and "best trial" in out and f"opsnn dashboard --storage {storage_url}" in out
    assert re.search(
        r"time in NEST: \d+ %; run \d+ %; store \d+ %; sampler \d+ %; tell \d+ % of the trials' wall time \(4 trials\)",
        out,
    )

    code, out, _ = run_cli(capsys, "study", "show", "loop", "--json", *store)
    rows = json.loads(out)
    assert [r["state"] for r in rows] == ["COMPLETE"] * 4
    assert all(r["rate_hz.exc"] is not None and r["g_exc_nS"] >= 1.0 for r in rows)

    code, out, _ = run_cli(capsys, "study", "show", "loop", *store)
    assert out.splitlines()[0].split()[:4] == ["trial", "state", "value", "g_exc_nS"]

    code, out, _ = run_cli(capsys, "study", "best", "loop", "--json", *store)
    best = json.loads(out)[0]
    assert best["values"][0] == min(r["value"] for r in rows)

    # The project's own table has one row per trial, with everything a rerun needs.
    runs = Store(storage_url).runs("loop")
    assert [r.trial_number for r in runs] == [0, 1, 2, 3]
    for r in runs:
        assert r.state == "COMPLETE" and r.model == "balanced" and r.backend == "nest"
        assert r.params["n_neurons"] == 60 and r.params["delay_ms"] == 0.2 and r.seed == 7
        assert r.metrics["rate_hz.exc"] is not None and r.sim_s > 0 and r.peak_rss_mb > 0
        assert r.threads == 1 and r.checks_s is not None and r.import_s is not None
        assert (r.opsnn_version, r.pynn_version, r.nest_version) == ("0.1.0", "0.13.0", "3.10.0")
        assert r.numpy_version and r.host
        assert len(read_block(r.results_path).segments[0].spiketrains) == 60

    # Optuna user attributes carry the metrics and timings, for optuna-dashboard.
    trial = optuna.load_study(study_name="loop", storage=storage_url).trials[0]
    assert {
        "rate_hz.exc",
        "cv_isi.exc",
        "build_s",
        "sim_s",
        "write_s",
        "analysis_s",
        "peak_rss_mb",
        "results_path",
        "seed",
        "host",
    } <= set(trial.user_attrs)


def test_failed_and_pruned_trials_are_recorded_and_the_study_goes_on(
    workdir, storage_url, tiny_specs, capsys, tmp_path, monkeypatch
):
    monkeypatch.setenv("OPSNN_STORAGE", storage_url)
    space, _ = tiny_specs
    objective = tmp_path / "custom.toml"
    objective.write_text(
        'callable = "tests.study.custom_objectives:fails_for_strong_excitation"\n'
        '[[prune]]\nmetric = "rate_hz.all"\nmax = 75.0\nafter_ms = 100.0\n'
    )
    grid_space = tmp_path / "grid.toml"
    grid_space.write_text(
        space.read_text()
        .replace('low = 1.0\nhigh = 6.0\nscale = "log"', "choices = [2.0, 4.0]")
        .replace("choices = [300.0, 800.0]", "choices = [300.0, 3000.0]")
    )
    assert (
        run_cli(
            capsys,
            "study",
            "create",
            "mixed",
            "--space",
            str(grid_space),
            "--objective",
            str(objective),
            "--sampler",
            "grid",
        )[0]
        == 0
    )
    code, _, err = run_cli(capsys, "worker", "mixed", "--n-trials", "4")
    assert code == 0, err

    runs = {(r.params["g_exc_nS"], r.params["input_rate_hz"]): r for r in Store().runs("mixed")}
    assert len(runs) == 4  # the grid: every configuration once
    weak, strong = runs[(2.0, 300.0)], runs[(4.0, 300.0)]
    assert weak.state == "COMPLETE"
    assert strong.state == "FAIL" and strong.fail_reason == "RuntimeError: refusing strong excitation"
    assert strong.metrics is not None  # the run itself succeeded; only scoring failed
    # Strong drive runs away (about 90 and 130 Hz at this seed): stopped at the first check.
    for runaway in (runs[(2.0, 3000.0)], runs[(4.0, 3000.0)]):
        assert runaway.state == "PRUNED" and "rate_hz.all = " in runaway.fail_reason
        assert "outside [-inf, 75] at 100 ms" in runaway.fail_reason

    code, out, _ = run_cli(capsys, "study", "show", "mixed")
    assert "FAIL" in out and "refusing strong excitation" in out and "PRUNED" in out


def test_four_workers_at_once_on_a_fresh_sqlite_file(workdir, tiny_specs, capsys):
    space, objective = tiny_specs
    assert run_cli(capsys, "study", "create", "crowd", "--space", str(space), "--objective", str(objective))[0] == 0
    code, out, err = run_cli(capsys, "study", "run", "crowd", "--n-trials", "4", "--workers", "4")
    assert code == 0, (out, err)
    study = optuna.load_study(study_name="crowd", storage=Store().url)
    assert [t.state.name for t in study.trials] == ["COMPLETE"] * 4, [
        t.user_attrs.get("fail_reason") for t in study.trials
    ]
    assert len({t.user_attrs["results_path"] for t in study.trials}) == 4


def test_load_if_exists_reuses_only_an_identical_study(workdir, tiny_specs, capsys, tmp_path):
    space, objective = tiny_specs
    args = ["study", "create", "again", "--space", str(space), "--objective", str(objective)]
    assert run_cli(capsys, *args)[0] == 0
    code, _, err = run_cli(capsys, *args)
    assert code == 2 and "study 'again' already exists" in err and "--load-if-exists" in err
    assert run_cli(capsys, *args, "--load-if-exists")[0] == 0
    other = tmp_path / "other.toml"
    other.write_text(space.read_text().replace("simtime_ms = 200.0", "simtime_ms = 300.0"))
    code, _, err = run_cli(
        capsys, "study", "create", "again", "--space", str(other), "--objective", str(objective), "--load-if-exists"
    )
    assert code == 2 and "exists with a different search space" in err


def test_a_worker_imports_the_simulator_once_and_resets_it_per_trial(workdir, tiny_specs, monkeypatch):
    from opsnn_opt.backends import _nest
    from opsnn_opt.study import Worker, create_study, load_objective, load_space

    imports = []
    real_import = _nest._import_pynn_nest
    monkeypatch.setattr(_nest, "_import_pynn_nest", lambda: imports.append(1) or real_import())
    backend = _nest.NestBackend()
    setups = []
    real_setup = backend.setup
    monkeypatch.setattr(backend, "setup", lambda **kw: setups.append(kw) or real_setup(**kw))

    space, objective = tiny_specs
    space = load_space(space)
    opened = create_study("reuse", space, load_objective(objective, space.populations), sampler="random")
    Worker(opened, backend=backend).run(3)
    assert len(imports) == 1 and len(setups) == 3
    assert [t.state.name for t in opened.study.trials] == ["COMPLETE"] * 3


def test_a_trial_failed_as_stale_under_a_live_worker_does_not_stop_it(
    workdir, storage_url, tiny_specs, capsys, monkeypatch
):
    monkeypatch.setenv("OPSNN_STORAGE", storage_url)
    space, _ = tiny_specs
    objective = workdir / "stale.toml"
    objective.write_text('callable = "tests.study.custom_objectives:declares_its_trial_stale"\n')
    assert run_cli(capsys, "study", "create", "stale", "--space", str(space), "--objective", str(objective))[0] == 0
    assert run_cli(capsys, "worker", "stale", "--n-trials", "3")[0] == 0
    study = optuna.load_study(study_name="stale", storage=Store().url)
    assert [t.state.name for t in study.trials] == ["FAIL", "COMPLETE", "COMPLETE"]
    rows = Store().runs("stale")
    assert [r.state for r in rows] == ["FAIL", "COMPLETE", "COMPLETE"]
    assert rows[0].fail_reason.startswith("another worker declared this trial stale")
