"""Network-state classification: quiescent, AI, AR, SI, SR, runaway or undetermined.

The states are those of Brunel (2000, J Comput Neurosci 8:183): synchronous regular (SR),
asynchronous irregular (AI) and synchronous irregular (SI, with a fast or slow global
oscillation), plus asynchronous regular (AR: each neuron fires like a clock but the neurons
are out of phase, Brunel's "AR" corner of strong drive and weak inhibition; also Ostojic 2014,
Nat Neurosci 17:594), a silent network (quiescent), rates near the refractory limit (runaway)
and **undetermined**: a measure the rules need could not be computed, and the label says which
(:data:`UNDETERMINED_CODES`). A nan is never read as evidence for a state.

Brunel defines the states qualitatively; the numbers in :class:`StateThresholds` are ours,
chosen on the regimes of his Fig. 8 simulated with NEST (``tests/analysis/test_state_brunel.py``
and ``docs/network_states.md``, which has the validation table and the rasters):

* irregular firing has a CV of the ISI near 1 (Softky & Koch 1993, J Neurosci 13:334); Brunel's
  SR neurons fire almost periodically (CV < 0.1) while his SI-slow neurons have CV ≈ 0.5, so
  "regular" is CV < 0.3;
* the CV needs intervals: with the population standard deviation of ``cv_isi``, ``n`` ISIs of a
  Poisson train give a mean CV of 0.50 (n = 2), 0.72 (n = 4), 0.88 (n = 10), and a CV-0.5 train
  reads 0.27 with 2 ISIs (below the 0.3 threshold) but 0.39 with 4. So a neuron counts only with
  ``min_isis`` = 4 ISIs, and the CV counts only when at least ``min_cv_fraction`` = a fifth of
  the population's cells have them (fewer, and the CV describes a small minority, the most
  active cells; more, and a 5 Hz network seen for 1 s, the demo's AI target, where about half
  the cells fire 5 spikes, could not be labelled);
* asynchronous activity has weak pairwise correlations (Kumar et al. 2008, Neural Comput 20:1;
  Ostojic 2014), measured here with Golomb's χ: independent neurons give 1/√N. In our reduced
  Brunel networks (N = 1250–12 500) the SI states give χ ≥ 0.26 in 2 ms bins (fast rhythm) or
  5 ms bins (slow rhythm), the AI state 0.12–0.19, so "synchronous" is χ ≥ 0.23 in either;
* χ is a ratio of variances over time bins; from ``n`` bins a variance has a relative standard
  error of √(2/n), χ about √(1/(2n)). χ is computed only over at least ``min_chi_bins`` = 40 bins
  of each width (200 ms for the 5 ms bins): ±11 %, less than the gap between AI and the threshold;
* runaway: the mean rate reaches 80 % of the refractory limit 1 / τ_ref, with τ_ref the model's
  (:meth:`opsnn_opt.models.Model.refractory_ms`; :data:`DEFAULT_REFRACTORY_MS` only when the
  model gives none, and the state then says so).

The spectral peak is reported but not used: the rates of asynchronous regular neurons also
have one. The AI state needs a sparse network (in-degree / N << 1): networks scaled down at a
fixed in-degree share inputs, become correlated, and read as SI.

Each population is labelled on its own spikes, and the network's label is derived from them
(:mod:`._state_network`: ``classify_state``, ``network_from_populations``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "DEFAULT_REFRACTORY_MS",
    "NETWORK_PRECEDENCE",
    "NETWORK_STATE",
    "NORMAL_STATES",
    "STATE_CODES",
    "STATE_LABELS",
    "UNDETERMINED_CODES",
    "NetworkState",
    "StateThresholds",
    "max_chi",
    "state_from_measures",
    "state_label",
    "undetermined_measure",
]

#: The numeric code of each label, as reported by the metric ``state`` (0–4 are the codes of
#: earlier versions, unchanged). ``undetermined`` is 6 when the CV is missing; see
#: :data:`UNDETERMINED_CODES` for the others.
STATE_CODES: dict[str, int] = {
    "quiescent": 0,
    "AI": 1,
    "SI": 2,
    "SR": 3,
    "runaway": 4,
    "AR": 5,
    "undetermined": 6,
}
#: The code of an undetermined state by the measure that could not be computed.
UNDETERMINED_CODES: dict[str, int] = {"cv_isi": 6, "synchrony_chi": 7, "rate_hz": 8}
#: The label of each code: the one map from ``state`` codes to labels (:func:`state_label`).
STATE_LABELS: dict[int, str] = {
    **{code: label for label, code in STATE_CODES.items()},
    **{code: "undetermined" for code in UNDETERMINED_CODES.values()},
}
#: States of a healthy cortex; every other label (SR, SI, AR, runaway, quiescent) is pathological.
NORMAL_STATES: tuple[str, ...] = ("AI",)
#: The name under which a run's state *label* is stored beside its metrics (a study's trial
#: user attribute, a map's colour); the metric ``state`` holds the code. Per population:
#: ``network_state.exc``, from the metric ``pop_state.exc``.
NETWORK_STATE = "network_state"
#: The network's label is the first of these that one of its active populations has.
NETWORK_PRECEDENCE: tuple[str, ...] = ("runaway", "SR", "SI", "undetermined", "AR", "AI")
#: τ_ref (ms) assumed when the model states none: Brunel's (2000).
DEFAULT_REFRACTORY_MS = 2.0


def state_label(code: object) -> str | None:
    """The label of a ``state`` metric's code (``1.0`` → ``"AI"``, ``7.0`` → ``"undetermined"``).

    None for an undefined code (None, nan, inf), for anything but a number (text, booleans) and
    for a number that is not one of :data:`STATE_LABELS`' codes (``1.5``, ``9``).
    """
    if isinstance(code, bool) or not isinstance(code, int | float) or not math.isfinite(code):
        return None
    return STATE_LABELS.get(int(code)) if code == int(code) else None


def undetermined_measure(code: object) -> str | None:
    """The measure an undetermined state's code names (``7.0`` → ``"synchrony_chi"``), else None."""
    if state_label(code) != "undetermined":
        return None
    return next(m for m, c in UNDETERMINED_CODES.items() if c == code)


