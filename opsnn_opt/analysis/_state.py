"""Network-state classification: quiescent, AI, SI, SR or runaway.

The states are those of Brunel (2000, J Comput Neurosci 8:183): synchronous regular (SR),
asynchronous irregular (AI) and synchronous irregular (SI, with a fast or slow global
oscillation), plus a silent network (quiescent) and rates near the refractory limit (runaway).
Brunel defines them qualitatively; the numbers in :class:`StateThresholds` are ours, chosen on
the regimes of his Fig. 8 simulated with NEST (see ``tests/analysis/test_state_brunel.py``):

* irregular firing has a CV of the ISI near 1 (Softky & Koch 1993, J Neurosci 13:334); Brunel's
  SR neurons fire almost periodically (CV < 0.1) while his SI-slow neurons have CV ≈ 0.5, so
  "regular" is CV < 0.3;
* asynchronous activity has weak pairwise correlations (Kumar et al. 2008, Neural Comput 20:1;
  Ostojic 2014, Nat Neurosci 17:594), measured here with Golomb's χ: independent neurons give
  1/√N (< 0.1 for N ≥ 100). In our reduced Brunel networks (N = 1250–12 500) the SI states
  give χ ≥ 0.26 in 2 ms bins (fast rhythm) or 5 ms bins (slow rhythm), the AI state 0.12–0.19,
  so "synchronous" is χ ≥ 0.23 in either.
  The spectral peak is reported but not used: the rates of asynchronous regular neurons
  also have one;
* runaway: the mean rate reaches 80 % of the refractory limit 1 / τ_ref.

The AI state needs a sparse network (in-degree / N << 1): networks scaled down at a fixed
in-degree share inputs, become correlated, and read as SI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from opsnn_opt.analysis._irregularity import cv_isi
from opsnn_opt.analysis._oscillation import oscillation_peak
from opsnn_opt.analysis._rates import mean_rate_hz
from opsnn_opt.analysis._spikes import SpikeData
from opsnn_opt.analysis._synchrony import golomb_chi

__all__ = [
    "NETWORK_STATE",
    "NORMAL_STATES",
    "STATE_CODES",
    "STATE_LABELS",
    "NetworkState",
    "StateThresholds",
    "classify_state",
    "max_chi",
    "state_from_measures",
    "state_label",
]

#: The numeric code of each label, as reported by the metric ``state``.
STATE_CODES: dict[str, int] = {"quiescent": 0, "AI": 1, "SI": 2, "SR": 3, "runaway": 4}
#: The label of each code: the one map from ``state`` codes to labels (:func:`state_label`).
STATE_LABELS: dict[int, str] = {code: label for label, code in STATE_CODES.items()}
#: States of a healthy cortex; every other label (SR, SI, runaway, quiescent) is pathological.
NORMAL_STATES: tuple[str, ...] = ("AI",)
#: The name under which a run's state *label* is stored beside its metrics (a study's trial
#: user attribute, a map's colour); the metric ``state`` holds the code.
NETWORK_STATE = "network_state"


def state_label(code: object) -> str | None:
    """The label of a ``state`` metric's code (``1.0`` → ``"AI"``).

    None for an undefined code (None, nan, inf), for anything but a number (text, booleans) and
    for a number that is not one of :data:`STATE_CODES`' values (``1.5``, ``7``).
    """
    if isinstance(code, bool) or not isinstance(code, int | float) or not math.isfinite(code):
        return None
    return STATE_LABELS.get(int(code)) if code == int(code) else None


@dataclass(frozen=True)
class StateThresholds:
    """Thresholds of :func:`classify_state` (see the module docstring for their sources).

    Attributes
    ----------
    quiescent_rate_hz
        Mean rate (Hz) below which the network is quiescent.
    refractory_ms
        Refractory period τ_ref (ms) of the neurons; 2 ms as in Brunel (2000).
    runaway_fraction
        Runaway when the mean rate ≥ ``runaway_fraction`` × 1000 / ``refractory_ms`` Hz.
    regular_cv
        Firing is regular when the mean CV of the ISI is below this.
    sync_chi
        Synchronous when Golomb's χ in bins of any of ``chi_bins_ms`` is at least this.
    chi_bins_ms
        Bin widths (ms) for χ: short bins resolve fast rhythms, long ones slow rhythms.
    """

    quiescent_rate_hz: float = 0.1
    refractory_ms: float = 2.0
    runaway_fraction: float = 0.8
    regular_cv: float = 0.3
    sync_chi: float = 0.23
    chi_bins_ms: tuple[float, ...] = (2.0, 5.0)

    def __post_init__(self) -> None:
        values = {
            name: getattr(self, name)
            for name in ("quiescent_rate_hz", "refractory_ms", "runaway_fraction", "regular_cv", "sync_chi")
        }
        values.update({f"chi_bins_ms[{i}]": b for i, b in enumerate(self.chi_bins_ms)})
        for name, value in values.items():
            if not (isinstance(value, int | float) and value > 0 and math.isfinite(value)):
                raise ValueError(f"StateThresholds.{name} must be a finite number > 0, but got {value!r}")
        if not self.chi_bins_ms:
            raise ValueError("StateThresholds.chi_bins_ms must hold at least one bin width, but got ()")

    @property
    def runaway_rate_hz(self) -> float:
        return self.runaway_fraction * 1000.0 / self.refractory_ms


@dataclass(frozen=True)
class NetworkState:
    """A run's state label, its numeric code (:data:`STATE_CODES`) and the measures behind it.

    ``chi`` is the largest χ over the bin widths; ``osc_peak_hz`` the frequency of the global
    oscillation (population-rate spectral peak), reported for SI and SR.
    """

    label: str
    rate_hz: float
    cv_isi: float
    chi: float
    osc_peak_hz: float
    osc_rel_power: float

    @property
    def code(self) -> int:
        return STATE_CODES[self.label]

    def __str__(self) -> str:
        if self.label in ("SI", "SR") and math.isfinite(self.osc_peak_hz):
            return f"{self.label} ({self.osc_peak_hz:.0f} Hz)"
        return self.label


def state_from_measures(
    rate_hz: float,
    cv: float,
    chi: float,
    osc_peak_hz: float = float("nan"),
    osc_rel_power: float = float("nan"),
    thresholds: StateThresholds | None = None,
) -> NetworkState:
    """Label a run from its measures; a nan χ or CV counts as "not synchronous" / "irregular".

    The rules, in order: rate < ``quiescent_rate_hz`` (or nan) → quiescent; rate ≥ the runaway
    rate → runaway; χ ≥ ``sync_chi`` → SR if CV < ``regular_cv``, else SI; otherwise AI (also
    for asynchronous regular firing, which has no label of its own: check the CV). The
    oscillation measures are carried along for the label, not used.
    """
    th = thresholds or StateThresholds()
    if not rate_hz >= th.quiescent_rate_hz:
        label = "quiescent"
    elif rate_hz >= th.runaway_rate_hz:
        label = "runaway"
    elif chi >= th.sync_chi:
        label = "SR" if cv < th.regular_cv else "SI"
    else:
        label = "AI"
    return NetworkState(label, rate_hz, cv, chi, osc_peak_hz, osc_rel_power)


def max_chi(chis: list[float]) -> float:
    """The largest finite χ, nan if none."""
    finite = [c for c in chis if math.isfinite(c)]
    return max(finite) if finite else float("nan")


def classify_state(data: SpikeData, thresholds: StateThresholds | None = None) -> NetworkState:
    """Classify a run from all its neurons' spikes (see the module docstring).

    Parameters
    ----------
    data
        The run; drop an initial transient first with :meth:`SpikeData.window`.
    thresholds
        Default :class:`StateThresholds` (τ_ref = 2 ms: pass your model's value).

    Returns
    -------
    NetworkState
        ``quiescent`` for a run without neurons or spikes.
    """
    th = thresholds or StateThresholds()
    n = data.n_neurons
    peak = oscillation_peak(data.times_ms, n, data.t_start_ms, data.t_stop_ms)
    chi = max_chi(
        [golomb_chi(data.times_ms, data.senders, n, data.t_start_ms, data.t_stop_ms, b) for b in th.chi_bins_ms]
    )
    return state_from_measures(
        mean_rate_hz(data.times_ms.size, n, data.duration_ms),
        cv_isi(data.times_ms, data.senders, n),
        chi,
        peak.peak_hz,
        peak.rel_power,
        th,
    )
