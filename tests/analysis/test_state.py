"""State classification on synthetic ground truth (the Brunel regimes are in test_state_brunel)."""

from __future__ import annotations

import numpy as np
import pytest

from opsnn_opt.analysis import (
    STATE_CODES,
    STATE_LABELS,
    SpikeData,
    StateThresholds,
    classify_state,
    compute_metrics,
    state_label,
)
from tests.analysis.synthetic import poisson, regular, volleys


def test_codes_are_documented_and_stable():
    assert STATE_CODES == {"quiescent": 0, "AI": 1, "SI": 2, "SR": 3, "runaway": 4}
    assert STATE_LABELS == {0: "quiescent", 1: "AI", 2: "SI", 3: "SR", 4: "runaway"}


def test_state_label_of_a_code_and_of_undefined_codes():
    assert [state_label(c) for c in (0.0, 1.0, 2.0, 3.0, 4.0)] == ["quiescent", "AI", "SI", "SR", "runaway"]
    assert state_label(3) == "SR"
    for undefined in (None, float("nan"), float("inf"), 1.5, 7.0, -1.0, True, "AI"):
        assert state_label(undefined) is None, undefined


@pytest.mark.parametrize(
    "data, label",
    [
        (SpikeData(np.empty(0), np.empty(0, dtype=np.int64), {"all": (0, 100)}, 0.0, 1000.0), "quiescent"),
        (poisson(200, 0.05, 1000.0), "quiescent"),
        (poisson(300, 10.0, 2000.0), "AI"),
        (regular(300, 10.0, 2000.0), "AI"),  # asynchronous: random phases
        (volleys(300, 40.0, 2000.0, p_fire=0.2), "SI"),
        (regular(300, 150.0, 1000.0), "AI"),  # asynchronous regular firing has a spectral peak too
        (volleys(300, 50.0, 2000.0, p_fire=1.0, jitter_ms=0.5), "SR"),
        (regular(100, 450.0, 500.0), "runaway"),  # 90 % of 1 / 2 ms
    ],
)
def test_labels_of_ground_truth(data, label):
    state = classify_state(data)
    assert state.label == label
    assert compute_metrics(data, ["state"])["state"] == float(STATE_CODES[label]) == state.code


def test_synchronous_states_report_their_frequency():
    state = classify_state(volleys(300, 40.0, 2000.0, p_fire=0.2))
    assert state.osc_peak_hz == pytest.approx(40.0, abs=4.0)
    assert str(state).startswith("SI (") and str(state).endswith(" Hz)")
    assert str(classify_state(poisson(100, 10.0, 1000.0))) == "AI"


def test_thresholds_are_configurable():
    d = regular(100, 150.0, 500.0)
    assert classify_state(d).label == "AI"
    assert classify_state(d, StateThresholds(refractory_ms=5.0, runaway_fraction=0.7)).label == "runaway"


def test_invalid_threshold_names_field_and_value():
    with pytest.raises(ValueError, match=r"StateThresholds.regular_cv must be a finite number > 0, but got -1"):
        StateThresholds(regular_cv=-1)
