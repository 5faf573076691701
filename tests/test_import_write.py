"""The bulk import's writes: many rows give exactly the versions, audit events, notifications and
e-mails that submitting each row on its own would, in a number of statements that does not grow
with the rows."""

import json

import pytest
from sqlalchemy import func, select

from assess.extensions import db
from assess.models import (
    AuditEvent,
    Country,
    Indicator,
    Notification,
    OutboxEmail,
    RoleGrant,
    Version,
)
from assess.services import assessments, bulk_import, notifications, users
from assess.services.errors import Conflict
from assess.workflow import Action

from .queue_data import add_indicators, count_queries, submitted

BASE_URL = "https://assess.example.org"


def _rows(countries: list[str], slugs: list[str]) -> list[dict]:
    """A row per country and indicator, each with two citations (one instrument shared by the
    country's rows) and a source."""
    return [
        {
            "country": iso2,
            "indicator": slug,
            "status": "Partial",
            "analysis": f"Analysis of {slug} in {iso2}.",
            "analysis_source": {"title": " Review ", "year": 2022},
            "citations": [
                {
                    "instrument": "Criminal Code",
                    "year": 2014,
                    "provision": f"Art. {n}",
                    "status_as_of": 2023,
                    "url": "https://example.org/code",
                    "language": "ru",
                },
                {"instrument": f"Law on {slug}", "year": "", "provision": "", "url": ""},
            ],
            "sources": [{"title": f"Report {n}", "publisher": "UNODC", "year": 2021}],
        }
        for iso2 in countries
        for n, slug in enumerate(slugs, start=1)
    ]


def _import(actor, rows: list[dict], name: str = "rows.json") -> bulk_import.ImportReport:
    report = bulk_import.run(actor, json.dumps(rows).encode(), name)
    assert not report.invalid, [r.problems for r in report.invalid]
    return report


def _slugs() -> list[str]:
    return list(
        db.session.scalars(
            select(Indicator.slug).where(Indicator.retired_at.is_(None)).order_by(Indicator.id)
        )
    )


def _after(model, first_id: int) -> list:
    return list(db.session.scalars(select(model).where(model.id > first_id).order_by(model.id)))


def _event(event: AuditEvent) -> tuple:
    columns = ("actor_id", "action", "object_type", "object_id", "country_id")
    columns += ("from_state", "to_state", "comment", "details")
    return tuple(getattr(event, column) for column in columns)


def _last_id(model) -> int:
    return db.session.scalar(select(func.max(model.id))) or 0


@pytest.fixture
def staff(app, make_user):
    """An importing admin and the supervisors an import in KZ, UZ and TJ may or may not reach."""
    app.config["BASE_URL"] = BASE_URL
    staff = {
        "importer": make_user("admin", name="Ada"),
        "kz": make_user("supervisor", ["KZ"], name="Dana"),
        "global": make_user("supervisor", [], name="Marc"),
        "uz_no_mail": make_user("supervisor", ["UZ"], name="Ulan"),
        "elsewhere": make_user("supervisor", ["FR"], name="Claire"),
        "gone": make_user("supervisor", ["KZ"], name="Gulnara"),
        "reviewer": make_user("reviewer", ["KZ", "UZ", "TJ"], name="Aigerim"),
        "approver": make_user("supervisor", ["TJ"], name="Timur"),
    }
    users.set_preferences(staff["uz_no_mail"], False)
    users.deactivate(staff["importer"], staff["gone"].id)
    # A global supervisor who also holds the grant for KZ is told once.
    db.session.add(
        RoleGrant(
            user_id=staff["global"].id,
            role="supervisor",
            country_id=db.session.scalar(select(Country.id).where(Country.iso2 == "KZ")),
        )
    )
    db.session.commit()
    return staff


