"""Each trial's files in an Optuna artifact store, so that any host (and optuna-dashboard) sees them.

Where the artifacts go: ``--artifact-store`` or ``OPSNN_ARTIFACT_STORE``, else the folder
``artifact-store/`` beside the SQLite file (``./storage/artifact-store`` for a PostgreSQL store).
The value is a folder (Optuna's ``FileSystemArtifactStore``; on a shared file system for workers
on several hosts) or ``s3://BUCKET[/PREFIX]`` (Optuna's ``Boto3ArtifactStore``; boto3 reads the
credentials and ``AWS_ENDPOINT_URL_S3`` for an S3-compatible server such as MinIO).

A finished trial (complete, failed or pruned) uploads every file its run folder holds (the
results file, when there is one and the search space's ``keep`` keeps it: see
:mod:`opsnn_opt.study.trial._keep`) and, drawn from the results file, a raster and a population
rate PNG, plus the wave frames and the latency plot for spatial models. A pruned trial has no
results file; its raster and rate are drawn from the spikes so far, which the simulation
process keeps in the run folder when it is pruned. Which trials get figures is the search
space's ``figures`` setting. The worker draws and uploads after the trial is told, in a
background thread, while its next trial runs (:mod:`opsnn_opt.study.worker._uploads`). The user
attribute ``artifacts`` maps each file name to its artifact id, ``artifact_store`` names the
store, and ``figures_s`` and ``upload_s`` are the time (s) the figures and uploads took
(``artifacts_s`` their sum). An upload that fails never fails the trial: the reason goes into
the user attribute ``artifact_errors``.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import time
from functools import partial
from pathlib import Path
from typing import IO, Any

from opsnn_opt.errors import ConfigError, StoreError
from opsnn_opt.store import DEFAULT_DIR, sqlite_path
from opsnn_opt.study.trial._keep import NOT_KEPT_PREFIX

__all__ = [
    "ARTIFACT_STORE_ENV",
    "artifact_store_location",
    "download_trial_files",
    "finish_trial_files",
    "later_figure_prefix",
    "not_kept_note",
    "open_artifact_store",
    "save_partial_spikes",
]

ARTIFACT_STORE_ENV = "OPSNN_ARTIFACT_STORE"
_DIR_NAME = "artifact-store"


def artifact_store_location(storage_url: str, override: str | None = None, recorded: str | None = None) -> str:
    """The artifact store to use: ``override`` (``--artifact-store``), ``$OPSNN_ARTIFACT_STORE``,
    the store a trial ``recorded`` it uploaded to, or the default for ``storage_url``."""
    location = override or os.environ.get(ARTIFACT_STORE_ENV) or recorded or None
    if location:
        return location
    db = sqlite_path(storage_url)
    root = db.parent if db is not None else Path.cwd() / DEFAULT_DIR
    return str((root / _DIR_NAME).absolute())


class _PrefixedStore:
    """An artifact store whose ids live under a key prefix (``s3://bucket/prefix``)."""

    def __init__(self, inner: Any, prefix: str) -> None:
        self.inner, self.prefix = inner, prefix.strip("/") + "/"

    def open_reader(self, artifact_id: str) -> IO[bytes]:
        return self.inner.open_reader(self.prefix + artifact_id)

    def write(self, artifact_id: str, content_body: IO[bytes]) -> None:
        self.inner.write(self.prefix + artifact_id, content_body)

    def remove(self, artifact_id: str) -> None:
        self.inner.remove(self.prefix + artifact_id)


@functools.lru_cache(maxsize=8)
def open_artifact_store(location: str) -> Any:
    """An Optuna artifact store for a folder or an ``s3://BUCKET[/PREFIX]`` location."""
    from optuna.artifacts import Boto3ArtifactStore, FileSystemArtifactStore

    where = f"artifact_store/{ARTIFACT_STORE_ENV}"  # the CLI says it as --artifact-store
    if "://" not in location:
        path = Path(location).expanduser()
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"{where}: cannot create the folder {str(path)!r}: {exc.strerror}", field="artifact_store"
            ) from None
        return FileSystemArtifactStore(path)
    scheme, _, rest = location.partition("://")
    bucket, _, prefix = rest.partition("/")
    if scheme != "s3" or not bucket:
        raise ConfigError(f"{where} must be a folder or s3://BUCKET[/PREFIX]; got {location!r}", field="artifact_store")
    try:
        import boto3
    except ImportError:
        raise ConfigError(f"{where} {location!r} needs boto3: pip install boto3", field="artifact_store") from None
    store = Boto3ArtifactStore(bucket, client=boto3.client("s3"))
    return _PrefixedStore(store, prefix) if prefix.strip("/") else store


