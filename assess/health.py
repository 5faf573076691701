"""`/healthz` (the process answers), `/readyz` (what it depends on answers) and `/metrics`.

Load balancers ask `/readyz` before sending traffic: 503 with the failing check named means
"not this one". Neither runs a write: readiness must not disturb the public response store.
"""

import os
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import text
from sqlalchemy.engine import make_url

from . import metrics
from .extensions import db

bp = Blueprint("health", __name__)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz():
    checks = {
        "database": _check(_database),
        "migrations": _check(_migrations),
        "storage": _check(_storage),
    }
    if current_app.config.get("REDIS_URL"):
        checks["queue"] = _check(_queue)
    ready = all(check["ok"] for check in checks.values())
    body = jsonify(status="ready" if ready else "unavailable", checks=checks)
    return _no_store(body), 200 if ready else 503


@bp.get("/metrics")
def metrics_view():
    if not metrics.allowed(request.remote_addr, current_app.config["METRICS_ALLOWED"]):
        abort(404)
    payload, content_type = metrics.exposition()
    return _no_store(Response(payload, content_type=content_type))


def _check(probe) -> dict:
    try:
        detail = probe()
    except Exception as error:  # any failure is the answer: report it, never raise
        db.session.rollback()
        return {"ok": False, "error": f"{type(error).__name__}: {error}"[:500]}
    result: dict = {"ok": detail is None}
    if detail is not None:
        result["error"] = detail
    return result


def _database() -> str | None:
    """Answers, and accepts writes: a read-only file or a standby serves pages but no sign-in."""
    connection = db.session.connection()
    connection.execute(text("SELECT 1"))
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if db.engine.dialect.name == "postgresql":
        read_only = connection.execute(text("SHOW transaction_read_only")).scalar()
        db.session.commit()
        return "the database is read-only" if read_only == "on" else None
    db.session.commit()
    if url.query.get("mode") == "ro":
        return "the database is opened read-only (mode=ro)"
    path = url.database or ""
    if path.startswith("file:"):
        path = path.removeprefix("file:").split("?", 1)[0]
    if path and path != ":memory:":
        if not os.access(path, os.W_OK):
            return f"the database file {path} is read-only"
        if not os.access(Path(path).parent, os.W_OK):
            return f"the database folder {Path(path).parent} is read-only"
    return None


def _migrations() -> str | None:
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    migrate: Migrate = current_app.extensions["migrate"]
    config = migrate.migrate.get_config(migrate.directory)
    heads = set(ScriptDirectory.from_config(config).get_heads())
    current = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    db.session.commit()
    if current != heads:
        return f"the database is at {sorted(current)}, the code at {sorted(heads)}: run assess db upgrade"
    return None


def _storage() -> str | None:
    from . import storage

    return storage.current().check()


def _queue() -> str | None:
    from . import jobs

    jobs.redis_connection().ping()
    return None
