"""Stored public responses shared by every worker: what one worker rendered, the others serve.

The response store of `fastpath` lives in one process. Behind gunicorn each worker had its own,
so a page rendered by one worker was a miss in the other, and a full site (249 countries, their
pages, five languages each) does not fit in one worker's memory anyway: under realistic traffic most
requests rendered. This second level holds every page once for all workers:

- a directory on the machine's disk (the default, `PUBLIC_STORE_DIR`, in the instance folder):
  the workers of one machine share it, and it outlives a restart; the operating system keeps the
  files it reads often in memory;
- Redis, when `ASSESS_REDIS_URL` is set: every machine of the site shares it.

An entry is valid for one public revision (`queries.public_revision`: it changes only when
something the public can see changes) and one build (the code, templates, translations and
static files on disk, the configuration and the database): entries are kept under
`<build>/<revision>/`, so a publication or a deploy makes every older entry unreachable at once,
and they are removed (a directory's older revisions by the first worker that writes the new one;
Redis's by their expiry). Bodies are kept as sent, uncompressed (compressing a 260 kB indicator
page costs more than rendering the page around its kept body; each worker compresses what it
serves, once per coding), after their headers as JSON, with their length checked on reading:
nothing is unpickled from a store another process could write.

A failure of the shared store (a full disk, Redis away) is a miss, never an error page.
"""

import contextlib
import hashlib
import json
import os
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Flask

DEFAULT_CAPACITY_BYTES = 1024 * 1024 * 1024  # per worker and revision
REDIS_EXPIRY_S = 24 * 3600
RETRY_AFTER_FAILURE_S = 5.0  # Redis away: don't make every request wait to find out again
_PRUNE_AFTER_S = 60  # an older revision's entries may still be read by a slower worker


@dataclass(frozen=True)
class Entry:
    """What a stored response needs to be served again."""

    etag: str
    last_modified: datetime | None
    headers: list[tuple[str, str]]
    body: bytes
    compressible: bool  # may be sent compressed (`fastpath`)
    revision: str


class Directory:
    """Entries as files: `<root>/<build>/<revision>/<key hash>`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._current: set[Path] = set()  # revision folders this process has written to

    def read(self, build: str, revision: str, name: str) -> bytes | None:
        try:
            return (self.root / build / revision / name).read_bytes()
        except OSError:
            return None

    def write(self, build: str, revision: str, name: str, data: bytes) -> None:
        folder = self.root / build / revision
        if folder not in self._current:
            folder.mkdir(parents=True, exist_ok=True)
            self._current.add(folder)
            self._prune(folder)
        temporary = folder / f".{name}.{os.getpid()}.{threading.get_ident()}"
        temporary.write_bytes(data)
        os.replace(temporary, folder / name)  # readers see the whole file or none

    def _prune(self, keep: Path) -> None:
        """Other revisions and builds than the one being written, once nobody can want them."""
        now = time.time()
        for build in self._children(self.root):
            for revision in self._children(build) if build == keep.parent else [build]:
                if revision != keep and now - revision.stat().st_mtime > _PRUNE_AFTER_S:
                    shutil.rmtree(revision, ignore_errors=True)

    @staticmethod
    def _children(folder: Path) -> list[Path]:
        try:
            return [child for child in folder.iterdir() if child.is_dir()]
        except OSError:
            return []


class Redis:
    """Entries as Redis strings that expire: `<prefix>public:<build>:<revision>:<key hash>`."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix = f"{prefix}public:"

    def read(self, build: str, revision: str, name: str) -> bytes | None:
        return self.client.get(f"{self.prefix}{build}:{revision}:{name}")  # type: ignore[return-value]

    def write(self, build: str, revision: str, name: str, data: bytes) -> None:
        self.client.set(f"{self.prefix}{build}:{revision}:{name}", data, ex=REDIS_EXPIRY_S)


