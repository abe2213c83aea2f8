"""The notebooks tell the story and run: each executes top to bottom in a Jupyter kernel (nbclient)
at its small ``QUICK`` scale, draws its figures while it runs, and is committed without outputs."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
#: Longest a cell may take at the QUICK scale (s); the whole notebook is far shorter.
CELL_TIMEOUT_S = 240


def _code_cells(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_notebooks_are_numbered_in_story_order():
    names = [p.name for p in NOTEBOOKS]
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", n) for n in names), names
    assert [int(n[:2]) for n in names] == list(range(1, len(names) + 1)), names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs_and_says_how_long(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path.name}: cells {dirty} keep outputs; clear them before committing"
    assert nb.cells[0].cell_type == "markdown" and "Full scale" in nb.cells[0].source
    assert any('os.environ.get("QUICK"' in c.source for c in _code_cells(path))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_at_quick_scale(path, monkeypatch, tmp_path):
    monkeypatch.setenv("QUICK", "1")
    # Whatever a notebook writes outside its own temporary folders lands here, not in ./storage.
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("OPSNN_STORAGE", f"sqlite:///{tmp_path / 'opsnn.sqlite3'}")
    monkeypatch.setenv("OPSNN_ARTIFACTS", str(tmp_path / "artifacts"))
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK_DIR)}}
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    figures = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert figures, f"{path.name} drew no figure"
