"""Backup and restore: export → import into an empty database → export gives identical bytes;
every table is in the file; a malformed or truncated file is refused with the line and field at
fault and changes nothing."""

import io
import json
import uuid
from datetime import UTC, date, datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from werkzeug.datastructures import MultiDict

from assess.extensions import db
from assess.models import (
    Comment,
    Country,
    Indicator,
    LoginAttempt,
    NewsItem,
    Notification,
    OutboxEmail,
    User,
    Version,
)
from assess.services import (
    accounts,
    assessments,
    audit,
    backup,
    bulk_import,
    framework_revisions,
    kept_forms,
    profile_content,
    users,
)
from assess.services import seed as seed_service
from assess.services.content import CitationInput, SourceInput, VersionContent

from .conftest import PG_SERVER, _pg_admin_engine
from .test_security_browser import snapshot


@pytest.fixture
def full_data(demo_data):
    """The demo data plus a row in every table the demo leaves empty, with awkward values."""
    reviewer = db.session.scalar(select(User).where(User.email == "reviewer@example.org"))
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    indicator = db.session.scalar(select(Indicator).where(Indicator.slug == "csam-definition"))
    draft = assessments.start_draft(reviewer, kz.id, indicator.id)
    content = VersionContent(
        status="no",
        analysis="Ünïcödé «quotes» — and a\nnew line, <b>markup</b> & a tab\t.",
        analysis_source_title="Source ✓",
        analysis_source_year=2023,
        citations=[CitationInput("Criminal Code", 2014, "Article 123", 2023, "https://x.kz", "ru")],
        sources=[SourceInput("A report", "ECPAT", 2019, "https://example.org/r")],
    )
    assessments.save(reviewer, draft.id, content, draft.row_version)
    with db.session.begin_nested():
        db.session.add(Comment(version_id=draft.id, author_id=reviewer.id, body="Why? 🤔"))
        db.session.add(NewsItem(country_id=kz.id, title="News", published_on=date(2024, 2, 29)))
        db.session.add(Notification(user_id=reviewer.id, message="Hello", link="/staff/"))
        db.session.add(OutboxEmail(recipient="a@example.org", subject="S", body="B"))
        db.session.add(LoginAttempt(email="x@example.org", address="192.0.2.1"))
        indicator.retired_at = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
        audit.record(reviewer, "test", reviewer, details={"nested": {"list": [1, "two", None]}})
    db.session.commit()
    # The administration's tables: a proposed profile change and a password-reset token.
    profile_content.propose(
        reviewer, kz.id, "fact", "add", {"text": "A proposed fact ✓"}, submit=True
    )
    admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
    users.send_password_reset(admin, reviewer.id)
    # A translation of an indicator's text in draft (a revision with its contributor).
    translator = db.session.scalar(select(User).where(User.email == "translator@example.org"))
    framework_revisions.propose(
        translator, indicator.id, "fr", framework_revisions.RevisionInput({"title": "Définition ✓"})
    )
    # An import batch, with a member's contact details among its rows.
    members = "country,name,email,phone\nKZ,Helpline ✓,help@example.org,+7 727 000\n"
    bulk_import.run(reviewer, members.encode(), "members.csv")
    # A form kept from a session that expired while it was typed.
    kept_forms.keep(
        reviewer.id, f"/staff/versions/{draft.id}/save", MultiDict([("analysis", "Kept ✓\ttext")])
    )
    # A dated data release (its files carry a byte-order mark and non-Latin text).
    from flask import current_app

    from assess import releases

    with current_app.test_request_context():
        releases.create("2026-12-01")
    # The publishing organisation, as an admin set it (with an uploaded logo).
    from assess.services import organisation_settings

    organisation_settings.update(
        admin,
        {"name": "Organisation ✓", "about": "**À propos** ✓"},
        logo=organisation_settings.Logo("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
    )
    # The evidence: a link's last check, an archived copy, a step in an instrument's life.
    from assess.models import ArchivedCopy, Instrument, InstrumentEvent, LinkCheck

    code = db.session.scalar(select(Instrument).where(Instrument.country_id == kz.id))
    db.session.add(LinkCheck(url="https://x.kz", host="x.kz", state="broken", error="HTTP 404"))
    db.session.add(
        ArchivedCopy(
            version_id=draft.id,
            url="https://x.kz",
            stored_name="0" * 64 + ".html",
            sha256="0" * 64,
            content_type="text/html; charset=utf-8",
            size=0,
        )
    )
    db.session.add(
        InstrumentEvent(
            instrument_id=code.id,
            kind="amended",
            dated=date(2024, 2, 29),
            note="Ünïcödé ✓",
            recorded_by_id=reviewer.id,
        )
    )
    db.session.commit()
    # A right of reply, and a suggestion from a reader.
    from assess.services import cycles, replies, suggestions

    replies.propose(
        reviewer,
        kz.id,
        indicator.id,
        replies.ReplyInput("Ministry ✓", "government", "Réponse ✓", "fr", "2026-11-30"),
    )
    suggestions.suggest(
        kz.id,
        indicator.id,
        suggestions.SuggestionInput(what_is_wrong="Amended in 2024 ✓"),
        address="192.0.2.9",
        language="en",
    )
    # A review cycle with a country, an indicator and an assignment.
    cycles.open_cycle(
        admin,
        cycles.CycleInput(
            "Cycle ✓",
            date(2027, 2, 28),
            ["KZ"],
            [db.session.scalar(select(Indicator.id).where(Indicator.retired_at.is_(None)))],
            [("KZ", "reviewer@example.org")],
        ),
    )
    return reviewer


def _export() -> str:
    out = io.StringIO()
    backup.export(out)
    return out.getvalue()


@pytest.fixture
def empty_database(tmp_path, make_app):
    """A new migrated database (seeded or not) on the same backend, as another app."""
    made, targets = [], []
    admin = _pg_admin_engine() if PG_SERVER else None

    def make(seeded: bool):
        if PG_SERVER is None:
            uri = f"sqlite:///{tmp_path}/target-{uuid.uuid4().hex[:8]}.sqlite"
        else:
            name = f"assess_backup_{uuid.uuid4().hex[:10]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            made.append(name)
            uri = make_url(PG_SERVER).set(database=name).render_as_string(False)
        target = make_app(SQLALCHEMY_DATABASE_URI=uri)
        targets.append(target)
        with target.app_context():
            upgrade(directory=target.extensions["migrate"].directory)
            if seeded:
                seed_service.seed()
        return target

    yield make
    for target in targets:  # close its connections before the database goes
        with target.app_context():
            db.session.remove()
            db.engine.dispose()
    if admin is not None:
        with admin.connect() as connection:
            for name in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_export_holds_every_table_with_rows(full_data):
    lines = _export().splitlines()
    header, closing = json.loads(lines[0]), json.loads(lines[-1])
    assert header["format"] == "assess-export"
    assert header["tables"] == [t.name for t in db.metadata.sorted_tables]
    empty = [name for name, count in closing["rows"].items() if count == 0]
    assert empty == []
    assert len(lines) == sum(closing["rows"].values()) + 2
    hashes = [
        json.loads(line)["row"]["password_hash"] for line in lines if '"table":"user"' in line
    ]
    assert all(h.startswith("$argon2id$") for h in hashes)


@pytest.mark.parametrize("seeded", [False, True], ids=["unseeded", "seeded"])
def test_export_import_export_is_identical(app, client, full_data, empty_database, seeded):
    first = _export()
    profile = client.get("/countries/kz").get_data(as_text=True)
    reviewer_id = full_data.id  # read here: inside the target's context it would load from there
    target = empty_database(seeded)
    with target.app_context():
        counts = backup.import_file(io.StringIO(first))
        second = _export()
        # The restored database works: pages, logins and new rows (sequences follow the ids).
        restored = target.test_client()
        assert restored.get("/countries/kz").get_data(as_text=True) == profile
        user = accounts.authenticate("reviewer@example.org", "reviewer-demo-pass", "192.0.2.7")
        assert user.id == reviewer_id
        accounts.create_user(None, "new@example.org", "a brand new passphrase", "reviewer")
    assert first == second
    assert sum(counts.values()) == len(first.splitlines()) - 2


def _mutate(document: str, line: int, change) -> str:
    lines = document.splitlines(keepends=True)
    lines[line - 1] = change(lines[line - 1])
    return "".join(lines)


def _row_line(document: str, table: str, last: bool = False) -> int:
    found = [
        number
        for number, line in enumerate(document.splitlines(), start=1)
        if f'"table":"{table}"' in line
    ]
    return found[-1] if last else found[0]


def _edit_row(document: str, table: str, last: bool = False, **changes) -> tuple[str, int]:
    number = _row_line(document, table, last)

    def change(line):
        data = json.loads(line)
        for key, value in changes.items():
            if value is KeyError:
                del data["row"][key]
            else:
                data["row"][key] = value
        return json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n"

    return _mutate(document, number, change), number


BROKEN = {
    "truncated at a line end": lambda d: ("".join(d.splitlines(keepends=True)[:-1]), None, None),
    "truncated mid-line": lambda d: (d[: len(d) // 2], None, None),
    "not JSON": lambda d: (_mutate(d, 3, lambda _: "{oops\n"), 3, None),
    "empty": lambda d: ("", 1, None),
    "wrong format": lambda d: (_mutate(d, 1, lambda _: '{"format":"csv"}\n'), 1, "format"),
    "unknown table": lambda d: (_mutate(d, 2, lambda _: '{"table":"nope","row":{}}\n'), 2, "table"),
    "unknown column": lambda d: (*_edit_row(d, "user", is_admin=True), "is_admin"),
    "missing column": lambda d: (*_edit_row(d, "user", email=KeyError), "email"),
    "text for a number": lambda d: (*_edit_row(d, "version", row_version="1"), "row_version"),
    "number for text": lambda d: (*_edit_row(d, "country", name=5), "name"),
    "too long": lambda d: (*_edit_row(d, "country", iso2="KZZ"), "iso2"),
    "bad date": lambda d: (*_edit_row(d, "user", created_at="yesterday"), "created_at"),
    "naive date": lambda d: (*_edit_row(d, "user", created_at="2024-01-01T00:00:00"), "created_at"),
    "required missing": lambda d: (*_edit_row(d, "user", password_hash=None), "password_hash"),
    "dangling reference": lambda d: (*_edit_row(d, "role_grant", user_id=99999), "user_id"),
    "duplicate key": lambda d: (*_edit_row(d, "user", True, email="reviewer@example.org"), "email"),
    "NUL in text": lambda d: (*_edit_row(d, "fact", text="a\x00b"), "text"),
}


def test_a_broken_file_is_refused_and_changes_nothing(full_data, empty_database):
    exported = _export()
    target = empty_database(seeded=True)  # one target for every case: each must leave it as is
    with target.app_context():
        before = snapshot()
        for breakage, breaking in BROKEN.items():
            document, line, field = breaking(exported)
            with pytest.raises(backup.BackupError) as refused:
                backup.import_file(io.StringIO(document))
            assert snapshot() == before, breakage
            message = str(refused.value)
            if line is not None:
                assert (refused.value.line, f"line {line}") == (
                    line,
                    message[: len(f"line {line}")],
                )
            if field is not None:
                assert refused.value.field == field, breakage
                assert repr(field) in message, breakage
            if breakage.startswith("truncated"):
                assert "truncated" in message or "not valid JSON" in message, breakage


def test_a_database_error_while_writing_changes_nothing(full_data, empty_database):
    """A value that passes the file checks but not a database constraint: all rolled back."""
    document, _ = _edit_row(_export(), "version", status="maybe")
    target = empty_database(seeded=True)
    with target.app_context():
        before = snapshot()
        with pytest.raises(Exception, match=r"status_valid|CHECK constraint"):
            backup.import_file(io.StringIO(document))
        db.session.rollback()
        assert snapshot() == before


def test_a_database_with_data_is_refused(app, full_data):
    document = _export()
    before = snapshot()
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.import_file(io.StringIO(document))
    assert snapshot() == before


def test_another_schema_revision_is_refused(full_data, empty_database):
    document = _mutate(_export(), 1, lambda line: line.replace('"schema":"', '"schema":"0000,'))
    target = empty_database(seeded=False)
    with target.app_context(), pytest.raises(backup.BackupError, match="schema"):
        backup.import_file(io.StringIO(document))


def test_the_cli_exports_and_imports(app, full_data, empty_database, tmp_path):
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    result = app.test_cli_runner().invoke(args=["export", str(first)])
    assert result.exit_code == 0, result.output
    assert "Exported" in result.output
    target = empty_database(seeded=True)
    runner = target.test_cli_runner()
    with target.app_context():  # the commands use the app context that is active
        result = runner.invoke(args=["import", str(first)])
        assert result.exit_code == 0, result.output
        assert "Imported" in result.output
        assert runner.invoke(args=["export", str(second)]).exit_code == 0
        versions = db.session.scalar(select(db.func.count()).select_from(Version))
    assert first.read_bytes() == second.read_bytes()
    assert versions == 3


def test_the_cli_names_the_line_at_fault(app, full_data, empty_database, tmp_path):
    broken = tmp_path / "broken.jsonl"
    document, line = _edit_row(_export(), "user", email=None)
    broken.write_text(document, encoding="utf-8")
    target = empty_database(seeded=True)
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["import", str(broken)])
    assert result.exit_code == 1
    assert f"line {line}, field 'email': a value is required" in result.output
    assert "nothing changed" in result.output
