"""Where uploaded files live: a local folder (the default) or any S3-compatible object store.

`ASSESS_STORAGE=s3` with `ASSESS_S3_BUCKET` (and `ASSESS_S3_ENDPOINT_URL` for a store other than
AWS, `ASSESS_S3_REGION`, `ASSESS_S3_PREFIX`) keeps the files in a bucket that every host shares;
credentials come from boto3's usual places (`AWS_ACCESS_KEY_ID`, an instance role, …). Files are
named by their content's SHA-256, so a name is written once and never changes.
"""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Protocol

from flask import current_app


class StorageError(RuntimeError):
    """The storage configuration cannot work; the message says what to fix."""


class Storage(Protocol):
    def put(self, name: str, data: bytes) -> None: ...
    def exists(self, name: str) -> bool: ...
    def open(self, name: str) -> IO[bytes] | None: ...
    def local_path(self, name: str) -> Path | None: ...
    def delete(self, name: str) -> None: ...
    def names(self) -> Iterator[str]: ...
    def check(self) -> str | None: ...


class LocalStorage:
    """A folder; writes are atomic (a temporary file renamed into place)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, name: str) -> Path:
        return self.folder / name

    def put(self, name: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, self._path(name))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def open(self, name: str) -> IO[bytes] | None:
        try:
            return self._path(name).open("rb")
        except FileNotFoundError:
            return None

    def local_path(self, name: str) -> Path | None:
        path = self._path(name)
        return path if path.is_file() else None

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        if self.folder.is_dir():
            for path in sorted(self.folder.iterdir()):
                if path.is_file() and not path.name.startswith("."):
                    yield path.name

    def check(self) -> str | None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if not os.access(self.folder, os.W_OK):
            return f"the upload folder {self.folder} is not writable"
        return None


class S3Storage:
    """A bucket of an S3-compatible store, through boto3."""

    def __init__(self, client, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _key(self, name: str) -> str:
        return self.prefix + name

    def put(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data)

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def open(self, name: str) -> IO[bytes] | None:
        import io

        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return io.BytesIO(answer["Body"].read())  # at most the upload limit (20 MB)

    def local_path(self, name: str) -> Path | None:
        return None

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def names(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                yield item["Key"].removeprefix(self.prefix)

    def check(self) -> str | None:
        self.client.head_bucket(Bucket=self.bucket)
        return None


def from_config(config: dict, instance_path: str) -> Storage:
    kind = str(config.get("STORAGE") or "local").lower()
    if kind == "local":
        configured = config.get("UPLOAD_DIR")
        return LocalStorage(Path(configured) if configured else Path(instance_path) / "uploads")
    if kind != "s3":
        raise StorageError(f"ASSESS_STORAGE={kind!r}: use 'local' or 's3'.")
    bucket = config.get("S3_BUCKET")
    if not bucket:
        raise StorageError("ASSESS_STORAGE=s3 needs ASSESS_S3_BUCKET.")
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=config.get("S3_ENDPOINT_URL") or None,
        region_name=config.get("S3_REGION") or None,
        config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}),
    )
    return S3Storage(client, str(bucket), str(config.get("S3_PREFIX") or ""))


def current() -> Storage:
    """The app's storage, made on first use (one S3 client per app)."""
    storage = current_app.extensions.get("assess_storage")
    if storage is None:
        storage = from_config(current_app.config, current_app.instance_path)
        current_app.extensions["assess_storage"] = storage
    return storage
