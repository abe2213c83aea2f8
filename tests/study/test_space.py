"""Search-space files: loading, and a clear error for every kind of bad input."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from opsnn_opt.errors import ConfigError
from opsnn_opt.study import load_space
from tests.conftest import TINY_SPACE

REPO = Path(__file__).resolve().parents[2]
REPO_SPACES = sorted(str(p.relative_to(REPO)) for p in (REPO / "search_spaces").glob("*.toml"))


def write(tmp_path, text):
    path = tmp_path / "space.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("path", REPO_SPACES)
def test_shipped_spaces_load(path):
    space = load_space(REPO / path)
    assert space.free and space.model in ("balanced", "brunel", "v1_sheet")


def test_tiny_space(tmp_path):
    space = load_space(write(tmp_path, TINY_SPACE))
    assert space.fixed == {"n_neurons": 60, "p_connect": 0.1, "seed": 7}
    assert [p.name for p in space.free] == ["g_exc_nS", "input_rate_hz"]
    g = space.free[0]
    assert (g.low, g.high, g.log) == (1.0, 6.0, True)
    assert space.settings["simtime_ms"] == 200.0 and space.settings["chunk_ms"] == 50.0
    # What a study stores is enough to rebuild the same space.
    again = type(space).from_dict(space.to_dict(), "stored")
    assert dataclasses.replace(again, source=space.source) == space


def test_grid_values(tmp_path):
    text = TINY_SPACE.replace('scale = "log"', "step = 2.5")
    space = load_space(write(tmp_path, text))
    assert space.grid() == {"g_exc_nS": [1.0, 3.5, 6.0], "input_rate_hz": [300.0, 800.0]}
    with pytest.raises(ConfigError, match=r"\[params.g_exc_nS\] needs 'choices' or 'step' for the grid sampler"):
        load_space(write(tmp_path, TINY_SPACE)).grid()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'model = "balanced"',
            'model = "brunnel"',
            r"space.toml: 'model': unknown model 'brunnel'; valid models are: balanced",
        ),
        (
            "[params.g_exc_nS]",
            "[params.g_ex]",
            r"space.toml \[params\]: unknown parameter 'g_ex' for model 'balanced'; "
            r"valid parameters are: n_neurons, .*seed",
        ),
        (
            "low = 1.0\nhigh = 6.0",
            "low = 6.0\nhigh = 1.0",
            r"space.toml \[params.g_exc_nS\]: low < high must hold, but got \(low=6, high=1\)",
        ),
        (
            "low = 1.0\nhigh = 6.0",
            "low = -1.0\nhigh = 6.0",
            r"space.toml \[params.g_exc_nS\] 'low': g_exc_nS must be a number in \[0, 1000\] \(nS\); got -1",
        ),
        (
            "choices = [300.0, 800.0]",
            "choices = [-300.0, 800.0]",
            r"space.toml \[params.input_rate_hz\] choices: input_rate_hz must be a number in \[0, 100000\] \(Hz\); "
            r"got -300",
        ),
        ('unit = "nS"', 'unit = "mV"', r"\[params.g_exc_nS\]: 'unit' must be 'nS' .*; got 'mV'"),
        ("n_neurons = 60", "n_neurons = 60\ng_exc_nS = 2.0", r"'g_exc_nS' is both fixed and free"),
        ("n_neurons = 60", "n_neurons = 2", r"space.toml \[fixed\]: n_neurons must be an int in \[5, 200000\]"),
        ("simtime_ms = 200.0", "simtime_ms = -5.0", r"space.toml: simtime_ms must be a number in \[1, 1e\+07\]"),
        (
            'backend = "nest"',
            'backend = "brian"',
            r"space.toml: 'backend' must be one of: nest(, spinnaker)?; got 'brian'",
        ),
        ("simtime_ms = 200.0", "simtime = 200.0", r"space.toml: unknown field 'simtime'; valid fields are: model, "),
        ('scale = "log"', 'scale = "log10"', r"'scale' must be one of: linear, log; got 'log10'"),
        ('scale = "log"', 'scale = "log"\nstep = 0.5', r"'step' cannot be combined with scale = \"log\""),
        ('scale = "log"', 'scale = "linear"\nlow_ = 1', r"unknown field 'low_'; valid fields are: low, high"),
    ],
)
def test_bad_spaces_name_file_field_range_and_value(tmp_path, old, new, message):
    assert old in TINY_SPACE
    with pytest.raises(ConfigError, match=message):
        load_space(write(tmp_path, TINY_SPACE.replace(old, new, 1)))


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match=r"nope.toml: search space file not found"):
        load_space(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match=r"space.toml: not valid TOML"):
        load_space(write(tmp_path, "model = "))


def test_log_scale_needs_a_positive_low(tmp_path):
    text = TINY_SPACE.replace("low = 1.0", "low = 0.0")
    with pytest.raises(ConfigError, match=r"a log scale needs low > 0; got low=0"):
        load_space(write(tmp_path, text))


def test_cross_parameter_checks_run_at_load_time(tmp_path):
    text = TINY_SPACE.replace(
        "[params.g_exc_nS]", "[params.exc_fraction]\nlow = 0.5\nhigh = 0.95\n\n[params.g_exc_nS]"
    ).replace("n_neurons = 60", "n_neurons = 6")
    with pytest.raises(ConfigError, match="at least one E and one I cell"):
        load_space(write(tmp_path, text))


def test_a_free_choice_parameter_needs_choices(tmp_path):
    text = TINY_SPACE + "\n[params.stimulus]\nlow = 0\nhigh = 1\n"
    with pytest.raises(
        ConfigError,
        match=r"\[params.stimulus\]: stimulus is one of: none, pulse, dot, events, so a "
        r"free stimulus needs 'choices'",
    ):
        load_space(write(tmp_path, text))
    text = TINY_SPACE + '\n[params.stimulus]\nchoices = ["none", "pulse"]\n'
    assert load_space(write(tmp_path, text)).free[-1].choices == ("none", "pulse")


def test_grid_never_passes_high(tmp_path):
    space = load_space(write(tmp_path, TINY_SPACE.replace('scale = "log"', "step = 1.8")))
    assert space.grid()["g_exc_nS"] == pytest.approx([1.0, 2.8, 4.6])


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "n_neurons = 60",
            'n_neurons = "60"',
            r"n_neurons must be an int .* written as a TOML number; got the string '60'",
        ),
        ("low = 1.0", 'low = "1.0"', r"g_exc_nS must be a number .* written as a TOML number"),
        ("choices = [300.0, 800.0]", "choices = [300.0, 300.0]", r"'choices' must be a list of distinct values"),
        ("n_neurons = 60", "n_neurons = 1" + "0" * 400, r"n_neurons must be an int in \[5, 200000\]"),
        ("simtime_ms = 200.0", "simtime_ms = 200.05", r"simtime_ms must be a whole multiple of timestep_ms \(0.1 ms\)"),
        (
            "[params.input_rate_hz]",
            "[params.events_path]\nlow = 1\nhigh = 2\n\n[params.input_rate_hz]",
            r"events_path is any text, so a free events_path needs 'choices'",
        ),
    ],
)
def test_more_bad_spaces(tmp_path, old, new, message):
    assert old in TINY_SPACE
    with pytest.raises(ConfigError, match=message):
        load_space(write(tmp_path, TINY_SPACE.replace(old, new, 1)))
