"""``opsnn bench analysis``: our metrics against Elephant's on the same spikes, in the same run.

The data: ``n_spikes`` Poisson spikes of ``n_neurons`` neurons at 50 Hz (so 10^6 spikes of 1000
neurons last 20 s), on a square grid of positions (0.1 mm apart) with a stimulus onset, and two
V_m channels, so that the full default metric set runs, spatial metrics included.

Shared metrics, timed on each side (best of ``repeats``), with their values compared:

=========  ===========================================  =====================================
metric     ours                                         Elephant
=========  ===========================================  =====================================
rate       ``neuron_rates_hz``                          ``statistics.mean_firing_rate`` per train
isi        ``isi_stats`` (CV, CV2 and LV in one pass)   ``isi``, then ``cv``, ``cv2``, ``lv`` per train
fano_pop   ``population_fano`` (5 ms bins)              ``time_histogram`` (5 ms), var / mean
corr       ``pair_correlations`` (200 seeded pairs)     ``correlation_coefficient`` of the binned
                                                        trains of those pairs' neurons
osc_peak   ``oscillation_peak`` (1 ms bins, Welch)      ``time_histogram`` (1 ms), ``spectral.welch_psd``
=========  ===========================================  =====================================

Targets: the full default set in < 1 s, and ≥ 10x faster than Elephant on the shared metrics
(sum of Elephant's times over the sum of ours). Converting the neo Block to flat arrays
(``spike_data_from_block``) is timed separately: Elephant works on the neo trains directly.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from opsnn_opt.bench._common import best_of

if TYPE_CHECKING:
    import neo

__all__ = ["TARGETS", "add_parser", "run_analysis_bench", "synthetic_spatial_block"]

TARGETS: dict[str, float] = {"full_set_s_max": 1.0, "speedup_vs_elephant_min": 10.0}
RATE_HZ = 50.0
BIN_MS, OSC_BIN_MS, N_PAIRS = 5.0, 1.0, 200


def synthetic_spatial_block(n_spikes: int, n_neurons: int, seed: int = 0) -> neo.Block:
    """A neo Block of Poisson trains (50 Hz) with grid positions, a stimulus onset and 2 V_m channels.

    The duration is chosen so that the expected number of spikes is ``n_spikes``.
    """
    import neo
    import quantities as pq

    rng = np.random.default_rng(seed)
    t_stop = 1000.0 * n_spikes / (n_neurons * RATE_HZ)
    counts = rng.poisson(RATE_HZ * t_stop / 1000.0, n_neurons)
    times = np.round(rng.uniform(0.0, t_stop, counts.sum()), 1)
    bounds = np.concatenate([[0], np.cumsum(counts)])
    seg = neo.Segment()
    for i in range(n_neurons):
        train = np.unique(times[bounds[i] : bounds[i + 1]])
        seg.spiketrains.append(
            neo.SpikeTrain(train[train < t_stop], t_stop=t_stop, units="ms", source_population="all", source_index=i)
        )
    n_v = int(round(t_stop / 0.1))
    seg.analogsignals.append(
        neo.AnalogSignal(
            rng.normal(-60.0, 2.0, (n_v, 2)),
            units="mV",
            sampling_period=0.1 * pq.ms,
            name="v",
            source_population="all",
            array_annotations={"channel_index": np.array([0, 1])},
        )
    )
    side = int(np.ceil(np.sqrt(n_neurons)))
    grid = np.stack(np.meshgrid(np.arange(side), np.arange(side)), -1).reshape(-1, 2)[:n_neurons] * 0.1
    block = neo.Block(
        positions_mm={"all": np.column_stack([grid, np.zeros(n_neurons)])}, stimulus_onset_ms=min(100.0, t_stop / 2)
    )
    block.segments.append(seg)
    return block


def _ours(data: Any) -> dict[str, Any]:
    from opsnn_opt import analysis as an

    d = data
    return {
        "rate": lambda: float(an.neuron_rates_hz(d.senders, d.n_neurons, d.duration_ms).mean()),
        "isi": lambda: an.isi_stats(d.times_ms, d.senders, d.n_neurons),
        "fano_pop": lambda: an.population_fano(d.times_ms, d.t_start_ms, d.t_stop_ms, BIN_MS),
        "corr": lambda: an.pair_correlations(
            d.times_ms, d.senders, d.n_neurons, d.t_start_ms, d.t_stop_ms, BIN_MS, N_PAIRS, 0
        ),
        "osc_peak": lambda: (
            an.oscillation_peak(d.times_ms, d.n_neurons, d.t_start_ms, d.t_stop_ms, bin_ms=OSC_BIN_MS).peak_hz
        ),
    }


def _elephant(trains: list[Any], pairs: tuple[np.ndarray, np.ndarray]) -> dict[str, Any]:
    import quantities as pq
    from elephant import spectral, statistics
    from elephant.conversion import BinnedSpikeTrain
    from elephant.spike_train_correlation import correlation_coefficient

    def isi() -> list[tuple[float, float, float]]:
        out = []
        for st in trains:
            if len(st) >= 3:
                i = statistics.isi(st).magnitude
                out.append((statistics.cv(i), statistics.cv2(i), statistics.lv(i)))
        return out

    def fano() -> float:
        counts = statistics.time_histogram(trains, bin_size=BIN_MS * pq.ms, output="counts").magnitude.ravel()
        return float(counts.var() / counts.mean())

    def corr() -> np.ndarray:
        used, inverse = np.unique(np.concatenate(pairs), return_inverse=True)
        matrix = correlation_coefficient(BinnedSpikeTrain([trains[k] for k in used], bin_size=BIN_MS * pq.ms))
        a, c = np.split(inverse, 2)
        return matrix[a, c]

    def osc() -> float:
        hist = statistics.time_histogram(trains, bin_size=OSC_BIN_MS * pq.ms, output="rate")
        freqs, psd = spectral.welch_psd(hist.magnitude.ravel(), len_segment=256, fs=1000.0 / OSC_BIN_MS)
        use = freqs >= 5.0
        return float(freqs[use][np.argmax(psd[use])])

    return {
        "rate": lambda: float(np.mean([statistics.mean_firing_rate(st).rescale("Hz").magnitude for st in trains])),
        "isi": isi,
        "fano_pop": fano,
        "corr": corr,
        "osc_peak": osc,
    }


def _agreement(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, float]:
    """Largest absolute difference between our value and Elephant's, per shared metric."""
    o, t = {k: f() for k, f in ours.items()}, {k: f() for k, f in theirs.items()}
    isi = np.array(t["isi"])
    ours_isi = np.column_stack([o["isi"].cv, o["isi"].cv2, o["isi"].lv])
    ours_isi = ours_isi[np.isfinite(ours_isi[:, 0])]
    return {
        "rate": abs(o["rate"] - t["rate"]),
        "isi": float(np.max(np.abs(ours_isi - isi))) if isi.size else 0.0,
        "fano_pop": abs(o["fano_pop"] - t["fano_pop"]),
        "corr": float(np.max(np.abs(o["corr"][2] - t["corr"]))) if t["corr"].size else 0.0,
        "osc_peak": abs(o["osc_peak"] - t["osc_peak"]),
    }


