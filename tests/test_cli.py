"""The command line: seed, demo-data, create-user and their errors."""

import pytest
from sqlalchemy import func, select

from assess.extensions import db
from assess.models import Country, Indicator, RoleGrant, User


@pytest.fixture
def cli(app):
    return lambda *args, input=None: app.test_cli_runner().invoke(args=list(args), input=input)


def count(model):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_is_idempotent(cli):
    assert count(Country) == 249
    assert count(Indicator) == 9
    result = cli("seed")
    assert result.exit_code == 0
    assert "Added 0 countries and 0 indicators." in result.output
    assert count(Country) == 249


def test_every_country_has_a_region(app):
    regions = set(db.session.scalars(select(Country.region)))
    assert regions == {"Africa", "Americas", "Asia", "Europe", "Oceania", "Antarctica"}
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    assert (kz.name, kz.iso3, kz.region) == ("Kazakhstan", "KAZ", "Asia")


def test_indicators_in_spec_order_with_definition_and_rubric(app):
    indicators = db.session.scalars(select(Indicator).order_by(Indicator.position)).all()
    assert [i.title for i in indicators] == [
        "Age of Consent",
        "Extraterritoriality & Extradition",
        "CSAM Definition",
        "Background Check Required",
        "National Commitments",
        "Child Advocacy Centers",
        "SEC Police Unit",
        "Protection Standards Travel and Tourism",
        "Public SEC Case Data",
    ]
    for indicator in indicators:
        assert indicator.definition and indicator.rubric_yes
        assert indicator.rubric_partial and indicator.rubric_no


def test_demo_data_prints_the_logins(cli):
    result = cli("demo-data")
    assert result.exit_code == 0, result.output
    for email in ("reviewer@example.org", "supervisor@example.org", "supervisor2@example.org",
                  "admin@example.org"):  # fmt: skip
        assert email in result.output
    again = cli("demo-data")
    assert again.exit_code != 0
    assert "already loaded" in again.output


def test_create_user_reads_the_password_from_stdin(cli):
    result = cli(
        "create-user", "Lawyer@Example.org", "--role", "reviewer", "--country", "kz",
        "--country", "UZ", input="a good long passphrase\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created lawyer@example.org as reviewer for kz, UZ." in result.output
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "lawyer@example.org"))
    grants = sorted((g.role, g.country.iso2) for g in user.grants)
    assert grants == [("reviewer", "KZ"), ("reviewer", "UZ")]


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["x@example.org", "--role", "boss"], "a good long passphrase", "Unknown role 'boss'"),
        (["x@example.org", "--role", "reviewer", "--country", "XX"], "a good long passphrase",
         "Unknown country code 'XX'"),
        (["x@example.org", "--role", "admin", "--country", "KZ"], "a good long passphrase",
         "The admin role is global"),
        (["not-an-email", "--role", "reviewer"], "a good long passphrase", "is not a valid e-mail"),
        (["x@example.org", "--role", "reviewer"], "short", "at least 12 characters"),
        (["x@example.org", "--role", "reviewer"], "password1234", "too common"),
    ],
)  # fmt: skip
def test_create_user_errors_say_what_to_fix_and_change_nothing(cli, args, password, message):
    users, grants = count(User), count(RoleGrant)
    result = cli("create-user", *args, input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert (count(User), count(RoleGrant)) == (users, grants)


def test_create_user_refuses_a_duplicate(cli):
    assert (
        cli(
            "create-user", "x@example.org", "--role", "admin", input="a good long passphrase\n"
        ).exit_code
        == 0
    )
    result = cli(
        "create-user", "X@example.org", "--role", "reviewer", input="a good long passphrase\n"
    )
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert count(User) == 1


def test_assess_demo_migrates_seeds_prints_logins_and_serves(tmp_path):
    """The README's first command, after `pip install -e .`."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from .conftest import PG_SERVER

    if PG_SERVER is not None:
        pytest.skip("assess demo runs on its embedded default database, SQLite")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ASSESS_SECRET_KEY")}
    env["ASSESS_INSTANCE_PATH"] = str(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "assess", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        page = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/countries/kz") as response:
                    page = response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert page is not None, "assess demo did not start serving"
        assert "Sana Sezim" in page
        assert "Age of Consent" in page
        assert (tmp_path / "assess.sqlite").exists()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert "supervisor2@example.org" in output
    assert "admin-demo-pass-1" in output
    assert f"http://127.0.0.1:{port}" in output
