"""The benchmarks' own option types: a bad value stops ``opsnn bench`` before anything runs, with
the option, the rule and the value."""

from __future__ import annotations

import pytest

from opsnn_opt.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["workers", "--n-trials", "1"], "argument --n-trials: must be a whole number >= 2; got '1'"),
        (["noise", "--top", "x"], "argument --top: must be a whole number >= 2; got 'x'"),
        (["chaos", "--workers", "0"], "argument --workers: must be a whole number >= 1; got '0'"),
        (
            ["chaos", "--stores", "sqlite,mysql"],
            "argument --stores: must be names from sqlite, postgresql separated by commas; got 'sqlite,mysql'",
        ),
        (
            ["efficiency", "--samplers", ","],
            "argument --samplers: must be names from tpe, gp, cmaes, random, qmc, nsga2 separated by commas; got ','",
        ),
    ],
)
def test_a_bad_bench_option_exits_2_with_the_rule_and_the_value(capsys, argv, message):
    assert main(["bench", *argv]) == 2
    assert message in capsys.readouterr().err


def test_sizes_must_be_whole_numbers_of_at_least_five(workdir, capsys):
    assert main(["bench", "seed", "--sizes", "30,4", "--no-record"]) == 2
    assert "--sizes must be whole numbers >= 5 separated by commas; got '30,4'" in capsys.readouterr().err
