"""Objective files: scoring arithmetic, constraints, pruning rules and errors."""

from __future__ import annotations

import dataclasses
import math

import pytest

from opsnn_opt.errors import ConfigError
from opsnn_opt.study import load_objective
from opsnn_opt.study.spec._objective import MissingMetric
from tests.conftest import TINY_OBJECTIVE

POPS = ("exc", "inh")


def write(tmp_path, text):
    path = tmp_path / "objective.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", ["brunel_ai", "wave_speed", "wave_speed_vs_rate"])
def test_other_shipped_objectives_load(name):
    from opsnn_opt.study import check_specs, load_space

    space_file = {"brunel_ai": "brunel_regimes"}.get(name, "v1_wave")
    space = load_space(f"search_spaces/{space_file}.toml")
    spec = load_objective(f"objectives/{name}.toml", space.populations)
    check_specs("shipped", space, spec, "nsga2" if name == "wave_speed_vs_rate" else "tpe")
    if name == "wave_speed_vs_rate":  # the shipped multi-objective pair
        assert spec.directions == ["minimize", "minimize"]


def test_shipped_objective_loads():
    spec = load_objective("objectives/ai_5hz.toml", POPS)
    assert spec.directions == ["minimize"]
    assert spec.metric_names[:3] == ["rate_hz.exc", "cv_isi.exc", "synchrony.exc"]


def test_weighted_sum_with_targets_directions_and_missing_values(tmp_path):
    text = TINY_OBJECTIVE + '\n[[metrics]]\nname = "synchrony.exc"\ndirection = "maximize"\nweight = 2.0\n'
    spec = load_objective(write(tmp_path, text), POPS)
    metrics = {"rate_hz.exc": 15.0, "cv_isi.exc": 0.5, "synchrony.exc": 0.25}
    # |15-5|/5 + |0.5-1|/0.25 - 2*0.25
    assert spec.evaluate(metrics) == [pytest.approx(2.0 + 2.0 - 0.5)]
    # A nan metric costs the `missing` penalty (5.0) instead.
    assert spec.evaluate({**metrics, "cv_isi.exc": math.nan}) == [pytest.approx(2.0 + 5.0 - 0.5)]
    assert spec.violations({"rate_hz.exc": 1500.0}) == [500.0]
    assert spec.violations({"rate_hz.exc": math.nan}) == [1.0]


def test_missing_fail_raises(tmp_path):
    spec = load_objective(write(tmp_path, TINY_OBJECTIVE.replace("missing = 5.0", 'missing = "fail"')), POPS)
    with pytest.raises(MissingMetric, match="cv_isi.exc is nan"):
        spec.evaluate({"rate_hz.exc": 1.0, "cv_isi.exc": math.nan})


def test_multi_objective_directions(tmp_path):
    text = TINY_OBJECTIVE.replace('combine = "weighted_sum"', 'combine = "multi"') + (
        '\n[[metrics]]\nname = "fano_pop.all"\ndirection = "maximize"\n'
    )
    spec = load_objective(write(tmp_path, text), POPS)
    assert spec.directions == ["minimize", "minimize", "maximize"]
    assert spec.evaluate({"rate_hz.exc": 5.0, "cv_isi.exc": 1.5, "fano_pop.all": 3.0}) == [0.0, 2.0, 3.0]


def test_round_trip_through_the_stored_dict(tmp_path):
    text = TINY_OBJECTIVE + '\n[[prune]]\nmetric = "rate_hz.all"\nmax = 100.0\nafter_ms = 50.0\n'
    spec = load_objective(write(tmp_path, text), POPS)
    again = type(spec).from_dict(spec.to_dict(), "stored", POPS)
    assert dataclasses.replace(again, source=spec.source) == spec
    assert again.prune[0].breached(150.0) and not again.prune[0].breached(50.0)


