"""Uploaded files in an S3-compatible object store (moto's standalone server, started here) as well
as the local folder; the backup archive carries the files, byte for byte."""

import hashlib
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from assess import archive, storage
from assess.extensions import db
from assess.models import Country, Resource
from assess.services import uploads

from .admin_helpers import PDF, docx_bytes
from .servers import app_environment, free_port, gunicorn

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test-key",
    "AWS_SECRET_ACCESS_KEY": "test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    app.extensions.pop("assess_storage", None)


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """A real S3 API on a loopback port: moto's standalone server in its own process."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    command = [
        str(Path(sys.executable).with_name("moto_server")),
        "-H",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=2).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.2)
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def s3_config(s3_endpoint, monkeypatch):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = f"assess-{uuid.uuid4().hex[:10]}"
    config = {"STORAGE": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": s3_endpoint,
              "S3_PREFIX": "uploads"}  # fmt: skip
    client = storage.from_config(config, "/nonexistent").client
    client.create_bucket(Bucket=bucket)
    return config


@pytest.fixture
def on_s3(app, s3_config):
    app.config.update(s3_config)
    app.extensions.pop("assess_storage", None)
    return app


def _publish(stored_name: str, title: str = "Annual Report 2024") -> Resource:
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    resource = Resource(country_id=kz.id, title=title, file_name=stored_name)
    db.session.add(resource)
    db.session.commit()
    return resource


def test_an_upload_goes_to_the_bucket_and_downloads_from_another_process(on_s3, make_app):
    stored = uploads.store("report.pdf", PDF)
    client = storage.current().client
    listed = client.list_objects_v2(Bucket=on_s3.config["S3_BUCKET"])["Contents"]
    assert [item["Key"] for item in listed] == [f"uploads/{stored.stored_name}"]
    assert not (Path(on_s3.config["UPLOAD_DIR"]) / stored.stored_name).exists()
    resource = _publish(stored.stored_name)

    # Another app (another worker, another host) on the same database and bucket.
    other = make_app(**{k: on_s3.config[k] for k in ("STORAGE", "S3_BUCKET", "S3_ENDPOINT_URL",
                                                     "S3_PREFIX")})  # fmt: skip
    response = other.test_client().get(f"/files/{resource.id}/Annual-Report-2024.pdf")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["ETag"].strip('"') == stored.stored_name.split(".")[0]
    etag = response.headers["ETag"]
    response.close()
    again = other.test_client().get(
        f"/files/{resource.id}/Annual-Report-2024.pdf", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    page = other.test_client().get("/countries/kz").get_data(as_text=True)
    assert f"/files/{resource.id}/Annual-Report-2024.pdf" in page


@pytest.mark.slow
def test_another_server_process_serves_the_file_from_the_bucket(on_s3, database_url, tmp_path):
    stored = uploads.store("report.pdf", PDF)
    resource = _publish(stored.stored_name)
    port = free_port()
    config = on_s3.config
    env = app_environment(
        database_url, tmp_path, port, ASSESS_STORAGE="s3", ASSESS_S3_BUCKET=config["S3_BUCKET"],
        ASSESS_S3_ENDPOINT_URL=config["S3_ENDPOINT_URL"], ASSESS_S3_PREFIX="uploads",
        ASSESS_UPLOAD_DIR=str(tmp_path / "elsewhere"), **CREDENTIALS,
    )  # fmt: skip
    with gunicorn(env, tmp_path, port) as base:
        url = f"{base}/files/{resource.id}/Annual-Report-2024.pdf"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.read() == PDF
            assert response.headers["Content-Type"] == "application/pdf"
    assert not (tmp_path / "elsewhere").exists()  # nothing came from a local folder


def test_a_deleted_object_is_a_404(on_s3):
    stored = uploads.store("report.pdf", PDF)
    resource = _publish(stored.stored_name)
    storage.current().delete(stored.stored_name)
    assert not uploads.exists(stored.stored_name)
    response = on_s3.test_client().get(f"/files/{resource.id}/Annual-Report-2024.pdf")
    assert response.status_code == 404


def test_readyz_checks_the_bucket(on_s3, make_app, s3_config):
    assert on_s3.test_client().get("/readyz").get_json()["checks"]["storage"] == {"ok": True}
    missing = make_app(**(s3_config | {"S3_BUCKET": "no-such-bucket-here"}))
    response = missing.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["storage"]["ok"] is False


def test_a_storage_misconfiguration_says_what_to_set(app):
    with pytest.raises(storage.StorageError, match="ASSESS_S3_BUCKET"):
        storage.from_config({"STORAGE": "s3"}, "/nonexistent")
    with pytest.raises(storage.StorageError, match="'local' or 's3'"):
        storage.from_config({"STORAGE": "ftp"}, "/nonexistent")


# --- the backup archive ---------------------------------------------------------------------


def _site_with_files() -> dict[str, bytes]:
    files = {}
    for name, data in (("a.pdf", PDF), ("b.docx", docx_bytes()), ("c.csv", "é,ü\n".encode())):
        stored = uploads.store(name, data)
        _publish(stored.stored_name, title=name)
        files[stored.stored_name] = data
    return files


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_export_and_import_carry_every_file_byte_for_byte(
    app, backend, request, tmp_path, empty_target
):
    if backend == "s3":
        request.getfixturevalue("on_s3")
    files = _site_with_files()
    first, second = tmp_path / "first.tar", tmp_path / "second.tar"
    result = app.test_cli_runner().invoke(args=["export", str(first)])
    assert result.exit_code == 0, result.output
    assert "3 files" in result.output

    target = empty_target(
        app.config if backend == "s3" else {"UPLOAD_DIR": str(tmp_path / "restored")}
    )
    with target.app_context():
        runner = target.test_cli_runner()
        result = runner.invoke(args=["import", str(first)])
        assert result.exit_code == 0, result.output
        assert "3 files" in result.output
        for name, data in files.items():
            handle = uploads.open_stored(name)
            restored = handle.read_bytes() if isinstance(handle, Path) else handle.read()
            assert restored == data
        # The restored site serves every download.
        client = target.test_client()
        for resource in db.session.scalars(select(Resource).where(Resource.file_name != "")):
            name = uploads.download_name(resource.title, resource.file_name)
            response = client.get(f"/files/{resource.id}/{name}")
            assert response.status_code == 200
            assert response.data == files[resource.file_name]
            response.close()
        assert runner.invoke(args=["export", str(second)]).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_an_archive_with_a_tampered_file_changes_nothing(app, tmp_path, empty_target):
    import io
    import tarfile

    _site_with_files()
    good = tmp_path / "good.tar"
    assert app.test_cli_runner().invoke(args=["export", str(good)]).exit_code == 0
    bad = tmp_path / "bad.tar"
    with tarfile.open(good) as source, tarfile.open(bad, "w") as out:
        for info in source:
            data = source.extractfile(info).read()
            if info.name.startswith("files/") and info.name.endswith(".pdf"):
                data = data.replace(b"1.4", b"1.7")
            out.addfile(info, io.BytesIO(data))
    restored = tmp_path / "restored"
    target = empty_target({"UPLOAD_DIR": str(restored)})
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["import", str(bad)])
        assert result.exit_code == 1
        assert "does not match its name" in result.output
        assert "nothing changed" in result.output
        assert db.session.scalar(select(db.func.count()).select_from(Resource)) == 0
    assert not restored.exists() or not any(restored.iterdir())


def test_the_archive_is_a_plain_tar_anyone_can_read(app, tmp_path):
    import tarfile

    files = _site_with_files()
    path = tmp_path / "site.tar"
    with path.open("wb") as out:
        archive.export(out)
    with tarfile.open(path) as opened:
        names = opened.getnames()
        assert names[0] == "rows.jsonl"
        assert sorted(names[1:]) == sorted(f"files/{n}" for n in files)
        for name, data in files.items():
            content = opened.extractfile(f"files/{name}").read()
            assert hashlib.sha256(content).hexdigest() == name.split(".")[0]
            assert content == data


@pytest.fixture
def empty_target(tmp_path, make_app):
    """A new migrated, seeded database on the same backend as another app: a restore target."""
    from flask_migrate import upgrade
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from assess.services import seed as seed_service

    from .conftest import PG_SERVER, _pg_admin_engine

    made, targets = [], []
    admin = _pg_admin_engine() if PG_SERVER else None

    def make(config: dict):
        if PG_SERVER is None:
            uri = f"sqlite:///{tmp_path}/target-{uuid.uuid4().hex[:8]}.sqlite"
        else:
            name = f"assess_restore_{uuid.uuid4().hex[:10]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            made.append(name)
            uri = make_url(PG_SERVER).set(database=name).render_as_string(False)
        keep = {"STORAGE", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_PREFIX", "UPLOAD_DIR"}
        extra = {k: v for k, v in config.items() if k in keep}
        if extra.get("STORAGE") == "s3":
            extra["S3_PREFIX"] = "restored"  # the same bucket, another site's folder
        target = make_app(SQLALCHEMY_DATABASE_URI=uri, **extra)
        targets.append(target)
        with target.app_context():
            upgrade(directory=target.extensions["migrate"].directory)
            seed_service.seed()
        return target

    yield make
    for target in targets:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()
    if admin is not None:
        with admin.connect() as connection:
            for name in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
