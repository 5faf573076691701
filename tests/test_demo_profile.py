"""The demo data reproduce the seed page, of which tests/fixtures/ keeps a copy (the text of
ECPAT's Kazakhstan country profile)."""

import re
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import func, select

from assess.extensions import db
from assess.models import AuditEvent, Citation, Instrument, Version

SEED = Path(__file__).resolve().parent / "fixtures" / "kazakhstan-country-profile.txt"
# The seed flattens the three instruments and their years into one line; we store them as three
# structured instruments and render them readably.
SEED_LEGAL_LINE = (
    "Constitution, Criminal Code, Code of Criminal Procedure, 1995 (status as of 2023), "
    "2014 (status as of 2023), 2014 (status as of 2023)"
)
READABLE_LEGAL_LINE = (
    "Constitution (1995, status as of 2023); Criminal Code (2014, status as of 2023); "
    "Code of Criminal Procedure (2014, status as of 2023)"
)
# Site chrome of the original page that is not country data (a campaign banner, a download button).
NOT_COUNTRY_DATA = {
    "Public Opinion is Clear: Urgent Legislation Required to Protect Children from Sexual "
    "Exploitation! Read the story",
    "Download",
}


class _Text(HTMLParser):
    """The page's visible text, one block element per line."""

    BLOCKS = {"p", "h1", "h2", "h3", "li", "div", "section", "header", "article", "main"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self.skip += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self.skip -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)

    def text(self) -> str:
        return re.sub(r"[ \t]*\n\s*", "\n", re.sub(r"[ \t]+", " ", "".join(self.parts)))


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return parser.text()


def seed_lines() -> list[str]:
    lines = [line.strip() for line in SEED.read_text().splitlines() if line.strip()]
    return [
        READABLE_LEGAL_LINE if line == SEED_LEGAL_LINE else line
        for line in lines
        if line not in NOT_COUNTRY_DATA
    ]


def test_profile_shows_every_line_of_the_seed_in_order(client, demo_data):
    html = client.get("/countries/kz").get_data(as_text=True)
    text = page_text(html)
    position = 0
    for line in seed_lines():
        found = text.find(line, position)
        assert found >= 0, f"missing or out of order: {line!r}"
        position = found + len(line)


def test_statuses_of_the_nine_indicators(client, demo_data):
    text = page_text(client.get("/countries/kz").get_data(as_text=True))
    indicators = text[text.index("\nIndicators\n") :]
    expected = [
        ("Age of Consent", "Partial"),
        ("Extraterritoriality & Extradition", "Partial"),
        ("CSAM Definition", "Not Yet Assessed"),
        ("Background Check Required", "Not Yet Assessed"),
        ("National Commitments", "Not Yet Assessed"),
        ("Child Advocacy Centers", "Not Yet Assessed"),
        ("SEC Police Unit", "Not Yet Assessed"),
        ("Protection Standards Travel and Tourism", "Not Yet Assessed"),
        ("Public SEC Case Data", "Not Yet Assessed"),
    ]
    for title, status in expected:
        start = indicators.index(f"\n{title}\n")
        assert indicators[start:].split("\n")[2].endswith(status), title


def test_demo_assessments_are_published_by_a_second_person(app, demo_data):
    versions = db.session.scalars(select(Version).order_by(Version.id)).all()
    assert len(versions) == 2
    for version in versions:
        assert version.state == "published"
        assert version.number == 1
        assert version.decided_by.email == "supervisor@example.org"
        assert version.created_by.email == "reviewer@example.org"
        assert version.decided_by_id not in version.contributor_ids
        actions = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "version", AuditEvent.object_id == version.id)
            .order_by(AuditEvent.id)
        ).all()
        assert actions == ["start", "save", "submit", "approve"]


def test_legal_sources_are_three_structured_instruments(app, demo_data):
    citations = db.session.scalars(
        select(Citation).join(Instrument).order_by(Citation.position)
    ).all()
    assert [(c.instrument.title, c.instrument.year_adopted, c.status_as_of) for c in citations] == [
        ("Constitution", 1995, 2023),
        ("Criminal Code", 2014, 2023),
        ("Code of Criminal Procedure", 2014, 2023),
    ]
    assert db.session.scalar(select(func.count()).select_from(Instrument)) == 3


def test_analysis_source_of_age_of_consent(app, demo_data, client):
    text = page_text(client.get("/countries/kz").get_data(as_text=True))
    assert "Analysis of country legislation on age of sexual consent, 2024" in text


def test_a_country_with_nothing_published_shows_not_yet_assessed(client, demo_data):
    html = client.get("/countries/fr").get_data(as_text=True)
    text = page_text(html)
    indicators = page_text(html.split('<h2 id="indicators">')[1])
    assert indicators.count("Not Yet Assessed") == 9
    assert "9 Not Yet Assessed" in text  # the summary at the top
    assert "Partial" not in text


def test_unknown_country_is_404(client):
    assert client.get("/countries/zz").status_code == 404
    assert client.get("/countries/kaz").status_code == 404