@dataclass(frozen=True)
class StateThresholds:
    """Thresholds of :func:`classify_state` (see the module docstring for their sources).

    Attributes
    ----------
    quiescent_rate_hz
        Mean rate (Hz) below which the population is quiescent.
    refractory_ms
        Refractory period τ_ref (ms) of the neurons; :data:`DEFAULT_REFRACTORY_MS` unless given.
    runaway_fraction
        Runaway when the mean rate ≥ ``runaway_fraction`` × 1000 / ``refractory_ms`` Hz.
    regular_cv
        Firing is regular when the mean CV of the ISI is below this.
    sync_chi
        Synchronous when Golomb's χ in bins of any of ``chi_bins_ms`` is at least this.
    chi_bins_ms
        Bin widths (ms) for χ: short bins resolve fast rhythms, long ones slow rhythms.
    min_isis
        ISIs a neuron needs for its CV to count.
    min_cv_fraction
        Fraction of the population's neurons that need ``min_isis`` ISIs for a CV.
    min_chi_bins
        Bins of every width in ``chi_bins_ms`` that the window must hold for a χ.
    skip_cycle_fraction
        A synchronous population without a CV is SI when its mean rate is below this fraction
        of the oscillation peak's frequency (its cells skip cycles) and at least
        ``min_active_fraction`` of its neurons fire.
    refractory_default
        True when ``refractory_ms`` is the default, not the model's.
    """

    quiescent_rate_hz: float = 0.1
    refractory_ms: float = DEFAULT_REFRACTORY_MS
    runaway_fraction: float = 0.8
    regular_cv: float = 0.3
    sync_chi: float = 0.23
    chi_bins_ms: tuple[float, ...] = (2.0, 5.0)
    min_isis: int = 4
    min_cv_fraction: float = 0.2
    min_chi_bins: int = 40
    skip_cycle_fraction: float = 0.5
    min_active_fraction: float = 0.5
    refractory_default: bool = False

    def __post_init__(self) -> None:
        names = ("quiescent_rate_hz", "refractory_ms", "runaway_fraction", "regular_cv", "sync_chi", "min_cv_fraction")
        names += ("skip_cycle_fraction", "min_active_fraction")
        values = {name: getattr(self, name) for name in names}
        values.update({f"chi_bins_ms[{i}]": b for i, b in enumerate(self.chi_bins_ms)})
        for name, value in values.items():
            if not (isinstance(value, int | float) and value > 0 and math.isfinite(value)):
                raise ValueError(f"StateThresholds.{name} must be a finite number > 0, but got {value!r}")
        if not self.chi_bins_ms:
            raise ValueError("StateThresholds.chi_bins_ms must hold at least one bin width, but got ()")
        for name in ("min_cv_fraction", "min_active_fraction"):
            if getattr(self, name) > 1:
                raise ValueError(f"StateThresholds.{name} must be <= 1, but got {getattr(self, name)!r}")
        for name, low in (("min_isis", 2), ("min_chi_bins", 2)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"StateThresholds.{name} must be an integer >= {low}, but got {value!r}")

    @property
    def runaway_rate_hz(self) -> float:
        return self.runaway_fraction * 1000.0 / self.refractory_ms

    @classmethod
    def for_population(cls, refractory_ms: Mapping[str, float] | None, population: str) -> StateThresholds:
        """Default thresholds with the population's τ_ref from ``refractory_ms`` (population →
        ms, e.g. :attr:`SpikeData.refractory_ms`); ``"all"`` takes the shortest (the highest
        rate limit). Without a value, :data:`DEFAULT_REFRACTORY_MS`, marked ``refractory_default``."""
        known = dict(refractory_ms or {})
        value = known.get(population, min(known.values()) if population == "all" and known else None)
        if value is None or not value > 0:
            return cls(refractory_default=True)
        return cls(refractory_ms=float(value))


