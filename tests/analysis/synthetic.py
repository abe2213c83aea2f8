"""Ground truth for the analysis tests: spike trains and waves with known statistics."""

from __future__ import annotations

import itertools

import neo
import numpy as np
import quantities as pq

from opsnn_opt.analysis import SpikeData


def poisson(
    n_neurons: int,
    rate_hz: float,
    t_stop_ms: float,
    seed: int = 0,
    populations: dict[str, tuple[int, int]] | None = None,
) -> SpikeData:
    """Independent Poisson trains (times on a 0.1 ms grid, as NEST writes them)."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rate_hz * t_stop_ms / 1000.0, n_neurons)
    senders = np.repeat(np.arange(n_neurons), counts)
    times = np.round(rng.uniform(0.0, t_stop_ms, senders.size), 1)
    times[times >= t_stop_ms] = 0.0
    # A neuron cannot fire twice in one time step.
    order = np.lexsort((times, senders))
    times, senders = times[order], senders[order]
    unique = np.concatenate([[True], (np.diff(times) != 0) | (np.diff(senders) != 0)])
    return SpikeData(times[unique], senders[unique], populations or {"all": (0, n_neurons)}, 0.0, t_stop_ms)


def regular(n_neurons: int, rate_hz: float, t_stop_ms: float, seed: int = 0) -> SpikeData:
    """Periodic trains at ``rate_hz`` with random phases: CV = 0, and asynchronous."""
    rng = np.random.default_rng(seed)
    period = 1000.0 / rate_hz
    k = np.arange(int(t_stop_ms / period))
    times = (rng.uniform(0, period, n_neurons)[:, None] + period * k[None, :]).ravel()
    senders = np.repeat(np.arange(n_neurons), k.size)
    return SpikeData(times, senders, {"all": (0, n_neurons)}, 0.0, t_stop_ms)


def volleys(
    n_neurons: int, freq_hz: float, t_stop_ms: float, p_fire: float = 0.5, jitter_ms: float = 1.0, seed: int = 0
) -> SpikeData:
    """Synchronous volleys at ``freq_hz``: each neuron joins each volley with probability p_fire."""
    rng = np.random.default_rng(seed)
    centres = np.arange(0.5, t_stop_ms * freq_hz / 1000.0 - 0.5) * 1000.0 / freq_hz + 2.5  # mid-bin for 5 ms bins
    joins = rng.random((n_neurons, centres.size)) < p_fire
    senders, which = np.nonzero(joins)
    times = centres[which] + rng.normal(0.0, jitter_ms, senders.size)
    keep = (times >= 0) & (times < t_stop_ms)
    return SpikeData(times[keep], senders[keep], {"all": (0, n_neurons)}, 0.0, t_stop_ms)


def to_trains(data: SpikeData, units: str = "ms") -> list[neo.SpikeTrain]:
    """One neo SpikeTrain per neuron, for Elephant and for the neo boundary."""
    factor = pq.ms.rescale(units).magnitude
    order = np.lexsort((data.times_ms, data.senders))
    t, s = data.times_ms[order], data.senders[order]
    edges = np.searchsorted(s, np.arange(data.n_neurons + 1))
    return [
        neo.SpikeTrain(t[a:b] * factor, units=units, t_start=data.t_start_ms * factor, t_stop=data.t_stop_ms * factor)
        for a, b in itertools.pairwise(edges)
    ]


def grid_positions(n_side: int, spacing_mm: float) -> np.ndarray:
    """A square grid of n_side² neurons in the plane z = 0, shape (n, 3) in mm."""
    gx, gy = np.meshgrid(np.arange(n_side) * spacing_mm, np.arange(n_side) * spacing_mm)
    return np.column_stack([gx.ravel(), gy.ravel(), np.zeros(n_side * n_side)])


def _cycles(
    delay_ms: np.ndarray,
    freq_hz: float,
    t_stop_ms: float,
    jitter_ms: float,
    p_fire: float,
    background_hz: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """One spike per neuron per cycle at its delay, jittered, kept with p_fire; plus Poisson noise."""
    n = delay_ms.size
    starts = np.arange(-2, int(t_stop_ms * freq_hz / 1000.0) + 2) * 1000.0 / freq_hz
    t = (starts[None, :] + delay_ms[:, None]).ravel() + rng.normal(0.0, jitter_ms, n * starts.size)
    s = np.repeat(np.arange(n), starts.size)
    keep = rng.random(t.size) < p_fire
    bg = rng.poisson(background_hz * t_stop_ms / 1000.0 * n)
    t = np.concatenate([t[keep], rng.uniform(0, t_stop_ms, bg)])
    s = np.concatenate([s[keep], rng.integers(0, n, bg)])
    ok = (t >= 0) & (t < t_stop_ms)
    return t[ok], s[ok]


def plane_wave(
    speed_mm_per_ms: float,
    direction_deg: float,
    freq_hz: float = 20.0,
    n_side: int = 40,
    spacing_mm: float = 0.1,
    t_stop_ms: float = 1000.0,
    seed: int = 0,
) -> SpikeData:
    """Plane waves crossing a grid at a known speed and direction, with jitter, dropout and noise."""
    rng = np.random.default_rng(seed)
    pos = grid_positions(n_side, spacing_mm)
    k = np.array([np.cos(np.radians(direction_deg)), np.sin(np.radians(direction_deg))])
    t, s = _cycles(pos[:, :2] @ k / speed_mm_per_ms, freq_hz, t_stop_ms, 1.0, 0.7, 2.0, rng)
    return SpikeData(t, s, {"all": (0, pos.shape[0])}, 0.0, t_stop_ms, positions_mm=pos)


def radial_wave(
    speed_mm_per_ms: float,
    center_mm: tuple[float, float],
    freq_hz: float = 20.0,
    n_side: int = 40,
    spacing_mm: float = 0.1,
    t_stop_ms: float = 1000.0,
    seed: int = 0,
) -> SpikeData:
    """Rings expanding from ``center_mm`` at a known speed, repeated at ``freq_hz``."""
    rng = np.random.default_rng(seed)
    pos = grid_positions(n_side, spacing_mm)
    d = np.hypot(*(pos[:, :2] - np.asarray(center_mm)).T)
    t, s = _cycles(d / speed_mm_per_ms, freq_hz, t_stop_ms, 1.0, 0.7, 2.0, rng)
    return SpikeData(
        t,
        s,
        {"all": (0, pos.shape[0])},
        0.0,
        t_stop_ms,
        positions_mm=pos,
        stimulus_center_mm=np.array([*center_mm, 0.0]),
    )


def evoked_wave(
    speed_mm_per_ms: float,
    onset_ms: float = 100.0,
    n_side: int = 40,
    spacing_mm: float = 0.1,
    t_stop_ms: float = 300.0,
    seed: int = 0,
) -> SpikeData:
    """One wave from the sheet's centre at ``onset_ms``: each neuron fires at onset + d / speed."""
    rng = np.random.default_rng(seed)
    pos = grid_positions(n_side, spacing_mm)
    center = np.array([(n_side - 1) * spacing_mm / 2] * 2 + [0.0])
    d = np.linalg.norm(pos - center, axis=1)
    t = onset_ms + 1.0 + d / speed_mm_per_ms + rng.normal(0.0, 0.3, d.size)
    bg = rng.poisson(1.0 * t_stop_ms / 1000.0 * d.size)  # 1 Hz spontaneous spikes
    times = np.concatenate([t, rng.uniform(0, t_stop_ms, bg)])
    senders = np.concatenate([np.arange(d.size), rng.integers(0, d.size, bg)])
    keep = times < t_stop_ms
    return SpikeData(
        times[keep], senders[keep], {"all": (0, d.size)}, 0.0, t_stop_ms, positions_mm=pos, stimulus_onset_ms=onset_ms
    )
