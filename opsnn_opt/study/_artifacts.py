"""Each trial's files in an Optuna artifact store, so that any host (and optuna-dashboard) sees them.

Where the artifacts go: ``--artifact-store`` or ``OPSNN_ARTIFACT_STORE``, else the folder
``artifact-store/`` beside the SQLite file (``./storage/artifact-store`` for a PostgreSQL store).
The value is a folder (Optuna's ``FileSystemArtifactStore``; on a shared file system for workers
on several hosts) or ``s3://BUCKET[/PREFIX]`` (Optuna's ``Boto3ArtifactStore``; boto3 reads the
credentials and ``AWS_ENDPOINT_URL_S3`` for an S3-compatible server such as MinIO).

A finished trial (complete, failed or pruned) uploads every file its run folder holds (the
results file, when there is one) and, drawn from the results file, a raster and a population
rate PNG, plus the wave frames and the latency plot for spatial models. A pruned trial has no
results file; its raster and rate are drawn from the spikes so far when it is pruned. The user
attribute ``artifacts`` maps each file name to its artifact id, ``artifact_store`` names the
store, and ``artifacts_s`` is the time (s) the figures and uploads took. An upload that fails
never fails the trial: the reason goes into the user attribute ``artifact_errors``.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import time
from functools import partial
from pathlib import Path
from typing import IO, Any

from opsnn_opt.errors import ConfigError, StoreError
from opsnn_opt.store import DEFAULT_DIR, OutageError, set_trial_user_attrs, sqlite_path

__all__ = [
    "ARTIFACT_STORE_ENV",
    "artifact_store_location",
    "download_trial_files",
    "draw_partial_figures",
    "open_artifact_store",
    "upload_trial_files",
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


def draw_partial_figures(data: Any, out_dir: Path, model: str, seed: int) -> list[Path]:
    """Raster and population rate of a pruned run's spikes so far (a :class:`SpikeData`), into
    ``out_dir``, for the upload that follows. A figure that cannot be drawn is logged, not raised:
    the trial is being pruned either way."""
    from opsnn_opt.plots import draw_results

    meta = {"model": f"{model} (pruned at {data.t_stop_ms:g} ms)", "seed": seed}
    drawn = []
    for kind in ("raster", "rate"):
        try:
            drawn.append(draw_results(data, meta, kind, out_dir / f"{kind}.png", out_dir))
        except Exception as exc:
            logging.getLogger("opsnn_opt").warning("no %s figure of the pruned run: %s", kind, exc)
    return drawn


def upload_trial_files(trial: Any, out_dir: Path, storage_url: str) -> dict[str, str]:
    """Upload a finished trial's files and figures; returns (and stores) ``{file name: artifact id}``.

    Parameters
    ----------
    trial
        The running ``optuna.Trial`` (its state is not final yet, so attributes can be set).
    out_dir
        The trial's run folder; it may be missing or hold no results file (a trial that failed
        or was pruned early), and then whatever is there is uploaded.
    storage_url
        The study store's URL, which sets the default artifact store.
    """
    from optuna.artifacts import upload_artifact

    t0 = time.perf_counter()
    ids: dict[str, str] = {}
    errors: list[str] = []
    outage = False
    try:
        location = artifact_store_location(storage_url)
        store = open_artifact_store(location)
        files = sorted(p for p in out_dir.glob("*") if p.is_file() and not p.name.startswith("."))
        results = [p for p in files if p.stem == "results"]
        if results:
            files += [p for p in _draw_figures(results[0], errors) if p not in files]
        for path in files:
            try:
                ids[path.name] = upload_artifact(artifact_store=store, file_path=str(path), study_or_trial=trial)
            except OutageError as exc:  # each further file would wait as long: they stay in out_dir
                errors.append(f"{path.name}: {exc}")
                outage = True
                break
            except Exception as exc:
                errors.append(f"{path.name}: {type(exc).__name__}: {exc}")
    except Exception as exc:  # the store itself: never fail the trial for it
        errors.append(f"{type(exc).__name__}: {exc}")
    attrs: dict[str, Any] = {"artifacts_s": time.perf_counter() - t0}
    if ids:
        attrs.update(artifacts=ids, artifact_store=location)
    if errors:
        attrs["artifact_errors"] = "; ".join(errors)[:1000]
    if outage:  # the database is down: reporting the outcome comes first
        logging.getLogger("opsnn_opt").warning("trial %s: artifact ids not recorded: %s", trial.number, errors[-1])
        return ids
    try:
        set_trial_user_attrs(trial, attrs)
    except Exception as exc:  # the files are stored; only their index in the trial is lost
        logging.getLogger("opsnn_opt").warning("trial %s: artifact ids not recorded: %s", trial.number, exc)
    return ids


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
    metas = get_all_artifact_meta(trial, storage=opened.store.optuna_storage())
    if stems is not None:
        metas = [m for m in metas if Path(m.filename).stem in stems]
    where = artifact_store_location(opened.store.url, location, trial.user_attrs.get("artifact_store"))
    if not metas:
        raise StoreError(f"trial {number} of study {opened.name!r} has no artifacts (state {trial.state.name})")
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