@dataclass(frozen=True)
class NetworkState:
    """A state label, its numeric code (:data:`STATE_CODES`) and the measures behind it.

    ``chi`` is the largest χ over the bin widths; ``osc_peak_hz`` the frequency of the global
    oscillation (population-rate spectral peak), reported for SI and SR; ``cv_fraction`` the
    fraction of neurons whose CV counted. ``undetermined`` names the measure that could not be
    computed (``"cv_isi"``, ``"synchrony_chi"``, ``"rate_hz"``) and ``why`` says why, for an
    undetermined label. ``populations`` holds each population's state, for a network's.
    """

    label: str
    rate_hz: float
    cv_isi: float
    chi: float
    osc_peak_hz: float
    osc_rel_power: float
    cv_fraction: float = float("nan")
    refractory_ms: float = DEFAULT_REFRACTORY_MS
    refractory_default: bool = False
    undetermined: str = ""
    why: str = ""
    populations: Mapping[str, NetworkState] = field(default_factory=dict)

    @property
    def code(self) -> int:
        if self.label == "undetermined":
            return UNDETERMINED_CODES[self.undetermined or "cv_isi"]
        return STATE_CODES[self.label]

    def __str__(self) -> str:
        if self.label in ("SI", "SR") and math.isfinite(self.osc_peak_hz):
            return f"{self.label} ({self.osc_peak_hz:.0f} Hz)"
        if self.label == "undetermined" and self.why:
            return f"undetermined ({self.why})"
        return self.label