def test_callable_objective(tmp_path):
    text = 'callable = "tests.study.custom_objectives:rate_distance"\ndirections = ["minimize"]\n'
    spec = load_objective(write(tmp_path, text), POPS)
    assert spec.evaluate({"rate_hz.all": 4.0}) == [6.0]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'name = "rate_hz.exc"',
            'name = "rate.exc"',
            r"objective.toml \[\[metrics\]\] #1: unknown metric 'rate.exc'; valid metrics are BASE.POPULATION "
            r"with BASE one of: rate_hz, ",
        ),
        (
            'name = "rate_hz.exc"',
            'name = "rate_hz.l4"',
            r"metric 'rate_hz.l4' needs a population suffix, one of: exc, inh, all",
        ),
        ('name = "rate_hz.exc"', 'name = "rate_hz"', r"metric 'rate_hz' needs a population suffix"),
        ("scale = 5.0", "scale = -5.0", r"\[\[metrics\]\] #1: 'scale' must be a number in \(0, inf\); got -5.0"),
        ("scale = 5.0", 'scale = 5.0\ndirection = "minimize"', r"give either 'target' or 'direction', not both"),
        ('combine = "weighted_sum"', 'combine = "product"', r"'combine' must be one of: weighted_sum, multi; got"),
        (
            "max = 1000.0",
            "max = -1.0\nmin = 2.0",
            r"\[\[constraints\]\] #1: min <= max must hold, but got \(min=2, max=-1\)",
        ),
        ("missing = 5.0", "missing = -1.0", r"'missing' must be a number in \[0, inf\); got -1.0"),
        ("missing = 5.0", "missing = 5.0\nweights = 1", r"unknown field 'weights'"),
    ],
)
def test_bad_objectives_name_file_field_and_value(tmp_path, old, new, message):
    assert old in TINY_OBJECTIVE
    with pytest.raises(ConfigError, match=message):
        load_objective(write(tmp_path, TINY_OBJECTIVE.replace(old, new, 1)), POPS)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("tests.study.custom_objectives", r"'callable' must be 'package.module:Name' or 'path/to/file.py:Name'"),
        ("tests.study.no_such_module:f", r"'callable' 'tests.study.no_such_module:f': no module named"),
        ("tests.study.custom_objectives:nope", r"'callable' .*: tests.study.custom_objectives has no 'nope'"),
        ("tests.study.custom_objectives:NOT_CALLABLE", r"is not callable"),
    ],
)
def test_bad_callables(tmp_path, target, message):
    with pytest.raises(ConfigError, match=message):
        load_objective(write(tmp_path, f'callable = "{target}"\n'), POPS)


def test_no_metrics(tmp_path):
    with pytest.raises(ConfigError, match=r"no \[\[metrics\]\] to score"):
        load_objective(write(tmp_path, 'combine = "multi"\n'), POPS)