def run_analysis_bench(
    n_spikes: int = 1_000_000, n_neurons: int = 1000, repeats: int = 3, seed: int = 0
) -> dict[str, Any]:
    """Time the full metric set and the shared metrics against Elephant; see the module docstring."""
    from opsnn_opt.analysis import compute_metrics
    from opsnn_opt.io import spike_data_from_block

    block = synthetic_spatial_block(n_spikes, n_neurons, seed)
    trains = list(block.segments[0].spiketrains)
    convert_s = best_of(lambda: spike_data_from_block(block), repeats)
    data = spike_data_from_block(block)
    compute_metrics(data)  # first call pays the scipy imports; not part of the figure
    full_s = best_of(lambda: compute_metrics(data), repeats)
    ours = _ours(data)
    i, j, _ = ours["corr"]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Elephant's deprecation and empty-bin warnings
        theirs = _elephant(trains, (i, j))
        ours_s = {k: best_of(f, repeats) for k, f in ours.items()}
        theirs_s = {k: best_of(f, repeats) for k, f in theirs.items()}
        diff = _agreement(ours, theirs)
    ratios = {f"elephant_vs_ours.{k}": theirs_s[k] / ours_s[k] for k in ours_s}
    ratios["elephant_vs_ours.shared_total"] = sum(theirs_s.values()) / sum(ours_s.values())
    return {
        "n_spikes": int(data.times_ms.size),
        "n_neurons": n_neurons,
        "duration_ms": data.duration_ms,
        "n_metrics": len(compute_metrics(data)),
        "full_set_s": full_s,
        "convert_s": convert_s,
        "shared_ours_s": ours_s,
        "shared_elephant_s": theirs_s,
        "max_abs_diff_vs_elephant": diff,
        "ratios": ratios,
        "targets": dict(TARGETS),
        "targets_met": {
            "full_set_s_max": full_s < TARGETS["full_set_s_max"],
            "speedup_vs_elephant_min": ratios["elephant_vs_ours.shared_total"] >= TARGETS["speedup_vs_elephant_min"],
        },
    }


def add_parser(sub: Any, parents: list[Any]) -> None:
    p = sub.add_parser(
        "analysis", parents=parents, help="the full metric set on 10^6 spikes, and the shared metrics against Elephant"
    )
    p.add_argument("--n-spikes", type=int, default=1_000_000, help="number of spikes (default 10^6)")
    p.add_argument("--n-neurons", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=3)
    p.set_defaults(
        bench=lambda a: run_analysis_bench(a.n_spikes, a.n_neurons, a.repeats),
        bench_settings=lambda a: {"n_spikes": a.n_spikes, "n_neurons": a.n_neurons, "repeats": a.repeats},
    )