class SharedResponses:
    def __init__(self, backend, build: str, capacity: int = DEFAULT_CAPACITY_BYTES) -> None:
        self.backend = backend
        self.build = build
        self.capacity = capacity
        self._written: tuple[str, int] = ("", 0)  # (revision, bytes this process wrote for it)
        self._failed_at = 0.0
        self._lock = threading.Lock()

    def get(self, key: tuple, revision: str) -> Entry | None:
        if self._resting():
            return None
        try:
            data = self.backend.read(self.build, _name(revision), _name(key))
        except Exception:
            self._failed()
            return None
        return _decode(data, key, revision) if data else None

    def put(self, key: tuple, entry: Entry) -> None:
        data = _encode(key, entry)
        with self._lock:
            revision, written = self._written
            if revision != entry.revision:
                revision, written = entry.revision, 0
            if written + len(data) > self.capacity or self._resting():
                return  # full for this revision: the in-process store still holds the page
            self._written = (revision, written + len(data))
        try:
            self.backend.write(self.build, _name(entry.revision), _name(key), data)
        except Exception:
            self._failed()

    def _resting(self) -> bool:
        return time.monotonic() - self._failed_at < RETRY_AFTER_FAILURE_S

    def _failed(self) -> None:
        self._failed_at = time.monotonic()


def _name(value) -> str:
    return hashlib.sha256(json.dumps(value, default=str).encode()).hexdigest()[:40]


def _encode(key: tuple, entry: Entry) -> bytes:
    facts = {
        "key": list(key),
        "etag": entry.etag,
        "last_modified": entry.last_modified.isoformat() if entry.last_modified else None,
        "headers": entry.headers,
        "compressible": entry.compressible,
        "revision": entry.revision,
        "length": len(entry.body),
    }
    return json.dumps(facts).encode() + b"\n" + entry.body


def _decode(data: bytes, key: tuple, revision: str) -> Entry | None:
    """The entry, if it is the one asked for (a hash collision or a torn file is a miss)."""
    try:
        head, body = data.split(b"\n", 1)
        facts = json.loads(head)
        if facts["key"] != list(key) or facts["revision"] != revision:
            return None
        if facts["length"] != len(body):
            return None
    except (ValueError, KeyError):
        return None
    modified = facts["last_modified"]
    return Entry(
        etag=facts["etag"],
        last_modified=datetime.fromisoformat(modified) if modified else None,
        headers=[(name, value) for name, value in facts["headers"]],
        body=body,
        compressible=facts["compressible"],
        revision=revision,
    )


def build_of(app: Flask) -> str:
    """What the pages are made from, besides the database's content: the code, templates,
    translations and static files (`caching.code_revision`, the same on every machine that runs
    the same release), the configuration and the database."""
    from .caching import code_revision

    digest = hashlib.sha256(code_revision().encode())
    simple = (str, int, float, bool, list, dict, tuple, type(None))
    config = {k: v for k, v in app.config.items() if isinstance(v, simple)}
    digest.update(json.dumps(config, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:24]


def for_app(app: Flask) -> SharedResponses | None:
    """`PUBLIC_STORE`: "auto" (Redis when REDIS_URL is set, else the directory), "directory",
    "redis" or "off"."""
    choice = app.config.get("PUBLIC_STORE", "auto")
    if choice == "off" or (app.testing and choice == "auto"):
        return None
    capacity = int(app.config.get("PUBLIC_STORE_BYTES") or DEFAULT_CAPACITY_BYTES)
    if choice == "redis" or (choice == "auto" and app.config.get("REDIS_URL")):
        backend: Directory | Redis = Redis(
            app.config["REDIS_URL"], app.config.get("REDIS_KEY_PREFIX", "assess:")
        )
    else:
        root = Path(app.config.get("PUBLIC_STORE_DIR") or Path(app.instance_path) / "public-store")
        with contextlib.suppress(OSError):
            root.mkdir(parents=True, exist_ok=True)
        backend = Directory(root)
    return SharedResponses(backend, build_of(app), capacity)
