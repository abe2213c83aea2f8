"""Trial artifacts in an S3-compatible bucket (Optuna's Boto3ArtifactStore), against moto's S3
server on a local port: real HTTP, the S3 protocol, boto3 as it talks to MinIO or AWS."""

from __future__ import annotations

import pytest

from opsnn_opt.cli import main
from tests.study.trials_fixture import OBJECTIVE, SPACE

pytestmark = pytest.mark.slow
BUCKET = "opsnn-artifacts"


@pytest.fixture
def s3_server(monkeypatch):
    moto_server = pytest.importorskip("moto.server", reason="moto[s3] (a dev dependency) is not installed")
    import boto3

    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    for key, value in {
        "AWS_ACCESS_KEY_ID": "opsnn",
        "AWS_SECRET_ACCESS_KEY": "opsnn-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_S3": f"http://{host}:{port}",
    }.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    try:
        yield client
    finally:
        server.stop()


def test_a_trials_files_go_to_a_bucket_and_come_back(workdir, s3_server, capsys, tmp_path):
    from opsnn_opt.study._artifacts import open_artifact_store

    open_artifact_store.cache_clear()  # boto3 clients are made per endpoint
    (workdir / "space.toml").write_text(SPACE.replace("[0.0, 300.0, 3000.0]", "[300.0]"))
    (workdir / "objective.toml").write_text(OBJECTIVE)
    store = ["--artifact-store", f"s3://{BUCKET}/studies/one"]
    create = ["study", "create", "s3", "--space", "space.toml", "--objective", "objective.toml", "--sampler", "grid"]
    assert main(create) == 0
    assert main(["study", "run", "s3", "--n-trials", "1", *store]) == 0  # a worker process: the option reaches it
    capsys.readouterr()

    keys = {o["Key"] for o in s3_server.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert len(keys) == 3 and all(k.startswith("studies/one/") for k in keys)
    raster_key = f"studies/one/{_raster_id(capsys)}"
    assert raster_key in keys
    assert main(["fetch", "s3", "0", "--out", str(tmp_path / "got"), *store]) == 0
    assert sorted(p.name for p in (tmp_path / "got").iterdir()) == ["raster.png", "rate.png", "results.nix"]
    body = s3_server.get_object(Bucket=BUCKET, Key=raster_key)
    body_bytes = body["Body"].read()
    assert body_bytes == (tmp_path / "got" / "raster.png").read_bytes()

    # Without the option, fetch uses the store the trial recorded: the bucket, not the empty default folder.
    assert main(["fetch", "s3", "0", "--out", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "raster.png").read_bytes() == body_bytes
    assert not (workdir / "storage" / "artifact-store").exists()
    open_artifact_store.cache_clear()


def _raster_id(capsys) -> str:
    import json

    assert main(["study", "show", "s3", "--json"]) == 0
    return json.loads(capsys.readouterr().out)[0]["artifacts"]["raster.png"]