def _cv_why(cv: float, cv_fraction: float, th: StateThresholds) -> str:
    """Why the CV cannot be used, or "" when it can."""
    if math.isfinite(cv) and cv_fraction >= th.min_cv_fraction:
        return ""
    share = f"{100 * cv_fraction:.0f} %" if math.isfinite(cv_fraction) else "none"
    return f"cv_isi: {share} of the neurons have >= {th.min_isis} ISIs, {100 * th.min_cv_fraction:.0f} % needed"


def _label(
    rate_hz: float,
    cv: float,
    chi: float,
    osc_peak_hz: float,
    cv_fraction: float,
    active_fraction: float,
    th: StateThresholds,
) -> tuple[str, str]:
    """The label and, for an undetermined one, the measure missing and why (see state_from_measures)."""
    if not math.isfinite(rate_hz):
        return "undetermined", "rate_hz: no neurons or an empty window"
    if rate_hz < th.quiescent_rate_hz:
        return "quiescent", ""
    if rate_hz >= th.runaway_rate_hz:
        return "runaway", ""
    if math.isnan(chi):
        return "undetermined", (
            f"synchrony_chi: the window holds fewer than {th.min_chi_bins} bins of {max(th.chi_bins_ms):g} ms"
        )
    cv_why = _cv_why(cv, cv_fraction, th)
    if chi >= th.sync_chi:
        if not cv_why:
            return ("SR" if cv < th.regular_cv else "SI"), ""
        skipping = math.isfinite(osc_peak_hz) and rate_hz < th.skip_cycle_fraction * osc_peak_hz
        if skipping and active_fraction >= th.min_active_fraction:
            return "SI", ""  # Brunel's SI: most cells fire, on fewer cycles than the rhythm has
        return "undetermined", cv_why
    if cv_why:
        return "undetermined", cv_why
    return ("AR" if cv < th.regular_cv else "AI"), ""


def state_from_measures(
    rate_hz: float,
    cv: float,
    chi: float,
    osc_peak_hz: float = float("nan"),
    osc_rel_power: float = float("nan"),
    thresholds: StateThresholds | None = None,
    cv_fraction: float = 1.0,
    active_fraction: float = 1.0,
) -> NetworkState:
    """Label one population (or a network taken as one) from its measures.

    The rules, in order: rate nan → undetermined (``rate_hz``); rate < ``quiescent_rate_hz`` →
    quiescent; rate ≥ the runaway rate → runaway; χ nan → undetermined (``synchrony_chi``);
    χ ≥ ``sync_chi`` (synchronous) → SR if CV < ``regular_cv``, else SI; asynchronous → AR if
    CV < ``regular_cv``, else AI. A CV is usable only when it is not nan and comes from at
    least ``min_cv_fraction`` of the neurons (``cv_fraction``); without one the label is
    undetermined (``cv_isi``), except for a synchronous population whose mean rate is below
    ``skip_cycle_fraction`` × the oscillation peak and of which at least
    ``min_active_fraction`` of the neurons fire (``active_fraction``): its cells skip cycles of
    the global rhythm, which is Brunel's definition of SI ("neurons fire irregularly at a rate
    lower than the global frequency"); a population whose few active cells fire together
    (one evoked volley) stays undetermined. ``osc_rel_power`` is carried along, not used.
    """
    th = thresholds or StateThresholds(refractory_default=True)
    label, why = _label(rate_hz, cv, chi, osc_peak_hz, cv_fraction, active_fraction, th)
    return NetworkState(
        label,
        rate_hz,
        cv,
        chi,
        osc_peak_hz,
        osc_rel_power,
        cv_fraction,
        th.refractory_ms,
        th.refractory_default,
        why.partition(":")[0],
        why,
    )


def max_chi(chis: list[float]) -> float:
    """The largest finite χ, nan if none."""
    finite = [c for c in chis if math.isfinite(c)]
    return max(finite) if finite else float("nan")
