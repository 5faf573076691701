"""No page costs more SQL statements as the data grows: every public page and API resource, the
coverage matrix, the queues and a country's staff page are rendered on a small data set and on one
about ten times larger (ten versions per assessment instead of one, 20 indicators instead of 9,
30 assessed countries instead of 3, five times the citations and ten times the profile content of
the country shown, ten times the open work), and must send the same number of statements.

Each page also has a measure of what it lists (rows, versions, citations, JSON items), which must
grow with the data: a page that stopped listing anything would otherwise pass. Public pages are
stored per process and answered before Flask (`assess/public/fastpath.py`); the store is emptied
before each measured request, so what is counted is a render, not a lookup.

The two data sets are made once per module, in their own databases, and only read by the tests.
"""

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import insert, select

from assess import create_app
from assess.extensions import db
from assess.models import (
    Assessment,
    Citation,
    Country,
    Fact,
    Indicator,
    Instrument,
    Member,
    NewsItem,
    Resource,
    Source,
    Version,
)
from assess.public.fastpath import LARGEST_BYTES
from assess.services import accounts, generate

from .conftest import TEST_PASSWORD, AuthActions, Client, base_config, database_copy
from .queue_data import bulk_work, count_queries


@dataclass(frozen=True)
class Size:
    versions: int  # published versions per generated assessment
    countries: int  # countries with generated assessments
    indicators: int
    extra_citations: int  # per version of the country shown, beyond the generated two
    extra_content: int  # profile members, facts, resources and news items of the country shown
    work: int  # open versions of the staff users (a third each submitted, returned, draft)


SMALL = Size(versions=1, countries=3, indicators=9, extra_citations=0, extra_content=0, work=6)
LARGE = Size(versions=10, countries=30, indicators=20, extra_citations=8, extra_content=20, work=90)
AUTHOR = "author@example.org"  # a global reviewer: their returned work and drafts
SUPERVISOR = "decider@example.org"  # a global supervisor: the review queue, matrix, country page


@dataclass(frozen=True)
class World:
    app: Flask
    iso2: str  # the country shown: the first generated one
    slug: str  # the indicator shown: the first one


def _fill(size: Size) -> tuple[str, str]:
    generate.add_indicators(size.indicators)
    generate.generate(scale=size.versions, seed=1, open_share=0.5, countries=size.countries)
    country = db.session.scalar(select(Country).order_by(Country.id).limit(1))
    _enrich(country, size)
    author = accounts.create_user(None, AUTHOR, TEST_PASSWORD, "reviewer")
    accounts.create_user(None, SUPERVISOR, TEST_PASSWORD, "supervisor")
    # Open work where nothing was generated: the countries after the generated ones.
    others = db.session.scalars(select(Country.id).order_by(Country.id).offset(size.countries))
    bulk_work(
        author_id=author.id,
        states=["submitted", "changes_requested", "draft"],
        countries=list(others),
        limit=size.work,
    )
    indicator = db.session.scalar(select(Indicator).order_by(Indicator.position).limit(1))
    return country.iso2.lower(), indicator.slug


def _enrich(country: Country, size: Size) -> None:
    """More citations and sources on every version of `country`, and more profile content."""
    versions = db.session.scalars(
        select(Version.id).join(Version.assessment).where(Assessment.country_id == country.id)
    ).all()
    instrument = db.session.scalar(
        select(Instrument.id).where(Instrument.country_id == country.id).limit(1)
    )
    extra = range(size.extra_citations)
    if versions and size.extra_citations:
        db.session.execute(insert(Citation), [
            {"version_id": v, "instrument_id": instrument, "position": 2 + n,
             "provision": f"Article {n}", "status_as_of": 2023, "url": "", "language": "en"}
            for v in versions for n in extra
        ])  # fmt: skip
        db.session.execute(insert(Source), [
            {"version_id": v, "position": 1 + n, "title": f"Report {n}", "publisher": "",
             "year": 2020, "url": ""}
            for v in versions for n in extra
        ])  # fmt: skip
    start = 10  # after the generated content's positions
    for model, values in (
        (Member, {"name": "Network", "description": "", "url": ""}),
        (Fact, {"text": "A fact."}),
        (Resource, {"publisher": "", "title": "Report", "year": 2020, "url": "", "file_name": ""}),
        (NewsItem, {"title": "News", "body": "", "url": "", "published_on": date(2025, 1, 1)}),
    ):
        rows = [{"country_id": country.id, **values} for _ in range(size.extra_content)]
        if model is not NewsItem:
            for n, row in enumerate(rows):
                row["position"] = start + n
        if rows:
            db.session.execute(insert(model), rows)
    db.session.commit()


def _world(template_database, folder, size: Size) -> Iterator[World]:
    with database_copy(template_database, folder) as url:
        app = create_app(base_config(url, str(folder)))
        app.test_client_class = Client
        with app.app_context():
            iso2, slug = _fill(size)
            db.session.remove()
        yield World(app, iso2, slug)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        app.extensions["assess_public_responses"].watcher.close()


@pytest.fixture(scope="module")
def small(template_database, tmp_path_factory):
    yield from _world(template_database, tmp_path_factory.mktemp("small"), SMALL)


