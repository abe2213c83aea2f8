"""Results files as a cache: which trials keep theirs (the search space's ``keep``).

A trial always stores its metrics, parameters, seeds and timings. Its results file is kept for

- ``"all"``: every trial (the default);
- ``"best"``: a trial that is the best so far when it completes, and failed or pruned ones;
- ``"failed"``: only failed or pruned trials;
- ``"metrics"``: none.

A completed trial whose file is not kept records instead, as user attributes, ``spikes_sha256``
(:func:`spikes_digest` of its spikes), ``n_spikes`` and ``results_kept = "no (keep = ...)"``,
so that ``opsnn rerun`` regenerates the file and says "identical spikes" without it. The file
is not removed here: it is renamed to a hidden name (:data:`NOT_KEPT_PREFIX`), from which the
figures are drawn before it is removed (:func:`opsnn_opt.study._artifacts.finish_trial_files`).
Failed and pruned trials never reach this module (they raise before): they keep what they have
(a pruned trial has no results file; a failed one rarely has).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import math
import shutil
from pathlib import Path
from typing import Any

__all__ = ["NOT_KEPT_PREFIX", "apply_keep", "spikes_digest", "spikes_digest_of"]

#: A results file renamed with this prefix is not kept: figures are drawn from it, then it is removed.
NOT_KEPT_PREFIX = ".not-kept-"


def spikes_digest_of(data: Any) -> tuple[str, int]:
    """(SHA-256 hex digest, spike count) of a :class:`~opsnn_opt.analysis.SpikeData`: per
    population (by name), its spike times (float64) and senders (int64) sorted by time, then
    sender. Two runs with bitwise identical spikes have the same digest."""
    import numpy as np

    digest = hashlib.sha256()
    count = 0
    for name in sorted(dict(data.populations)):
        pop = data.select(name)
        order = np.lexsort((pop.senders, pop.times_ms))
        digest.update(name.encode() + b"\0")
        digest.update(np.ascontiguousarray(pop.times_ms[order], dtype="<f8").tobytes())
        digest.update(np.ascontiguousarray(pop.senders[order], dtype="<i8").tobytes())
        count += int(pop.times_ms.size)
    return digest.hexdigest(), count


def spikes_digest(path: str | Path) -> tuple[str, int]:
    """:func:`spikes_digest_of` the spikes in a results file."""
    from opsnn_opt.io import read_recording  # here: opsnn_opt.io imports neo

    return spikes_digest_of(read_recording(Path(path)).spike_data())


def _scores(opened: Any, result: Any) -> list[float] | None:
    """The objective's values, None when the trial will fail (undefined or nan)."""
    try:
        scores = opened.objective.evaluate(result.metrics, result)
    except Exception:  # MissingMetric, or a callable objective's own error: the worker fails it
        return None
    return None if any(math.isnan(s) for s in scores) else list(scores)


def _dominated(values: list[float], other: list[float], directions: list[str]) -> bool:
    signs = [1.0 if d == "minimize" else -1.0 for d in directions]
    a = [s * v for s, v in zip(signs, values)]
    b = [s * v for s, v in zip(signs, other)]
    return all(y <= x for x, y in zip(a, b)) and any(y < x for x, y in zip(a, b))


def _best_so_far(opened: Any, result: Any, scores: list[float]) -> bool:
    """Whether a completed trial with these scores is the best so far (one objective: better
    than the best trial's value; several: dominated by no Pareto-optimal trial). An infeasible
    trial (a violated constraint) is never the best."""
    if any(v > 0 for v in opened.objective.violations(result.metrics)):
        return False
    directions = list(opened.objective.directions)
    if len(directions) == 1:
        try:
            best = opened.study.best_trial.value  # one ordered query on an RDB storage
        except ValueError:  # no completed trial yet
            return True
        return scores[0] < best if directions[0] == "minimize" else scores[0] > best
    return not any(_dominated(scores, list(t.values), directions) for t in opened.study.best_trials)


def _keeps(opened: Any, result: Any) -> bool:
    keep = opened.space.keep
    if keep == "all":
        return True
    if keep == "metrics":
        return False
    scores = _scores(opened, result)
    if scores is None:  # the trial will fail: "best" and "failed" keep failed trials' files
        return True
    return keep == "best" and _best_so_far(opened, result, scores)


def apply_keep(opened: Any, output: Any, folder: Path) -> Any:
    """The :class:`~opsnn_opt.study.trial._run.TrialOutput` of a trial whose replicates are done,
    with its results file marked as not kept when the space's ``keep`` says so: the digest of its
    spikes in ``output.kept``, ``results_path`` None, replicate files removed."""
    result = output.result
    if not result.results_path:
        return output
    path = Path(result.results_path)
    try:
        if _keeps(opened, result):
            return output
        sha, n_spikes = spikes_digest(path)
    except Exception as exc:  # bookkeeping never fails a trial: the file is kept instead
        logging.getLogger("opsnn_opt.worker").warning("%s: kept (keep = %s): %s", path, opened.space.keep, exc)
        return output
    path.rename(path.with_name(NOT_KEPT_PREFIX + path.name))
    for replicate in folder.glob("replicate-*"):  # their files are never uploaded: remove them
        shutil.rmtree(replicate, ignore_errors=True)
    output.kept = {"results_kept": f"no (keep = {opened.space.keep})", "spikes_sha256": sha, "n_spikes": n_spikes}
    output.result = dataclasses.replace(result, results_path=None)
    for run in output.runs:
        run["results_path"] = None
    return output
