"""The command line, called as ``main(argv)``."""

from __future__ import annotations

import json

import optuna
import pytest

from opsnn_opt.cli import main
from opsnn_opt.errors import ConfigError
from opsnn_opt.store import Store
from tests.conftest import TINY_OBJECTIVE, TINY_SPACE


def test_run_json_prints_exactly_the_contract(workdir, capsys):
    code = main(
        [
            "run",
            "balanced",
            "--set",
            "n_neurons=60",
            "--set",
            "p_connect=0.1",
            "--simtime",
            "200",
            "--json",
            "--out",
            str(workdir / "out"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    d = json.loads(out)  # exactly one JSON object, nothing else on stdout
    assert set(d) >= {"metrics", "timings", "peak_rss_mb", "params", "seed", "results_path"}
    assert {"rate_hz.exc", "rate_hz.inh", "cv_isi.exc", "synchrony.exc"} <= set(d["metrics"])
    assert {"build_s", "sim_s", "write_s", "analysis_s"} <= set(d["timings"])
    assert d["params"]["n_neurons"] == 60 and d["params"]["g_inh_nS"] == 51.0 and d["seed"] == 12345
    assert d["results_path"] == str(workdir / "out" / "results.nix")


def test_run_prints_a_readable_summary(workdir, capsys):
    assert main(["run", "balanced", "--set", "n_neurons=30", "--simtime", "50"]) == 0
    out = capsys.readouterr().out
    assert "rate_hz.exc" in out and "build_s=" in out and "results: " in out
    assert list((workdir / "storage" / "runs").glob("balanced-*/results.nix"))


def test_models_lists_parameters_with_units_defaults_and_ranges(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "balanced:" in out
    assert "g_exc_nS         nS   default 4" in out and "[0, 1000]" in out
    assert main(["models", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert table["balanced"]["params"]["input_rate_hz"]["unit"] == "Hz"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["run", "brunnel"],
            "opsnn: error: model: unknown model 'brunnel'; valid models are: balanced, brunel, v1_sheet",
        ),
        (["run", "balanced", "--simtime", "20.05"], "simtime_ms must be a whole multiple of timestep_ms (0.1 ms)"),
        (["run", "balanced", "--out", "/proc/nope"], "opsnn: error: "),
        (["bench", "overhead", "--sizes", "a"], "--sizes must be whole numbers >= 5 separated by commas; got 'a'"),
        (["run", "balanced", "--set", "n_neurons"], "--set must be NAME=VALUE; got 'n_neurons'"),
        (["run", "balanced", "--set", "g_exc_nS=-2"], "--set: g_exc_nS must be a number in [0, 1000] (nS); got '-2'"),
        (
            ["run", "balanced", "--simtime", "0"],
            "--simtime/--chunk/--threads: simtime_ms must be a number in [1, 1e+07]",
        ),
        (
            ["run", "balanced", "--threads", "0"],
            "--simtime/--chunk/--threads: threads must be an int in [1, 256] (no unit); got 0",
        ),
        (["run", "balanced", "--backend", "brian2"], "unknown backend 'brian2'; valid backends are: nest"),
        (["run", "balanced", "--format", "hdf5"], "unknown results format 'hdf5'; valid formats are: nix, neo-nix"),
        (["study", "run", "nope", "--n-trials", "1", "--storage", "db.sqlite"], "must be a database URL"),
        (
            ["study", "list", "--storage", "mysql://u:pw@h/db"],
            "opsnn: error: --storage/OPSNN_STORAGE must be a database URL starting with one of sqlite://, "
            "postgresql://; got 'mysql://u:***@h/db'",
        ),
    ],
)
def test_bad_arguments_exit_non_zero_with_one_line(workdir, capsys, argv, message):
    assert main(argv) != 0
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and err.startswith("opsnn: error: ")
    assert not (workdir / "storage" / "runs").exists()  # nothing was simulated


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["study", "run", "x", "--n-trials", "0"], "argument --n-trials: must be a whole number >= 1; got '0'"),
        (["study", "set", "x", "--max-trials", "0"], "argument --max-trials: must be a whole number >= 1 or 'none'"),
        (["worker", "x", "--timeout", "-1"], "argument --timeout: must be a number in (0, inf); got '-1'"),
        (["fetch", "x", "-1"], "argument trial: must be a whole number >= 0; got '-1'"),
        (["proxy", "--port", "70000"], "argument --port: must be a whole number in [1, 65535]; got '70000'"),
    ],
)
def test_argparse_errors_return_2(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("message", "field", "said"),
    [
        (
            "max_trials must be a whole number >= 1 or 'none'; got 0",
            "max_trials",
            "--max-trials must be a whole number >= 1 or 'none'; got 0",
        ),
        (
            "cannot create the results folder /x: No such file",
            "out",
            "--out: cannot create the results folder /x: No such file",
        ),
        ("sampler gp needs torch", "sampler", "--sampler gp needs torch"),
        ("outside the folder", "out", "--out: outside the folder"),  # a word that starts with the field
        ("--sampler must be one of: tpe; got 'bo'", "sampler", "--sampler must be one of: tpe; got 'bo'"),
        ("g_exc_nS must be a number in [0, 1000]", "g_exc_nS", "g_exc_nS must be a number in [0, 1000]"),
        ("a study name must be 1 to 128 characters", None, "a study name must be 1 to 128 characters"),
    ],
)
def test_library_fields_are_said_as_the_flags_that_set_them(message, field, said):
    from opsnn_opt.cli._errors import in_cli_terms

    assert in_cli_terms(message, field) == said


