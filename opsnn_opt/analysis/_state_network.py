"""A run's network state: each population labelled on its own spikes, the network from them.

The rules for one population are :func:`~opsnn_opt.analysis._state.state_from_measures`'s;
this module measures them (:func:`classify_input`), derives the network's label from the
populations' (:func:`network_from_populations`, the rule is in its docstring) and turns the
stored metric codes back into labels (:func:`state_attrs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from opsnn_opt.analysis._inputs import MetricInput
from opsnn_opt.analysis._rates import mean_rate_hz
from opsnn_opt.analysis._spikes import SpikeData
from opsnn_opt.analysis._state import (
    NETWORK_PRECEDENCE,
    NETWORK_STATE,
    NetworkState,
    StateThresholds,
    max_chi,
    state_from_measures,
    state_label,
    undetermined_measure,
)

__all__ = ["POPULATION_STATE", "classify_input", "classify_state", "network_from_populations", "state_attrs"]

#: The per-population metric that holds each population's state code (``pop_state.exc``).
POPULATION_STATE = "pop_state"


def classify_input(m: MetricInput, thresholds: StateThresholds) -> NetworkState:
    """Label the spikes of one :class:`MetricInput` (a population, or ``"all"``) as one population."""
    d, th = m.data, thresholds
    enough = m.counts >= th.min_isis + 1  # n spikes make n - 1 ISIs
    cvs = m.isi.cv[enough] if m.counts.size else np.empty(0)
    cvs = cvs[np.isfinite(cvs)]
    n_bins = d.duration_ms / max(th.chi_bins_ms)
    chi = max_chi([m.chi(b) for b in th.chi_bins_ms]) if n_bins >= th.min_chi_bins - 1e-9 else float("nan")
    return state_from_measures(
        mean_rate_hz(d.times_ms.size, d.n_neurons, d.duration_ms),
        float(cvs.mean()) if cvs.size else float("nan"),
        chi,
        m.oscillation.peak_hz,
        m.oscillation.rel_power,
        th,
        cvs.size / m.counts.size if m.counts.size else float("nan"),
        float(np.count_nonzero(m.counts)) / m.counts.size if m.counts.size else float("nan"),
    )


def network_from_populations(states: Mapping[str, NetworkState], pooled: NetworkState) -> NetworkState:
    """The network's state from its populations' states.

    The rule: quiescent when every population is quiescent; else the quiescent populations are
    left out (a silent population does not make the others' activity another state; its own
    label says it is silent) and the network takes the first label of
    :data:`NETWORK_PRECEDENCE` that one of the others has: runaway, SR, SI, undetermined, AR,
    AI. So the network is AI only when every active population is AI, a synchronous or
    runaway population makes the network so, and an undetermined population makes an
    otherwise asynchronous network undetermined. The measures reported are ``pooled``'s (every
    neuron taken as one population); an undetermined network names its first undetermined
    population's measure (``"cv_isi"``) and says which population in ``why``.
    """
    active = {p: s for p, s in states.items() if s.label != "quiescent"}
    if not active:
        label, source = "quiescent", None
    else:
        label = next(lab for lab in NETWORK_PRECEDENCE if any(s.label == lab for s in active.values()))
        source = next(p for p, s in active.items() if s.label == label)
    undetermined = why = ""
    if label == "undetermined" and source is not None:
        undetermined, why = states[source].undetermined, f"{source}: {states[source].why}"
    refractory = [s.refractory_ms for s in states.values()] or [pooled.refractory_ms]
    return replace(
        pooled,
        label=label,
        undetermined=undetermined,
        why=why,
        refractory_ms=min(refractory),
        refractory_default=any(s.refractory_default for s in states.values()) or pooled.refractory_default,
        populations=dict(states),
    )


def classify_state(data: SpikeData, thresholds: StateThresholds | None = None) -> NetworkState:
    """Classify a run: each population on its own spikes, the network from them (module docstring).

    Parameters
    ----------
    data
        The run; drop an initial transient first with :meth:`SpikeData.window`.
    thresholds
        The same thresholds for every population; by default each population's τ_ref comes
        from ``data.refractory_ms`` (the model's), :data:`DEFAULT_REFRACTORY_MS` without one
        (the state's ``refractory_default`` is then True).

    Returns
    -------
    NetworkState
        The network's state, with each population's in ``populations``; ``quiescent`` for a
        run without spikes, ``undetermined`` (``rate_hz``) without neurons.
    """

    def th(pop: str) -> StateThresholds:
        return thresholds or StateThresholds.for_population(data.refractory_ms, pop)

    pooled = classify_input(MetricInput(data.select("all")), th("all"))
    if list(data.populations) == ["all"]:
        return replace(pooled, populations={"all": pooled})
    states = {pop: classify_input(MetricInput(data.select(pop)), th(pop)) for pop in data.populations}
    return network_from_populations(states, pooled)


def state_attrs(metrics: Mapping[str, Any]) -> dict[str, str]:
    """The state labels of a run from its stored metric values, as text for people.

    ``network_state`` from ``state``; ``network_state.POP`` from each ``pop_state.POP`` (not
    ``all``); ``network_state.undetermined``, the measure an undetermined network lacks
    (``"cv_isi"``); ``network_state.tau_ref``, the τ_ref the rules used and where it came from
    (``"5 ms (model)"``, ``"2 ms (default: the model states none)"``). Undefined codes are left
    out, so that a run without metrics gets no label.
    """
    out: dict[str, str] = {}
    label = state_label(metrics.get("state"))
    if label is not None:
        out[NETWORK_STATE] = label
    prefix = f"{POPULATION_STATE}."
    for name, code in metrics.items():
        pop = name[len(prefix) :] if name.startswith(prefix) else ""
        if pop and pop != "all" and state_label(code) is not None:
            out[f"{NETWORK_STATE}.{pop}"] = str(state_label(code))
    measure = undetermined_measure(metrics.get("state"))
    if measure is not None:
        out[f"{NETWORK_STATE}.undetermined"] = measure
    tau, default = metrics.get("state_tau_ref_ms"), metrics.get("state_tau_ref_default")
    if label is not None and isinstance(tau, int | float) and np.isfinite(tau):
        source = "default: the model states none" if default else "model"
        out[f"{NETWORK_STATE}.tau_ref"] = f"{tau:g} ms ({source})"
    return out
