"""Small configurations of every model: quick to build, map and run, for the tests of all backends."""

from __future__ import annotations

#: Model name -> parameters giving a network of a few hundred cells.
SMALL: dict[str, dict[str, object]] = {
    "balanced": {"n_neurons": 100, "p_connect": 0.1},
    "brunel": {"n_exc": 400, "n_inh": 100, "epsilon": 0.1, "eta": 2.0, "g": 5.0, "j_mv": 0.2},
    "v1_sheet": {"side_mm": 1.5, "n_side": 15, "n_side_inh": 7, "stim_onset_ms": 10.0},
}