def test_a_library_error_names_the_flag_in_one_line(workdir, capsys, monkeypatch):
    import opsnn_opt.cluster

    def refuse(*args, **kwargs):
        raise ConfigError("threads must be a whole number >= 1; got 0", field="threads")

    monkeypatch.setattr(opsnn_opt.cluster, "sbatch_script", refuse)
    assert main(["slurm", "s1", "--workers", "2"]) == 2
    assert capsys.readouterr().err == "opsnn: error: --threads must be a whole number >= 1; got 0\n"


def test_debug_shows_the_traceback(capsys):
    assert main(["--debug", "run", "brunnel"]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_unknown_study(workdir, capsys):
    assert main(["study", "show", "ghost"]) == 1
    assert "no study 'ghost' in sqlite:///" in capsys.readouterr().err


BAD_INPUTS = [
    ("space", 'model = "balanced"', 'model = "nope"', "space.toml: 'model': unknown model 'nope'"),
    ("space", "[params.g_exc_nS]", "[params.g_ex]", "space.toml [params]: unknown parameter 'g_ex'"),
    (
        "space",
        "low = 1.0\nhigh = 6.0",
        "low = 6.0\nhigh = 1.0",
        "space.toml [params.g_exc_nS]: low < high must hold, but got (low=6, high=1)",
    ),
    (
        "space",
        "choices = [300.0, 800.0]",
        "choices = [-5.0, 800.0]",
        "space.toml [params.input_rate_hz] choices: input_rate_hz must be a number in [0, 100000] (Hz); got -5",
    ),
    ("objective", 'name = "cv_isi.exc"', 'name = "cv.exc"', "objective.toml [[metrics]] #2: unknown metric 'cv.exc'"),
    ("objective", "scale = 0.25", "scale = 0", "objective.toml [[metrics]] #2: 'scale' must be a number in (0, inf)"),
]


@pytest.mark.parametrize(("which", "old", "new", "message"), BAD_INPUTS)
def test_bad_spec_files_stop_before_anything_is_created(workdir, capsys, which, old, new, message):
    space, objective = workdir / "space.toml", workdir / "objective.toml"
    space.write_text(TINY_SPACE.replace(old, new) if which == "space" else TINY_SPACE)
    objective.write_text(TINY_OBJECTIVE.replace(old, new) if which == "objective" else TINY_OBJECTIVE)
    code = main(["study", "create", "bad", "--space", str(space), "--objective", str(objective)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("\n") == 1
    assert not (workdir / "storage" / "opsnn.sqlite3").exists()  # no store, no study


def test_missing_spec_file(workdir, capsys):
    assert main(["study", "create", "x", "--space", "nowhere.toml", "--objective", "o.toml"]) == 2
    assert "nowhere.toml: search space file not found" in capsys.readouterr().err


def test_study_list(workdir, capsys, tiny_specs):
    space, objective = tiny_specs
    main(["study", "create", "listed", "--space", str(space), "--objective", str(objective)])
    capsys.readouterr()
    assert main(["study", "list"]) == 0
    assert "listed: 0 trials" in capsys.readouterr().out
    assert optuna.get_all_study_names(Store().optuna_storage()) == ["listed"]


@pytest.mark.parametrize("name", ["", " ", "a/b", "../escape", ".hidden", "x" * 129])
def test_study_names_are_plain(workdir, capsys, tiny_specs, name):
    space, objective = tiny_specs
    assert main(["study", "create", name, "--space", str(space), "--objective", str(objective)]) == 2
    assert "a study name must be 1 to 128 characters from A-Z a-z 0-9 . _ -" in capsys.readouterr().err
    assert not (workdir / "storage" / "opsnn.sqlite3").exists()


def test_a_prune_rule_that_can_never_fire_is_refused(workdir, capsys, tiny_specs):
    space, objective = tiny_specs
    objective.write_text(objective.read_text() + '[[prune]]\nmetric = "rate_hz.all"\nmax = 1.0\nafter_ms = 500.0\n')
    assert main(["study", "create", "p", "--space", str(space), "--objective", str(objective)]) == 2
    assert "checks after 500 ms, but" in capsys.readouterr().err


def test_reruns_and_parallel_workers_do_not_replay_each_other():
    from opsnn_opt.study._study import worker_seed

    seeds = {worker_seed(1, i, n) for i in range(3) for n in (0, 30)}
    assert len(seeds) == 6 and worker_seed(1, 0, 0) == worker_seed(1, 0, 0)
    assert worker_seed(None, 0, 0) is None
    assert worker_seed(1, None, 0) != worker_seed(1, 0, 0)
