"""Helpers for the review-workflow tests: act as each demo user over HTTP, read the rows."""

import re

from sqlalchemy import select

from assess.extensions import db
from assess.models import (
    Assessment,
    AuditEvent,
    Citation,
    Comment,
    Country,
    Indicator,
    Instrument,
    Source,
    User,
    Version,
    VersionContributor,
)

from .conftest import TEST_PASSWORD

DEMO_PASSWORDS = {
    "reviewer@example.org": "reviewer-demo-pass",
    "supervisor@example.org": "supervisor-demo-pass",
    "supervisor2@example.org": "supervisor2-demo-pass",
    "admin@example.org": "admin-demo-pass-1",
}
AGE = "age-of-consent"
EXTRA = "extraterritoriality-extradition"
CSAM = "csam-definition"


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def login(client, auth, email_or_user) -> None:
    """Sign in as a demo user (by e-mail) or a user made by `make_user`."""
    auth.logout()
    if isinstance(email_or_user, str):
        auth.login(user(email_or_user), password=DEMO_PASSWORDS[email_or_user])
    else:
        auth.login(email_or_user, password=TEST_PASSWORD)


def country(iso2: str) -> Country:
    return db.session.scalar(select(Country).where(Country.iso2 == iso2))


def indicator(slug: str) -> Indicator:
    return db.session.scalar(select(Indicator).where(Indicator.slug == slug))


def assessment(iso2: str, slug: str) -> Assessment | None:
    return db.session.scalar(
        select(Assessment).where(
            Assessment.country_id == country(iso2).id,
            Assessment.indicator_id == indicator(slug).id,
        )
    )


def version(version_id: int) -> Version:
    db.session.commit()  # a fresh snapshot: see what other connections committed
    return db.session.get(Version, version_id)


def open_version(iso2: str, slug: str) -> Version | None:
    found = assessment(iso2, slug)
    if found is None:
        return None
    return db.session.scalar(
        select(Version).where(
            Version.assessment_id == found.id,
            Version.state.in_(["draft", "submitted", "changes_requested"]),
        )
    )


def events(version_id: int, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(
        AuditEvent.object_type == "version", AuditEvent.object_id == version_id
    )
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def text(response) -> str:
    return response.get_data(as_text=True)


def visible_text(response) -> str:
    """The page's text with tags removed and whitespace collapsed, as a reader meets it."""
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", text(response), flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    body = body.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&")
    return re.sub(r"\s+", " ", body)


def form_fields(version_obj: Version, **changes) -> dict:
    """The editor form as a browser would post it for the version's current content."""
    data = {
        "row_version": str(version_obj.row_version),
        "status": version_obj.status,
        "analysis": version_obj.analysis,
        "analysis_language": version_obj.analysis_language,
        "analysis_source_title": version_obj.analysis_source_title,
        "analysis_source_year": str(version_obj.analysis_source_year or ""),
    }
    for index, c in enumerate(version_obj.citations):
        data.update(
            {
                f"citations-{index}-instrument": str(c.instrument_id),
                f"citations-{index}-instrument_title": "",
                f"citations-{index}-year_adopted": "",
                f"citations-{index}-provision": c.provision,
                f"citations-{index}-status_as_of": str(c.status_as_of or ""),
                f"citations-{index}-url": c.url,
                f"citations-{index}-language": c.language,
            }
        )
    for index, s in enumerate(version_obj.sources):
        data.update(
            {
                f"sources-{index}-title": s.title,
                f"sources-{index}-publisher": s.publisher,
                f"sources-{index}-year": str(s.year or ""),
                f"sources-{index}-url": s.url,
            }
        )
    data.update(changes)
    return data


def start(client, iso2: str, slug: str):
    return client.post_form(f"/staff/countries/{iso2.lower()}/{slug}/start")


def start_draft(client, iso2: str = "KZ", slug: str = AGE) -> Version:
    response = start(client, iso2, slug)
    assert response.status_code == 302, text(response)
    return open_version(iso2, slug)


def save(client, version_obj: Version, **changes):
    return client.post_form(
        f"/staff/versions/{version_obj.id}/save", form_fields(version(version_obj.id), **changes)
    )


def act(client, version_id: int, action: str, **data):
    return client.post_form(f"/staff/versions/{version_id}/{action}", data)


def snapshot() -> dict:
    """Every row the workflow can touch, as plain tuples: to prove that nothing changed."""
    db.session.commit()
    tables = {
        "version": Version,
        "assessment": Assessment,
        "citation": Citation,
        "source": Source,
        "contributor": VersionContributor,
        "comment": Comment,
        "instrument": Instrument,
        "audit": AuditEvent,
    }
    result = {}
    for name, model in tables.items():
        columns = [column.key for column in model.__table__.columns]
        rows = db.session.execute(select(*[model.__table__.c[c] for c in columns])).all()
        result[name] = sorted((tuple(row) for row in rows), key=repr)
    return result
