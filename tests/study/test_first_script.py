"""A lab's first study script: a plug-in model found through ``sys.path.insert`` runs on local
workers, and a worker that cannot import it says so, in the script's exception, in ``opsnn study
run`` and (for a worker nobody waits for, a SLURM task) in ``opsnn study show``."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from opsnn_opt.cli import main
from opsnn_opt.study.worker import _local
from opsnn_opt.study.worker._local import FailedWorkers, WorkerExit, worker_pythonpath

_MODEL = '''
"""A tiny two-population network, as a lab keeps it in its own folder (not installed)."""

from opsnn_opt.models import Model, Network
from opsnn_opt.models.connectors import fixed_probability, independent_poisson
from opsnn_opt.params import Param, ParamTable


class Ring(Model):
    populations = ("exc", "inh")
    params = ParamTable(
        Param("n", "", 20, 2, 1000, "cells per population", kind="int"),
        Param("seed", "", 1, 0, 2**31 - 1, "seed", kind="int"),
    )

    def build(self, sim, params):
        pops = {k: sim.Population(params["n"], sim.IF_cond_exp(), label=k) for k in self.populations}
        syn = sim.StaticSynapse(weight=0.004, delay=1.0)
        projections = {
            "exc_inh": sim.Projection(
                pops["exc"], pops["inh"], fixed_probability(sim, 0.2), syn, receptor_type="excitatory"
            )
        }
        for name, pop in pops.items():
            _, projections[f"input_{name}"] = independent_poisson(sim, pop, 3000.0, syn, "excitatory")
        return Network(pops, projections)
'''

# Only sys.path.insert, relative to the working folder, as in a lab's script: no PYTHONPATH.
_SCRIPT = """
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, "models_dir")

import opsnn_opt as op
from my_ring import Ring

if __name__ == "__main__":
    storage, name, mode = sys.argv[1:4]
    space = op.SearchSpace(Ring, simtime_ms=60.0, chunk_ms=30.0, params={"n": op.Choices([20, 30])})
    objective = op.Objective(metrics=[op.Target("rate_hz.exc", 5.0, scale=5.0)])
    study = op.create_study(name, space, objective, storage=storage, sampler="grid")
    if mode == "create":
        sys.exit(0)
    if mode == "delete":  # the study exists; its model's module does not any more
        Path("models_dir/my_ring.py").unlink()
        shutil.rmtree("models_dir/__pycache__", ignore_errors=True)
    try:
        study.run(n_trials=2, workers=2, echo=lambda line: None)
    except op.SimulationError as exc:
        print(json.dumps({"error": str(exc)}))
        sys.exit(3)
    print(json.dumps({"states": [t.state.name for t in study.optuna_study.trials]}))
"""


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    """A lab's folder: ``models_dir/my_ring.py`` and ``study.py``, no store variables set."""
    (tmp_path / "models_dir").mkdir()
    (tmp_path / "models_dir" / "my_ring.py").write_text(textwrap.dedent(_MODEL))
    (tmp_path / "study.py").write_text(textwrap.dedent(_SCRIPT))
    return tmp_path