def _draw_figures(results: Path, errors: list[str]) -> list[Path]:
    """Draw the trial's figures next to its results file (read once); the spatial ones only for
    runs with neuron positions."""
    from opsnn_opt.plots import KINDS, SPATIAL_KINDS, draw_results, load_results

    try:
        data, meta = load_results(results)
    except Exception as exc:
        errors.append(f"figures: {type(exc).__name__}: {exc}")
        return []
    drawn = []
    for kind in KINDS:
        if kind in SPATIAL_KINDS and not data.has_positions:
            continue
        try:
            drawn.append(draw_results(data, meta, kind, results.with_name(f"{kind}.png"), results))
        except Exception as exc:  # a figure that cannot be drawn still leaves the others
            errors.append(f"{kind}.png: {type(exc).__name__}: {exc}")
    return drawn


#: The spikes of a pruned run so far, saved by the simulation process for the figures drawn later.
PARTIAL_SPIKES = ".spikes-so-far.npz"


def save_partial_spikes(data: Any, out_dir: Path, model: str, seed: int) -> Path:
    """Keep a pruned run's spikes so far (a :class:`SpikeData`) in ``out_dir`` for its raster
    and rate, drawn with the trial's other figures (no matplotlib in the simulation process)."""
    import numpy as np

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / PARTIAL_SPIKES
    pops = list(data.populations.items())
    np.savez(
        path,
        times_ms=data.times_ms,
        senders=data.senders,
        names=np.array([n for n, _ in pops], dtype=str),
        bounds=np.array([b for _, b in pops], dtype=np.int64).reshape(-1, 2),
        span=np.array([data.t_start_ms, data.t_stop_ms]),
        seed=np.array(seed),
        model=np.array(model),
    )
    return path


def _draw_partial(path: Path, errors: list[str]) -> list[Path]:
    """Raster and population rate of a pruned run's spikes so far (:func:`save_partial_spikes`)."""
    import numpy as np

    from opsnn_opt.analysis import SpikeData
    from opsnn_opt.plots import draw_results

    with np.load(path) as z:
        pops = {str(n): (int(b[0]), int(b[1])) for n, b in zip(z["names"], z["bounds"])}
        data = SpikeData(z["times_ms"], z["senders"], pops, float(z["span"][0]), float(z["span"][1]))
        meta = {"model": f"{z['model']} (pruned at {data.t_stop_ms:g} ms)", "seed": int(z["seed"])}
    drawn = []
    for kind in ("raster", "rate"):
        try:
            drawn.append(draw_results(data, meta, kind, path.with_name(f"{kind}.png"), path.parent))
        except Exception as exc:
            errors.append(f"{kind}.png: {type(exc).__name__}: {exc}")
    return drawn


class _Collect:
    """What ``optuna.artifacts.upload_artifact`` writes to a storage, kept to be written in one
    transaction with the trial's other attributes (a finished trial's, which Optuna refuses)."""

    def __init__(self) -> None:
        self.system: dict[str, Any] = {}

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self.system[key] = value


