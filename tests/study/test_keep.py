"""The search space's ``keep``: which trials keep their results file, on SQLite and PostgreSQL;
a trial not kept is rerun to identical spikes, fetched with a note, and drawn later."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsnn_opt.cli import main
from tests.conftest import TINY_OBJECTIVE, fresh_postgres_database
from tests.study.trials_fixture import FAILING_OBJECTIVE, FAILING_SPACE, SPACE

pytestmark = pytest.mark.slow


def _run(name, space_text, objective_text, n, folder, url):
    from opsnn_opt.backends._nest import NestBackend
    from opsnn_opt.store import Store
    from opsnn_opt.study import Worker, create_study, load_objective, load_space, open_study

    path = folder / f"{name}.toml"
    path.write_text(space_text)
    (folder / f"{name}-objective.toml").write_text(objective_text)
    space = load_space(path)
    objective = load_objective(folder / f"{name}-objective.toml", space.populations)
    store = Store(url)
    create_study(name, space, objective, sampler="grid", seed=1, store=store)
    Worker(open_study(name, store), backend=NestBackend()).run(n)
    store.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def kept(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"keep-{request.param}")
    postgres = None
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("OPSNN_STORAGE", raising=False)
        mp.setenv("OPSNN_ARTIFACTS", str(folder / "results"))
        mp.setenv("OPSNN_ARTIFACT_STORE", str(folder / "artifact-store"))
        if request.param == "sqlite":
            url = f"sqlite:///{folder / 'opsnn.sqlite3'}"
        else:
            postgres = fresh_postgres_database(request.getfixturevalue("postgres_admin_url"))
            url = postgres.__enter__()
        for keep in ("all", "best", "failed", "metrics"):
            _run(keep, _top(SPACE, keep), TINY_OBJECTIVE, 3, folder, url)
        _run("fails", _top(FAILING_SPACE, "failed"), FAILING_OBJECTIVE, 1, folder, url)
        try:
            yield url, folder, mp
        finally:
            if postgres is not None:
                postgres.__exit__(None, None, None)


def _top(space_text: str, keep: str) -> str:
    return f'keep = "{keep}"\n' + space_text


def _files(url, name):
    """(trial, user attributes, artifact file names) of every trial of study ``name``."""
    import optuna
    from optuna.artifacts import get_all_artifact_meta

    storage = optuna.storages.get_storage(url)
    study = optuna.load_study(study_name=name, storage=storage)
    return [(t, t.user_attrs, {m.filename for m in get_all_artifact_meta(t, storage=storage)}) for t in study.trials]


def _has_results(attrs, names):
    local = attrs.get("results_path") and Path(attrs["results_path"]).is_file()
    return bool(local) and "results.nix" in names


def test_each_keep_setting_keeps_what_it_says(kept):
    url, folder, _ = kept
    assert not list((folder / "results").rglob(".not-kept-*"))  # removed once the figures are drawn
    for t, attrs, names in _files(url, "all"):
        assert t.state.name == "COMPLETE" and _has_results(attrs, names) and "spikes_sha256" not in attrs
    for study in ("metrics", "failed"):
        for t, attrs, names in _files(url, study):
            assert t.state.name == "COMPLETE" and "results.nix" not in names and attrs["results_path"] is None
            assert "raster.png" in names  # figures are drawn before the file goes
            assert len(attrs["spikes_sha256"]) == 64 and attrs["n_spikes"] >= 0
            assert attrs["results_kept"] == f"no (keep = {study})"
    best = None
    for t, attrs, names in sorted(_files(url, "best"), key=lambda x: x[0].number):
        becomes_best = best is None or t.value < best
        assert _has_results(attrs, names) == becomes_best, (t.number, t.value, best)
        best = t.value if becomes_best else best
    # a failed trial keeps its file under "failed" and "best"; keep = "all" is the default
    ((t, attrs, names),) = _files(url, "fails")
    assert t.state.name == "FAIL" and "results.nix" in names and "spikes_sha256" not in attrs


def test_a_trial_not_kept_reruns_to_identical_spikes_and_fetch_says_how(kept, capsys, tmp_path):
    url, _, _ = kept
    number = _files(url, "metrics")[1][0].number
    code = main(["rerun", "metrics", str(number), "--out", str(tmp_path / "again"), "--storage", url])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.splitlines()[-1] == "identical spikes"
    assert main(["fetch", "metrics", str(number), "--out", str(tmp_path / "f"), "--storage", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == (
        f"trial {number}'s results file was not kept (keep = metrics); "
        f"`opsnn rerun metrics {number} --out DIR` regenerates it"
    )
    assert not (tmp_path / "f" / "results.nix").exists() and (tmp_path / "f" / "raster.png").is_file()


def test_study_figures_draws_a_trial_not_kept_by_rerunning_it(kept, capsys, tmp_path):
    url, _, _ = kept
    number = _files(url, "metrics")[2][0].number
    code = main(["study", "figures", "metrics", "--trials", str(number), "--storage", url])
    out = capsys.readouterr().out.splitlines()
    assert code == 0, out
    assert out[0].startswith(f"trial {number}: raster.png, rate.png") and "a rerun (identical spikes)" in out[0]
    from opsnn_opt.store import Store
    from opsnn_opt.study import download_trial_files, open_study

    opened = open_study("metrics", Store(url))
    files = {p.name for p in download_trial_files(opened, number, tmp_path / "later")}
    assert {"raster.png", "rate.png"} <= files
    assert main(["study", "figures", "all", "--best", "1", "--storage", url]) == 0
    assert "from " in capsys.readouterr().out


def test_keep_is_checked_and_stored(tmp_path):
    from opsnn_opt.errors import ConfigError
    from opsnn_opt.study import SearchSpace, load_space

    path = tmp_path / "space.toml"
    path.write_text(_top(SPACE, "metrics"))
    space = load_space(path)
    assert space.keep == "metrics" and SearchSpace.from_dict(space.to_dict(), "again").keep == "metrics"
    assert "keep" not in space.with_keep("all").to_dict()  # the default: stored spaces as before
    with pytest.raises(ConfigError, match="keep must be one of: all, best, failed, metrics; got 'some'"):
        space.with_keep("some")
    path.write_text(_top(SPACE, "some"))
    with pytest.raises(ConfigError, match="keep"):
        load_space(path)


def test_study_run_keep_overrides_the_space(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPSNN_ARTIFACT_STORE", raising=False)
    monkeypatch.setenv("OPSNN_ARTIFACTS", str(tmp_path / "results"))
    url = f"sqlite:///{tmp_path / 'opsnn.sqlite3'}"
    (tmp_path / "space.toml").write_text(SPACE)
    (tmp_path / "objective.toml").write_text(TINY_OBJECTIVE)
    create = ["study", "create", "cli", "--space", "space.toml", "--objective", "objective.toml", "--storage", url]
    assert main([*create, "--sampler", "grid", "--keep", "failed"]) == 0
    assert main(["study", "run", "cli", "--n-trials", "2", "--keep", "metrics", "--storage", url]) == 0
    capsys.readouterr()
    attrs = [a for _, a, names in _files(url, "cli") if "results.nix" not in names]
    assert len(attrs) == 2 and {a["results_kept"] for a in attrs} == {"no (keep = metrics)"}
    assert main(["study", "run", "cli", "--n-trials", "1", "--keep", "sometimes", "--storage", url]) == 2
    assert "keep must be one of" in capsys.readouterr().err