@pytest.fixture(scope="module")
def large(template_database, tmp_path_factory):
    yield from _world(template_database, tmp_path_factory.mktemp("large"), LARGE)


# What each page lists, as a number that grows with the data.


def matches(pattern: str) -> Callable[[str], int]:
    return lambda body: len(re.findall(pattern, body))


def json_items(count: Callable[[dict], int]) -> Callable[[str], int]:
    return lambda body: count(json.loads(body))


def csv_findings(body: str) -> int:
    """Rows with a published version (every country x indicator has a row)."""
    return sum(1 for row in csv.DictReader(io.StringIO(body.lstrip("\ufeff"))) if row["version"])


def versions_and_citations(record: dict) -> int:
    return sum(1 + len(v["citations"]) + len(v["sources"]) for v in record["versions"])


def everything(document: dict) -> int:
    return sum(versions_and_citations(a) for c in document["countries"] for a in c["assessments"])


def assessed(summary: dict) -> int:
    return sum(n for status, n in summary.items() if status != "not_assessed")


ASSESSED_STATUS = r'<li class="status-(?!not_assessed)'
ROW = r'<tr>\s*<th scope="row">'
CITATION = r'<span class="citation">'

# (url, who is signed in, measure of the content); {iso2} and {slug} name the country and
# indicator shown. A measure of None: the page lists no data (it must still cost the same).
PAGES = [
    ("/", None, matches(r'<li class="card"><a class="card-title"')),
    ("/countries/", None, matches(ASSESSED_STATUS)),
    ("/countries/{iso2}", None, lambda b: matches(CITATION)(b) + matches(r'class="card"')(b)),
    ("/countries/{iso2}/{slug}", None, matches(r'<li class="history-item">')),
    ("/countries/{iso2}/{slug}/v/1", None, matches(ROW)),  # citations
    ("/indicators/", None, matches(r'<a href="/indicators/')),
    ("/indicators/{slug}", None, matches(r"<time datetime=")),
    ("/data/", None, None),
    ("/data/assessments.csv", None, csv_findings),
    ("/data/assessments.json", None, json_items(everything)),
    ("/api/v1/countries", None, json_items(lambda d: sum(assessed(c["summary"]) for c in d["countries"]))),
    ("/api/v1/countries/{iso2}", None, json_items(lambda d: len(d["assessments"]) + len(d["members"]) + len(d["facts"]) + len(d["resources"]) + len(d["news"]))),
    ("/api/v1/countries/{iso2}/assessments/{slug}", None, json_items(versions_and_citations)),
    ("/api/v1/countries/{iso2}/assessments/{slug}/versions/1", None, json_items(lambda d: len(d["citations"]) + len(d["sources"]))),
    ("/api/v1/indicators", None, json_items(lambda d: len(d["indicators"]))),
    ("/api/v1/indicators/{slug}", None, json_items(lambda d: sum(1 for c in d["countries"] if c["current_version"]))),
    ("/staff/matrix?per_page=250", SUPERVISOR, matches(r'<span class="badge status-(?!not_assessed)|class="work-link"')),
    ("/staff/queue/review", SUPERVISOR, matches(ROW)),
    ("/staff/queue/returned", AUTHOR, matches(ROW)),
    ("/staff/queue/drafts", AUTHOR, matches(ROW)),
    ("/staff/countries/{iso2}", SUPERVISOR, matches(r'<tr id="ind-')),
    ("/staff/countries?iso2={iso2}", SUPERVISOR, None),
]  # fmt: skip


def render(world: World, url: str, user: str | None) -> tuple[int, str]:
    """The statements one request of `url` sends, and the body. A first request fills per-process
    caches (compiled templates and statements); then the stored public responses are dropped,
    and the measured request must store its response again: a render, not a lookup."""
    client = world.app.test_client()
    url = url.format(iso2=world.iso2, slug=world.slug)
    with world.app.app_context():
        if user is not None:
            AuthActions(client).login(SimpleNamespace(email=user))
        client.get(url)
        store = world.app.extensions["assess_public_responses"].store
        store.clear()
        world.app.extensions["assess_fragments"].clear()
        with count_queries() as log:
            response = client.get(url)
    # The country chooser answers with a redirect to the country's page; everything else renders.
    expected = 302 if "?iso2=" in url else 200
    assert response.status_code == expected, (url, response.status_code)
    if user is None:
        assert store.used > 0 or len(response.data) > LARGEST_BYTES, "not rendered"
    return log.count, response.get_data(as_text=True)


@pytest.mark.parametrize(("url", "user", "measure"), PAGES, ids=[p[0] for p in PAGES])
def test_a_page_costs_the_same_statements_on_ten_times_the_data(small, large, url, user, measure):
    few, small_body = render(small, url, user)
    many, large_body = render(large, url, user)
    assert many == few, f"{url}: {few} statements on the small data set, {many} on the large"
    if measure is not None:
        assert few > 1, "the page loads nothing"
        assert 0 < measure(small_body) < measure(large_body), (
            url,
            measure(small_body),
            measure(large_body),
        )