def _env(lab: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPSNN_STORAGE", "OPSNN_ARTIFACT_STORE")}
    return {**env, "OPSNN_ARTIFACTS": str(lab / "artifacts")}


def _script(lab: Path, url: str, name: str, mode: str) -> tuple[int, dict]:
    out = subprocess.run(
        [sys.executable, "study.py", url, name, mode],
        cwd=lab,
        env=_env(lab),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode in (0, 3), out.stderr[-3000:]
    return out.returncode, (json.loads(out.stdout.strip().splitlines()[-1]) if mode != "create" else {})


def _url(lab: Path) -> str:
    return f"sqlite:///{lab / 'store' / 'opsnn.sqlite3'}"


@pytest.mark.slow
def test_a_script_with_sys_path_insert_runs_on_two_local_workers(lab):
    code, out = _script(lab, _url(lab), "first", "run")
    assert code == 0 and out == {"states": ["COMPLETE", "COMPLETE"]}


@pytest.mark.slow
def test_a_worker_that_cannot_import_the_model_says_why_in_the_exception(lab):
    code, out = _script(lab, _url(lab), "gone", "delete")
    assert code == 3
    error = out["error"]
    assert "2 worker(s) exited with an error" in error
    assert "no module named 'my_ring'" in error and "see their logs" not in error
    logs = lab / "logs" / "gone"  # beside the artifacts; named from the script's working folder
    assert "(workers 0, 1; logs: logs/gone/worker-0.log, logs/gone/worker-1.log)" in error
    for i in (0, 1):  # the cause is the one line each worker wrote beside its log
        assert "no module named 'my_ring'" in (logs / f"worker-{i}.error").read_text()


@pytest.mark.slow
def test_a_slurm_worker_that_cannot_import_the_model_shows_why_in_study_show(lab, capsys):
    url = _url(lab)
    _script(lab, url, "far", "create")
    log = lab / "slurm-logs" / "opsnn-far-77_3.log"  # as SLURM's --output would name it
    log.parent.mkdir()
    with log.open("wb") as f:  # a SLURM task: its working folder is elsewhere, no sys.path of a script
        rc = subprocess.run(
            [sys.executable, "-m", "opsnn_opt", "worker", "far", "--storage", url],
            cwd=log.parent,
            env=_env(lab),
            stdout=f,
            stderr=subprocess.STDOUT,
            timeout=600,
        ).returncode
    assert rc != 0 and "no module named 'my_ring'" in log.read_text()

    assert main(["study", "show", "far", "--storage", url]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if " failed " in line]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"worker {socket.gethostname()}:") and " failed at start-up (" in lines[0]
    assert "no module named 'my_ring'" in lines[0] and lines[0].endswith(f"; log: {log}")

    assert main(["study", "show", "far", "--json", "--storage", url]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []  # still the list of trials
    assert "opsnn: warning: worker " in captured.err and "no module named 'my_ring'" in captured.err

    # Once a worker on this host runs a trial, the failure is old news.
    env = {**_env(lab), "PYTHONPATH": os.pathsep.join([str(lab / "models_dir"), os.environ.get("PYTHONPATH", "")])}
    worker = [sys.executable, "-m", "opsnn_opt", "worker", "far", "--storage", url, "--n-trials", "1"]
    done = subprocess.run(worker, cwd=lab, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert main(["study", "show", "far", "--storage", url]) == 0
    assert " failed " not in capsys.readouterr().out


def test_the_workers_import_path_adds_what_the_script_added_once(tmp_path, monkeypatch):
    models, other = tmp_path / "models_dir", tmp_path / "other"
    models.mkdir()
    other.mkdir()
    monkeypatch.chdir(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(other)}
    fresh = _local._fresh_sys_path(env)  # what a worker has anyway
    assert str(other) in fresh
    # '' and the working folder are the worker's own first entry; a relative entry is made absolute.
    monkeypatch.setattr(sys, "path", ["", "models_dir", str(tmp_path), str(models), *fresh])
    assert worker_pythonpath(env, "balanced") == os.pathsep.join([str(models), str(other)])

    (models / "my_pkg").mkdir()  # the folder of a model's package, when sys.path no longer has it
    (models / "my_pkg" / "__init__.py").write_text("")
    spec = importlib.util.spec_from_file_location("my_pkg", models / "my_pkg" / "__init__.py")
    monkeypatch.setitem(sys.modules, "my_pkg", importlib.util.module_from_spec(spec))
    monkeypatch.setattr(sys, "path", ["", *fresh])
    assert worker_pythonpath(env, "my_pkg:Model") == os.pathsep.join([str(models), str(other)])
    assert worker_pythonpath(env, "balanced") is None


def test_failed_workers_count_and_say_why(tmp_path):
    assert FailedWorkers() == 0 and not FailedWorkers()
    cause = "model 'my_ring:Ring': no module named 'my_ring' on this host"
    exits = [WorkerExit(i, 1, cause, tmp_path / f"worker-{i}.log") for i in (0, 1)]
    exits.append(WorkerExit(2, -9, "killed by SIGKILL (out of memory?)", tmp_path / "worker-2.log"))
    failed = FailedWorkers(exits)
    assert failed == 3 and f"{failed} worker(s)" == "3 worker(s)"
    assert failed.summary() == (
        f"{cause} (workers 0, 1; logs: {tmp_path / 'worker-0.log'}, {tmp_path / 'worker-1.log'}); "
        f"killed by SIGKILL (out of memory?) (worker 2; log: {tmp_path / 'worker-2.log'})"
    )


def test_study_show_groups_the_failures_by_cause_and_drops_the_old_ones():
    import datetime
    from types import SimpleNamespace

    from opsnn_opt.study._worker_failures import ATTR_PREFIX, format_failures, shown_failures

    def record(worker, time, cause="no module named 'my_ring'"):
        host = worker.split(":")[0]
        return {"host": host, "worker": worker, "cause": cause, "log": f"/logs/{worker}.log", "time": time}

    records = [
        record("a:1", "2026-12-04T10:00:00+00:00"),
        record("b:2", "2026-12-04T10:05:00+00:00"),
        record("b:3", "2026-12-04T10:06:00+00:00", cause="killed by SIGKILL"),
        record("c:4", "2026-12-04T09:00:00+00:00"),  # host c ran a trial since: old news
    ]
    done = datetime.datetime(2026, 12, 4, 9, 30, tzinfo=datetime.UTC)
    trial = SimpleNamespace(user_attrs={"host": "c"}, datetime_complete=done)
    study = SimpleNamespace(
        user_attrs={ATTR_PREFIX + r["worker"]: {**r, "stage": "at start-up"} for r in records} | {"other": 1},
        get_trials=lambda deepcopy: [trial],
    )
    assert [r["worker"] for r in shown_failures(study)] == ["b:3", "b:2", "a:1"]
    assert format_failures(shown_failures(study)) == [
        "worker b:3 failed at start-up (2026-12-04T10:06:00+00:00): killed by SIGKILL; log: /logs/b:3.log",
        "2 workers failed, the newest b:2 at start-up (2026-12-04T10:05:00+00:00): no module named 'my_ring'; "
        "log: /logs/b:2.log",
    ]


def test_the_cause_file_is_beside_the_log_and_never_the_log(tmp_path):
    from opsnn_opt.study._worker_failures import failure_file

    assert failure_file(tmp_path / "worker-0.log") == tmp_path / "worker-0.error"
    assert failure_file(tmp_path / "opsnn-ring-77_3.log") == tmp_path / "opsnn-ring-77_3.error"
    assert failure_file(tmp_path / "w.error") == tmp_path / "w.error.error"


@pytest.mark.parametrize(
    ("code", "cause"),
    [
        ("print('trial 0: COMPLETE'); sys.exit('opsnn: error: the store is gone')", "the store is gone"),
        ("print('trial 0: COMPLETE'); raise ValueError('bad')", "ValueError: bad"),
        ("print('trial 0: COMPLETE', flush=True); os.kill(os.getpid(), 9)", "killed by SIGKILL (out of memory?)"),
    ],
)
def test_a_worker_without_a_cause_file_is_explained_by_its_log(tmp_path, code, cause):
    log = tmp_path / "worker-0.log"
    log.write_text("opsnn: error: an earlier run's error\n")
    out = log.open("ab")
    offset = out.tell()
    cmd = [sys.executable, "-c", f"import os, sys; {code}"]
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    proc.wait()
    exit_ = _local._exit_of(_local._Started(0, proc, log, out, offset))
    out.close()
    assert exit_.cause == cause and exit_.returncode == proc.returncode != 0