def finish_trial_files(
    opened: Any, number: int, trial_id: int, out_dir: Path, draw: bool, attrs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Draw (if ``draw``) and upload a told trial's figures and files, then record them; returns
    the user attributes written.

    Every file of the run folder ``out_dir`` is uploaded (the results file, when there is one,
    and the figures drawn from it or from a pruned run's spikes so far). The user attributes
    ``artifacts``, ``artifact_store``, ``figures_s``, ``upload_s``, ``artifacts_s`` (their sum)
    and ``artifact_errors``, with ``attrs`` (the worker's ``tell_s``), and the row's timing
    columns go to the store in one transaction (:meth:`~opsnn_opt.store.Store.write_trial_attrs`).
    An upload that fails never raises: its reason goes into ``artifact_errors``.
    """
    from optuna.artifacts import upload_artifact

    t0 = time.perf_counter()
    errors: list[str] = []
    files = sorted(p for p in out_dir.glob("*") if p.is_file() and not p.name.startswith("."))
    partial_spikes = out_dir / PARTIAL_SPIKES
    # A results file that ``keep`` does not keep is hidden (never uploaded): figures only.
    not_kept = sorted(out_dir.glob(NOT_KEPT_PREFIX + "results.*"))
    if draw:
        results = [p for p in files if p.stem == "results"] + not_kept
        drawn = _draw_figures(results[0], errors) if results else []
        if not results and partial_spikes.is_file():
            drawn = _draw_partial(partial_spikes, errors)
        files += [p for p in drawn if p not in files]
    partial_spikes.unlink(missing_ok=True)
    for path in not_kept:  # gone once its figures are drawn
        path.unlink(missing_ok=True)
    t1 = time.perf_counter()
    ids: dict[str, str] = {}
    collect = _Collect()
    location = None
    try:
        location = artifact_store_location(opened.store.url)
        store = open_artifact_store(location)
        frozen = opened.store.optuna_storage().get_trial(trial_id)
        for path in files:
            try:
                ids[path.name] = upload_artifact(
                    artifact_store=store, file_path=str(path), study_or_trial=frozen, storage=collect
                )
            except Exception as exc:
                errors.append(f"{path.name}: {type(exc).__name__}: {exc}")
    except Exception as exc:  # the store itself: never fail the trial for it
        errors.append(f"{type(exc).__name__}: {exc}")
    t2 = time.perf_counter()
    user: dict[str, Any] = {**(attrs or {}), "figures_s": t1 - t0, "upload_s": t2 - t1, "artifacts_s": t2 - t0}
    if ids:
        user.update(artifacts=ids, artifact_store=location)
    if errors:
        user["artifact_errors"] = "; ".join(errors)[:1000]
    timings = {k: user[k] for k in ("tell_s", "figures_s", "upload_s") if k in user}
    opened.store.write_trial_attrs(trial_id, user, collect.system, (opened.name, number, timings))
    return user


def not_kept_note(opened: Any, trial: Any) -> str | None:
    """One line saying how to regenerate a trial's results file, when it was not kept (``keep``)."""
    kept = trial.user_attrs.get("results_kept")
    if not kept or not str(kept).startswith("no"):
        return None
    why = str(kept)[2:].strip() or "(keep)"
    return (
        f"trial {trial.number}'s results file was not kept {why}; "
        f"`opsnn rerun {opened.name} {trial.number} --out DIR` regenerates it"
    )


def _later_figures(opened: Any, number: int) -> list[Any]:
    """Figures drawn after the trial finished (``opsnn study figures``): study artifacts named
    ``trial-NNNNN-<figure>``, as Optuna lets no artifact be attached to a finished trial."""
    from optuna.artifacts import get_all_artifact_meta

    prefix = later_figure_prefix(number)
    metas = get_all_artifact_meta(opened.study, storage=opened.store.optuna_storage())
    return [dataclasses.replace(m, filename=m.filename[len(prefix) :]) for m in metas if m.filename.startswith(prefix)]


def later_figure_prefix(number: int) -> str:
    return f"trial-{number:05d}-"


def download_trial_files(
    opened: Any, number: int, out_dir: Path, location: str | None = None, stems: tuple[str, ...] | None = None
) -> list[Path]:
    """Download the artifacts of trial ``number`` into ``out_dir`` (each file written atomically).

    ``location`` overrides the artifact store; by default it is ``$OPSNN_ARTIFACT_STORE``, else
    the store the trial recorded (user attribute ``artifact_store``), else the default. ``stems``
    keeps only files with these name stems (``("results",)``: the results file).

    Raises
    ------
    ConfigError
        If the study has no trial ``number``.
    StoreError
        If the trial has no artifacts, or one is missing from the artifact store.
    """
    from optuna.artifacts import get_all_artifact_meta
    from optuna.artifacts.exceptions import ArtifactNotFound

    from opsnn_opt.io import write_atomically  # here: opsnn_opt.io imports neo

    trials = opened.study.get_trials(deepcopy=False)
    if not 0 <= number < len(trials):
        raise ConfigError(
            f"TRIAL must be a trial number in [0, {len(trials) - 1}] of study {opened.name!r}; got {number}"
        )
    trial = trials[number]
    later = _later_figures(opened, number)
    names = {m.filename for m in later}  # a figure drawn again later replaces the trial's own
    metas = [m for m in get_all_artifact_meta(trial, storage=opened.store.optuna_storage()) if m.filename not in names]
    metas += later
    if stems is not None:
        metas = [m for m in metas if Path(m.filename).stem in stems]
    where = artifact_store_location(opened.store.url, location, trial.user_attrs.get("artifact_store"))
    if not metas:
        note = not_kept_note(opened, trial)
        raise StoreError(note or f"trial {number} of study {opened.name!r} has no artifacts (state {trial.state.name})")
    store = open_artifact_store(where)
    written = []
    for meta in metas:
        final = out_dir / meta.filename
        try:
            write_atomically(final, partial(_copy_artifact, store, meta.artifact_id))
        except ArtifactNotFound:
            raise StoreError(
                f"artifact {meta.artifact_id} ({meta.filename}) of trial {number} is not in the artifact "
                f"store {where}; point artifact_store/{ARTIFACT_STORE_ENV} at the store the workers used",
                field="artifact_store",
            ) from None
        written.append(final)
    return written


def _copy_artifact(store: Any, artifact_id: str, path: Path) -> None:
    with store.open_reader(artifact_id) as reader, path.open("wb") as writer:
        shutil.copyfileobj(reader, writer, 1 << 20)
