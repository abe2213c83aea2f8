"""Outcomes not yet reported: a JSON file beside the trial's results file.

A worker writes ``report.pending.json`` in the trial's folder before it reports the outcome, and
removes it once Optuna and ``opsnn_trial_runs`` have it. If the database stays down past
``OPSNN_DB_RETRY_S``, the worker exits and the file stays; the next worker started with the same
artifacts folder reports it, so a finished simulation is never lost nor run again.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

__all__ = ["PENDING_NAME", "pending_files", "read_pending", "remove_pending", "write_pending"]

PENDING_NAME = "report.pending.json"
_log = logging.getLogger("opsnn_opt.worker")


def write_pending(folder: Path, study: str, number: int, trial_id: int, outcome: dict[str, Any]) -> Path:
    """Save an outcome durably (fsync, then an atomic rename); returns the file."""
    from opsnn_opt.io import write_atomically  # here: opsnn_opt.io imports neo

    data = {"study": study, "trial_number": number, "trial_id": trial_id, "outcome": outcome}
    return write_atomically(folder / PENDING_NAME, lambda tmp: tmp.write_text(json.dumps(data, default=str)))


def remove_pending(path: Path) -> None:
    path.unlink(missing_ok=True)


def read_pending(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        _log.warning("ignoring unreadable pending report %s: %s", path, exc)
        return None


def pending_files(study_dir: Path) -> list[Path]:
    return sorted(study_dir.glob(f"trial-*/{PENDING_NAME}"))
