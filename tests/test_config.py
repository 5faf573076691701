"""Configuration: environment variables, DATABASE_URL, and refusing an unsafe start."""

import subprocess
import sys

import pytest

from assess import create_app
from assess.config import ConfigError, database_url


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url(str(tmp_path)) == f"sqlite:///{tmp_path}/assess.sqlite"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_url_forms(monkeypatch, tmp_path, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert database_url(str(tmp_path)) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [("not a url", "is not a database URL"), ("mysql://u@h/db", "supports sqlite and postgresql")],
)
def test_malformed_database_url_is_one_clear_error(monkeypatch, tmp_path, given, message):
    monkeypatch.setenv("DATABASE_URL", given)
    with pytest.raises(ConfigError, match=message):
        database_url(str(tmp_path))


def test_malformed_database_url_on_the_command_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "assess", "seed"],
        env={"DATABASE_URL": "nonsense", "ASSESS_INSTANCE_PATH": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DATABASE_URL 'nonsense' is not a database URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="ASSESS_SECRET_KEY is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "short"})
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "x" * 32,
            "BASE_URL": "https://a.org",
        }
    )
    assert not app.debug


def test_production_refuses_to_start_without_a_base_url_or_trusted_hosts():
    production = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32}
    with pytest.raises(ConfigError, match="ASSESS_BASE_URL is not set"):
        create_app(production)
    with pytest.raises(ConfigError, match="is not an address"):
        create_app(production | {"BASE_URL": "assess.example.org"})
    by_hosts = create_app(production | {"TRUSTED_HOSTS": "a.example.org, b.example.org"})
    assert by_hosts.config["TRUSTED_HOSTS"] == ["a.example.org", "b.example.org"]
    # The base URL's host is trusted, and only it unless more are named.
    by_url = create_app(production | {"BASE_URL": "https://assess.example.org/"})
    assert by_url.config["BASE_URL"] == "https://assess.example.org"
    assert by_url.config["TRUSTED_HOSTS"] == ["assess.example.org"]
    both = create_app(production | {"BASE_URL": "https://x.org", "TRUSTED_HOSTS": "localhost"})
    assert both.config["TRUSTED_HOSTS"] == ["localhost", "x.org"]
    # Debug (a developer's machine) needs neither.
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "DEBUG": True}).debug


def test_prefixed_environment_variables_are_read(monkeypatch):
    monkeypatch.setenv("ASSESS_SECRET_KEY", "y" * 40)
    monkeypatch.setenv("ASSESS_BASE_URL", "https://assess.example.org")
    monkeypatch.setenv("ASSESS_MAX_CONTENT_LENGTH", "1234")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "y" * 40
    assert app.config["MAX_CONTENT_LENGTH"] == 1234


def test_cookies_are_secure_by_default():
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "x" * 32,
            "BASE_URL": "https://a.org",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_DURATION"].days <= 30
