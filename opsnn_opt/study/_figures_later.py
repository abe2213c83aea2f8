"""``opsnn study figures``: a trial's figures drawn and uploaded after it finished.

For each trial the results file is this host's copy, else its artifact, else (the file was not
kept, see the search space's ``keep``) a rerun of the trial (:func:`~opsnn_opt.study._rerun.rerun_trial`),
which also says whether the spikes are identical to the stored ones. The figures are drawn as a
worker draws them (:mod:`opsnn_opt.study._artifacts`) and uploaded as artifacts of the study named
``trial-NNNNN-<figure>.png``: Optuna attaches no artifact to a finished trial. ``opsnn fetch``
downloads them with the trial's own files.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsnn_opt.errors import ConfigError, StoreError
from opsnn_opt.study._artifacts import (
    _draw_figures,
    artifact_store_location,
    download_trial_files,
    later_figure_prefix,
    open_artifact_store,
)
from opsnn_opt.study._rerun import rerun_trial

__all__ = ["TrialFigures", "best_trial_numbers", "draw_trial_figures"]


@dataclass
class TrialFigures:
    """What :func:`draw_trial_figures` did for one trial."""

    trial: int
    source: str
    #: figure file name -> artifact id
    artifacts: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        drawn = ", ".join(self.artifacts) or "no figures"
        errors = f"; errors: {'; '.join(self.errors)}" if self.errors else ""
        return f"trial {self.trial}: {drawn} from {self.source}{errors}"


def best_trial_numbers(opened: Any, k: int) -> list[int]:
    """The ``k`` best completed trials (one objective: by value; several: the Pareto front's first ``k``)."""
    import optuna

    done = opened.study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if len(opened.objective.directions) > 1:
        return [t.number for t in opened.study.best_trials][:k]
    reverse = opened.objective.directions[0] == "maximize"
    return [t.number for t in sorted(done, key=lambda t: t.value, reverse=reverse)][:k]


def _results_file(opened: Any, number: int, row: Any, scratch: Path, location: str | None) -> tuple[Path, str]:
    """The trial's results file and where it came from: local (``row``: its stored run), artifact, or rerun."""
    if row is not None and row.results_path and Path(row.results_path).is_file():
        return Path(row.results_path), row.results_path
    try:
        files = download_trial_files(opened, number, scratch / "stored", location, stems=("results",))
        if files:
            return files[0], f"artifact {files[0].name}"
    except StoreError:  # not uploaded, or not kept: run it again
        pass
    report = rerun_trial(opened, number, scratch / "rerun", location)
    verdict = "identical spikes" if report.identical else "spikes differ: " + "; ".join(report.spike_differences)
    return Path(report.results_path), f"a rerun ({verdict})"


def draw_trial_figures(opened: Any, numbers: list[int], location: str | None = None) -> list[TrialFigures]:
    """Draw and upload the figures of trials ``numbers`` of an opened study.

    Raises
    ------
    ConfigError
        If a number is not a trial of the study.
    """
    from optuna.artifacts import upload_artifact

    n = len(opened.study.get_trials(deepcopy=False))
    bad = [k for k in numbers if not 0 <= k < n]
    if bad:
        raise ConfigError(f"trials must be trial numbers in [0, {n - 1}] of study {opened.name!r}; got {bad}")
    store = open_artifact_store(artifact_store_location(opened.store.url, location))
    rows = {r.trial_number: r for r in opened.store.runs(opened.name)}
    out = []
    for number in numbers:
        with tempfile.TemporaryDirectory(prefix="opsnn-figures-") as tmp:
            scratch = Path(tmp)
            report = TrialFigures(number, "")
            try:
                results, report.source = _results_file(opened, number, rows.get(number), scratch, location)
            except (StoreError, ConfigError) as exc:
                report.source, report.errors = "nowhere", [str(exc)]
                out.append(report)
                continue
            for figure in _draw_figures(results, report.errors):
                named = shutil.copy(figure, scratch / (later_figure_prefix(number) + figure.name))
                report.artifacts[figure.name] = upload_artifact(
                    artifact_store=store, file_path=str(named), study_or_trial=opened.study
                )
            out.append(report)
    return out
