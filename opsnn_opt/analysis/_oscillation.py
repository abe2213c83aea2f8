"""Oscillations of the population rate: Welch power spectrum, peak frequency, relative power."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["OscillationPeak", "oscillation_peak", "population_rate_hz", "rate_spectrum", "welch_psd"]


def population_rate_hz(
    times_ms: np.ndarray, n_neurons: int, t_start_ms: float, t_stop_ms: float, bin_ms: float = 1.0
) -> np.ndarray:
    """Population rate (Hz per neuron) in bins of ``bin_ms``; a last partial bin is dropped.

    Parameters
    ----------
    times_ms
        Spike times (ms) of the population.
    n_neurons
        Number of neurons of the population (the rate is per neuron).
    t_start_ms, t_stop_ms, bin_ms
        Window and bin width (ms).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_bins,)``; empty when the window holds no whole bin or there are no neurons.
    """
    if not bin_ms > 0:
        raise ValueError(f"bin_ms must be > 0, but got bin_ms={bin_ms}")
    n_bins = int((t_stop_ms - t_start_ms) // bin_ms)
    if n_bins <= 0 or n_neurons <= 0:
        return np.empty(0)
    b = np.floor((times_ms - t_start_ms) / bin_ms).astype(np.int64)
    counts = np.bincount(b[(b >= 0) & (b < n_bins)], minlength=n_bins)
    return counts * (1000.0 / (bin_ms * n_neurons))


def rate_spectrum(rate_hz: np.ndarray, bin_ms: float = 1.0, segment_ms: float = 256.0) -> tuple[np.ndarray, np.ndarray]:
    """Welch power spectral density of a rate signal (mean removed).

    Parameters
    ----------
    rate_hz
        A rate (Hz) sampled every ``bin_ms``, e.g. from :func:`population_rate_hz`.
    bin_ms
        Sampling period (ms); the spectrum reaches the Nyquist frequency 500 / bin_ms Hz.
    segment_ms
        Length of Welch's segments (ms), Hann window, 50 % overlap, each segment's mean
        removed: the defaults of :func:`scipy.signal.welch`, which this equals (importing
        ``scipy.signal`` costs about 1.5 s, more than a small trial's analysis); the frequency
        resolution is 1000 / segment_ms Hz. Cut to the signal's length when longer.

    Returns
    -------
    (freqs_hz, psd)
        Frequencies (Hz) and power spectral density (Hz²/Hz); empty when fewer than 8 samples.
    """
    if rate_hz.size < 8:
        return np.empty(0), np.empty(0)
    nperseg = int(min(rate_hz.size, max(round(segment_ms / bin_ms), 8)))
    return welch_psd(np.asarray(rate_hz, dtype=np.float64), 1000.0 / bin_ms, nperseg)


def welch_psd(x: np.ndarray, fs_hz: float, nperseg: int) -> tuple[np.ndarray, np.ndarray]:
    """One-sided Welch PSD with a periodic Hann window, 50 % overlap and constant detrending.

    Equals ``scipy.signal.welch(x, fs=fs_hz, nperseg=nperseg, detrend="constant")``.
    """
    step = nperseg - nperseg // 2
    n_seg = (x.size - nperseg) // step + 1
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(nperseg) / nperseg)
    starts = np.arange(n_seg) * step
    segments = x[starts[:, None] + np.arange(nperseg)]
    segments = segments - segments.mean(axis=1, keepdims=True)
    power = np.abs(np.fft.rfft(segments * window, axis=1)) ** 2 / (fs_hz * np.sum(window**2))
    power[:, 1:] *= 2.0
    if nperseg % 2 == 0:
        power[:, -1] /= 2.0
    return np.fft.rfftfreq(nperseg, 1.0 / fs_hz), power.mean(axis=0)


@dataclass(frozen=True)
class OscillationPeak:
    """The strongest oscillation of the population rate.

    Attributes
    ----------
    peak_hz
        Frequency (Hz) of the largest spectral peak at or above ``f_min_hz``.
    rel_power
        Fraction of the power in ``[f_min_hz, Nyquist]`` that lies within ``band_bins``
        frequency bins of the peak. A flat (asynchronous, Poisson-like) spectrum gives about
        ``(2 band_bins + 1) / n_freqs`` whatever N, e.g. 0.04 with the defaults; a clean
        oscillation approaches 1.
    """

    peak_hz: float
    rel_power: float


def oscillation_peak(
    times_ms: np.ndarray,
    n_neurons: int,
    t_start_ms: float,
    t_stop_ms: float,
    *,
    bin_ms: float = 1.0,
    segment_ms: float = 256.0,
    f_min_hz: float = 5.0,
    band_bins: int = 2,
) -> OscillationPeak:
    """Peak frequency and relative power of the population-rate spectrum.

    Parameters
    ----------
    times_ms, n_neurons
        Spike times (ms) and number of neurons of the population.
    t_start_ms, t_stop_ms
        Window (ms).
    bin_ms, segment_ms
        Rate bin and Welch segment (ms), see :func:`rate_spectrum`.
    f_min_hz
        Lowest frequency considered (Hz): slower changes are drifts and transients, not
        oscillations.
    band_bins
        Half-width of the peak band, in frequency bins.

    Returns
    -------
    OscillationPeak
        Both nan without spikes, with fewer than 8 rate bins, or no frequency ≥ ``f_min_hz``.
    """
    none = OscillationPeak(float("nan"), float("nan"))
    rate = population_rate_hz(times_ms, n_neurons, t_start_ms, t_stop_ms, bin_ms)
    if rate.size < 8 or not rate.any():
        return none
    freqs, psd = rate_spectrum(rate, bin_ms, segment_ms)
    use = freqs >= f_min_hz
    total = float(psd[use].sum())
    if not use.any() or total <= 0:
        return none
    k = int(np.flatnonzero(use)[np.argmax(psd[use])])
    lo = max(k - band_bins, int(np.flatnonzero(use)[0]))
    return OscillationPeak(float(freqs[k]), float(psd[lo : k + band_bins + 1].sum() / total))
