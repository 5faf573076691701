"""Every test gets a fresh app and database: SQLite by default, PostgreSQL when
ASSESS_TEST_DATABASE_URL names a server (each test then gets its own database, copied from a
migrated and seeded template)."""

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from assess import create_app
from assess.extensions import db
from assess.services import accounts, demo
from assess.services import seed as seed_service

PG_SERVER = os.environ.get("ASSESS_TEST_DATABASE_URL")
TEST_PASSWORD = "a long test passphrase"
ALONE = "pytest -n 0 -m alone_on_server"


def pytest_runtest_setup(item):
    """Tests marked `alone_on_server` count the statements a stored public page costs. On
    PostgreSQL, whether anything was committed is the server's snapshot (`pg_current_snapshot()`,
    `public/freshness.py`), which a commit to *any* of its databases moves: with other workers
    writing to their own databases, a stored page asks the public revision again (correctly,
    once) and the counts are not the ones a quiet server gives. So on PostgreSQL they run by
    themselves, after the parallel run (`.ci/run`)."""
    parallel = os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") != "1"
    if PG_SERVER and parallel and item.get_closest_marker("alone_on_server"):
        pytest.skip(f"counts statements on a quiet PostgreSQL server: run with `{ALONE}`")


class _SharedBytecode(BytecodeCache):
    """Compiled templates shared by every app of the run: each test builds its own app, and
    compiling the same templates again for each was a fifth of the suite's time. Jinja checks
    each entry against the template's source, so an edited template is compiled anew."""

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.entries:
            bucket.bytecode_from_string(self.entries[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.entries[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecode()
_create_jinja_environment = Flask.create_jinja_environment


def _with_shared_bytecode(self):
    environment = _create_jinja_environment(self)
    environment.bytecode_cache = _BYTECODE
    return environment


Flask.create_jinja_environment = _with_shared_bytecode  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def cheap_password_hashing(request, monkeypatch):
    """argon2 at production cost (19 MiB, two passes) for each user a test makes and each sign-in
    was a tenth of the suite's time. Tests of hashing itself are marked `real_password_hashing`."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        monkeypatch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024))


def base_config(uri: str, instance_path: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-0123456789abcdef",
        "SQLALCHEMY_DATABASE_URI": uri,
        "PREFERRED_URL_SCHEME": "http",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        # Mail waits in the outbox, where tests read it; tests/test_jobs.py runs the jobs.
        "JOBS": "off",
    }


def _migrate_and_seed(uri: str, instance_path: str) -> None:
    from flask_migrate import upgrade

    app = create_app(base_config(uri, instance_path))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed_service.seed()
        db.engine.dispose()


def _pg_admin_engine():
    return create_engine(make_url(PG_SERVER).set(database="postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """A migrated, seeded database that each test copies."""
    folder = tmp_path_factory.mktemp("template")
    if PG_SERVER is None:
        path = folder / "template.sqlite"
        _migrate_and_seed(f"sqlite:///{path}", str(folder))
        yield str(path)
        return
    name = f"assess_tmpl_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    _migrate_and_seed(make_url(PG_SERVER).set(database=name).render_as_string(False), str(folder))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def database_copy(template_database, folder) -> Iterator[str]:
    """The URL of a new copy of the template database (in `folder` on SQLite), dropped when the
    block ends."""
    if PG_SERVER is None:
        path = folder / "assess.sqlite"
        shutil.copy(template_database, path)
        yield f"sqlite:///{path}"
        return
    name = f"assess_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
    try:
        yield make_url(PG_SERVER).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url(template_database, tmp_path):
    with database_copy(template_database, tmp_path) as url:
        yield url


class Client(FlaskClient):
    """A browser-like client: `post_form` sends the CSRF token a real form would carry."""

    def csrf_token(self) -> str:
        """The token a form on the next page would carry, made as Flask-WTF makes it (from the
        session's secret), without rendering a page for it: that rendering was a fifth of the
        suite's time. tests/test_auth.py signs in and out with the real pages' tokens."""
        app = self.application
        field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        with self.session_transaction() as session:
            if field not in session:
                session[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324
            raw = session[field]
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args, **kwargs):
        # Each request gets its own app context, hence its own `g` and database session, as in a
        # server; the test's own context (and session) stays outside.
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        # End the test's read snapshot so that it sees what the request wrote.
        db.session.commit()
        return response

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(base_config(database_url, str(tmp_path)))
    app.test_client_class = Client
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
        app.extensions["assess_public_responses"].watcher.close()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(role="reviewer", countries=(), email=None, password=TEST_PASSWORD, name=""):
        email = email or f"{role}{next(counter)}@example.org"
        return accounts.create_user(None, email, password, role, list(countries), name=name)

    return make


class AuthActions:
    def __init__(self, client: Client) -> None:
        self.client = client

    def login(self, user, password=TEST_PASSWORD, remember=False):
        response = self.client.post_form(
            "/auth/login",
            {"email": user.email, "password": password, "remember": "y" if remember else ""},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def logout(self):
        return self.client.post_form("/auth/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def demo_data(app):
    return demo.load_demo_data()


@pytest.fixture
def make_app(database_url, tmp_path):
    """Another app on the test's database (another worker, another config); disposed after."""
    made = []

    def make(**config):
        other = create_app(base_config(database_url, str(tmp_path)) | config)
        other.test_client_class = Client
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
        other.extensions["assess_public_responses"].watcher.close()
