import pytest

from opsnn_opt.errors import ConfigError
from opsnn_opt.params import Param, ParamTable

TABLE = ParamTable(
    Param("n", "", 10, 1, 100, "count", kind="int"),
    Param("rate_hz", "Hz", 5.0, 0.0, 1000.0, "a rate"),
)


def test_resolve_fills_defaults_and_coerces_strings():
    assert TABLE.resolve({"n": "20"}, "--set", "m") == {"n": 20, "rate_hz": 5.0}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"n": 0}, r"--set: n must be an int in \[1, 100\] \(no unit\); got 0"),
        ({"n": 2.5}, r"n must be an int in \[1, 100\]; got 2.5"),
        ({"rate_hz": -1}, r"rate_hz must be a number in \[0, 1000\] \(Hz\); got -1"),
        ({"rate_hz": "fast"}, r"rate_hz must be a number .*got 'fast'"),
        ({"rate_hz": float("nan")}, r"rate_hz must be a number"),
        ({"rate_hz": True}, r"rate_hz must be a number"),
        ({"tau": 1}, r"unknown parameter 'tau' for model 'm'; valid parameters are: n, rate_hz"),
    ],
)
def test_bad_values_name_the_field_range_and_value(values, message):
    with pytest.raises(ConfigError, match=message):
        TABLE.resolve(values, "--set", "m")


def test_default_outside_range_is_a_programming_error():
    with pytest.raises(ValueError, match="default"):
        Param("x", "", 5, 0, 1, "bad")
