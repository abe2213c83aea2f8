"""``opsnn plot``: PNGs of real small runs, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opsnn_opt.cli import main

PNG = b"\x89PNG\r\n\x1a\n"


def _run(tmp_path_factory, *argv: str) -> Path:
    out = tmp_path_factory.mktemp("run")
    assert main(["run", *argv, "--out", str(out), "--json"]) == 0
    return out / "results.nix"


@pytest.fixture(scope="module")
def balanced(tmp_path_factory) -> Path:
    return _run(tmp_path_factory, "balanced", "--set", "n_neurons=100", "--simtime", "200")


@pytest.fixture(scope="module")
def sheet(tmp_path_factory) -> Path:
    return _run(
        tmp_path_factory,
        "v1_sheet",
        "--set",
        "n_side=20",
        "--set",
        "n_side_inh=10",
        "--set",
        "side_mm=2",
        "--set",
        "stim_onset_ms=20",
        "--simtime",
        "120",
    )


def _plot(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["plot", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("kind", ["raster", "rate"])
def test_plots_of_a_balanced_run(balanced, tmp_path, capsys, kind):
    png = tmp_path / "figs" / f"{kind}.png"
    code, out, err = _plot(capsys, str(balanced), "--kind", kind, "--out", str(png))
    assert code == 0, err
    assert out.strip() == f"wrote {png}"
    assert png.stat().st_size > 5_000 and png.read_bytes()[:8] == PNG
    assert not list(png.parent.glob(".*.tmp"))  # the temporary file was moved into place


def test_default_output_is_next_to_the_results(balanced, capsys):
    code, _, err = _plot(capsys, str(balanced), "--kind", "raster")
    assert code == 0, err
    assert (balanced.parent / "raster.png").read_bytes()[:8] == PNG


@pytest.mark.parametrize("kind", ["wave-frames", "latency"])
def test_spatial_plots_of_a_sheet_run(sheet, tmp_path, capsys, kind):
    png = tmp_path / f"{kind}.png"
    code, _, err = _plot(capsys, str(sheet), "--kind", kind, "--out", str(png))
    assert code == 0, err
    assert png.stat().st_size > 5_000 and png.read_bytes()[:8] == PNG


def test_wave_plot_of_a_non_spatial_run_is_a_config_error(balanced, tmp_path, capsys):
    code, _, err = _plot(capsys, str(balanced), "--kind", "wave-frames", "--out", str(tmp_path / "w.png"))
    assert code == 2
    assert err.count("\n") == 1
    assert "--kind wave-frames needs neuron positions, but" in err and "'balanced', which has none" in err
    assert not (tmp_path / "w.png").exists()


def test_missing_file_is_a_config_error(tmp_path, capsys):
    code, _, err = _plot(capsys, str(tmp_path / "nope.nix"), "--kind", "raster")
    assert code == 2 and err.count("\n") == 1
    assert f"results file '{tmp_path / 'nope.nix'}' does not exist" in err


def test_unknown_kind_is_a_config_error(balanced, capsys):
    code, _, err = _plot(capsys, str(balanced), "--kind", "histogram")
    assert code == 2 and err.count("\n") == 1
    assert "--kind must be one of raster, rate, wave-frames, latency; got 'histogram'" in err


def test_plot_functions_raise_config_error(balanced, tmp_path):
    from opsnn_opt.errors import ConfigError
    from opsnn_opt.plots import plot_results

    with pytest.raises(ConfigError, match=r"^kind latency needs neuron positions") as exc:
        plot_results(balanced, "latency", tmp_path / "x.png")
    assert exc.value.field == "kind"


def test_sheet_run_reports_spatial_metrics(sheet):
    from opsnn_opt.analysis import compute_metrics
    from opsnn_opt.io import read_block, spike_data_from_block

    block = read_block(sheet)
    data = spike_data_from_block(block)
    assert data.has_positions and data.onset_ms == 20.0
    assert data.center_mm[:2] == pytest.approx([1.0, 1.0])  # stim_x = stim_y = 0.5 of a 2 mm sheet
    values = compute_metrics(data)
    assert values["wave_speed_mm_per_ms"] > 0 and values["radial_index"] > 0.5
    json.dumps(values)  # plain floats
