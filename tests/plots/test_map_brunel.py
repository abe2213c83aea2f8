"""``opsnn map`` and ``opsnn study importance`` on a real grid study of a small Brunel network."""

from __future__ import annotations

import json

import pytest

from opsnn_opt.cli import main
from opsnn_opt.store import Store
from opsnn_opt.study import Worker, open_study
from opsnn_opt.study.read import map_data

pytestmark = pytest.mark.slow

#: N_E = 1000 with C_E = 100 and J = 1 mV (C_E J = 100 mV as in the paper, C / N = 0.1), 300 ms.
SPACE = """
model = "brunel"
backend = "nest"
simtime_ms = 300.0
chunk_ms = 300.0

[fixed]
scale = 0.1
epsilon = 0.01
j_mv = 1.0
seed = 1

[params.g]
choices = [3.0, 4.5, 6.0]

[params.eta]
choices = [0.9, 2.0, 4.0]
"""


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("brunel-grid")
    (folder / "space.toml").write_text(SPACE)
    url = f"sqlite:///{folder / 'store.sqlite3'}"
    argv = ["study", "create", "grid", "--space", str(folder / "space.toml"), "--sampler", "grid", "--storage", url]
    assert main([*argv, "--objective", "objectives/brunel_map.toml"]) == 0
    Worker(open_study("grid", Store(url))).run(9)
    return url, folder


def test_state_map_of_a_real_grid(study, capsys):
    url, folder = study
    png = folder / "state.png"
    argv = ["map", "grid", "--x", "g", "--y", "eta", "--color", "network_state", "--out", str(png), "--storage", url]
    assert main(argv) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith("9 of 9 trials mapped: ")
    assert png.stat().st_size > 10_000
    data = map_data(open_study("grid", Store(url), for_trials=False), "g", "eta", "network_state")
    state = {(x, y): label for x, y, label in zip(data.x, data.y, data.labels)}
    assert state[3.0, 2.0] == "SR"  # Brunel's Fig. 8A
    assert state[6.0, 4.0] == "AI"  # Fig. 8B
    assert state[4.5, 0.9] == "SI-slow"  # Fig. 8D
    # Between the synchronous regions (SR at g = 3, SI-slow at low eta), at eta = 2 (seed 1, one thread).
    assert state[4.5, 2.0] == "AI" and state[6.0, 2.0] == "AI"


def test_importance_of_a_real_grid(study, capsys):
    url, _ = study
    assert main(["study", "importance", "grid", "--metric", "rate_hz.all", "--json", "--storage", url]) == 0
    results = {(r["target"], r["evaluator"]): r for r in json.loads(capsys.readouterr().out)["results"]}
    rate = results["rate_hz.all", "fanova"]
    assert rate["n_trials"] == 9 and set(rate["importances"]) == {"g", "eta"}
    assert rate["importances"]["g"] > rate["importances"]["eta"]  # inhibition sets the rate: SR at g = 3
