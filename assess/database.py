"""Engine set-up and write transactions.

SQLite: WAL, a busy timeout, and `BEGIN IMMEDIATE` for write transactions. pysqlite's default
deferred transactions let two gunicorn workers read the same row and both write, losing an update
(4 processes x 250 read-then-write increments lost 750 of 1,000); taking the write lock at BEGIN
makes them queue instead. Reads keep deferred transactions, so readers never wait for each other.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .extensions import db

_immediate: ContextVar[bool] = ContextVar("immediate", default=False)
SQLITE_BUSY_TIMEOUT_MS = 30_000


def sqlite_engine_options() -> dict:
    return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "isolation_level": None}}


def configure_sqlite(engine: Engine) -> None:
    """Let SQLAlchemy, not pysqlite, emit BEGIN, so that a write can ask for IMMEDIATE."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


@contextmanager
def write_transaction() -> Iterator[Session]:
    """One write transaction that commits on success and leaves no trace on error."""
    session = db.session()
    if session.in_transaction():
        # End the read snapshot the request opened (loading the user), so the write starts fresh
        # with the lock taken at BEGIN.
        session.commit()
    token = _immediate.set(True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _immediate.reset(token)


# --- when the database is away ---------------------------------------------------------------

# SQLite's primary result codes that mean "cannot use the file now", not "the SQL is wrong":
# BUSY, LOCKED, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, PROTOCOL, NOTADB.
_SQLITE_UNAVAILABLE = frozenset({5, 6, 8, 10, 11, 13, 14, 15, 26})
POSTGRESQL_CONNECT_TIMEOUT_S = 10


def postgresql_engine_options(options: dict) -> dict:
    """Check each pooled connection before a request uses it (one round trip), so that the first
    requests after the database comes back do not fail on connections it closed; and give up
    connecting after a few seconds, so that an unreachable server fails a request with a 503
    instead of holding the worker until gunicorn kills it."""
    options = dict(options)
    options.setdefault("pool_pre_ping", True)
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", POSTGRESQL_CONNECT_TIMEOUT_S)
    options["connect_args"] = connect_args
    return options


def is_unavailable(error: BaseException) -> bool:
    """Did this fail because the database cannot be reached or used right now (down, restarting,
    unreachable, locked, out of space), rather than because of a bug? Those answer 503."""
    import sqlite3

    from sqlalchemy import exc

    if isinstance(error, exc.TimeoutError):  # no pooled connection free in time
        return True
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, exc.OperationalError | exc.InterfaceError):
        return False
    if isinstance(error.orig, sqlite3.Error):  # "no such table" is an OperationalError too
        code = getattr(error.orig, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in _SQLITE_UNAVAILABLE
    return True  # psycopg: connection failures, admin shutdown, server out of resources
