"""``opsnn rerun NAME TRIAL``: run a stored trial again and compare it with what was stored.

The configuration is rebuilt from the store alone: every parameter value the trial ran with
(defaults and the model's ``seed`` included, from ``opsnn_trial_runs``) and the run settings of
the study's stored search space (simulated time, time step, chunk length, recorded V_m cells,
results format). The stored results file is read from the trial's own path when this host has it,
else downloaded from the artifact store. Spikes are compared bit for bit (times and senders of
every population, as float64/int64 bytes); when they differ, the versions of opsnn_opt, PyNN,
NEST and numpy that differ and the metrics that changed are listed.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsnn_opt.errors import ConfigError, StoreError
from opsnn_opt.study._artifacts import download_trial_files

__all__ = ["VERSION_FIELDS", "RerunReport", "compare_spikes", "rerun_trial"]

#: Versions that decide whether a rerun must reproduce the spikes: trial-table column -> run key.
VERSION_FIELDS = {
    "opsnn_version": "opsnn_opt",
    "pynn_version": "pynn",
    "nest_version": "nest",
    "numpy_version": "numpy",
}


@dataclass
class RerunReport:
    """The outcome of one rerun."""

    study: str
    trial: int
    results_path: str
    stored_path: str
    identical: bool
    spike_differences: list[str] = field(default_factory=list)
    #: name -> (stored, now), only for versions that differ
    version_differences: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    #: metric -> (stored, now), only for metrics that differ
    metric_differences: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)

    @property
    def reproduced(self) -> bool:
        """False only when the spikes differ although every version is the same."""
        return self.identical or bool(self.version_differences)

    def lines(self) -> list[str]:
        out = [f"trial {self.trial} of study {self.study!r} rerun: {self.results_path}"]
        out += [f"version {k}: stored {a}, now {b}" for k, a, b in _rows(self.version_differences)]
        if self.identical:
            out.append("identical spikes")
        else:
            out.append("spikes differ: " + "; ".join(self.spike_differences))
            if not self.version_differences:
                out.append("  the versions of opsnn_opt, PyNN, NEST and numpy are the same as the stored run's")
        out += [f"metric {k}: stored {_num(a)}, now {_num(b)}" for k, a, b in _rows(self.metric_differences)]
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "trial": self.trial,
            "results_path": self.results_path,
            "stored_path": self.stored_path,
            "identical": self.identical,
            "spike_differences": self.spike_differences,
            "version_differences": {k: list(v) for k, v in self.version_differences.items()},
            "metric_differences": {k: list(v) for k, v in self.metric_differences.items()},
        }


def _rows(d: dict[str, tuple[Any, Any]]) -> list[tuple[str, Any, Any]]:
    return [(k, a, b) for k, (a, b) in d.items()]


def _num(v: float | None) -> str:
    return "undefined" if v is None else f"{v:.6g}"


def compare_spikes(stored: Path, new: Path) -> list[str]:
    """Differences between the spikes of two results files; empty when bitwise identical."""
    from opsnn_opt.io import read_recording

    a, b = (read_recording(p).spike_data() for p in (stored, new))
    if dict(a.populations) != dict(b.populations):
        return [f"populations {dict(a.populations)} (stored) vs {dict(b.populations)} (now)"]
    out = []
    for pop in a.populations:
        sa, sb = a.select(pop), b.select(pop)
        if sa.times_ms.size != sb.times_ms.size:
            out.append(f"{pop}: {sa.times_ms.size} spikes stored, {sb.times_ms.size} now")
            continue
        same_times = sa.times_ms.dtype == sb.times_ms.dtype and sa.times_ms.tobytes() == sb.times_ms.tobytes()
        same_senders = sa.senders.dtype == sb.senders.dtype and sa.senders.tobytes() == sb.senders.tobytes()
        if not (same_times and same_senders):
            first = int(((sa.times_ms != sb.times_ms) | (sa.senders != sb.senders)).argmax())
            out.append(
                f"{pop}: {sa.times_ms.size} spikes each, first difference at spike {first} "
                f"({sa.times_ms[first]:.4f} ms from {sa.senders[first]} stored, "
                f"{sb.times_ms[first]:.4f} ms from {sb.senders[first]} now)"
            )
    return out


def _stored_results(opened: Any, number: int, row: Any, scratch: Path, artifact_store: str | None) -> tuple[Path, str]:
    """The stored results file (this host's copy, else a download) and where it came from."""
    if row.results_path and Path(row.results_path).is_file():
        return Path(row.results_path), row.results_path
    files = download_trial_files(opened, number, scratch, artifact_store, stems=("results",))
    if not files:
        raise StoreError(f"trial {number} of study {opened.name!r} has no results file in its artifacts")
    return files[0], f"artifact {files[0].name} of trial {number}"


def rerun_trial(opened: Any, number: int, out_dir: Path, artifact_store: str | None = None) -> RerunReport:
    """Run trial ``number`` of an opened study again into ``out_dir`` and compare.

    Raises
    ------
    ConfigError
        If the study has no trial ``number``.
    StoreError
        If the trial's configuration or its stored results file cannot be found.
    """
    from opsnn_opt.pipeline import run

    rows = {r.trial_number: r for r in opened.store.runs(opened.name)}
    if number not in rows:
        known = f"[{min(rows)}, {max(rows)}]" if rows else "none"
        raise ConfigError(f"TRIAL must be a trial of study {opened.name!r} with a stored run ({known}); got {number}")
    row = rows[number]
    if not row.params or row.simtime_ms is None:
        raise StoreError(f"trial {number} of study {opened.name!r} failed before its configuration was fixed")
    spec = opened.space.run_spec(row.params, f"study {opened.name!r} trial {number} (stored)")
    stored_threads = row.threads or spec.threads  # rows written before threads were recorded
    if (spec.simtime_ms, spec.seed, spec.threads) != (row.simtime_ms, row.seed, stored_threads):
        raise StoreError(
            f"trial {number}: the stored run ({row.simtime_ms:g} ms, seed {row.seed}, {stored_threads} threads) "
            f"does not match the study's search space ({spec.simtime_ms:g} ms, seed {spec.seed}, "
            f"{spec.threads} threads)"
        )
    with tempfile.TemporaryDirectory(prefix="opsnn-rerun-") as scratch:
        stored, stored_from = _stored_results(opened, number, row, Path(scratch), artifact_store)
        result = run(spec, out_dir)
        differences = compare_spikes(stored, Path(result.results_path))
    now = result.as_dict()
    versions = {
        key: (getattr(row, column), now["versions"].get(key))
        for column, key in VERSION_FIELDS.items()
        if getattr(row, column) != now["versions"].get(key)
    }
    stored_metrics = row.metrics or {}
    metrics = {k: (stored_metrics.get(k), v) for k, v in now["metrics"].items() if not _same(stored_metrics.get(k), v)}
    return RerunReport(
        opened.name,
        number,
        result.results_path,
        stored_from,
        not differences,
        differences,
        versions,
        metrics,
    )


def _undefined(v: float | None) -> bool:
    return v is None or math.isnan(v)


def _same(a: float | None, b: float | None) -> bool:
    return (_undefined(a) and _undefined(b)) or a == b
