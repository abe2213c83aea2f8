"""State classification on synthetic ground truth (the Brunel regimes are in test_state_brunel,
real NEST networks in test_state_nest)."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest

from opsnn_opt.analysis import (
    STATE_CODES,
    STATE_LABELS,
    UNDETERMINED_CODES,
    SpikeData,
    StateThresholds,
    classify_state,
    compute_metrics,
    state_attrs,
    state_from_measures,
    state_label,
    undetermined_measure,
)
from tests.analysis.synthetic import poisson, regular, volleys


def _two(exc: SpikeData, inh: SpikeData) -> SpikeData:
    """Two populations side by side (same window)."""
    n = exc.n_neurons
    return SpikeData(
        np.concatenate([exc.times_ms, inh.times_ms]),
        np.concatenate([exc.senders, inh.senders + n]),
        {"exc": (0, n), "inh": (n, n + inh.n_neurons)},
        exc.t_start_ms,
        exc.t_stop_ms,
    )


def _silent(n: int, t_stop_ms: float) -> SpikeData:
    return SpikeData(np.empty(0), np.empty(0, dtype=np.int64), {"all": (0, n)}, 0.0, t_stop_ms)


def test_codes_are_documented_and_stable():
    # 0-4 are the codes of earlier versions; AR and undetermined were added after them.
    assert STATE_CODES == {"quiescent": 0, "AI": 1, "SI": 2, "SR": 3, "runaway": 4, "AR": 5, "undetermined": 6}
    assert UNDETERMINED_CODES == {"cv_isi": 6, "synchrony_chi": 7, "rate_hz": 8}
    assert STATE_LABELS == {
        0: "quiescent",
        1: "AI",
        2: "SI",
        3: "SR",
        4: "runaway",
        5: "AR",
        6: "undetermined",
        7: "undetermined",
        8: "undetermined",
    }


def test_state_label_of_a_code_and_of_undefined_codes():
    assert [state_label(c) for c in (0.0, 1.0, 2.0, 3.0, 4.0, 5.0)] == ["quiescent", "AI", "SI", "SR", "runaway", "AR"]
    assert state_label(3) == "SR" and state_label(7.0) == "undetermined"
    assert [undetermined_measure(c) for c in (6.0, 7, 8.0, 1.0, None)] == [
        "cv_isi",
        "synchrony_chi",
        "rate_hz",
        None,
        None,
    ]
    for undefined in (None, float("nan"), float("inf"), 1.5, 9.0, -1.0, True, "AI"):
        assert state_label(undefined) is None, undefined


@pytest.mark.parametrize(
    "data, label",
    [
        (_silent(100, 1000.0), "quiescent"),
        (poisson(200, 0.05, 1000.0), "quiescent"),
        (poisson(300, 10.0, 2000.0), "AI"),
        (regular(300, 10.0, 2000.0), "AR"),  # asynchronous (random phases), regular
        (volleys(300, 40.0, 2000.0, p_fire=0.2), "SI"),
        (regular(300, 150.0, 1000.0), "AR"),  # asynchronous regular firing has a spectral peak too
        (volleys(300, 50.0, 2000.0, p_fire=1.0, jitter_ms=0.5), "SR"),
        (regular(100, 450.0, 500.0), "runaway"),  # 90 % of 1 / 2 ms
        (poisson(300, 1.0, 1000.0), "undetermined"),  # about one spike per cell: no CV
        (poisson(300, 50.0, 150.0), "undetermined"),  # 30 bins of 5 ms: no chi
    ],
)
def test_labels_of_ground_truth(data, label):
    state = classify_state(data)
    assert state.label == label, state
    assert compute_metrics(data, ["state"])["state"] == float(state.code)
    assert state_label(state.code) == label


def test_undetermined_names_the_missing_measure():
    few = classify_state(poisson(300, 1.0, 1000.0))
    assert (few.undetermined, few.code) == ("cv_isi", 6)
    assert str(few).startswith("undetermined (cv_isi: ") and "20 % needed" in str(few)
    short = classify_state(poisson(300, 50.0, 150.0))
    assert (short.undetermined, short.code) == ("synchrony_chi", 7)
    assert "fewer than 40 bins of 5 ms" in short.why
    empty = classify_state(SpikeData(np.empty(0), np.empty(0, dtype=np.int64), {"all": (0, 0)}, 0.0, 100.0))
    assert (empty.label, empty.undetermined, empty.code) == ("undetermined", "rate_hz", 8)


def test_the_demos_target_regime_is_ai_from_one_second():
    """5 Hz Poisson cells for 1 s (the demo's AI target): about half the cells have 5 spikes."""
    demo = classify_state(poisson(800, 5.0, 1000.0))
    assert 0.2 <= demo.cv_fraction < 0.7 and demo.label == "AI", demo


def test_a_nan_is_never_evidence_for_a_state():
    """No nan CV or nan chi gives AI, SI, SR or AR, for any rate, chi and CV around the thresholds."""
    rates, cvs, chis = (0.05, 1.0, 20.0, 300.0, math.nan), (0.05, 0.8, math.nan), (0.05, 0.5, math.nan)
    for rate, cv, chi, peak, fraction in itertools.product(rates, cvs, chis, (20.0, math.nan), (1.0, 0.1)):
        label = state_from_measures(rate, cv, chi, peak, cv_fraction=fraction, active_fraction=0.2).label
        if math.isnan(cv) or math.isnan(chi) or fraction < 0.2:
            assert label in ("quiescent", "runaway", "undetermined"), (rate, cv, chi, fraction, label)


def test_a_cv_from_a_minority_of_the_cells_is_not_used():
    assert state_from_measures(10.0, 1.0, 0.05, cv_fraction=0.19).label == "undetermined"
    assert state_from_measures(10.0, 1.0, 0.05, cv_fraction=0.2).label == "AI"


def test_synchronous_cells_that_skip_cycles_are_si_without_a_cv():
    # 40 Hz volleys joined with p = 0.2 for 300 ms: about 2 spikes a cell, too few for a CV.
    sparse = classify_state(volleys(400, 40.0, 300.0, p_fire=0.2))
    assert sparse.label == "SI" and sparse.cv_fraction < 0.2, sparse
    # One volley of a fifth of the cells: synchronous, but most cells are silent.
    rng = np.random.default_rng(0)
    one = SpikeData(250.0 + rng.normal(0, 1.0, 80), np.arange(80), {"all": (0, 400)}, 0.0, 500.0)
    assert classify_state(one).chi >= 0.23 and classify_state(one).label == "undetermined"


def test_synchronous_states_report_their_frequency():
    state = classify_state(volleys(300, 40.0, 2000.0, p_fire=0.2))
    assert state.osc_peak_hz == pytest.approx(40.0, abs=4.0)
    assert str(state).startswith("SI (") and str(state).endswith(" Hz)")
    assert str(classify_state(poisson(100, 10.0, 1000.0))) == "AI"


def test_each_population_gets_a_state_and_the_network_follows_the_rule():
    ai = poisson(300, 10.0, 2000.0)
    both = classify_state(_two(ai, poisson(100, 10.0, 2000.0, seed=1)))
    assert both.label == "AI" and {p: s.label for p, s in both.populations.items()} == {"exc": "AI", "inh": "AI"}
    silent_inh = classify_state(_two(ai, _silent(100, 2000.0)))
    assert silent_inh.label == "AI"  # a silent population is left out...
    assert silent_inh.populations["inh"].label == "quiescent"  # ...and says so itself
    regular_inh = classify_state(_two(ai, regular(100, 30.0, 2000.0)))
    assert (regular_inh.label, regular_inh.populations["inh"].label) == ("AR", "AR")
    few_inh = classify_state(_two(ai, poisson(100, 1.0, 2000.0, seed=2)))
    assert few_inh.populations["inh"].label == "undetermined"
    assert few_inh.label == "undetermined" and few_inh.why.startswith("inh: cv_isi: ")
    assert classify_state(_two(_silent(300, 2000.0), _silent(100, 2000.0))).label == "quiescent"


def test_the_refractory_period_comes_from_the_data_and_the_default_is_recorded():
    d = regular(100, 180.0, 500.0)
    default = classify_state(d)
    assert (default.label, default.refractory_ms, default.refractory_default) == ("AR", 2.0, True)
    model = classify_state(replace(d, refractory_ms={"all": 5.0}))  # 180 Hz >= 0.8 / 5 ms
    assert (model.label, model.refractory_ms, model.refractory_default) == ("runaway", 5.0, False)
    values = compute_metrics(replace(d, refractory_ms={"all": 5.0}), ["state", "state_tau_ref_ms"])
    assert values == {"state": 4.0, "state_tau_ref_ms": 5.0}
    assert classify_state(d, StateThresholds(refractory_ms=6.0, runaway_fraction=0.7)).label == "runaway"


def test_state_attrs_turn_stored_codes_into_labels():
    data = _two(poisson(300, 10.0, 2000.0), _silent(100, 2000.0))
    metrics = compute_metrics(replace(data, refractory_ms={"exc": 5.0, "inh": 5.0}))
    assert metrics["pop_state.exc"] == 1.0 and metrics["pop_state.inh"] == 0.0
    assert state_attrs(metrics) == {
        "network_state": "AI",
        "network_state.exc": "AI",
        "network_state.inh": "quiescent",
        "network_state.tau_ref": "5 ms (model)",
    }
    few = compute_metrics(poisson(300, 1.0, 1000.0))
    assert state_attrs(few) == {
        "network_state": "undetermined",
        "network_state.undetermined": "cv_isi",
        "network_state.tau_ref": "2 ms (default: the model states none)",
    }
    assert state_attrs({"state": None}) == {}


def test_invalid_threshold_names_field_and_value():
    with pytest.raises(ValueError, match=r"StateThresholds.regular_cv must be a finite number > 0, but got -1"):
        StateThresholds(regular_cv=-1)
    with pytest.raises(ValueError, match=r"StateThresholds.min_isis must be an integer >= 2, but got 1"):
        StateThresholds(min_isis=1)
    with pytest.raises(ValueError, match=r"StateThresholds.min_cv_fraction must be <= 1, but got 1.5"):
        StateThresholds(min_cv_fraction=1.5)