def test_prune_rule_needs_after_ms(tmp_path):
    text = TINY_OBJECTIVE + '\n[[prune]]\nmetric = "rate_hz.all"\nmax = 100.0\n'
    with pytest.raises(ConfigError, match=r"\[\[prune\]\] #1: missing required field 'after_ms'"):
        load_objective(write(tmp_path, text), POPS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'callable = "tests.study.custom_objectives:rate_distance"\n' + TINY_OBJECTIVE,
            "give either \\[\\[metrics\\]\\] or a 'callable', not both",
        ),
        ('directions = ["maximize"]\n' + TINY_OBJECTIVE, "'directions' goes with 'callable'"),
        (TINY_OBJECTIVE.replace("target = 5.0", "target = inf"), "'target' must be a finite number; got inf"),
        (TINY_OBJECTIVE.replace("missing = 5.0", 'missing = "skip"'), "'missing' must be \"fail\" or a number"),
        (TINY_OBJECTIVE.replace("missing = 5.0", "missing = 1" + "0" * 400), "'missing' must be a number"),
        (
            TINY_OBJECTIVE.replace("missing = 5.0", "missing = inf"),
            "'missing' must be \"fail\" or a finite number in \\[0, inf\\); got inf",
        ),
        (
            TINY_OBJECTIVE.replace("scale = 5.0", "scale = 5.0\nweight = inf"),
            "#1: 'weight' must be a finite number in \\[0, inf\\); got inf",
        ),
        (
            TINY_OBJECTIVE.replace("scale = 5.0", "scale = inf"),
            "#1: 'scale' must be a finite number in \\(0, inf\\); got inf",
        ),
    ],
)
def test_more_bad_objectives(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_objective(write(tmp_path, text), POPS)


def test_a_callable_is_not_imported_when_the_study_is_only_read(tmp_path):
    spec = {"callable": "no_such_module:f", "directions": ["minimize"]}
    with pytest.raises(ConfigError, match="no module named 'no_such_module'"):
        type(load_objective("objectives/ai_5hz.toml", POPS)).from_dict(spec, "stored", POPS)
    read_only = type(load_objective("objectives/ai_5hz.toml", POPS)).from_dict(
        spec, "stored", POPS, import_callable=False
    )
    assert read_only.directions == ["minimize"]


STATE_OBJECTIVE = """
[[metrics]]
name = "state"
target = "AI"
weight = 2.0

[[metrics]]
name = "rate_hz.exc"
target = 5.0

[[constraints]]
state = "AI"

[[constraints]]
metric = "pop_state.inh"
state = ["AI", "AR"]
"""


def test_an_objective_constrains_and_targets_the_state_by_label(tmp_path):
    spec = load_objective(write(tmp_path, STATE_OBJECTIVE), POPS)
    assert [c.key for c in spec.constraints] == ["state in {AI}", "pop_state.inh in {AI, AR}"]
    ai = {"state": 1.0, "pop_state.inh": 5.0, "rate_hz.exc": 5.0}
    assert spec.violations(ai) == [0.0, 0.0] and spec.evaluate(ai) == [0.0]
    ar = {"state": 5.0, "pop_state.inh": 6.0, "rate_hz.exc": 6.0}  # AR network, undetermined inh
    assert spec.violations(ar) == [1.0, 1.0] and spec.evaluate(ar) == [pytest.approx(2.0 + 1.0)]
    # A nan state (no data) violates the constraint and costs `missing`, as any nan metric.
    assert spec.violations({"state": math.nan}) == [1.0, 1.0]
    again = type(spec).from_dict(spec.to_dict(), "stored", POPS)
    assert dataclasses.replace(again, source=spec.source) == spec


def test_the_python_api_constrains_and_targets_the_state():
    from opsnn_opt.study.spec import Constraint, Target

    assert Constraint("state", states="AI").violation({"state": 1.0}) == 0.0
    assert Constraint("pop_state.exc", states=("AI", "AR")).violation({"pop_state.exc": 3.0}) == 1.0
    assert Target("state", "AR").value({"state": 5.0}, 10.0) == 0.0
    with pytest.raises(ConfigError, match="state must be a state label, one of quiescent, AI, SI, SR, runaway, AR"):
        Constraint("state", states="asynchronous")
    with pytest.raises(ConfigError, match="goes with the metric state or pop_state.POP; got metric 'rate_hz.exc'"):
        Constraint("rate_hz.exc", states="AI")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[[constraints]]\nstate = "ai"\n', r"\[\[constraints\]\] #2: state must be a state label, one of quiescent"),
        ('[[constraints]]\nstate = "AI"\nmax = 1.0\n', "a state constraint \\(state = 'AI'\\) takes no 'min' or 'max'"),
        ("[[constraints]]\nstate = []\n", "'state' must be a state label or a list of them; got \\[\\]"),
        ('[[metrics]]\nname = "cv_isi.exc"\ntarget = "AI"\n', "goes with the metric state or pop_state.POP"),
    ],
)
def test_bad_state_constraints_and_targets(tmp_path, table, message):
    with pytest.raises(ConfigError, match=message):
        load_objective(write(tmp_path, TINY_OBJECTIVE + "\n" + table), POPS)


def test_the_dashboard_note_says_state_constraints_targets_and_codes(tiny_specs, tmp_path):
    from opsnn_opt.study import load_space
    from opsnn_opt.study.spec._describe import study_note

    space = load_space(tiny_specs[0])
    text = '[[metrics]]\nname = "state"\ntarget = "AI"\n\n[[constraints]]\nstate = ["AI", "AR"]\n'
    note = study_note(space, load_objective(write(tmp_path, text), space.populations))
    assert "- minimize **state != AI**" in note and "- `state` is AI or AR" in note
    assert "### Network states" in note and "5 AR, 6-8 undetermined" in note
