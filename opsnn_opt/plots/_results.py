"""Figures of one run's results file, saved as PNG (``opsnn plot RESULTS --kind KIND``, and the
figures a trial uploads): loading the file once, drawing each kind, saving atomically.

The raster and rate figures are drawn on one Figure and canvas per kind and process, reused
from one results file to the next (a worker draws trial after trial), under a lock."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from opsnn_opt.errors import ConfigError
from opsnn_opt.plots._figures import latency_figure, raster_figure, rate_figure, render_rgba, wave_frames_figure

__all__ = ["KINDS", "SPATIAL_KINDS", "draw_results", "load_results", "plot_results", "save_png"]

#: Each kind's drawing function, and whether it needs neuron positions.
_DRAW: dict[str, tuple[Callable[..., Any], bool]] = {
    "raster": (raster_figure, False),
    "rate": (rate_figure, False),
    "wave-frames": (wave_frames_figure, True),
    "latency": (latency_figure, True),
}
#: The kinds whose drawing function takes ``figure=`` (a Figure to reuse).
_REUSABLE = ("raster", "rate")
_reused: dict[str, Any] = {}
_reuse_lock = threading.Lock()
#: Valid ``--kind`` values, in the order the help lists them.
KINDS: tuple[str, ...] = tuple(_DRAW)
#: The kinds that need neuron positions (a spatial model's run).
SPATIAL_KINDS: tuple[str, ...] = tuple(kind for kind, (_, spatial) in _DRAW.items() if spatial)


def save_png(fig: Any, path: str | os.PathLike[str], dpi: int = 100, compress_level: int | None = None) -> Path:
    """Save a Figure as PNG atomically (:func:`opsnn_opt.io.write_atomically`); returns the absolute path.

    A reader never sees a half-written image; on failure the temporary file is removed and an
    existing file at ``path`` is left as it was. Missing parent folders are created.
    ``compress_level`` (0-9, PNG's zlib level; default Pillow's 6): 1 is several times faster
    and the file barely larger for plots.
    """
    from opsnn_opt.io import write_atomically  # here: opsnn_opt.io imports neo

    pil = {"compress_level": compress_level} if compress_level is not None else None

    return write_atomically(path, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi, pil_kwargs=pil))


def _save_rendered(fig: Any, path: Path) -> Path:
    """Save a reused Figure (see :func:`~opsnn_opt.plots._figures.render_rgba`) as PNG atomically,
    from its canvas' pixels (zlib level 1: several times faster than the default, barely larger)."""
    from PIL import Image

    from opsnn_opt.io import write_atomically  # here: opsnn_opt.io imports neo

    canvas = render_rgba(fig)
    width, height = canvas.get_width_height()
    rgba = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image = rgba.convert("RGB")  # opaque: a quarter less to compress
    return write_atomically(path, lambda tmp: image.save(tmp, format="png", compress_level=1))


def plot_results(results: str | os.PathLike[str], kind: str, out: str | os.PathLike[str] | None = None) -> Path:
    """Draw one figure of a results file written by ``opsnn run`` and save it as PNG.

    Parameters
    ----------
    results
        The results file (any format ``opsnn_opt.io.read_block`` reads, pickles excepted).
    kind
        One of :data:`KINDS`. ``wave-frames`` and ``latency`` need a spatial model's run.
    out
        The PNG; default ``KIND.png`` next to the results file.

    Returns
    -------
    Path
        The PNG written.

    Raises
    ------
    ConfigError
        If ``kind`` is unknown, the file does not exist, or a spatial figure is asked of a run
        without neuron positions.
    ResultsFileError
        If the file exists but is not a readable results file.
    """
    if kind not in KINDS:
        raise ConfigError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}", field="kind")
    path = Path(results)
    data, meta = load_results(path)
    return draw_results(data, meta, kind, Path(out) if out else path.with_name(f"{kind}.png"), path)


def load_results(path: Path) -> tuple[Any, dict[str, Any]]:
    """The spikes of a results file and its run metadata, read once for any number of figures."""
    from opsnn_opt.io import read_recording

    if not path.is_file():
        raise ConfigError(f"results file {str(path)!r} does not exist")
    recording = read_recording(path)  # a compact file: straight from its arrays, no neo trains
    return recording.spike_data(), recording.annotations.get("opsnn_metadata") or {}


def draw_results(data: Any, meta: dict[str, Any], kind: str, out: Path, source: Path) -> Path:
    """Draw one figure of loaded results (see :func:`load_results`) and save it as PNG."""
    draw, spatial = _DRAW[kind]
    model = meta.get("model", "?")
    if spatial and not data.has_positions:
        raise ConfigError(
            f"kind {kind} needs neuron positions, but {str(source)!r} is a run of {model!r}, "
            f"which has none (use a spatial model such as v1_sheet)",
            field="kind",
        )
    title = f"{model}, {data.duration_ms:g} ms, seed {meta.get('seed', '?')}: {kind}"
    if kind not in _REUSABLE:
        return save_png(draw(data, title=title), out)
    with _reuse_lock:  # one Figure and canvas per kind in this process
        fig = draw(data, title=title, figure=_reused.get(kind))
        _reused[kind] = fig
        return _save_rendered(fig, out)
