"""Has anything been committed to the database since I last looked? Asked on every public request,
so it must cost microseconds, and be exact: a change committed by any worker, on any connection,
must change the answer.

- SQLite: `PRAGMA data_version` changes whenever another connection commits to the same file, in
  this process or any other (https://sqlite.org/pragma.html#pragma_data_version). The watcher keeps
  its own connection, never used for anything else, so every commit is "another".
- PostgreSQL: `pg_current_snapshot()` lists the transactions still running and the first one not
  yet finished; a commit of any writing transaction changes it. One round trip on an idle
  connection in autocommit.

The token is only compared with tokens from the same watcher (one per process), so SQLite's
per-connection counter is enough. When the database cannot be asked (an in-memory SQLite database,
which no other connection can see; or an error), `token()` returns None: callers then do the full
check, never a shortcut.
"""

import os
import sqlite3
import threading
import time
import weakref
from contextlib import suppress
from urllib.parse import quote

from sqlalchemy.engine import Engine

_SQLITE = "PRAGMA data_version"
# Connections a forked process inherited: closing one would end the parent's session.
_INHERITED: list = []
_POSTGRESQL = "SELECT pg_current_snapshot()::text"
CONNECT_TIMEOUT_S = 5  # an unreachable server must not hold every public request for long
RETRY_AFTER_FAILURE_S = 0.5


class Watcher:
    def __init__(self, engine: Engine) -> None:
        self.url = engine.url
        self.dialect = engine.dialect
        self._lock = threading.Lock()
        self._held: dict = {"connection": None, "pid": 0}
        self.unavailable = False  # the last `token()` failed to reach the database
        self._failed_at = 0.0
        weakref.finalize(self, _close, self._held)

    def close(self) -> None:
        with self._lock:
            _close(self._held)

    def token(self) -> object | None:
        with self._lock:
            if self.unavailable and time.monotonic() - self._failed_at < RETRY_AFTER_FAILURE_S:
                return None  # down a moment ago: don't make every request wait to find out again
            try:
                value = self._ask()
            except Exception:
                self.unavailable = True  # the database could not be asked: down, unreachable
                self._failed_at = time.monotonic()
                with suppress(Exception):
                    _close(self._held)
                return None
            self.unavailable = False
            return value

    def _ask(self) -> object | None:
        held = self._held
        if held["pid"] != os.getpid():
            if held["connection"] is not None:  # a forked worker: the parent's, never touched
                _INHERITED.append(held["connection"])
            held["connection"], held["pid"] = self._connect(), os.getpid()
        if held["connection"] is None:
            return None
        cursor = held["connection"].cursor()
        cursor.execute(_SQLITE if self.dialect.name == "sqlite" else _POSTGRESQL)
        value = cursor.fetchone()[0]
        cursor.close()
        return value

    def _connect(self):
        if self.dialect.name == "sqlite":
            database = self.url.database
            if not database or database == ":memory:" or database.startswith("file:"):
                return None
            # mode=rw: never create the file (the app's own connections do that, migrations first).
            uri = f"file:{quote(os.path.abspath(database))}?mode=rw"
            return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        if self.dialect.name == "postgresql":
            import psycopg

            conninfo = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
            return psycopg.connect(conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        return None


def _close(held: dict) -> None:
    connection, pid = held["connection"], held["pid"]
    held["connection"], held["pid"] = None, 0
    if connection is not None:
        if pid == os.getpid():
            connection.close()
        else:
            _INHERITED.append(connection)