def test_many_rows_write_what_submitting_each_would(staff):
    importer = staff["importer"]
    # TJ's first indicator is published, so its imported version starts from that one.
    published = assessments.approve(staff["approver"], submitted(staff["reviewer"], "TJ", 0).id)
    slugs = _slugs()
    rows = _rows(["KZ", "UZ", "TJ"], slugs)
    first = {model: _last_id(model) for model in (Version, AuditEvent, Notification, OutboxEmail)}

    report = _import(importer, rows, "three.json")

    assert report.imported == len(rows) == 3 * len(slugs)
    versions = _after(Version, first[Version])
    assert [(v.assessment.country.iso2, v.assessment.indicator.slug) for v in versions] == [
        (row["country"], row["indicator"]) for row in rows
    ]
    for version, row in zip(versions, rows, strict=True):
        assert (version.state, version.status, version.analysis) == (
            "submitted",
            "partial",
            row["analysis"],
        )
        assert (version.analysis_source_title, version.analysis_source_year) == ("Review", 2022)
        assert (version.created_by_id, version.submitted_by_id) == (importer.id, importer.id)
        assert (version.row_version, version.submitted_row_version) == (1, 1)
        assert version.number is None and version.submitted_at is not None
        assert version.contributor_ids == {importer.id}
        assert version.import_batch_id == report.batch_id
        assert [
            (c.position, c.instrument.title, c.instrument.year_adopted, c.provision, c.url)
            for c in version.citations
        ] == [
            (
                0,
                "Criminal Code",
                2014,
                row["citations"][0]["provision"],
                "https://example.org/code",
            ),
            (1, f"Law on {row['indicator']}", None, "", ""),
        ]
        assert [(s.position, s.title, s.publisher, s.year) for s in version.sources] == [
            (0, row["sources"][0]["title"], "UNODC", 2021)
        ]
    # One instrument per country for the shared code, reused by every row of the country.
    assert len({c.instrument_id for v in versions for c in v.citations if c.position == 0}) == 3
    bases = {v.assessment.indicator.slug: v.base_version_id for v in versions[-len(slugs) :]}
    assert bases[slugs[0]] == published.id
    assert {v.base_version_id for v in versions[: -len(slugs)]} == {None}

    # Two audit events per row, as audit.record writes them, then the import itself.
    events = _after(AuditEvent, first[AuditEvent])
    assert [_event(e) for e in events] == [
        (importer.id, action, "version", v.id, v.assessment.country_id, before, after, None,
         {"import": "three.json", "line": line})
        for line, v in enumerate(versions, start=1)
        for action, before, after in (("start", None, "draft"), ("submit", "draft", "submitted"))
    ] + [
        (importer.id, "import_assessments", "system", None, None, None, None, None,
         {"file": "three.json", "imported": len(rows), "batch": report.batch_id})
    ]  # fmt: skip
    assert all(e.at is not None and e.at.tzinfo is not None for e in events)

    # The people the single-transition query names, for each version in turn, and their texts.
    expected_notices, expected_mails = [], []
    for v in versions:
        country, indicator = v.assessment.country.name, v.assessment.indicator.title
        sentence = f"Ada submitted {indicator} for {country} for review."
        link = f"/staff/versions/{v.id}"
        for person in notifications.recipients(db.session, importer, v, Action.SUBMIT):
            expected_notices.append((person.id, sentence, link, False))
            if person.email_notifications:
                body = f"{sentence}\n\nOpen it: {BASE_URL}{link}"
                subject = f"Review requested: {country}, {indicator}"
                expected_mails.append((person.email, subject, body, None, 0))
    notices = _after(Notification, first[Notification])
    assert [(n.user_id, n.message, n.link, n.read) for n in notices] == expected_notices
    mails = _after(OutboxEmail, first[OutboxEmail])
    assert [(m.recipient, m.subject, m.body, m.sent_at, m.attempts) for m in mails] == (
        expected_mails
    )
    # Who that is, spelled out: KZ's active supervisor and the global one (once), UZ's in the app
    # only, TJ's; never the importer, the inactive, the reviewer or a supervisor elsewhere.
    per_country = {
        "KZ": ["kz", "global"],
        "UZ": ["global", "uz_no_mail"],
        "TJ": ["global", "approver"],
    }
    told = [staff[name].id for row in rows for name in per_country[row["country"]]]
    assert [n.user_id for n in notices] == told
    assert len(mails) == len(notices) - len(slugs)


def test_an_assessment_opened_since_the_check_imports_nothing(staff, monkeypatch):
    from assess.services import import_rows

    slugs = _slugs()
    draft = submitted(staff["reviewer"], "UZ", 3)
    line = len(slugs) + slugs.index(draft.assessment.indicator.slug) + 1
    monkeypatch.setattr(import_rows, "_open_work", dict)  # as if it appeared after the check
    before = {model: _last_id(model) for model in (Version, AuditEvent, Notification, OutboxEmail)}
    rows = _rows(["KZ", "UZ"], slugs)
    with pytest.raises(Conflict, match=f"Row {line}: someone opened this assessment"):
        bulk_import.run(staff["importer"], json.dumps(rows).encode(), "late.json")
    assert {model: _last_id(model) for model in before} == before
    assert db.session.get(Version, draft.id).state == "submitted"


def test_the_statements_of_an_import_do_not_grow_with_its_rows(staff):
    add_indicators(100)
    db.session.commit()
    slugs = _slugs()
    assert len(slugs) >= 100
    with count_queries() as few:
        _import(staff["importer"], _rows(["KZ"], slugs[:20]))
    with count_queries() as many:
        _import(staff["importer"], _rows(["UZ", "TJ"], slugs[:100]))
    assert db.session.scalar(select(func.count(Notification.id))) == 20 * 2 + 200 * 2
    assert many.count == few.count, (few, many)
    assert few.count <= 25, few
